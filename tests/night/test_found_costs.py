"""The night page at 80x24: the Costs tab shows the daily spend by default, as a one-row
sparkline above the waste finder (`z` still gives the chart the room) (issue 15)."""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.models.aws import DailyCost
from console.services import Services
from screens.costs_chart import DailyChart, sparkline
from screens.widgets import ResourceTable
from tests.night.screen_text import screen_lines
from tests.ui.test_costs import estate, open_costs  # noqa: F401 - fixture
from tests.ui.test_pipelines import aws_config, wait_for

SIZE = (80, 24)


@pytest.mark.aws
async def test_the_daily_spend_shows_at_80x24_without_z(estate):  # noqa: F811
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_costs(app, pilot)
        chart = tab.query_one(DailyChart)
        waste = tab.query_one("#waste", ResourceTable)
        await wait_for(pilot, lambda: tab.has_class("-compact") and tab.report is not None and chart.days
                       and waste.size.height > 0)
        await pilot.pause()
        assert tab.tall == "waste"  # the default: no `z` pressed
        assert chart.display and chart.size.height >= 1 and chart.region.bottom <= SIZE[1]
        today = tab.report.daily[-1]
        lines = screen_lines(app)
        row = lines[chart.region.y]
        assert "daily " in row and "today $" in row and "peak $" in row, "\n".join(lines)
        assert any(glyph in row for glyph in "▁▂▃▄▅▆▇█"), row
        assert f"today ${today.amount:,.0f}" in row, (row, today)
        assert waste.size.height >= len(tab.waste.items) + 1  # the waste finder keeps every row
        for table in tab.query(ResourceTable):  # no table scrolls sideways at 80 columns
            if table.size.width:
                assert table.virtual_size.width <= table.size.width, (table.id, table.virtual_size, table.size)


def test_the_sparkline_fits_its_width_with_the_newest_days():
    from datetime import date, timedelta

    start = date(2026, 11, 1)
    days = [DailyCost(start + timedelta(days=i), float(10 + i * 3)) for i in range(30)]
    line = sparkline(days, 40)
    assert line.cell_len <= 40, line.plain
    assert line.plain.startswith("daily ") and line.plain.endswith("peak $97 on 11-30"), line.plain
    assert line.plain.split(" ")[1][-1] == "█"  # the newest (highest) day is on the right
    wide = sparkline(days, 78)
    assert len(wide.plain.split(" ")[1]) == 30  # every day when there is room
