"""Widgets shared by the tabs: an in-place resource table and small banners."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Checkbox, DataTable, OptionList
from textual.widgets.data_table import ColumnKey, RowKey

from console.filter import compile_query
from console.text import safe_text
from screens.image_text import ImageText
from screens.table_notes import EmptyNote, RowRepaint


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None
    sort_key: Callable[[Any], Any] | None = None  # how to sort the raw value
    drop: int = 0  # >0: hidden when the table is too narrow for every column whole (highest first)


@dataclass(frozen=True)
class Row:
    """One table row: a stable key, the cells (str or Text) and the raw values for sorting."""

    key: str
    cells: tuple[Any, ...]
    raw: tuple[Any, ...] = ()
    search: str = ""  # text matched by the filter; defaults to the joined cells
    labels: tuple[tuple[str, str], ...] = ()  # key=value pairs the filter understands
    style: str = ""  # a Rich style for the whole row (problem rows), from theme colours
    rank: int = 0  # the default order, before any `o`: errors (-2), then warnings (-1), then the rest
    live: tuple[tuple[int, Any], ...] = ()  # (cell index, clock-dependent value) a KubeTable renders when drawn


def fit_widths(natural: Sequence[int], minimum: Sequence[int], available: int) -> list[int]:
    """Column widths that fit ``available`` cells: the widest columns give way first (never
    below their ``minimum``), so short columns stay whole and long cells end in "…"."""
    widths = list(natural)
    if sum(minimum) > available:  # too narrow for every header: any column may go down to "ab…"
        minimum = [min(m, 3) for m in minimum]
    excess = sum(widths) - available
    while excess > 0:
        room = [i for i, w in enumerate(widths) if w > minimum[i]]
        if not room:
            break
        widest = max(widths[i] for i in room)
        tops = [i for i in room if widths[i] == widest]
        below = max([w for w in widths if w < widest] + [max(minimum[i] for i in tops)])
        step = min(widest - below, -(-excess // len(tops))) or 1
        for i in tops:
            cut = min(step, widths[i] - minimum[i], excess)
            widths[i] -= cut
            excess -= cut
            if excess <= 0:
                break
    return widths


def problems_first(rows: list[Row]) -> list[Row]:
    """The default order of every table: what is broken on top, otherwise as listed."""
    return sorted(rows, key=lambda r: r.rank) if any(r.rank for r in rows) else rows


def _cell(value: Any, style: str) -> Any:
    if isinstance(value, ImageText):  # image references shorten their registry, never split the tag
        return ImageText(value.refs, style)
    if isinstance(value, Text):
        text = value.copy()
        if style:
            text.stylize(style)
        return text
    return safe_text("" if value is None else value, style)


def matches(row: Row, query: str) -> bool:
    """The `/` grammar of console.filter: words in the row's text, key=value / key!=value /
    key=prefix* on its labels; all terms must hold."""
    if not query:
        return True
    haystack = (row.search or " ".join(str(c) for c in row.cells)).lower()
    return compile_query(query)(haystack, {k.lower(): v.lower() for k, v in row.labels})


class SortKeys:
    """`o` / `O` and ``sort_by`` for a table with ``columns_spec``, ``sort_index`` and
    ``sort_reverse``; the table defines ``_apply_sort()``, how it re-sorts its rows."""

    columns_spec: tuple[Column, ...]
    sort_index: int | None
    sort_reverse: bool

    def action_cycle_sort(self) -> None:
        self.sort_index = 0 if self.sort_index is None else (self.sort_index + 1) % len(self.columns_spec)
        self._apply_sort()  # type: ignore[attr-defined]
        self.notify(f"sorted by {self.columns_spec[self.sort_index].label}", timeout=1.5)  # type: ignore[attr-defined]

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._apply_sort()  # type: ignore[attr-defined]

    def sort_by(self, column_key: str, reverse: bool = False) -> None:
        self.sort_index = [c.key for c in self.columns_spec].index(column_key)
        self.sort_reverse = reverse
        self._apply_sort()  # type: ignore[attr-defined]


VIM_KEYS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
]


class VimOptionList(OptionList):
    """An OptionList that also moves with j/k and g/G, like every table of the console."""

    BINDINGS = [*VIM_KEYS, Binding("g", "first", "Top", show=False), Binding("G", "last", "Bottom", show=False)]


class FitColumns:
    """A DataTable that fits its width: when its columns are wider than the table, the
    widest give way (cells end in "…") instead of a horizontal scrollbar taking a row."""

    def _fit_columns(self) -> None:
        table: Any = self
        region = table.content_region
        columns = list(table.columns.values())
        if region.width <= 0 or not columns:
            return
        fixed = table.__dict__.setdefault("_fixed_widths", {})
        for c in columns:
            if c.key not in fixed:
                fixed[c.key] = None if c.auto_width else c.width
        natural = [fixed[c.key] if fixed[c.key] is not None else c.content_width for c in columns]
        bar = table.styles.scrollbar_size_vertical if table.virtual_size.height > region.height else 0
        pad = 2 * table.cell_padding
        available = region.width - bar - pad * len(columns) - table._row_label_column_width
        labels = [len(c.label) for c in columns]
        fitted = fit_widths(natural, [min(n, max(min(lb, 6), 3)) for n, lb in zip(natural, labels, strict=True)],
                            available)
        changed = False
        for c, n, w in zip(columns, natural, fitted, strict=True):
            auto = fixed[c.key] is None and w >= n
            if (c.auto_width, c.width) != (auto, w if not auto else c.width):
                c.auto_width, c.width, changed = auto, (c.width if auto else w), True
        if changed:
            table._clear_caches()
            width = sum(c.get_render_width(table) for c in columns) + table._row_label_column_width
            table.virtual_size = Size(width, table.virtual_size.height)
            table._scroll_update(table.virtual_size)  # the scrollbars follow (ScrollView updates them on resize only)
            table.refresh()

    def on_resize(self) -> None:
        self._fit_columns()

    def _update_dimensions(self, new_rows: Any) -> None:
        super()._update_dimensions(new_rows)  # type: ignore[misc]
        self._fit_columns()


def ellipsis(text: Text) -> Text:
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


class VimDataTable(FitColumns, DataTable):
    """A plain DataTable (no in-place sync) with the console's j/k and g/G keys."""

    BINDINGS = [*VIM_KEYS, Binding("g", "scroll_top", "Top", show=False),
                Binding("G", "scroll_bottom", "Bottom", show=False)]

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        return super().add_row(*(ellipsis(c) if isinstance(c, Text) else c for c in cells), **kwargs)


class TickBox(Checkbox):
    """A checkbox that reads the same in every theme and in monochrome: ``[x]`` ticked,
    ``[ ]`` not (Textual's ``▐X▌`` shows the X in both states and relies on colour)."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble(("[", ""), ("x" if self.value else " ", style), ("]", ""))


class ResourceTable(EmptyNote, RowRepaint, FitColumns, SortKeys, DataTable):
    """A DataTable that updates in place, filters and sorts, and never parses markup.

    ``sync(rows)`` adds, removes and updates rows by key, keeping the cursor on the
    same row and the scroll position, instead of clearing and refilling. Empty, it says
    what is empty and where under its header (``describe_empty``, screens/table_notes.py).
    """

    BINDINGS = [
        *VIM_KEYS,
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
        Binding("o", "cycle_sort", "Sort", show=False, tooltip="Sort by the next column"),
        Binding("O", "reverse_sort", "Reverse", show=False),
        Binding("space", "toggle_mark", "Mark", show=False, tooltip="Select for a bulk action"),
    ]

    def __init__(self, columns: Sequence[Column], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.columns_spec = tuple(columns)
        self._all: dict[str, Row] = {}
        self._filter = ""
        self.sort_index: int | None = None
        self.sort_reverse = False
        self.marked: set[str] = set()
        self._painted: dict[str, tuple[tuple[Any, ...], str]] = {}  # key -> (cells, style) on screen

    def on_mount(self) -> None:
        for col in self.columns_spec:
            self.add_column(col.label, key=col.key, width=col.width)

    def clear(self, columns: bool = False) -> ResourceTable:
        self._painted.clear()  # whatever is added next is painted in full
        super().clear(columns)
        return self

    # -- data ------------------------------------------------------------------------
    @property
    def filter_text(self) -> str:
        return self._filter

    @filter_text.setter
    def filter_text(self, value: str) -> None:
        self._filter = value
        self._render_rows()
        if self.row_count == 0:
            self.refresh()  # the empty note names the filter

    @property
    def visible_keys(self) -> list[str]:
        return [rk.value for rk in self.rows]

    @property
    def all_keys(self) -> list[str]:
        """Every row's key, shown or filtered out."""
        return list(self._all)

    @property
    def current_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - cursor outside the table after a removal
            return None

    def row_for(self, key: str | None) -> Row | None:
        return self._all.get(key) if key else None

    def selected_keys(self) -> list[str]:
        """The marked rows, or the row under the cursor when none are marked."""
        marked = [k for k in self.visible_keys if k in self.marked]
        if marked:
            return marked
        current = self.current_key
        return [current] if current else []

    def sync(self, rows: Iterable[Row]) -> None:
        self._all = {r.key: r for r in rows}
        self.marked &= set(self._all)
        self._render_rows()

    def _ordered(self) -> list[Row]:
        rows = [r for r in self._all.values() if matches(r, self._filter)]
        if self.sort_index is not None:
            i = self.sort_index
            col = self.columns_spec[i]

            def key(r: Row) -> Any:
                v = r.raw[i] if i < len(r.raw) else str(r.cells[i])
                v = col.sort_key(v) if col.sort_key else v
                return (v is None, v if v is not None else 0)

            try:
                rows.sort(key=key, reverse=self.sort_reverse)
            except TypeError:  # mixed types in a column: fall back to text order
                rows.sort(key=lambda r: str(r.cells[i]), reverse=self.sort_reverse)
            return rows
        return problems_first(rows)

    def _render_rows(self) -> None:
        wanted = self._ordered()
        wanted_keys = [r.key for r in wanted]
        existing = self.visible_keys
        current, scroll_y = self.current_key, self.scroll_y
        if existing == wanted_keys:  # same rows, same order: touch only the cells that changed
            self._repaint(set().union(*(self._update_row(row) for row in wanted)))
            return
        keep = set(wanted_keys)
        removed = len(existing) - len(keep & set(existing))
        # removals one by one cost O(rows) each: past a few, a rebuild is cheaper
        if removed <= 20 and [k for k in existing if k in keep] == wanted_keys[: len(keep & set(existing))]:
            for key in existing:  # removals and appends only
                if key not in keep:
                    self.remove_row(key)
                    self._painted.pop(key, None)
            present, changed = set(existing), set()
            for row in wanted:
                if row.key in present:
                    changed |= self._update_row(row)
                else:
                    self._add(row)
            self._repaint(changed)
        else:  # the order changed (sort, filter): rebuild, then put cursor and scroll back
            self.clear()
            for row in wanted:
                self._add(row)
        if current in keep:
            self.move_cursor(row=wanted_keys.index(current), animate=False, scroll=False)
        self.scroll_to(y=scroll_y, animate=False, immediate=True)

    def _style(self, row: Row) -> str:
        mark = "reverse" if row.key in self.marked else ""
        return " ".join(s for s in (row.style, mark) if s)

    def _cells(self, row: Row) -> list[Text]:
        style = self._style(row)
        return [ellipsis(cell) if isinstance(cell := _cell(c, style), Text) else cell for c in row.cells]

    def _add(self, row: Row) -> None:
        self.add_row(*self._cells(row), key=row.key)
        self._painted[row.key] = (row.cells, self._style(row))

    def _update_row(self, row: Row) -> set[tuple[str, str]]:
        """Write in place the cells of a shown row whose values changed, and only those;
        returns them (row key, column key) for ``_repaint``."""
        style = self._style(row)
        before = self._painted.get(row.key)
        if before == (row.cells, style):
            return set()
        same_style = before is not None and before[1] == style and len(before[0]) == len(row.cells)
        data, changed = self._data[RowKey(row.key)], set()
        for i, (col, value) in enumerate(zip(self.columns_spec, row.cells, strict=False)):
            if same_style and before[0][i] == value:
                continue
            cell = _cell(value, style)
            cell = ellipsis(cell) if isinstance(cell, Text) else cell
            if before is None and data.get(ColumnKey(col.key)) == cell:
                continue
            data[ColumnKey(col.key)] = cell  # as update_cell(update_width=False), without its full repaint
            changed.add((row.key, col.key))
        self._painted[row.key] = (row.cells, style)
        return changed

    def render_line(self, y: int) -> Strip:
        top = self.header_height if self.show_header else 0
        if self.row_count == 0 and y >= top:  # empty: say what is empty and where
            note = self.empty_line(y - top, self.size.width)
            return Strip([Segment(note, self.rich_style)]).crop_extend(0, self.size.width, self.rich_style)
        return super().render_line(y)

    # -- actions ---------------------------------------------------------------------
    def _apply_sort(self) -> None:
        self._render_rows()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        index = [c.key for c in self.columns_spec].index(event.column_key.value)
        if self.sort_index == index:
            self.sort_reverse = not self.sort_reverse
        self.sort_index = index
        self._render_rows()

    def action_toggle_mark(self) -> None:
        key = self.current_key
        if key is None:
            return
        self.marked.symmetric_difference_update({key})
        self._render_rows()
        self.action_cursor_down()
