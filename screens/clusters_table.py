"""A virtual resource table for thousands of rows (the Clusters tab at 5,000 pods).

Textual's DataTable measures every cell when rows are added or changed, which costs
seconds at 5,000 x 11 cells and makes each keystroke of the filter slow. ``KubeTable``
keeps the rows in plain Python, computes column widths with ``cell_len`` and renders
only the lines on screen (``render_line``). It offers the ResourceTable calls the tab
uses: ``sync(rows)`` (by key, keeping the cursor on the same row; an unchanged sync only
repaints), ``filter_text``
(substring, ``key=value`` / ``key!=value`` on labels), sorting (``o``/``O``),
``visible_keys``, ``current_key``, ``row_for``, ``move_cursor(row=)``. Cells are
literal: control characters stripped, never markup.

At 20,000 rows the work per key stays small: the order (sort key or problems first) and the
column widths are computed once per data change, a filter that grew narrows the previous
result, and a row's ``live`` cells (ages) are rendered only when drawn (``render_live``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.filter import narrows, select
from console.text import strip_control
from screens.table_notes import EmptyNote
from screens.widgets import Column, Row, SortKeys, fit_widths, problems_first

MAX_WIDTH = 60  # a column never grows wider than this; longer cells are cut with "…"
GAP = 2
NARROW_DROPS = {"IP": 2, "NODE SELECTOR": 2, "CONTAINERS": 1, "IMAGES": 1}  # Clusters' columns that give way at 80


@lru_cache(maxsize=64)
def _style(spec: str) -> Style:
    return Style.parse(spec) if spec else Style.null()


def _fit(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


class KubeTable(EmptyNote, SortKeys, ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"kube-table--header", "kube-table--cursor"}
    DEFAULT_CSS = """
    KubeTable { height: 1fr; background: $surface; }
    KubeTable > .kube-table--header { text-style: bold; background: $panel; }
    KubeTable > .kube-table--cursor { background: $accent 35%; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False), Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False), Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "cursor_to(0)", "Top", show=False), Binding("end,G", "cursor_to(-1)", "Bottom", show=False),
        Binding("o", "cycle_sort", "Sort", show=False, tooltip="Sort by the next column"),
        Binding("O", "reverse_sort", "Reverse", show=False),
        Binding("space", "toggle_mark", "Mark", show=False),
    ]

    class RowHighlighted(Message):
        def __init__(self, table: KubeTable, key: str | None) -> None:
            super().__init__()
            self.table, self.key = table, key

        @property
        def control(self) -> KubeTable:
            return self.table

    def __init__(self, columns: Sequence[Column], render_live: Callable[[Any], str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns_spec = tuple(columns)
        self.render_live = render_live  # renders a row's ``live`` cells (ages) when they are drawn
        self._all: dict[str, Row] = {}
        self._visible: list[Row] = []
        self._texts: dict[str, tuple[str, ...]] = {}  # literal cell text per row key
        self._lens: dict[str, tuple[int, ...]] = {}  # their widths in cells
        self._hay: dict[str, tuple[str, dict[str, str]]] = {}  # lowercased search text and labels
        self._widths = [cell_len(c.label) for c in self.columns_spec]
        self._natural = list(self._widths)  # before fitting the table's width (see _resize)
        self.dropped: frozenset[int] = frozenset()  # low-priority columns the width has no room for now
        self._order: list[Row] | None = None  # every row in the current order; None: to compute
        self._widths_stale = True  # recomputed once per data change, over all rows
        self._shown_filter: str | None = None  # the filter self._visible was made with (None: of older data)
        self._filter = ""
        self.sort_index: int | None = None
        self.sort_reverse = False
        self.cursor = 0
        self.marked: set[str] = set()
        self.hidden: frozenset[int] = frozenset()  # column indexes not shown (e.g. NAMESPACE in one namespace)
        self.rebuilds = 0  # how often the order/filter was recomputed (tests read it)

    # -- data ----------------------------------------------------------------------------
    @property
    def filter_text(self) -> str:
        return self._filter

    @filter_text.setter
    def filter_text(self, value: str) -> None:
        if value != self._filter:
            self._filter = value
            self._rebuild()

    @property
    def row_count(self) -> int:
        return len(self._visible)

    @property
    def visible_keys(self) -> list[str]:
        return [r.key for r in self._visible]

    @property
    def current_key(self) -> str | None:
        return self._visible[self.cursor].key if self._visible else None

    def row_for(self, key: str | None) -> Row | None:
        return self._all.get(key) if key else None

    def selected_keys(self) -> list[str]:
        marked = [r.key for r in self._visible if r.key in self.marked]
        return marked or ([self.current_key] if self.current_key else [])

    def sync(self, rows: Iterable[Row]) -> None:
        new = {r.key: r for r in rows}
        old, self._all = self._all, new
        changed = len(new) != len(old)
        for key, row in new.items():  # literal text and widths once per changed row
            before = old.get(key)
            if before is row or (before == row and key in self._texts):
                new[key] = before  # type: ignore[assignment]
                continue
            changed = True
            texts = tuple(strip_control(str(c)) for c in row.cells)
            self._texts[key], self._lens[key] = texts, tuple(cell_len(t) for t in texts)
            self._hay[key] = ((row.search or " ".join(texts)).lower(), {k.lower(): v.lower() for k, v in row.labels})
        if not changed:  # same rows: only the live cells (ages) of the rows on screen move on
            self.refresh()
            return
        for key in [k for k in self._texts if k not in new]:
            del self._texts[key], self._lens[key], self._hay[key]
        self.marked &= set(new)
        self._order, self._widths_stale, self._shown_filter = None, True, None
        self._rebuild()

    def _sort_key(self) -> Callable[[Row], Any]:
        i, col = self.sort_index, self.columns_spec[self.sort_index or 0]
        texts = self._texts

        def key(r: Row) -> Any:
            v = r.raw[i] if i < len(r.raw) else texts[r.key][i]  # type: ignore[operator,index]
            v = col.sort_key(v) if col.sort_key else v
            return (v is None, v if v is not None else 0)

        return key

    def _ordered_all(self) -> list[Row]:
        """Every row in the current order, computed once per data or sort change."""
        if self._order is None:
            rows = list(self._all.values())
            if self.sort_index is None:
                self._order = problems_first(rows)
            else:
                try:
                    rows.sort(key=self._sort_key(), reverse=self.sort_reverse)
                except TypeError:  # mixed types in a column: text order
                    i, texts = self.sort_index, self._texts
                    rows.sort(key=lambda r: texts[r.key][i], reverse=self.sort_reverse)
                self._order = rows
        return self._order

    def _ordered(self) -> list[Row]:
        """The rows the filter keeps, in order; a grown filter narrows the previous result."""
        if not self._filter:
            return self._ordered_all()
        shown = self._shown_filter
        base = self._visible if shown and narrows(shown, self._filter) else self._ordered_all()
        return select(self._filter, base, self._hay)

    def _compute_widths(self) -> None:
        widths = [cell_len(c.label) for c in self.columns_spec]
        if self._lens:
            for i, column in enumerate(zip(*self._lens.values(), strict=False)):
                if i < len(widths):
                    widths[i] = max(widths[i], max(column))
        self._natural = [min(MAX_WIDTH, c.width or w) for c, w in zip(self.columns_spec, widths, strict=True)]
        self._widths_stale = False

    def _rebuild(self) -> None:
        self.rebuilds += 1
        current = self.current_key
        self._visible = self._ordered()
        self._shown_filter = self._filter
        if self._widths_stale:
            self._compute_widths()
        old = self.cursor
        index = next((n for n, r in enumerate(self._visible) if r.key == current), None) if current else None
        self.cursor = index if index is not None else min(self.cursor, max(0, len(self._visible) - 1))
        self._resize()
        if old != self.cursor or current != self.current_key:
            self.post_message(self.RowHighlighted(self, self.current_key))

    def _resize(self) -> None:
        """Widths that fit the table's width (no horizontal scrollbar): low-priority columns
        (``Column.drop``) go first, then the widest shown columns give way and their cells
        end in "…"."""
        shown = [i for i in range(len(self.columns_spec)) if i not in self.hidden]
        widths = list(self._natural)
        region = self.content_region
        self.dropped = frozenset()
        if region.width > 0 and shown:
            bar = self.styles.scrollbar_size_vertical if len(self._visible) + 1 > region.height else 0
            dropped = set()
            while sum(widths[i] + GAP for i in shown) > region.width - bar:
                low = [i for i in shown if self.columns_spec[i].drop]
                if not low:
                    break
                worst = max(low, key=lambda i: (self.columns_spec[i].drop, i))
                shown.remove(worst)
                dropped.add(worst)
            self.dropped = frozenset(dropped)
            available = region.width - bar - GAP * len(shown)
            labels = [cell_len(self.columns_spec[i].label) for i in shown]
            natural = [widths[i] for i in shown]
            fitted = fit_widths(natural, [min(n, max(lb, 8)) for n, lb in zip(natural, labels, strict=True)], available)
            for i, w in zip(shown, fitted, strict=True):
                widths[i] = w
            total = sum(fitted) + GAP * len(shown)
            total = total if total > available + GAP * len(shown) else min(total + 1, region.width - bar)
        else:
            total = sum(widths[i] for i in shown) + GAP * len(shown) + 1
        self._widths = widths
        self.virtual_size = Size(total, len(self._visible) + 1)
        self._scroll_update(self.virtual_size)  # the scrollbars follow (ScrollView updates them on resize only)
        self.refresh()

    def on_resize(self) -> None:
        self._resize()

    def hide_columns(self, keys: Iterable[str]) -> None:
        hidden = frozenset(i for i, c in enumerate(self.columns_spec) if c.key in set(keys))
        if hidden != self.hidden:
            self.hidden = hidden
            self._resize()

    # -- cursor ------------------------------------------------------------------------
    def move_cursor(self, row: int, **_: Any) -> None:
        if self._visible:
            self.cursor = max(0, min(len(self._visible) - 1, row))
            self._scroll_to_cursor()
            self.refresh()
            self.post_message(self.RowHighlighted(self, self.current_key))

    def _scroll_to_cursor(self) -> None:
        """Line 0 of the view is always the header: rows scroll_y.. show on lines 1.."""
        rows_shown = max(1, self.scrollable_content_region.height - 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + rows_shown:
            self.scroll_to(y=self.cursor - rows_shown + 1, animate=False, immediate=True, force=True)

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height - 2))

    def action_cursor_to(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else len(self._visible) - 1)

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y - 1
        if event.y >= 1 and 0 <= index < len(self._visible):
            self.move_cursor(index)

    # -- sorting and marks ---------------------------------------------------------------------
    def _apply_sort(self) -> None:
        self._order, self._shown_filter = None, None
        self._rebuild()

    def action_toggle_mark(self) -> None:
        if (key := self.current_key) is not None:
            self.marked.symmetric_difference_update({key})
            self.move_cursor(self.cursor + 1)

    # -- rendering ------------------------------------------------------------------------
    def _line(self, cells: Sequence[str]) -> str:
        hidden = self.hidden | self.dropped
        return "".join(" " + _fit(text, w) + " " for i, (text, w) in enumerate(zip(cells, self._widths, strict=False))
                       if i not in hidden)

    def _live_texts(self, row: Row) -> Sequence[str]:
        """The row's cell texts with its live cells (ages) rendered now; a column grows when
        an age outgrows it."""
        texts = self._texts[row.key]
        if not row.live or self.render_live is None:
            return texts
        out, grown = list(texts), False
        for i, cell in row.live:
            text = out[i] = strip_control(self.render_live(cell))
            if i < len(self._natural) and cell_len(text) > self._natural[i] and not self.columns_spec[i].width:
                self._natural[i], grown = min(MAX_WIDTH, cell_len(text)), True
        if grown:
            self.call_later(self._resize)
        return out

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            text = self._line([c.label for c in self.columns_spec])
            style = base + self.get_component_rich_style("kube-table--header")
            return Strip([Segment(text, style)]).crop_extend(scroll_x, scroll_x + width, style)
        index = scroll_y + y - 1
        if index >= len(self._visible):  # empty: say what is empty and where (screens/table_notes.py)
            note = self.empty_line(y - 1, width) if not self._visible else ""
            return Strip([Segment(note, base)]).crop_extend(0, width, base) if note else Strip.blank(width, base)
        row = self._visible[index]
        style = base + _style(row.style)
        if row.key in self.marked:
            style += Style(reverse=True)
        if index == self.cursor:
            style += self.get_component_rich_style("kube-table--cursor")
            if self.has_focus:
                style += Style(bold=True)
        strip = Strip([Segment(self._line(self._live_texts(row)), style)])
        return strip.crop_extend(scroll_x, scroll_x + width, style)
