"""What the log viewer reads (``LogSource``, ``FollowStream``), its pacing constants and two
helpers (``parse_since``, ``stream_end_reason``); ``screens.log_view`` re-exports them."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Protocol

TAILS = (100, 500, 2000, 10000, -1)  # -1: everything the source has


class FollowStream(Protocol):
    def __iter__(self) -> Iterator[str]: ...
    def close(self) -> None: ...


class LogSource(Protocol):
    """Where lines come from. ``fetch`` and ``follow`` run in thread workers."""

    title: str

    def fetch(self, tail: int, since: float | None, timestamps: bool) -> list[str]: ...

    def follow(self, tail: int, since: float | None, timestamps: bool) -> FollowStream:
        """The last ``tail`` lines, then new ones as they come, until closed."""
        ...


# The first lines of a (re)started stream are drawn this soon after they came, not at the
# next tick, and again every FIRST_DRAIN_SECONDS until the view is full (for at most
# FAST_DRAIN_FOR seconds): a key that restarts the stream (t, T, since, f) is answered at
# once. The short wait lets the tail the engine sends first arrive in few pieces.
FIRST_DRAIN_SECONDS = 0.03
FAST_DRAIN_FOR = 1.0
# A followed flood is taken in at most this fast: the worker then stops reading the stream
# (the backend buffers; nothing is lost, the view lags and says so) so that the worker
# never starves the UI thread of the GIL. Raw intake costs little per byte; a line the
# worker prepares (search or wrap on) counts PREPARE_WEIGHT times.
INGEST_BYTES_PER_S = 32 * 1024 * 1024
PREPARE_WEIGHT = 8
EAGER_BELOW = 256  # fewer lines than this waiting for the next drain: the worker prepares them


def stream_end_reason(source: object) -> str:
    """Why a followed stream ended by itself: the source's ``ended()`` if it has one."""
    ended = getattr(source, "ended", None)
    if ended is None:
        return "stream ended"
    try:
        return str(ended()) or "stream ended"
    except Exception as exc:  # noqa: BLE001 - the reason is shown, the viewer stays usable
        return f"stream ended ({getattr(exc, 'title', type(exc).__name__)}: {exc})"


def parse_since(text: str) -> float | None:
    """"10m", "2h", "30s", "1d" ago → epoch seconds; "" → None; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", text)
    if match is None:
        raise ValueError(f"since: expected a duration like 30s, 10m, 2h or 1d, got {text!r}")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    return time.time() - float(match[1]) * unit
