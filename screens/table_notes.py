"""What a table says about its rows: ``12 of 340 pods`` under a filter, and what an empty
table means (``no secrets in ns shop``, ``no pods match "web"``) instead of a bare header.

Tabs describe their tables once they know (``describe_empty(noun, where)``); the tables
(``ResourceTable``, ``KubeTable``) draw ``empty_text`` on the line under their header.

``RowRepaint``: how a table that writes changed cells in place repaints only their rows.
"""

from __future__ import annotations

import textwrap
from typing import Any

from rich.style import Style
from textual.widgets.data_table import RowKey

from console.text import strip_control


def count_text(shown: int, total: int, noun: str, filtered: bool) -> str:
    """``340 pods``; under an active filter ``12 of 340 pods`` (shown of total)."""
    return f"{shown} of {total} {noun}" if filtered else f"{total} {noun}"


def empty_text(noun: str, where: str = "", query: str = "") -> str:
    """``no pods in ns shop``; under a filter ``no pods match "web" in ns shop``."""
    query = strip_control(query).strip()
    head = f'no {noun} match "{query}"' if query else f"no {noun}"
    return f"{head} {where}" if where else head


class EmptyNote:
    """Mixed into a table: what it shows (``noun``), from where, and its filter text."""

    empty_noun: str = "rows"
    empty_where: str = ""
    empty_pending: str = ""  # while the first answer is awaited: "loading secrets…"

    def describe_empty(self, noun: str, where: str = "", pending: str = "") -> None:
        changed = (noun, where, pending) != (self.empty_noun, self.empty_where, self.empty_pending)
        self.empty_noun, self.empty_where, self.empty_pending = noun, where, pending
        if changed:
            self.refresh()  # type: ignore[attr-defined]

    @property
    def empty_text(self) -> str:
        """The line an empty table shows under its header."""
        if self.empty_pending:
            return self.empty_pending
        return empty_text(self.empty_noun, self.empty_where, self.filter_text)  # type: ignore[attr-defined]

    def empty_line(self, index: int, width: int) -> str:
        """Line ``index`` (0: the one under the header) of ``empty_text`` wrapped to ``width``."""
        lines = textwrap.wrap(self.empty_text, max(10, width - 2), break_on_hyphens=False) or [""]
        return " " + lines[index] if index < len(lines) else ""


class RowRepaint:
    """Mixed into a DataTable whose cells are written in place (``ResourceTable._update_row``).

    ``DataTable.update_cell`` bumps the counter every render cache of the table is keyed on:
    one changed cell had Rich render every cell of the table again (issue 18: most of an
    idle Containers tab's CPU). ``_repaint(cells)`` drops the cached renders of those cells
    only and repaints their rows. While a paint runs, the table's and its components' styles
    (each a walk up every ancestor, asked for on every line) are worked out once.
    """

    _paint_styles: dict[Any, Any] | None = None

    def _repaint(self, cells: set[tuple[str, str]]) -> None:
        table: Any = self
        rows = {r for r, _ in cells}
        for cache, stale in ((table._cell_render_cache, lambda k: (k[0].value, k[1].value) in cells),
                             (table._row_render_cache, lambda k: k[0].value in rows)):
            for key in [k for k in cache.keys() if stale(k)]:
                cache.discard(key)
        table._row_renderable_cache.clear()  # by (count, row index), the line cache by y: only
        table._line_cache.clear()  # the lines repainted below are rendered again
        for key in rows:
            table.refresh_row(table._row_locations.get(RowKey(key)))

    def render_lines(self, crop: Any) -> Any:
        self._paint_styles = {}
        try:
            return super().render_lines(crop)  # type: ignore[misc]
        finally:
            self._paint_styles = None

    @property
    def rich_style(self) -> Style:
        styles = self._paint_styles
        if styles is None:
            return super().rich_style  # type: ignore[misc]
        if "rich" not in styles:
            styles["rich"] = super().rich_style  # type: ignore[misc]
        return styles["rich"]

    def get_component_styles(self, *names: str) -> Any:
        styles = self._paint_styles
        if styles is None:
            return super().get_component_styles(*names)  # type: ignore[misc]
        if names not in styles:
            styles[names] = _PaintedStyles(super().get_component_styles(*names))  # type: ignore[misc]
        return styles[names]

    @property
    def background_colors(self) -> Any:
        styles = self._paint_styles
        if styles is None:
            return super().background_colors  # type: ignore[misc]
        if "background" not in styles:
            styles["background"] = super().background_colors  # type: ignore[misc]
        return styles["background"]


class _PaintedStyles:
    """A component's styles during one paint: ``rich_style`` worked out once."""

    def __init__(self, styles: Any) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)
