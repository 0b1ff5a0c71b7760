"""The shared log viewer with an in-memory LogSource (no backend needed)."""

from __future__ import annotations

import queue
import threading

from textual.app import App

from screens.log_view import LogScreen, LogView, parse_since

MARKUP = "[bold red]x[/] \x1b[31mred\x1b[0m \x1b]0;evil title\x07 \x1b]52;c;ZXZpbA==\x07done"


class ListSource:
    title = "test source"

    def __init__(self, lines, stamped=False):
        self.lines = list(lines)
        self.stamped = stamped  # lines carry a timestamp when asked (the viewer always asks)
        self.fetches = []
        self.live: queue.Queue = queue.Queue()

    def fetch(self, tail, since, timestamps):
        self.fetches.append((tail, since, timestamps))
        lines = [f"2026-01-01T00:00:00Z {x}" for x in self.lines] if timestamps and self.stamped else self.lines
        return lines if tail < 0 else lines[-tail:]

    def follow(self, tail, since, timestamps):
        return _Follow(self.fetch(tail, since, timestamps), self.live)


class _Follow:
    def __init__(self, first, live):
        self.first, self.live, self.closed = first, live, threading.Event()

    def __iter__(self):
        yield from self.first
        while not self.closed.is_set():
            try:
                yield self.live.get(timeout=0.05)
            except queue.Empty:
                continue

    def close(self):
        self.closed.set()


class LogApp(App):
    def __init__(self, source, **kw):
        super().__init__()
        self.source, self.kw = source, kw

    def on_mount(self):
        self.push_screen(LogScreen(self.source, **self.kw))


async def started(pilot, app, lines=1):
    view = app.screen.query_one(LogView)
    for _ in range(1500):  # >= 30 s: a loaded machine
        await pilot.pause(0.02)
        if len(view.lines_widget.lines) >= lines:
            break
    return view


async def until(pilot, predicate, deadline: float = 30.0):
    import time

    end = time.monotonic() + deadline
    while not predicate():
        assert time.monotonic() < end, "condition not met in time"
        await pilot.pause(0.02)


async def searched(pilot, view, deadline: float = 30.0):
    """Wait (poll) until the search worker's answer is applied."""
    import time

    end = time.monotonic() + deadline
    while view.match_info == "searching…":
        assert time.monotonic() < end, "the search never finished"
        await pilot.pause(0.02)


async def test_tail_search_next_previous_and_filter():
    src = ListSource([f"line {i} {'ERROR boom' if i % 10 == 0 else 'ok'}" for i in range(1, 101)])
    app = LogApp(src, tail=50)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await started(pilot, app, 50)
        w = view.lines_widget
        assert len(w.lines) == 50 and w.lines[0] == "line 51 ok"
        await pilot.press("slash", *"error", "enter")
        await searched(pilot, view)
        assert w.search == "error"
        assert view.match_info == "5/5"  # the latest match at or above the cursor (at the end)
        assert w.cursor_line() == "line 100 ERROR boom"
        await pilot.press("n")
        assert w.cursor_line() == "line 60 ERROR boom" and view.match_info == "1/5"  # wraps around
        await pilot.press("n")
        assert w.cursor_line() == "line 70 ERROR boom" and view.match_info == "2/5"
        await pilot.press("N", "N", "N")
        assert w.cursor_line() == "line 90 ERROR boom" and view.match_info == "4/5"
        await pilot.press("m")
        assert [w.line(r[0]) for r in w.rows] == [f"line {i} ERROR boom" for i in (60, 70, 80, 90, 100)]
        assert "only matches" in str(view.query_one("#log-header").render())
        await pilot.press("m")
        assert len(w.rows) == 50


async def test_markup_and_control_sequences_are_inert():
    src = ListSource([MARKUP])
    app = LogApp(src)
    async with app.run_test(size=(100, 10)) as pilot:
        view = await started(pilot, app)
        w = view.lines_widget
        assert w.lines[0] == "[bold red]x[/] red  done"
        strip = w.render_line(0)
        assert strip.text.startswith("[bold red]x[/] red")
        assert not any(seg.style and seg.style.color and seg.style.color.name == "red" for seg in strip)


async def test_follow_appends_bounded_and_stops():
    src = ListSource([f"old {i}" for i in range(5)])
    app = LogApp(src, max_lines=20, follow=True, tail=5)
    async with app.run_test(size=(100, 20)) as pilot:
        view = await started(pilot, app, 5)
        for i in range(50):
            src.live.put(f"new {i}")
        for _ in range(1500):
            await pilot.pause(0.02)
            if view.lines_widget.lines[-1] == "new 49":
                break
        w = view.lines_widget
        assert len(w.lines) == 20 and w.lines[0] == "new 30"
        assert len(w.rows) == 20 and w.cursor == 19
        await pilot.press("f")  # follow off: a plain fetch
        await until(pilot, lambda: "paused" in str(view.query_one("#log-header").render()))
        assert not view.follow


async def test_timestamps_tail_since_wrap_and_copy():
    src = ListSource(["short", "x" * 250], stamped=True)
    app = LogApp(src, tail=100)
    async with app.run_test(size=(80, 20)) as pilot:
        view = await started(pilot, app, 2)
        assert src.fetches == [(100, None, True)]  # always read with timestamps: t only shows them
        w = view.lines_widget
        assert w.cursor_line() is not None and not w.cursor_line().startswith("2026")
        assert not w.render_line(0).text.startswith("2026")
        await pilot.press("t")
        assert src.fetches == [(100, None, True)] and "timestamps" in view.query_one("#log-header").render().plain
        assert w.render_line(0).text.startswith("2026-01-01T00:00:00Z short")
        await pilot.press("t")
        assert w.render_line(0).text.startswith("short") and len(src.fetches) == 1
        await pilot.press("t")
        await pilot.press("T")
        assert src.fetches[-1][0] == 500
        await pilot.press("s", *"10m", "enter")
        await until(pilot, lambda: src.fetches[-1][1] is not None)
        assert view.since_text == "10m"
        await pilot.press("s", *"soon", "enter")
        assert view.since_text == "10m"  # refused with a notification
        w = view.lines_widget
        assert len(w.rows) == 2
        await pilot.press("w")
        assert len(w.rows) > 3 and all(e - s <= 80 for _, s, e in w.rows)
        await pilot.press("g", "c")
        assert app.clipboard.startswith("2026-01-01T00:00:00Z short")
        await pilot.press("escape")
        assert not isinstance(app.screen, LogScreen)


async def test_t_shows_timestamps_in_place_while_following():
    """t is a redraw: the followed stream is not restarted, the lines, the cursor and the
    search stay; a search never matches a hidden timestamp; Copy copies what is shown."""
    src = ListSource([f"line {i}" for i in range(40)], stamped=True)
    follows = []
    follow = src.follow
    src.follow = lambda *a: (follows.append(a), follow(*a))[1]
    app = LogApp(src, tail=100, follow=True)
    async with app.run_test(size=(80, 20)) as pilot:
        view = await started(pilot, app, 40)
        w = view.lines_widget
        src.live.put("2026-01-01T00:00:05Z arrived later")
        await until(pilot, lambda: len(w.lines) == 41)
        await pilot.press("k", "k")
        cursor = w.cursor
        assert w.cursor_line() == "line 38"
        await pilot.press("slash", *"2026", "enter")
        await searched(pilot, view)
        assert view.match_info == "no match"  # the stamps are hidden: not searched either
        await pilot.press("t")
        await searched(pilot, view)
        assert view.match_info != "no match" and w.matched
        assert len(follows) == 1 and len(w.lines) == 41 and w.cursor == cursor
        assert w.cursor_line() == "2026-01-01T00:00:00Z line 38"
        await pilot.press("c")
        assert app.clipboard == "2026-01-01T00:00:00Z line 38"
        await pilot.press("t", "c")
        assert app.clipboard == "line 38" and len(follows) == 1


def test_parse_since():
    import time

    assert parse_since("") is None
    assert abs(parse_since("2h") - (time.time() - 7200)) < 5
    for bad in ("soon", "10", "-1m"):
        try:
            parse_since(bad)
        except ValueError as exc:
            assert "since" in str(exc)
        else:
            raise AssertionError(bad)


SECRET_LINE = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY password=hunter2 user=alice path=/a/b"


async def test_secret_values_are_masked_on_screen_in_search_and_in_copy():
    src = ListSource(["before", SECRET_LINE])
    app = LogApp(src, tail=100)
    async with app.run_test(size=(120, 20)) as pilot:
        view = await started(pilot, app, 2)
        w = view.lines_widget
        shown = w.lines[1]
        assert "wJalrXUtnFEMI" not in shown and "hunter2" not in shown
        assert shown.startswith("AWS_SECRET_ACCESS_KEY=") and "password=" in shown
        assert shown.endswith(" user=alice path=/a/b")  # the rest stays literal
        assert "hunter2" not in w.render_line(1).text
        await pilot.press("G", "c")
        assert app.clipboard == shown
        from textual.selection import SELECT_ALL

        selected, _ = w.get_selection(SELECT_ALL)
        assert "AWS_SECRET_ACCESS_KEY=" in selected and "hunter2" not in selected
        await pilot.press("slash", *"hunter2", "enter")
        await searched(pilot, view)
        assert w.match_rows() == []  # the secret cannot be found by search either
