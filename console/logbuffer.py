"""Log lines made safe and kept within a memory budget (no Textual: used by the log view).

- :func:`prepare_line`: control sequences stripped, tabs expanded, secrets masked
  (``console.masking``), over-long lines cut with a marker. Called in the viewer's
  thread workers, never on the UI thread.
- :class:`PendingLines`: the queue between a following worker and the UI thread,
  bounded by bytes (``sys.getsizeof``), oldest lines dropped and counted when full.
- :func:`size_of`: what one stored line costs in memory.
"""

from __future__ import annotations

import sys
import threading
from collections import deque

from console.masking import mask_secrets_in
from console.text import strip_control

MAX_LINE_CHARS = 256 * 1024  # longer lines are cut (after masking) with a marker
DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # lines kept by one viewer, in memory bytes


def size_of(line: str) -> int:
    """Memory one stored line costs (the str object, header included)."""
    return sys.getsizeof(line)


def prepare_line(raw: object) -> str:
    """One stored line: literal, one row, secrets masked, at most :data:`MAX_LINE_CHARS`."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = mask_secrets_in(strip_control(raw).replace("\n", " ").expandtabs())
    if len(text) > MAX_LINE_CHARS:
        cut = len(text) - MAX_LINE_CHARS
        text = f"{text[:MAX_LINE_CHARS]} …({cut} characters cut)"
    return text


class PendingLines:
    """A thread-safe FIFO of prepared lines bounded by bytes; the oldest go first when full."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max(1, max_bytes)
        self._lines: deque[str] = deque()
        self._bytes = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    @property
    def bytes(self) -> int:
        return self._bytes

    def append(self, line: str) -> None:
        cost = size_of(line)
        with self._lock:
            self._lines.append(line)
            self._bytes += cost
            while self._bytes > self.max_bytes and len(self._lines) > 1:
                self._bytes -= size_of(self._lines.popleft())
                self.dropped += 1

    def drain(self, limit_bytes: int | None = None) -> list[str]:
        """Take lines out (at most about ``limit_bytes`` of them, at least one)."""
        out: list[str] = []
        taken = 0
        with self._lock:
            while self._lines and (limit_bytes is None or not out or taken < limit_bytes):
                line = self._lines.popleft()
                cost = size_of(line)
                self._bytes -= cost
                taken += cost
                out.append(line)
        return out

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()
            self._bytes = 0
            self.dropped = 0
