"""Clusters table rows: a KubeRow as a table Row, ages as live cells.

Cells that depend on the clock (``Since``: AGE, "9 (2m ago)") are kept in ``Row.live`` and
rendered by the table when drawn (``render_live``), so a row built once stays right while
the object is unchanged; their sort values do not depend on the clock either.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from console import clock
from console.models.kubernetes import KubeRow, Severity, Since, render_cell
from screens.widgets import Row

SEVERITY_RANK = {Severity.ERROR: -2, Severity.WARNING: -1, Severity.OK: 0}  # failing rows first by default


def raw_value(cell: Any) -> Any:
    """Sort key of a cell, independent of the clock: ages by their start (the youngest first,
    like ages in seconds), counts as numbers, text otherwise."""
    if isinstance(cell, Since):
        if cell.template != "{}":
            head = cell.template.split(" ", 1)[0]
            return int(head) if head.isdigit() else head
        return -cell.at.timestamp()
    return int(cell) if isinstance(cell, str) and cell.isdigit() else cell


def render_live(cell: Any) -> str:
    """A Since cell as text now (the table calls it for the rows on screen only)."""
    return render_cell(cell, datetime.fromtimestamp(clock.now(), UTC))


def table_row(r: KubeRow, now: datetime, styles: dict[Severity, str]) -> Row:
    cells = tuple(render_cell(c, now) for c in r.cells)
    labels = r.labels + ((("problem", "yes"),) if r.problem else ())
    live = tuple((i + 2, c) for i, c in enumerate(r.cells) if isinstance(c, Since))
    return Row(key=r.key, cells=(r.namespace, r.name, *cells, r.context), live=live,
               raw=(r.namespace, r.name, *(raw_value(c) for c in r.cells), r.context),
               search=" ".join((r.namespace, r.name, r.problem, *cells, r.context)).lower(),
               labels=labels, style=styles[r.severity], rank=SEVERITY_RANK[r.severity])
