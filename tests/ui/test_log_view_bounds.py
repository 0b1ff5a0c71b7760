"""The log viewer's memory is bounded by bytes, and a followed stream that ends says why."""

from __future__ import annotations

import time

from console.logbuffer import PendingLines, size_of
from screens.log_view import LogView
from tests.ui.test_log_view import ListSource, LogApp, started

BIG = 64 * 1024


async def wait_until(pilot, predicate, what: str, deadline: float = 30.0):
    end = time.monotonic() + deadline
    while not predicate():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await pilot.pause(0.02)


async def test_buffer_is_capped_by_bytes_not_lines():
    src = ListSource([f"{i:05d} " + "x" * BIG for i in range(200)])
    app = LogApp(src, tail=-1, max_bytes=1024 * 1024, max_lines=20000)
    async with app.run_test(size=(100, 20)) as pilot:
        view: LogView = await started(pilot, app, 1)
        w = view.lines_widget
        await wait_until(pilot, lambda: w.lines and w.lines[-1].startswith("00199 "), "the last line")
        assert w.bytes == sum(size_of(line) for line in w.lines)
        assert w.bytes <= 1024 * 1024
        assert 10 <= len(w.lines) < 20  # ~15 lines of 64 KiB fit in 1 MiB; the oldest were released
        assert w.first_no == 200 - len(w.lines)
        assert all(no >= w.first_no for no, _s, _e in w.rows)


async def test_line_cap_still_applies():
    app = LogApp(ListSource([f"line {i}" for i in range(10)]), tail=-1, max_lines=3)
    async with app.run_test(size=(100, 20)) as pilot:
        view = await started(pilot, app, 3)
        await wait_until(pilot, lambda: list(view.lines_widget.lines) == ["line 7", "line 8", "line 9"], "3 lines")


class EndingSource(ListSource):
    """A followed stream that ends by itself; ``ended`` says why (as ContainerLogSource does)."""

    def follow(self, tail, since, timestamps):
        return _Ending(self.lines)

    def ended(self):
        return "the container was removed"


class _Ending:
    def __init__(self, lines):
        self.lines = lines

    def __iter__(self):
        yield from self.lines

    def close(self):
        pass


async def test_followed_stream_that_ends_stops_saying_follow():
    app = LogApp(EndingSource(["one", "two"]), tail=100, follow=True)
    async with app.run_test(size=(120, 20)) as pilot:
        view = await started(pilot, app, 2)
        header = view.query_one("#log-header")
        await wait_until(pilot, lambda: view.ended, "the end of the stream")
        text = str(header.render())
        assert "ENDED: the container was removed" in text
        assert "FOLLOW" not in text
        assert list(view.lines_widget.lines) == ["one", "two"]


def test_pending_queue_is_bounded_by_bytes_and_counts_drops():
    q = PendingLines(max_bytes=10 * BIG)
    for i in range(100):
        q.append(f"{i:03d}" + "y" * BIG)
    assert q.bytes <= 10 * BIG and len(q) < 10
    assert q.dropped == 100 - len(q)
    first = q.drain(limit_bytes=1)
    assert len(first) == 1 and first[0].startswith(f"{q.dropped:03d}")
    rest = q.drain()
    assert len(rest) == 100 - q.dropped - 1 and q.bytes == 0
