"""Mask secrets by key name *and* by value, in free text and in nested objects.

One module for every view, Copy, report, log, cache, changelog and audit record:

- :func:`mask_secrets_in` (free text) masks
  - ``KEY=value``, ``KEY: value``, ``KEY = "value"``, ``"KEY": "value"`` where KEY looks
    secret (password, token, secret, api key, credential, ...; :func:`looks_secret`);
  - flags: ``--password x``, ``--token=ghp_...``, ``- --password`` / ``- x`` (YAML lists),
    ``"--password", "x"`` (JSON lists);
  - ``name: DB_PASSWORD`` followed by ``value: x`` (Kubernetes env in YAML, JSON, repr);
  - ``Authorization: Bearer <token>`` / ``Basic <b64>`` and lone ``Bearer <token>``;
  - passwords in URLs (``postgres://u:pw@host``, ``redis://:pw@host``);
  - known key formats: AWS key ids, GitHub, GitLab, Slack, Stripe, Google API keys, npm,
    JWTs, PEM private-key blocks.
- :func:`mask_secrets_value` does the same inside dicts/lists/tuples and also masks whole
  values under secret-looking keys, ``{"name": "DB_PASSWORD", "value": ...}`` pairs and
  the element after a secret flag in an argument list.

Every pattern is linear in the length of the text: keys are anchored at a token start
(a look-behind, so no attempt starts inside a word), every repetition that can backtrack
is bounded, and each pattern runs only when a cheap substring test says it can match.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "••••••"
MAX_DEPTH = 64  # deeper nesting is replaced, never recursed into (hostile documents)
DEEP = "…(nested too deeply: not shown)"

_WORD = (
    r"(?:pass(?:words?|wds?|phrase)?(?![a-z])|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|credential|auth(?!or)|session|cookie|dsn|conn(?:ection)?[_-]?str)"
)
_SECRET_KEY = re.compile(_WORD, re.IGNORECASE)
# Substrings (lower case) one of which every secret key contains: the cheap pre-check.
_KEY_HINTS = ("pass", "pwd", "secret", "token", "key", "credential", "auth", "session", "cookie", "dsn", "conn")

_TOKEN = r"A-Za-z0-9_.-"
_KEY = rf"[{_TOKEN}]{{0,64}}?{_WORD}[{_TOKEN}]{{0,64}}"
_START = rf"(?<![{_TOKEN}])"
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_TOKEN_RUN = re.compile(rf"[{_TOKEN}]*")
_BACK = 2 + 64 + len("private_")  # how far a key starts before a hint: "--", _KEY's prefix, "private_" of "private_key"
_VALUE = r"(?(q2)[^\"'\\\n]+|(?!•)[^\s,;&\"'\\]+)"

# KEY=value, KEY: value, "KEY": "value", --flag value, - --flag / - value, "--flag", "value"
_PAIR = re.compile(
    rf"""{_START}(?P<key>(?P<dash>--?)?{_KEY})(?P<q1>\\?["'])?
    (?P<sep>[ \t]*=[ \t]*|[ \t]*:(?:[ \t]+|(?=\\?["']))|(?(dash)(?:[ \t]*,[ \t]*(?:\r?\n[ \t]*)?|[ \t]*\r?\n[ \t]*-[ \t]+|[ \t]+)|(?!)))
    (?P<q2>\\?["'])?(?P<val>{_VALUE})""",
    re.IGNORECASE | re.VERBOSE,
)
# name: DB_PASSWORD / value: x  (YAML), "name": "DB_PASSWORD", "value": "x" (JSON), name='X', value='x'
_NAME_VALUE = re.compile(
    rf"""{_START}(?P<nq>\\?["']?)name(?P=nq)[ \t]*[:=][ \t]*(?P<kq>\\?["']?){_KEY}(?P=kq)
    [ \t]*(?:,[ \t]*)?(?:\r?\n[ \t]*)?(?P<vq>\\?["']?)value(?P=vq)[ \t]*[:=][ \t]*
    (?P<q2>\\?["'])?(?P<val>{_VALUE})""",
    re.IGNORECASE | re.VERBOSE,
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)(?!•)[A-Za-z0-9._~+/=-]{8,}")
_URL_PASSWORD = re.compile(r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}://[^/\s:@]{0,256}:)(?!•)[^/\s@]{1,512}(@)")
_KNOWN = re.compile(
    r"\b(?:(?:AKIA|ASIA|AIDA|AROA|AGPA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_-]{16,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{16,}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|npm_[A-Za-z0-9]{36}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
)
_KNOWN_HINTS = ("akia", "asia", "aida", "aroa", "agpa", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
                "glpat-", "xox", "_live_", "_test_", "whsec_", "aiza", "npm_", "eyj")
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----")
_PEM_END = re.compile(r"-----END [A-Z ]{0,40}PRIVATE KEY-----")
_SKIP_VALUES = frozenset({"bearer", "basic", "token", "true", "false", "null", "none"})


def looks_secret(key: str) -> bool:
    """True for names like DB_PASSWORD, API_TOKEN, AWS_SECRET_ACCESS_KEY."""
    return len(key) <= 256 and bool(_SECRET_KEY.search(key))


def mask_secret(value: object) -> str:
    """Mask a secret value (nothing of it stays visible); empty stays empty."""
    return MASK if value not in (None, "") else ""


def _pair(m: re.Match[str]) -> str:
    if m["val"].lower() in _SKIP_VALUES and not m["q2"]:
        return m[0]
    return m[0][: m.start("val") - m.start()] + MASK


def _pem(text: str) -> str:
    out, pos = [], 0
    while (begin := _PEM_BEGIN.search(text, pos)) is not None:
        out.append(text[pos:begin.start()])
        end = _PEM_END.search(text, begin.end())
        out.append(MASK)
        if end is None:
            return "".join(out)
        pos = end.end()
    out.append(text[pos:])
    return "".join(out)


def mask_secrets_in(text: str) -> str:
    """``text`` with every secret-looking value replaced by :data:`MASK` (linear time)."""
    if not text or not isinstance(text, str):
        return text
    original = text
    low = text.lower()
    if "private key-----" in low:
        text = _pem(text)
    if "://" in text:
        text = _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<2>", text)
    if "bearer" in low or "basic" in low:
        text = _BEARER.sub(lambda m: f"{m[1]}{m[2]}{MASK}", text)
    if any(h in low for h in _KNOWN_HINTS):
        text = _KNOWN.sub(MASK, text)
    if any(h in low for h in _KEY_HINTS):
        if "name" in low and "value" in low:
            text = _NAME_VALUE.sub(_pair, text)
        text = _pairs(text, low if text is original else text.lower())
    return text


def _pairs(text: str, low: str) -> str:
    """``_PAIR.sub(_pair, text)``, keyword first: find a secret-word hint (``str.find`` on the
    lower-cased text), step back to the start of its token (at most ``_BACK`` characters:
    the key's bounded prefix) and try ``_PAIR`` anchored there, once per token. Timestamps,
    paths and words without a hint cost a few substring scans, never a regex attempt at
    every token start."""
    if len(low) != len(text):  # lower() changed the length (rare Unicode): no index mapping
        return _PAIR.sub(_pair, text)
    n = len(text)
    upcoming = {h: i for h in _KEY_HINTS if (i := low.find(h)) >= 0}
    out: list[str] = []
    pos = done = 0
    while upcoming:
        hit = min(upcoming.values())
        start = hit
        floor = max(done, hit - _BACK)
        while start > floor and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        m = None
        if start == 0 or start == done or text[start - 1] not in _TOKEN_CHARS:
            m = _PAIR.match(text, start)
        if m is not None:
            out.append(text[done:m.start()])
            out.append(_pair(m))
            done = pos = m.end()
        else:  # no pair starts at this token: every other hint in it has the same start
            pos = _TOKEN_RUN.match(text, hit + 1).end()
        if pos >= n:
            break
        for h, i in list(upcoming.items()):
            if i < pos:
                j = low.find(h, pos)
                if j < 0:
                    del upcoming[h]
                else:
                    upcoming[h] = j
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def mask_env(entry: str) -> str:
    """``KEY=value`` with the value masked when the key looks secret, else masked by value."""
    key, sep, value = entry.partition("=")
    if sep and looks_secret(key):
        return f"{key}{sep}{mask_secret(value)}"
    return mask_secrets_in(entry)


def mask_args(args: list[Any] | tuple[Any, ...], _depth: int = 0) -> list[Any]:
    """An argument list with the element after a secret flag (``--password``, ``-token``) masked."""
    out: list[Any] = []
    hide_next = False
    for arg in args:
        if hide_next and isinstance(arg, str) and not arg.startswith("-"):
            out.append(mask_secret(arg))
            hide_next = False
            continue
        hide_next = isinstance(arg, str) and arg.startswith("-") and "=" not in arg and looks_secret(arg)
        out.append(mask_secrets_value(arg, _depth + 1))
    return out


def _secret_scalar(val: Any) -> bool:
    return isinstance(val, (str, int, float, bytes)) and not isinstance(val, bool) and val not in ("", None)


def mask_secrets_value(value: Any, _depth: int = 0) -> Any:
    """Mask every string inside dicts, lists and tuples; whole values under secret keys."""
    if isinstance(value, str):
        return mask_secrets_in(value)
    if _depth >= MAX_DEPTH and isinstance(value, (dict, list, tuple)):
        return DEEP
    if isinstance(value, dict):
        name = value.get("name") if "value" in value else None
        secret_name = isinstance(name, str) and looks_secret(name)
        out = {}
        for key, val in value.items():
            secret = (isinstance(key, str) and looks_secret(key)) or (secret_name and key == "value")
            out[key] = MASK if secret and _secret_scalar(val) else mask_secrets_value(val, _depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return mask_args(value, _depth)
    return value
