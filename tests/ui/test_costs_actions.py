"""Waste finder clean-ups through the real guarded runner on moto's EC2."""

from __future__ import annotations

import pytest

from console.sandbox.aws import seed_ec2
from screens.confirm import ConfirmScreen
from screens.widgets import ResourceTable
from tests.ui.test_pipelines import wait_for
from tests.ui.test_pipelines_actions import confirm, make_app, outcomes, settle

pytestmark = pytest.mark.aws


@pytest.fixture
def estate(aws):
    seed_ec2(aws.url)
    return aws


async def select_waste(app, pilot, name: str):
    await pilot.press("5")
    tab = app.tab("costs")
    await wait_for(pilot, lambda: tab.waste is not None)
    await pilot.pause()
    table = tab.query_one("#waste", ResourceTable)
    key = next(k for k in table.visible_keys if table.row_for(k).cells[1] == name)
    table.focus()
    table.move_cursor(row=table.visible_keys.index(key))
    await pilot.pause()
    return tab, key


async def test_snapshot_then_delete_volume(estate, tmp_path):
    app = make_app(tmp_path, estate.url)
    async with app.run_test(size=(120, 40)) as pilot:
        tab, key = await select_waste(app, pilot, "old-data")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.verb == "snapshot then delete"
        assert await confirm(app, pilot, typed="old-data") == ["succeeded"]
        assert "kept snapshot snap-" in app.screen.results[0].detail
        await pilot.press("escape")
        await wait_for(pilot, lambda: key not in tab.query_one("#waste", ResourceTable).visible_keys)
    assert outcomes(app) == ["requested", "succeeded"]
    assert "snapshot then delete" in (tmp_path / "CHANGELOG.md").read_text()


async def test_release_address(estate, tmp_path):
    app = make_app(tmp_path, estate.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await select_waste(app, pilot, "legacy-nat")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.verb == "release"
        assert await confirm(app, pilot) == ["succeeded"]
    assert outcomes(app) == ["requested", "succeeded"]


async def test_delete_snapshot_declined_keeps_it(estate, tmp_path):
    app = make_app(tmp_path, estate.url)
    async with app.run_test(size=(120, 40)) as pilot:
        tab, key = await select_waste(app, pilot, "db-weekly")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.verb == "delete"
        await pilot.press("escape")
        await settle(app, pilot)
        assert key in tab.query_one("#waste", ResourceTable).visible_keys
    assert outcomes(app) == ["declined"]


async def test_delete_snapshot(estate, tmp_path):
    app = make_app(tmp_path, estate.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await select_waste(app, pilot, "db-2023-backup")
        await pilot.press("D")
        assert await confirm(app, pilot, typed="db-2023-backup") == ["succeeded"]
    assert outcomes(app) == ["requested", "succeeded"]


async def test_read_only_refuses_clean_up(estate, tmp_path):
    import dataclasses

    app = make_app(tmp_path, estate.url)
    app.config = dataclasses.replace(app.config, general=dataclasses.replace(app.config.general, read_only=True))
    app.services.config = app.config
    async with app.run_test(size=(120, 40)) as pilot:
        await select_waste(app, pilot, "tmp-build")
        await pilot.press("D")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, ConfirmScreen)
