"""Evidence snippets never carry secrets: values of secret-looking assignments are masked.

Three shapes are masked: ``key = value`` / ``key: value`` (one line), ``--password value``
(a flag or a bare word followed by a value that is not an ordinary word), and the
name/value pairs of Kubernetes env entries, ECS container definitions and Terraform
``environment`` blocks, where the secret-looking word is the *name* and the secret is the
``value`` on the same or the next lines (``- name: DB_PASSWORD`` / ``value: hunter2``).
Every pattern is linear in the length of the text (no nested quantifiers).
"""

from __future__ import annotations

import re

from checks.plain import MASK, strip_control

_KEYWORD = r"(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)"
SECRET_KEYWORD = re.compile(_KEYWORD, re.IGNORECASE)
_ASSIGN = re.compile(
    r"""(?P<key>(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,64}""" + _KEYWORD + r"""[A-Za-z0-9_.-]{0,64}["']?)
        (?P<sep>[ \t]*[:=][ \t]*)
        (?P<q>["']?)(?P<value>[^"'\s,;}\\]{3,})""",
    re.IGNORECASE | re.VERBOSE,
)
# "--password hunter2", "PASSWORD s3cr3t": only a flag, or a value that is not a plain word
_SPACED = re.compile(
    r"""(?P<key>(?<![A-Za-z0-9_.-])-{0,2}[A-Za-z0-9_.-]{0,64}""" + _KEYWORD + r"""[A-Za-z0-9_.-]{0,64})
        (?P<sep>[ \t]+)(?P<q>["']?)(?P<value>[^"'\s,;}\\]{3,})""",
    re.IGNORECASE | re.VERBOSE,
)
# name: DB_PASSWORD ... value: hunter2   /   {"name": "API_TOKEN", "value": "x"}   /   name = "K", value = "v"
_NAME = re.compile(r"""(?<![A-Za-z0-9_])["']?name["']?[ \t]*[:=][ \t]*["']?(?P<name>[A-Za-z0-9_.-]{1,128})""", re.IGNORECASE)
_VALUE_AFTER = re.compile(r"""(?<![A-Za-z0-9_])["']?value["']?[ \t]*[:=][ \t]*["']?(?P<value>[^"'\s,;}\\]{1,4096})""",
                          re.IGNORECASE)
NAME_VALUE_WINDOW = 160  # the value of a name/value pair follows within this many characters
# key names that hold settings about secrets, not secrets: http_tokens = "required", password_length = 16
NOT_A_SECRET_KEY = re.compile(r"(tokens|file|path|url|uri|name|type|header|field|endpoint|arn|length|count|enabled|"
                              r"version|policy|ttl|validity|expiry|required|rotation|duration|lifetime|mode|format|"
                              r"source|ref|reference)[\"']?$", re.IGNORECASE)
KNOWN_KEYS = re.compile(
    r"(AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}"
    r"|sk_live_[0-9a-zA-Z]{24,}|glpat-[0-9A-Za-z_-]{20}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JSON web token
)
# "Authorization: Bearer <token>", "Basic <base64>", "token <x>": the scheme stays, the credential goes
# ("token" only before something that is not a plain word: "the token expires" stays readable)
AUTH_SCHEME = re.compile(r"\b(?:(?P<scheme>bearer|basic)|(?P<word>token)(?=\s+[A-Za-z]*[0-9\-._~+/]))(?P<sep>\s+)"
                         r"(?P<value>[A-Za-z0-9\-._~+/]{8,}=*)", re.IGNORECASE)
# URL credentials: scheme://user:password@host
URL_PASSWORD = re.compile(r"(?P<head>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}://[^/\s:@]{0,256}:)(?P<value>[^/\s@]{1,512})(?=@)",
                          re.IGNORECASE)
PRIVATE_KEY_BODY = re.compile(r"(-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)")
_PLAIN_WORD = re.compile(r"[A-Za-z]+[.:]?")  # "the token expires", "password required": ordinary words


def mask_value(value: str) -> str:
    """Keep a short prefix so a reader can recognise which key it was."""
    return (value[:4] + MASK) if len(value) > 8 else MASK


_QUICK_WORDS = ("pass", "secret", "token", "key", "credential", "bearer", "basic", "://")
_QUICK_PREFIXES = ("AKIA", "ASIA", "gh", "xox", "AIza", "sk_live", "glpat", "eyJ")


def mask_secrets(text: str) -> str:
    text = strip_control(text)
    low = text.lower()
    if not any(word in low for word in _QUICK_WORDS) and not any(p in text for p in _QUICK_PREFIXES):
        return text
    text = PRIVATE_KEY_BODY.sub(lambda m: f"{m.group(1)} {MASK} {m.group(3)}", text)
    text = AUTH_SCHEME.sub(lambda m: f"{m.group('scheme') or m.group('word')}{m.group('sep')}{mask_value(m.group('value'))}",
                           text)
    text = URL_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}", text)
    text = _mask_name_values(text)
    text = _ASSIGN.sub(_mask_assignment, text)
    text = _SPACED.sub(_mask_spaced, text)
    return KNOWN_KEYS.sub(lambda m: m.group(0) if MASK in m.group(0) else mask_value(m.group(0)), text)


def _mask_name_values(text: str) -> str:
    """Mask the value of every name/value pair whose name looks secret (linear: one search per name)."""
    spans = []
    for m in _NAME.finditer(text):
        if not SECRET_KEYWORD.search(m.group("name")) or NOT_A_SECRET_KEY.search(m.group("name")):
            continue
        v = _VALUE_AFTER.search(text, m.end(), m.end() + NAME_VALUE_WINDOW)
        if v and not _is_masked(v.group("value")):
            spans.append(v.span("value"))
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out.append(text[last:start])
        out.append(mask_value(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def _is_masked(value: str) -> bool:
    return value.startswith(MASK) or value[4:].startswith(MASK)


def _mask_assignment(m: re.Match[str]) -> str:
    value = m.group("value")
    comment = value.startswith("#") and not m.group("q")  # unquoted "#..." is a comment; '"#x1!"' is a value
    if _is_masked(value) or comment or NOT_A_SECRET_KEY.search(m.group("key")):
        return m.group(0)  # already masked (evidence is masked when made and again when loaded), or a comment
    return f"{m.group('key')}{m.group('sep')}{m.group('q')}{mask_value(value)}"


def _mask_spaced(m: re.Match[str]) -> str:
    value = m.group("value")
    key = m.group("key")
    assignment_like = key.startswith("-") or key.isupper() or "_" in key  # --password x, ENV DB_PASSWORD x
    if _is_masked(value) or value.startswith(("#", "-")) or (not assignment_like and _PLAIN_WORD.fullmatch(value)) \
            or NOT_A_SECRET_KEY.search(key):
        return m.group(0)
    return f"{m.group('key')}{m.group('sep')}{m.group('q')}{mask_value(value)}"
