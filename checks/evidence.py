"""Evidence snippets never carry secrets: values of secret-looking assignments are masked."""

from __future__ import annotations

import re

from console.text import MASK, strip_control

_ASSIGN = re.compile(
    r"""(?P<key>[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[A-Za-z0-9_.-]*["']?)
        (?P<sep>\s*[:=]\s*|\s+)
        (?P<q>["']?)(?P<value>[^"'\s,}]{3,})""",
    re.IGNORECASE | re.VERBOSE,
)
KNOWN_KEYS = re.compile(
    r"(AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}"
    r"|sk_live_[0-9a-zA-Z]{24,}|glpat-[0-9A-Za-z_-]{20}"
)


def mask_value(value: str) -> str:
    """Keep a short prefix so a reader can recognise which key it was."""
    return (value[:4] + MASK) if len(value) > 8 else MASK


_QUICK_WORDS = ("pass", "secret", "token", "key", "credential")
_QUICK_PREFIXES = ("AKIA", "ASIA", "gh", "xox", "AIza", "sk_live", "glpat")


def mask_secrets(text: str) -> str:
    text = strip_control(text)
    low = text.lower()
    if not any(word in low for word in _QUICK_WORDS) and not any(p in text for p in _QUICK_PREFIXES):
        return text
    text = _ASSIGN.sub(lambda m: f"{m.group('key')}{m.group('sep')}{m.group('q')}{mask_value(m.group('value'))}", text)
    return KNOWN_KEYS.sub(lambda m: mask_value(m.group(0)), text)
