"""ResourceTable.sync touches only the cells whose values changed (each update_cell repaints)."""

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


async def test_unchanged_refresh_updates_no_cell_and_a_change_updates_that_cell_only():
    app = TableApp()
    async with app.run_test(size=(120, 60)) as pilot:
        table = app.query_one(ResourceTable)
        table.sync([row(i) for i in range(50)])
        await pilot.pause()
        calls: list[tuple[str, str]] = []
        real = table.update_cell

        def counting(row_key, column_key, value, **kw):
            calls.append((str(row_key), str(column_key)))
            return real(row_key, column_key, value, **kw)

        table.update_cell = counting
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
