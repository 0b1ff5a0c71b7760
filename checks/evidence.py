"""Evidence snippets never carry secrets: values of secret-looking assignments are masked."""

from __future__ import annotations

import re

from console.text import MASK, strip_control

_ASSIGN = re.compile(
    r"""(?P<key>[A-Za-z0-9_.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[A-Za-z0-9_.-]*["']?)
        (?P<sep>\s*[:=]\s*|\s+)
        (?P<q>["']?)(?P<value>[^"'\s,;}\\]{3,})""",
    re.IGNORECASE | re.VERBOSE,
)
KNOWN_KEYS = re.compile(
    r"(AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[baprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}"
    r"|sk_live_[0-9a-zA-Z]{24,}|glpat-[0-9A-Za-z_-]{20}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JSON web token
)
# "Authorization: Bearer <token>", "Basic <base64>", "token <x>": the scheme stays, the credential goes
AUTH_SCHEME = re.compile(r"\b(?P<scheme>bearer|basic|token)(?P<sep>\s+)(?P<value>[A-Za-z0-9\-._~+/]{8,}=*)", re.IGNORECASE)
# URL credentials: scheme://user:password@host
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<value>[^/\s@]+)(?=@)", re.IGNORECASE)
PRIVATE_KEY_BODY = re.compile(r"(-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)")


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
    text = AUTH_SCHEME.sub(lambda m: f"{m.group('scheme')}{m.group('sep')}{mask_value(m.group('value'))}", text)
    text = URL_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}", text)
    text = _ASSIGN.sub(_mask_assignment, text)
    return KNOWN_KEYS.sub(lambda m: mask_value(m.group(0)), text)


def _mask_assignment(m: re.Match[str]) -> str:
    value = m.group("value")
    if value.startswith(MASK) or value[4:].startswith(MASK):
        return m.group(0)  # already masked (evidence is masked once when made and again when loaded)
    return f"{m.group('key')}{m.group('sep')}{m.group('q')}{mask_value(value)}"
