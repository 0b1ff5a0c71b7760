"""A hang guard: run a call in a thread and fail if it has not finished by a deadline.

The deadlines are generous (tens of seconds): they catch hangs and super-linear blow-ups
(the old quadratic log masking took 26.8 s on one 16 KB line), not speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def within(seconds: float, fn: Callable[..., T], *args: Any) -> T:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="hang-guard")
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{getattr(fn, '__name__', fn)} did not finish within its {seconds:g}s deadline"
    if "error" in out:
        raise out["error"]
    return out["value"]
