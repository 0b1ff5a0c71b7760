"""Keep secrets out of the changelog and the audit log.

Every value written to either file goes through :func:`scrub` (strings) or
:func:`scrub_value` (nested dicts/lists). What is masked:

- ``KEY=value``, ``KEY: value`` and ``"KEY": "value"`` where KEY looks secret
  (password, token, secret, api key, credential, ...; see ``console.text.looks_secret``);
- ``Authorization: Bearer <token>`` / ``Basic <b64>`` and lone ``Bearer <token>``;
- known key formats: AWS access key ids (AKIA/ASIA...), GitHub (ghp_, gho_, github_pat_),
  GitLab (glpat-), Slack (xox?-), JWTs (eyJ...), PEM private-key blocks;
- the password in URLs (``scheme://user:password@host``).

Dict keys that look secret get their whole value masked.
"""

from __future__ import annotations

import re
from typing import Any

from console.text import MASK, looks_secret

_SECRET_WORD = (
    r"[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|credential|auth|session|cookie|dsn|conn(?:ection)?[_-]?str)[A-Za-z0-9_.-]*"
)
# "key": "value"  (JSON-ish)
_QUOTED_PAIR = re.compile(rf'(?i)(["\']{_SECRET_WORD}["\']\s*:\s*)(["\'])(?:(?!\2).)*\2')
# KEY=value  /  KEY: value  (env files, CLI flags --password=x, YAML)
_PAIR = re.compile(rf"(?i)(\b{_SECRET_WORD}\s*(?:=|:\s)\s*)(?!{re.escape(MASK)})([^\s,;&\"']+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_KNOWN = re.compile(
    r"\b(?:(?:AKIA|ASIA|AIDA|AROA|AGPA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_-]{16,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL)
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:)[^/\s@]+(@)")


def scrub(text: str) -> str:
    """``text`` with every secret-looking value replaced by the mask."""
    if not text:
        return text
    text = _PEM.sub(MASK, text)
    text = _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<2>", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _KNOWN.sub(MASK, text)
    text = _QUOTED_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    return _PAIR.sub(lambda m: f"{m.group(1)}{MASK}", text)


def scrub_value(value: Any) -> Any:
    """Scrub every string inside dicts, lists and tuples; mask values under secret keys."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {
            key: (MASK if isinstance(key, str) and looks_secret(key) and val not in (None, "") else scrub_value(val))
            for key, val in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub_value(v) for v in value]
    return value
