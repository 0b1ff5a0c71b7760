"""Costs: the waste finder is re-read (not cached) right after a clean-up, shown before Cost
Explorer answers; in read-only mode the clean-up key is dimmed."""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets._footer import FooterKey

from console.app import OpsConsole
from console.config import GeneralConfig
from console.services import Services
from screens.widgets import ResourceTable
from tests.ui.test_costs import estate, open_costs  # noqa: F401 - fixture
from tests.ui.test_costs_actions import select_waste
from tests.ui.test_pipelines import aws_config, wait_for
from tests.ui.test_pipelines_actions import confirm, make_app

pytestmark = pytest.mark.aws


async def test_waste_list_drops_the_volume_as_soon_as_the_action_completes(estate, tmp_path):  # noqa: F811
    app = make_app(tmp_path, estate.url)
    async with app.run_test(size=(120, 40)) as pilot:
        tab, key = await select_waste(app, pilot, "logs-archive")
        before = tab.waste_reads
        await pilot.press("D")
        assert await confirm(app, pilot, typed="logs-archive") == ["succeeded"]
        table = tab.query_one("#waste", ResourceTable)
        # the runner's request_refresh re-reads the live waste finder (no poll, no cache)
        await wait_for(pilot, lambda: tab.waste_reads > before and key not in table.visible_keys, tries=200)
        assert all(i.name != "logs-archive" for i in tab.waste.items)


async def test_refresh_shows_the_waste_finder_before_cost_explorer(estate):  # noqa: F811
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_costs(app, pilot)
        seen: list[str] = []
        original_show = tab.show

        def show(data):
            seen.append("costs")
            original_show(data)

        tab.show = show  # records the order; the tab's own code, not an SDK
        reads = tab.waste_reads
        tab.request_refresh()
        await wait_for(pilot, lambda: seen)
        assert tab.waste_reads == reads + 1  # the waste answer was shown on its own, first


async def test_read_only_dims_clean_up(estate):  # noqa: F811
    cfg = dataclasses.replace(aws_config(estate.url), general=GeneralConfig(read_only=True))
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_costs(app, pilot)
        tab.query_one("#waste", ResourceTable).focus()
        await pilot.pause()
        assert "clean_up" in tab.MUTATING_ACTIONS
        active = app.screen.active_bindings
        assert active["D"].binding.action == "clean_up" and active["D"].enabled is False
        footer = {k.key: k for k in app.screen.query(FooterKey)}
        assert footer["D"].has_class("-disabled")
        assert not footer["E"].has_class("-disabled")  # export reads only
