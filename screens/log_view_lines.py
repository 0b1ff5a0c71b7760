"""The line area of the log viewer: bounded, literal lines with search highlight,
match filter, wrap and a cursor row (rendered line by line; only visible rows cost, and
of a long row only the visible columns).

Lines arrive prepared (``console.logbuffer.prepare_line`` in the viewer's workers:
control sequences stripped, secrets masked by ``console.masking``) or, while following a
flood, raw (``console.logbuffer.Raw``): those are kept in a ``LineStore`` that prepares a
line the first time it is read, i.e. only the lines drawn, searched, selected or copied
are ever masked, and nothing reads one in clear. The buffer is bounded by memory bytes
(``max_bytes``) as well as by a line count; dropped lines are released.
The lines matching the search are computed by the viewer in a worker
(:meth:`set_matches`); here a new line is only tested as it arrives."""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import repeat
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from console.logbuffer import DEFAULT_MAX_BYTES, LineStore, without_stamp


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

    def __init__(self, max_lines: int = 20000, max_bytes: int = DEFAULT_MAX_BYTES, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_lines = max(1, max_lines)
        self.max_bytes = max(1, max_bytes)
        self.lines = LineStore()  # reading a line prepares (masks) it first
        self.matched: set[int] = set()  # line numbers matching ``search`` (see set_matches)
        self.first_no = 0  # absolute number of lines[0]
        self.rows: list[tuple[int, int, int]] = []  # (line number, start, end) as displayed
        self.search = ""
        self.only_matches = False
        self.wrap = False
        self.stamps = False  # the source's leading timestamps shown (lines always carry them)
        self.cursor = 0  # index into rows
        self._width = 0
        self._wrap_width = 0

    # -- content ------------------------------------------------------------------------
    @property
    def bytes(self) -> int:
        """Memory held by ``lines``."""
        return self.lines.bytes

    def line(self, no: int) -> str:
        return self.lines[no - self.first_no]

    def shown(self, no: int) -> str:
        """Line ``no`` as displayed, searched and copied (its timestamp hidden unless ``stamps``)."""
        text = self.lines[no - self.first_no]
        return text if self.stamps else without_stamp(text)

    def clear(self) -> None:
        self.first_no += len(self.lines)
        self.lines.clear()
        self.matched.clear()
        self.rows.clear()
        self.cursor = 0
        self._width = 0
        self._update_size()

    def append(self, new_lines: list[str]) -> None:
        """A batch of lines (one drain): stored, rows added, the oldest released, one repaint."""
        at_end = self.cursor >= len(self.rows) - 1
        lines = self.lines
        no = self.first_no + len(lines)
        lines.extend(new_lines)
        if self.search:  # searched: each new line is prepared (masked) first (the worker did it)
            needle = self.search.lower()
            self.matched.update(n for n in range(no, no + len(new_lines)) if needle in self.shown(n).lower())
        if self.wrap or (self.only_matches and self.search):
            for i, text in enumerate(new_lines):
                self._add_rows(no + i, len(text))
        elif new_lines:  # whole-line rows, at C speed (a flood appends thousands per drain)
            self.rows.extend(zip(range(no, no + len(new_lines)), repeat(0), repeat(-1)))
            longest = max(new_lines, key=len)  # a hidden timestamp takes no width
            self._width = max(self._width, len(longest if self.stamps else without_stamp(longest)))
        evicted = lines.evict(self.max_lines, self.max_bytes)
        if evicted:
            self.first_no += evicted
            if self.matched:
                self.matched = {n for n in self.matched if n >= self.first_no}
            drop = bisect_left(self.rows, (self.first_no,))
            if drop:
                del self.rows[:drop]
                self.cursor = max(0, self.cursor - drop)
        if at_end:
            self.cursor = max(0, len(self.rows) - 1)
        self._update_size()
        if at_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def set_matches(self, search: str, end_no: int, matched: set[int]) -> bool:
        """The lines matching ``search``, computed in a worker over a snapshot of the lines
        before ``end_no`` (later lines were tested on arrival). False if the search changed."""
        if search != self.search:
            return False
        self.matched = {no for no in matched if no >= self.first_no} | {no for no in self.matched if no >= end_no}
        return True

    def is_match(self, no: int) -> bool:
        return bool(self.search) and no in self.matched

    def _add_rows(self, no: int, length: int) -> None:
        """Rows of line ``no`` (``length``: its stored length). Unwrapped, a row is the whole
        line (end -1) and a raw line is not prepared here; wrapped, the prepared line is cut."""
        if self.only_matches and self.search and no not in self.matched:
            return
        width = self._wrap_width if self.wrap else 0
        if width > 0:
            text = self.shown(no)
            length = len(text)
        if length > self._width:
            self._width = length
        if width <= 0 or length <= width:
            self.rows.append((no, 0, -1))
            return
        for start in range(0, len(text), width):
            self.rows.append((no, start, min(len(text), start + width)))

    def rebuild(self) -> None:
        """Recompute the displayed rows (after a search, filter, wrap or width change)."""
        current = self.rows[self.cursor][0] if self.rows else None
        self._wrap_width = max(10, self.scrollable_content_region.width - 1) if self.wrap else 0
        self.rows = []
        self._width = 0
        for i, length in enumerate(self.lines.stored_lengths()):
            self._add_rows(self.first_no + i, length)
        self.cursor = next((i for i, r in enumerate(self.rows) if current is not None and r[0] >= current),
                           max(0, len(self.rows) - 1))
        self._update_size()
        self.scroll_to_cursor()

    def _update_size(self) -> None:
        size = Size(self._wrap_width or self._width, len(self.rows))
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    def on_resize(self) -> None:
        if self.wrap:
            self.rebuild()

    # -- search -------------------------------------------------------------------------
    def match_rows(self) -> list[int]:
        """Row indexes of the first row of each line that matches the search."""
        seen, out = set(), []
        for i, (no, _s, _e) in enumerate(self.rows):
            if no not in seen and no in self.matched:
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
        return self.shown(self.rows[self.cursor][0]) if self.rows else None

    def _row_text(self, row: tuple[int, int, int]) -> str:
        no, start, end = row
        text = self.shown(no)
        if end < 0:  # the whole line (prepared just now if it was raw)
            if len(text) > self._width:  # masking can lengthen a line a little
                self._width = len(text)
                self.call_later(self._update_size)
            return text
        return text[start:end]

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
        row_text = self._row_text(self.rows[index])
        # Only the visible columns (and a search's length around them) are styled and rendered.
        margin = len(self.search)
        left = max(0, scroll_x - margin)
        text = Text(row_text[left:scroll_x + width + margin], style=base, no_wrap=True, end="")
        if self.search and self.rows[index][0] in self.matched:
            match_style = self.get_component_rich_style("log-lines--match")
            pattern = re.compile(re.escape(self.search), re.IGNORECASE)
            for m in pattern.finditer(text.plain):
                text.stylize(match_style, m.start(), m.end())
        if index == self.cursor and self.has_focus:
            text.stylize(self.get_component_rich_style("log-lines--cursor"))
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            end = len(row_text) if end == -1 else end
            text.stylize(self.screen.get_component_rich_style("screen--selection"), max(0, start - left),
                         max(0, end - left))
        strip = Strip(text.render(self.app.console), text.cell_len)
        x = scroll_x - left
        return strip.crop_extend(x, x + width, Style.null()).apply_offsets(scroll_x, index)
