"""A followed flood is taken in raw and masked only when a line is drawn, searched or copied:
every secret syntax of console.masking stays masked on each of those surfaces."""

from __future__ import annotations

import sys

from textual.selection import SELECT_ALL

from console.logbuffer import LineStore, PendingLines, Raw, intake_line
from console.masking import MASK
from tests.hostile.corpus import LINES, SECRETS, leaked
from tests.ui.test_log_view import ListSource, LogApp, searched, until

FILLER = 3000  # lines that scroll past between the planted ones


def flood_with_secrets() -> list[str]:
    out = []
    for i, line in enumerate(LINES):
        out.extend(f"{i:02d}-{n:05d} 2026-12-02T00:00:00.{n:06d}Z GET /api/v1/items/{n} 200" for n in range(FILLER // 10))
        out.append(line)
    return out


async def followed(pilot, app, src, lines):
    view = app.screen.view
    for line in lines:
        src.live.put(line)
    await until(pilot, lambda: len(view.lines_widget.lines) and view.lines_widget.lines.stored_lengths()
                and view.lines_widget.first_no + len(view.lines_widget.lines) >= len(lines), 60)
    return view


async def test_followed_lines_are_masked_when_drawn_searched_and_copied():
    src = ListSource([])
    app = LogApp(src, follow=True, tail=0, max_lines=50_000)
    lines = flood_with_secrets()
    async with app.run_test(size=(200, 40)) as pilot:
        view = await followed(pilot, app, src, lines)
        w = view.lines_widget
        await pilot.pause()
        store = w.lines
        ready = sum(1 for i in range(len(store)) if store.is_ready(i))
        assert ready <= len(store) // 2  # taken in raw: mostly only what was drawn got prepared
        # drawn: put each planted line on screen and read the rendered strip
        planted = [no for no in range(w.first_no, w.first_no + len(store)) if not w.line(no)[:2].isdigit()
                   or "-" not in w.line(no)[:3]]
        assert len(planted) >= len(LINES)
        for no in planted:
            row = next(i for i, r in enumerate(w.rows) if r[0] == no)
            w.action_cursor_to(row)
            await pilot.pause()
            y = row - w.scroll_offset.y
            assert leaked(w.render_line(y).text) == [], w.line(no)
            await pilot.press("c")  # Copy: the cursor line
            assert leaked(app.clipboard) == [] and MASK in app.clipboard
        selected, _ = w.get_selection(SELECT_ALL)  # Copy of a selection
        assert leaked(selected) == []
        assert all(type(store._lines[i]) is not Raw for i in range(len(store)))  # read = prepared
        for value in SECRETS.values():  # search: a secret value is never found
            await pilot.press("slash", *value[:12], "enter")
            await searched(pilot, view)
            assert w.match_rows() == [], value


async def test_search_during_a_flood_matches_masked_text_only():
    src = ListSource([])
    app = LogApp(src, follow=True, tail=0)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.screen.view
        await pilot.press("slash", *"hunter2", "enter")
        await searched(pilot, view)
        await pilot.press("slash", *"password", "enter")
        await searched(pilot, view)
        for n in range(2000):
            src.live.put(f"{n} password=hunter2" if n % 100 == 0 else f"{n} ok")
        w = view.lines_widget
        await until(pilot, lambda: len(w.lines) == 2000)
        assert len(w.match_rows()) == 20  # the key is found, the value masked
        assert all("hunter2" not in w.line(no) for no in w.matched)


def test_intake_is_raw_and_reading_the_store_prepares():
    store = LineStore()
    raw = intake_line(b"\x1b[31mtoken=abc123\x1b[0m\tdone")
    assert type(raw) is Raw
    store.append(raw)
    assert not store.is_ready(0)
    assert store[0] == f"token={MASK}    done" and store.is_ready(0)
    assert list(store) == [store[0]]
    assert store.bytes == sum(map(sys.getsizeof, store))


def test_store_and_queue_cut_the_oldest_by_bytes_and_lines():
    store = LineStore()
    store.extend([f"{i:04d}" + "x" * 1000 for i in range(100)])
    assert store.evict(50, 10**9) == 50 and len(store) == 50 and store[0].startswith("0050")
    n = store.evict(10**6, 20 * 1100)
    assert n > 0 and store.bytes <= 20 * 1100 and store[len(store) - 1].startswith("0099")
    q = PendingLines()
    for i in range(1000):
        q.append(f"line {i}")
    out = q.drain(keep_lines=10)
    assert out == [f"line {i}" for i in range(990, 1000)] and q.dropped == 990 and q.bytes == 0


async def test_a_restarted_stream_is_drawn_before_the_next_tick(monkeypatch):
    """T (the next tail) restarts the stream: its first lines are drawn at once, not at the
    next drain tick (made an hour long here), then again until the view is full."""
    import screens.log_view as log_view

    monkeypatch.setattr(log_view, "DRAIN_SECONDS", 3600.0)
    src = ListSource([f"line {n}" for n in range(300)])
    app = LogApp(src, follow=True, tail=100)
    async with app.run_test(size=(100, 30)) as pilot:
        w = app.screen.view.lines_widget
        await until(pilot, lambda: len(w.lines) == 100 and w.lines[-1] == "line 299", 20)
        await pilot.press("T")  # tail 100 -> 500: all 300 lines again
        await until(pilot, lambda: len(w.lines) == 300 and w.lines[0] == "line 0", 20)
        src.live.put("later")  # a stream that is full and flowing waits for the tick again
        await pilot.pause(0.5)
        assert w.lines[-1] != "later"
