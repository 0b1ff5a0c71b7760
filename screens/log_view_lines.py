"""The line area of the log viewer: bounded, literal lines with search highlight,
match filter, wrap and a cursor row (rendered line by line; only visible rows cost).

Every line is stored already masked (``console.actions.scrub.scrub``, the masking the
changelog uses): secrets in logs are never shown, searched, selected or copied in clear."""

from __future__ import annotations

import re
from collections import deque
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from console.actions.scrub import scrub
from console.text import strip_control


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
            text = scrub(strip_control(raw).expandtabs().replace("\n", " "))
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

    def jump_match(self, forward: bool, inclusive: bool = False) -> int | None:
        """Move the cursor to the next (or previous) matching line, wrapping around; with
        ``inclusive`` the cursor row itself counts. Returns the match's 1-based index."""
        rows = self.match_rows()
        if not rows:
            return None
        here = self.cursor
        if forward:
            target = next((r for r in rows if r > here or (inclusive and r == here)), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < here or (inclusive and r == here)), rows[-1])
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
