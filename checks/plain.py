"""Plain-text helpers for the compliance engine, without rich: ``opsconsole check`` in CI starts
faster when it does not import a rendering library it never uses. Same semantics as
``console.text.strip_control`` / ``looks_secret`` / ``MASK`` (tests/checks/test_plain.py keeps them equal)."""

from __future__ import annotations

import re

_ANSI = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]            # CSI
  | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)? # OSC ... BEL | ST
  | \x9d[^\x07\x1b\x9c]*(?:\x07|\x9c)? # 8-bit OSC
  | \x1b[P^_X][^\x1b]*(?:\x1b\\)?      # DCS / PM / APC / SOS
  | \x1b[@-Z\\-_]                      # other Fe escapes
  | \x1b.?                             # lone ESC
    """,
    re.VERBOSE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|session|cookie|dsn|conn(ection)?[_-]?str)",
    re.IGNORECASE,
)
MASK = "••••••"


def strip_control(value: object) -> str:
    """``value`` as a string with escape sequences and control characters removed (tab and newline kept)."""
    s = value if isinstance(value, str) else str(value)
    if "\x1b" in s or "\x9b" in s or "\x9d" in s:
        s = _ANSI.sub("", s)
    return _CONTROL.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def looks_secret(key: str) -> bool:
    """True for names like DB_PASSWORD, API_TOKEN, AWS_SECRET_ACCESS_KEY."""
    return bool(_SECRET_KEY.search(key))
