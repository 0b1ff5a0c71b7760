"""Costs tab at 80x24: the waste finder gets the room (or the cost table, on `z`), and the
clean-up preview stays short enough for the confirmation to fit."""

from __future__ import annotations

import pytest

from console.actions.aws_waste import BUILDERS
from console.app import OpsConsole
from console.services import Services
from screens.widgets import ResourceTable
from tests.ui.test_costs import estate, open_costs  # noqa: F401 - fixture
from tests.ui.test_pipelines import aws_config, wait_for

pytestmark = pytest.mark.aws


async def test_waste_rows_fit_at_80x24(estate):  # noqa: F811
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(80, 24)) as pilot:
        tab = await open_costs(app, pilot)
        waste = tab.query_one("#waste", ResourceTable)
        costs = tab.query_one("#cost-table", ResourceTable)
        await wait_for(pilot, lambda: tab.has_class("-compact") and waste.size.height > 0)
        await pilot.pause()
        rows = len(tab.waste.items)
        assert rows == 7
        assert waste.size.height >= rows + 1  # header + every row
        assert costs.size.height >= 3  # the cost view keeps a glimpse
        await pilot.press("z")
        await pilot.pause()
        assert costs.size.height > waste.size.height
        await pilot.press("z")
        await pilot.pause()
        assert waste.size.height >= rows + 1


@pytest.mark.parametrize("name", ["logs-archive", "legacy-nat", "db-weekly"])
async def test_clean_up_confirmation_fits_80x24(estate, name):  # noqa: F811
    from screens.confirm import ConfirmScreen
    from tests.ui.test_costs_actions import select_waste

    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(80, 24)) as pilot:
        tab, key = await select_waste(app, pilot, name)
        assert tab.waste.items and key.split(":")[0] in BUILDERS
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready)
        await pilot.pause(0.2)
        body = app.screen.query_one("#confirm-body")
        assert body.max_scroll_y == 0, f"{name}: the preview needs scrolling ({body.virtual_size} in {body.size})"
        assert app.screen.query_one("#confirm").region.bottom <= 24
