"""The wall clock screens use for ages ("3m ago"); snapshot tests freeze it."""

from __future__ import annotations

import time

_frozen: float | None = None


def now() -> float:
    """Seconds since the epoch, or the frozen instant in snapshot tests."""
    return time.time() if _frozen is None else _frozen


def freeze(at: float | None) -> None:
    """Freeze the clock at ``at`` (seconds since the epoch); ``None`` unfreezes."""
    global _frozen
    _frozen = at
