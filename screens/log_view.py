"""A log viewer any tab can reuse: ``LogScreen(source)`` over a ``LogSource``.

Tail N, follow, timestamps, since, search with highlight and n/N, filter to matching
lines, wrap, copy (selection or the cursor line, OSC 52 through ``app.copy_to_clipboard``).
Memory is bounded (a deque of ``max_lines``); text is literal with control sequences
stripped. The source is read in thread workers only; followed lines are queued by the
worker and drained on the main thread ten times a second.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any, ClassVar, Protocol

from rich.style import Style
from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from console.text import strip_control

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


def parse_since(text: str) -> float | None:
    """"10m", "2h", "30s", "1d" ago → epoch seconds; "" → None; ValueError otherwise."""
    import time

    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd])", text)
    if match is None:
        raise ValueError(f"since: expected a duration like 30s, 10m, 2h or 1d, got {text!r}")
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]
    return time.time() - float(match[1]) * unit


class LogLines(ScrollView, can_focus=True):
    """Bounded, literal lines with search highlight, match filter, wrap and a cursor row."""

    ALLOW_SELECT = True
    COMPONENT_CLASSES: ClassVar[set[str]] = {"log-lines--match", "log-lines--cursor"}
    DEFAULT_CSS = """
    LogLines { background: $surface; overflow: scroll; height: 1fr; }
    LogLines > .log-lines--match { background: $warning 50%; }
    LogLines > .log-lines--cursor { background: $primary 30%; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False), Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-20)", "Page up", show=False),
        Binding("pagedown", "cursor(20)", "Page down", show=False),
        Binding("g,home", "cursor_to(0)", "Top", show=False), Binding("G,end", "cursor_to(-1)", "End", show=False),
    ]

    def __init__(self, max_lines: int = 20000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: deque[str] = deque(maxlen=max(1, max_lines))
        self.first_no = 0  # absolute number of lines[0]
        self.rows: list[tuple[int, int, int]] = []  # (line number, start, end) as displayed
        self.search = ""
        self.only_matches = False
        self.wrap = False
        self.cursor = 0  # index into rows
        self._width = 0
        self._wrap_width = 0

    # -- content ------------------------------------------------------------------------
    def line(self, no: int) -> str:
        return self.lines[no - self.first_no]

    def clear(self) -> None:
        self.first_no += len(self.lines)
        self.lines.clear()
        self.rows.clear()
        self.cursor = 0
        self._width = 0
        self._update_size()

    def append(self, new_lines: list[str]) -> None:
        at_end = self.cursor >= len(self.rows) - 1
        for raw in new_lines:
            text = strip_control(raw).expandtabs().replace("\n", " ")
            if len(self.lines) == self.lines.maxlen:
                self.first_no += 1
            self.lines.append(text)
            self._add_rows(self.first_no + len(self.lines) - 1, text)
        drop = 0
        while drop < len(self.rows) and self.rows[drop][0] < self.first_no:
            drop += 1
        if drop:
            del self.rows[:drop]
            self.cursor = max(0, self.cursor - drop)
        if at_end:
            self.cursor = max(0, len(self.rows) - 1)
        self._update_size()
        if at_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def matches(self, text: str) -> bool:
        return bool(self.search) and self.search.lower() in text.lower()

    def _add_rows(self, no: int, text: str) -> None:
        if self.only_matches and self.search and not self.matches(text):
            return
        self._width = max(self._width, len(text))
        width = self._wrap_width if self.wrap else 0
        if width <= 0 or len(text) <= width:
            self.rows.append((no, 0, len(text)))
            return
        for start in range(0, len(text), width):
            self.rows.append((no, start, min(len(text), start + width)))

    def rebuild(self) -> None:
        """Recompute the displayed rows (after a search, filter, wrap or width change)."""
        current = self.rows[self.cursor][0] if self.rows else None
        self._wrap_width = max(10, self.scrollable_content_region.width - 1) if self.wrap else 0
        self.rows = []
        self._width = 0
        for i, text in enumerate(self.lines):
            self._add_rows(self.first_no + i, text)
        self.cursor = next((i for i, r in enumerate(self.rows) if current is not None and r[0] >= current),
                           max(0, len(self.rows) - 1))
        self._update_size()
        self.scroll_to_cursor()

    def _update_size(self) -> None:
        self.virtual_size = Size(self._wrap_width or self._width, len(self.rows))
        self.refresh()

    def on_resize(self) -> None:
        if self.wrap:
            self.rebuild()

    # -- search -------------------------------------------------------------------------
    def match_rows(self) -> list[int]:
        """Row indexes of the first row of each line that matches the search."""
        seen, out = set(), []
        for i, (no, _s, _e) in enumerate(self.rows):
            if no not in seen and self.matches(self.line(no)):
                seen.add(no)
                out.append(i)
        return out

    def jump_match(self, forward: bool) -> int | None:
        rows = self.match_rows()
        if not rows:
            return None
        if forward:
            target = next((r for r in rows if r > self.cursor), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < self.cursor), rows[-1])
        self.cursor = target
        self.scroll_to_cursor()
        self.refresh()
        return rows.index(target) + 1

    # -- cursor and copy ----------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
            self.scroll_to_cursor()
            self.refresh()

    def action_cursor_to(self, row: int) -> None:
        if self.rows:
            self.cursor = row % len(self.rows)
            self.scroll_to_cursor()
            self.refresh()

    def scroll_to_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True, force=True)

    def cursor_line(self) -> str | None:
        return self.line(self.rows[self.cursor][0]) if self.rows else None

    def _row_text(self, row: tuple[int, int, int]) -> str:
        no, start, end = row
        return self.line(no)[start:end]

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self._row_text(r) for r in self.rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # -- rendering ----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        text = Text(self._row_text(self.rows[index]), style=base, no_wrap=True, end="")
        if self.search:
            match_style = self.get_component_rich_style("log-lines--match")
            pattern = re.compile(re.escape(self.search), re.IGNORECASE)
            for m in pattern.finditer(text.plain):
                text.stylize(match_style, m.start(), m.end())
        if index == self.cursor and self.has_focus:
            text.stylize(self.get_component_rich_style("log-lines--cursor"))
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            text.stylize(self.screen.get_component_rich_style("screen--selection"), start,
                         len(text) if end == -1 else end)
        strip = Strip(text.render(self.app.console), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, Style.null()).apply_offsets(scroll_x, index)


class LogView(Widget):
    """Header, lines and a prompt line; reads its source in workers."""

    BINDINGS = [
        Binding("slash", "prompt('search')", "Search"), Binding("n", "next_match", "Next"),
        Binding("N", "previous_match", "Previous"), Binding("m", "toggle_matches", "Only matches"),
        Binding("f", "toggle_follow", "Follow"), Binding("t", "toggle_timestamps", "Timestamps"),
        Binding("w", "toggle_wrap", "Wrap"), Binding("s", "prompt('since')", "Since"),
        Binding("T", "cycle_tail", "Tail"), Binding("c", "copy", "Copy"),
        Binding("escape", "close_prompt", "Close prompt", show=False),
    ]
    DEFAULT_CSS = """
    LogView { height: 1fr; layout: vertical; }
    LogView > #log-header { height: 1; padding: 0 1; background: $panel; }
    LogView > #log-prompt { display: none; height: 1; border: none; padding: 0 1; }
    LogView > #log-prompt.-shown { display: block; }
    """

    def __init__(self, source: LogSource, max_lines: int = 20000, tail: int = 500, follow: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.max_lines = max_lines
        self.tail = tail
        self.follow = follow
        self.timestamps = False
        self.since: float | None = None
        self.since_text = ""
        self.error = ""
        self.match_info = ""
        self._pending: deque[str] = deque(maxlen=max_lines)
        self._stream: FollowStream | None = None
        self._generation = 0
        self._prompt_mode = "search"
        self._lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Static(id="log-header")
        yield LogLines(self.max_lines, id="log-lines")
        yield Input(id="log-prompt")

    @property
    def lines_widget(self) -> LogLines:
        return self.query_one(LogLines)

    def on_mount(self) -> None:
        self.set_interval(0.1, self._drain)
        self.lines_widget.focus()
        self.reload()

    def on_unmount(self) -> None:
        self._stop_stream()

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        self._stop_stream()
        self._generation += 1
        self._pending.clear()
        self.lines_widget.clear()
        self.error = ""
        if self.follow:
            self._follow_worker(self._generation)
        else:
            self._fetch_worker(self._generation)
        self.update_header()

    def _stop_stream(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()

    @work(thread=True, exclusive=True, group="log-fetch", exit_on_error=False, description="fetch logs")
    def _fetch_worker(self, generation: int) -> None:
        try:
            lines = self.source.fetch(self.tail, self.since, self.timestamps)
        except Exception as exc:  # noqa: BLE001 - shown in the header; the viewer stays usable
            self.app.call_from_thread(self._failed, generation, exc)
            return
        self.app.call_from_thread(self._loaded, generation, list(lines))

    @work(thread=True, exclusive=True, group="log-follow", exit_on_error=False, description="follow logs")
    def _follow_worker(self, generation: int) -> None:
        try:
            stream = self.source.follow(self.tail, self.since, self.timestamps)
            with self._lock:
                if generation != self._generation:
                    stream.close()
                    return
                self._stream = stream
            for line in stream:
                if generation != self._generation:
                    break
                self._pending.append(line)
        except Exception as exc:  # noqa: BLE001 - shown in the header; the viewer stays usable
            self.app.call_from_thread(self._failed, generation, exc)

    def _loaded(self, generation: int, lines: list[str]) -> None:
        if generation == self._generation:
            self.lines_widget.append(lines)
            self.update_header()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            title = getattr(exc, "title", type(exc).__name__)
            self.error = f"{title}: {exc}"
            self.update_header()

    def _drain(self) -> None:
        if self._pending:
            batch = []
            while self._pending:
                batch.append(self._pending.popleft())
            self.lines_widget.append(batch)
            self.update_header()

    def update_header(self) -> None:
        w = self.lines_widget
        parts = [self.source.title, f"tail {'all' if self.tail < 0 else self.tail}",
                 "FOLLOW" if self.follow else "paused", f"{len(w.lines)} lines"]
        if self.timestamps:
            parts.append("timestamps")
        if self.since_text:
            parts.append(f"since {self.since_text}")
        if w.wrap:
            parts.append("wrap")
        if w.search:
            parts.append(f"/{w.search} {self.match_info}".rstrip())
        if w.only_matches:
            parts.append("only matches")
        if self.error:
            parts.append(self.error)
        self.query_one("#log-header", Static).update(Text(strip_control(" · ".join(parts)), no_wrap=True))

    # -- keys ---------------------------------------------------------------------------
    def action_prompt(self, mode: str) -> None:
        self._prompt_mode = mode
        prompt = self.query_one("#log-prompt", Input)
        prompt.placeholder = {"search": "search (enter: find, esc: cancel)",
                              "since": "since: 30s, 10m, 2h, 1d (empty: everything)"}[mode]
        prompt.value = self.lines_widget.search if mode == "search" else self.since_text
        prompt.add_class("-shown")
        prompt.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.remove_class("-shown")
        self.lines_widget.focus()
        value = event.value.strip()
        if self._prompt_mode == "search":
            self.set_search(value)
            return
        try:
            self.since = parse_since(value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.since_text = value
        self.reload()

    def action_close_prompt(self) -> None:
        prompt = self.query_one("#log-prompt", Input)
        if not prompt.has_class("-shown"):
            raise SkipAction()  # esc then goes to the screen (back)
        prompt.remove_class("-shown")
        self.lines_widget.focus()

    def set_search(self, text: str) -> None:
        w = self.lines_widget
        w.search = text
        if w.only_matches or not text:
            w.only_matches = w.only_matches and bool(text)
            w.rebuild()
        found = w.jump_match(True) if text else None
        total = len(w.match_rows()) if text else 0
        self.match_info = f"{found}/{total}" if found else ("no match" if text else "")
        w.refresh()
        self.update_header()

    def _jump(self, forward: bool) -> None:
        w = self.lines_widget
        if not w.search:
            self.notify("no search: press / first", timeout=2)
            return
        found = w.jump_match(forward)
        self.match_info = f"{found}/{len(w.match_rows())}" if found else "no match"
        self.update_header()

    def action_next_match(self) -> None:
        self._jump(True)

    def action_previous_match(self) -> None:
        self._jump(False)

    def action_toggle_matches(self) -> None:
        w = self.lines_widget
        w.only_matches = not w.only_matches
        w.rebuild()
        self.update_header()

    def action_toggle_wrap(self) -> None:
        w = self.lines_widget
        w.wrap = not w.wrap
        w.rebuild()
        self.update_header()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self.reload()

    def action_toggle_timestamps(self) -> None:
        self.timestamps = not self.timestamps
        self.reload()

    def action_cycle_tail(self) -> None:
        later = [t for t in TAILS if t > self.tail or t < 0]
        self.tail = later[0] if later and self.tail >= 0 else TAILS[0]
        self.reload()

    def action_copy(self) -> None:
        text = self.screen.get_selected_text() or self.lines_widget.cursor_line()
        if text:
            self.app.copy_to_clipboard(text)
            self.notify(f"copied {len(text.splitlines()) or 1} line(s)", timeout=1.5)


class LogScreen(Screen[None]):
    """Full-screen logs of one source; esc goes back."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, source: LogSource, max_lines: int = 20000, tail: int = 500, follow: bool = False) -> None:
        super().__init__()
        self.view = LogView(source, max_lines=max_lines, tail=tail, follow=follow, id="log-view")

    def compose(self) -> ComposeResult:
        yield self.view
        yield Footer()
