"""Log lines made safe and kept within a memory budget (no Textual: used by the log view).

- :func:`prepare_line`: control sequences stripped, tabs expanded, secrets masked
  (``console.masking``), over-long lines cut with a marker.
- :func:`intake_line`: what a following worker does to a line of a flood: decoded and cut
  to a hard bound, marked :class:`Raw` (not prepared yet). Preparing waits until the line
  is drawn, searched or copied (:class:`LineStore`): a flood of 20,000 lines a second
  scrolls past, only the few dozen lines on screen are ever masked.
- :class:`LineStore`: the viewer's lines; reading one (``store[i]``, iteration) prepares
  it first if it is :class:`Raw`, so nothing unmasked can be read out of it.
- :class:`PendingLines`: the queue between a following worker and the UI thread,
  bounded by bytes (``sys.getsizeof``), oldest lines dropped and counted when full.
- :func:`size_of`: what one stored line costs in memory.
- :func:`without_stamp`: a line as shown with timestamps off (sources are always read with
  them, so ``t`` only redraws: no lines lost, no stream restarted).
"""

from __future__ import annotations

import re
import sys
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from itertools import accumulate, islice

from console.masking import mask_secrets_in
from console.text import strip_control

MAX_LINE_CHARS = 256 * 1024  # longer lines are cut (after masking) with a marker
DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # lines kept by one viewer, in memory bytes


# What engines put before a line when asked for timestamps: Docker (RFC 3339, nanoseconds),
# Kubernetes (RFC 3339, trailing zeros trimmed), the pipelines' log reader (seconds).
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d) ")


def without_stamp(line: str) -> str:
    """``line`` without the source's leading timestamp (unchanged when it has none)."""
    match = STAMP.match(line)
    return line[match.end():] if match else line


def size_of(line: str) -> int:
    """Memory one stored line costs (the str object, header included)."""
    return sys.getsizeof(line)


# A raw line is cut at intake a little past MAX_LINE_CHARS: whatever of a secret shows
# before the final cut (after masking) is still whole enough here to be recognised.
INTAKE_CHARS = MAX_LINE_CHARS + 4096


class Raw(str):
    """A line taken in but not prepared (not stripped, not masked): never shown as is."""

    __slots__ = ()


def intake_line(raw: object) -> Raw:
    """A followed line as cheaply as possible: decoded, cut to :data:`INTAKE_CHARS`."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = raw if isinstance(raw, str) else str(raw)
    return Raw(text[:INTAKE_CHARS] if len(text) > INTAKE_CHARS else text)


def prepare_line(raw: object) -> str:
    """One stored line: literal, one row, secrets masked, at most :data:`MAX_LINE_CHARS`."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    elif type(raw) is not str:
        raw = str(raw)  # a Raw (or any object) becomes a plain str
    text = strip_control(raw)
    if "\n" in text:
        text = text.replace("\n", " ")
    if "\t" in text:
        text = text.expandtabs()
    text = mask_secrets_in(text)
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
        cost = sys.getsizeof(line)
        with self._lock:
            self._lines.append(line)
            self._bytes += cost
            while self._bytes > self.max_bytes and len(self._lines) > 1:
                self._bytes -= size_of(self._lines.popleft())
                self.dropped += 1

    def drain(self, limit_bytes: int | None = None, keep_lines: int | None = None) -> list[str]:
        """Take lines out (at most about ``limit_bytes`` of them, at least one). With
        ``keep_lines``, older lines beyond the newest ``keep_lines`` are dropped (counted):
        a viewer that keeps that many would release them at once."""
        out: list[str] = []
        taken = 0
        lines = self._lines
        with self._lock:
            if keep_lines is not None and len(lines) > keep_lines:
                n, self._lines, self._bytes = _cut_oldest(lines, self._bytes, keep_lines, self._bytes)
                self.dropped += n
                lines = self._lines
            if limit_bytes is None or self._bytes <= limit_bytes:  # all of it, at C speed
                out = list(lines)
                lines.clear()
                self._bytes = 0
                return out
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


def _cut_oldest(lines: deque[str], size: int, max_lines: int, max_bytes: int) -> tuple[int, deque[str], int]:
    """(how many, the rest, its bytes) after dropping the oldest lines beyond ``max_lines``
    and ``max_bytes`` (one always stays); sums and copies at C speed, no loop per line."""
    cut = max(0, len(lines) - max(1, max_lines))
    if size > max_bytes:
        sizes = list(accumulate(map(sys.getsizeof, lines)))  # bytes of lines[:i + 1]
        cut = max(cut, bisect_left(sizes, size - max_bytes) + 1)
    cut = min(cut, len(lines) - 1)
    if cut <= 0:
        return 0, lines, size
    freed = sum(map(sys.getsizeof, islice(lines, cut)))
    if cut < 64:
        for _ in range(cut):
            lines.popleft()
        return cut, lines, size - freed
    return cut, deque(islice(lines, cut, None)), size - freed


class LineStore:
    """The viewer's lines (a deque), bounded by the caller; ``bytes`` is what they hold.

    A :class:`Raw` line is prepared (:func:`prepare_line`) the first time it is read and
    replaced by the prepared one, so reading never yields unmasked text and a line is
    masked at most once. ``snapshot()`` hands the stored entries (Raw or prepared) to a
    worker that prepares what it reads itself (a search)."""

    def __init__(self) -> None:
        self._lines: deque[str] = deque()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._lines)

    def __bool__(self) -> bool:
        return bool(self._lines)

    def __getitem__(self, index: int) -> str:
        text = self._lines[index]
        if type(text) is Raw:
            ready = prepare_line(text)
            self.bytes += size_of(ready) - size_of(text)
            self._lines[index] = text = ready
        return text

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self._lines)):
            yield self[i]

    def stored_lengths(self) -> list[int]:
        """The lengths of the stored entries (a Raw line's, before preparing: an estimate)."""
        return [len(text) for text in self._lines]

    def is_ready(self, index: int) -> bool:
        return type(self._lines[index]) is not Raw

    def append(self, text: str) -> None:
        self._lines.append(text)
        self.bytes += size_of(text)

    def extend(self, texts: list[str]) -> None:
        self._lines.extend(texts)
        self.bytes += sum(map(sys.getsizeof, texts))

    def evict(self, max_lines: int, max_bytes: int) -> int:
        """Release the oldest lines beyond ``max_lines`` / ``max_bytes`` (one always stays)."""
        n, self._lines, self.bytes = _cut_oldest(self._lines, self.bytes, max_lines, max_bytes)
        return n

    def clear(self) -> None:
        self._lines.clear()
        self.bytes = 0

    def snapshot(self) -> list[str]:
        return list(self._lines)


def prepared(entries: list[str]) -> Iterator[str]:
    """THREAD: the prepared text of stored entries (a worker's snapshot)."""
    for text in entries:
        yield prepare_line(text) if type(text) is Raw else text
