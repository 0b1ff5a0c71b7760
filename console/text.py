"""Untrusted text stays text: strip terminal control sequences, never parse markup."""

from __future__ import annotations

import re

from rich.text import Text

# Masking lives in console.masking (no Textual, no rich); re-exported here for every view.
from console.masking import (
    MASK,
    looks_secret,
    mask_args,
    mask_env,
    mask_secret,
    mask_secrets_in,
    mask_secrets_value,
)

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/PM/APC/SOS (ESC P|^|_|X ... ST),
# other two-byte ESC sequences, then C0/C1 controls except tab and newline.
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


def strip_control(value: object) -> str:
    """Return ``value`` as a string with escape sequences and control characters removed."""
    s = value if isinstance(value, str) else str(value)
    if s.isprintable():  # no control character at all (C speed): nothing to strip
        return s
    if "\x1b" in s or "\x9b" in s or "\x9d" in s:
        s = _ANSI.sub("", s)
    return _CONTROL.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def safe_text(value: object, style: str = "", mask: bool = True) -> Text:
    """A literal ``rich.text.Text``: no markup parsing, control sequences stripped, and
    secrets masked by value (``mask_secrets_in``) unless ``mask=False`` (an audited reveal)."""
    text = strip_control(value)
    return Text(mask_secrets_in(text) if mask else text, style=style, no_wrap=False, end="")


__all__ = [
    "MASK", "looks_secret", "mask_args", "mask_env", "mask_secret", "mask_secrets_in", "mask_secrets_value",
    "safe_text", "strip_control",
]
