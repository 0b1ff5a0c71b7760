"""ResourceTable.sync touches only the cells whose values changed, and repaints only their rows
(DataTable.update_cell would have every cell of the table rendered again)."""

from __future__ import annotations

from textual.app import App

from screens.containers_cells import COLUMNS
from screens.widgets import ResourceTable, Row


def row(i: int, cpu: str = "0.0") -> Row:
    cells = (f"c{i:02d}", "running", "0", "5m", cpu, "1.0MiB", "busybox", "", "")
    return Row(key=f"id{i}", cells=cells, raw=cells)


class TableApp(App):
    def compose(self):
        yield ResourceTable(COLUMNS, id="t")


def spy_writes(table: ResourceTable) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    real = table._repaint

    def counting(cells):
        calls.extend(sorted(cells))
        return real(cells)

    table._repaint = counting
    return calls


def spy_rendered_rows(table: ResourceTable) -> set[int]:
    """Row indices whose cells Rich renders again (a cell render cache miss)."""
    rendered: set[int] = set()
    real = table._compute_row_renderables

    def counting(row_index):
        rendered.add(row_index)
        return real(row_index)

    table._compute_row_renderables = counting
    return rendered


def line_text(table: ResourceTable, key: str) -> str:
    y = table.get_row_index(key) + table.header_height - int(table.scroll_y)
    return "".join(seg.text for seg in table.render_line(y))


async def test_unchanged_refresh_updates_no_cell_and_a_change_updates_that_cell_only():
    app = TableApp()
    async with app.run_test(size=(120, 60)) as pilot:
        table = app.query_one(ResourceTable)
        table.sync([row(i) for i in range(50)])
        await pilot.pause()
        calls = spy_writes(table)
        table.move_cursor(row=17)
        await pilot.pause()
        table.sync([row(i) for i in range(50)])  # same data
        assert calls == []
        table.sync([row(i, "12.5" if i == 30 else "0.0") for i in range(50)])
        assert calls == [("id30", "cpu")]
        assert str(table.get_cell("id30", "cpu")) == "12.5"
        assert table.current_key == "id17" and table.cursor_coordinate.row == 17
        calls.clear()
        table.marked.add("id3")  # a style change repaints that row's cells, nothing else
        table.sync([row(i, "12.5" if i == 30 else "0.0") for i in range(50)])
        assert {k for k, _c in calls} == {"id3"} and len(calls) == len(COLUMNS)


async def test_a_changed_cell_renders_its_row_again_and_no_other():
    app = TableApp()
    async with app.run_test(size=(120, 60)) as pilot:
        table = app.query_one(ResourceTable)
        table.sync([row(i) for i in range(50)])
        await pilot.pause()
        rendered = spy_rendered_rows(table)
        table.sync([row(i, "12.5" if i in (4, 30) else "0.0") for i in range(50)])
        await pilot.pause()
        assert rendered == {4, 30}  # not the 48 unchanged rows, nor the header
        assert "12.5" in line_text(table, "id30") and "12.5" not in line_text(table, "id31")
        rendered.clear()
        table.move_cursor(row=30)  # the cursor row is drawn from the new value too
        await pilot.pause()
        assert "12.5" in line_text(table, "id30")
        table.sync([row(i) for i in range(50)])  # back to 0.0
        await pilot.pause()
        assert "12.5" not in line_text(table, "id30") and "12.5" not in line_text(table, "id4")
