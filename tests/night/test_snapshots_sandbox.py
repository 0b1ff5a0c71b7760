"""The night page, pictured: every tab on the sandbox estate, plus the confirmation, the
rollback wizard and the changelog view, at 80x24 in 16 colours and at 120x40 dark.

The whole console (tab bar, status bar, footer) on the sandbox's data, seeded and aged from
the frozen clock (tests/night/sandbox_estate.py), so every picture is repeatable. After a
screen change, regenerate every picture in one command and review the diff:

    PYTHONPATH=$PWD .venv/bin/python -m pytest tests/night/test_snapshots_sandbox.py --snapshot-update -n 1
"""

from __future__ import annotations

import pytest

import screens.base
from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import Config
from screens.changelog_view import ChangelogScreen
from screens.confirm import ConfirmScreen
from screens.registry import TABS
from screens.rollback_wizard import RollbackWizard
from screens.status_bar import StatusBar
from tests.night.sandbox_estate import REPO, sandbox_config, sandbox_services, seed, write_changelog

pytestmark = pytest.mark.aws

LOOKS = {"80x24-ansi": ((80, 24), "opsconsole-ansi"), "120x40-dark": ((120, 40), "opsconsole-dark")}
TAB_VIEWS = [t.id for t in TABS]
VIEWS = [*TAB_VIEWS, "confirm", "rollback-wizard", "changelog"]
TRIES = 1200  # x 0.05 s: a loaded machine


async def wait_for(pilot, condition, what: str) -> None:
    for _ in range(TRIES):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what}: not shown in time")


async def settle(pilot) -> None:
    """Every backend answered in the status bar, every Triage source in its line."""
    app = pilot.app
    await wait_for(pilot, lambda: len(app.query("#compliance-tab")) == 1, "the tabs mounted")
    bar = app.query_one(StatusBar)
    triage = app.tab("triage")
    await wait_for(pilot, lambda: len(bar.statuses) == 3
                   and all(s.state is not BackendState.CONNECTING for s in bar.statuses.values()), "the status bar")
    await wait_for(pilot, lambda: len(triage.states) >= 7
                   and all(s.mode.value != "loading" for s in triage.states.values()), "every Triage source")


async def show_tab(pilot, tab_id: str):
    await pilot.press(str(TAB_VIEWS.index(tab_id) + 1))
    tab = pilot.app.tab(tab_id)
    ready = {
        "triage": lambda: len(tab.table().visible_keys) > 0,
        "containers": lambda: tab.has_data,
        "clusters": lambda: tab.adapter is not None and len(tab.table().visible_keys) > 0,
        "pipelines": lambda: tab.view is not None,
        "costs": lambda: tab.waste is not None,
        "compliance": lambda: True,
    }[tab_id]
    await wait_for(pilot, ready, tab_id)
    return tab


async def deployments(pilot):
    tab = await show_tab(pilot, "clusters")
    tab.jump("deployments")
    await wait_for(pilot, lambda: tab.kind == "deployments" and "shop/checkout" in tab.table().visible_keys,
                   "the deployments")
    table = tab.table()
    table.move_cursor(row=table.visible_keys.index("shop/checkout"))
    table.focus()
    await pilot.pause()
    return tab


async def rollback_wizard(pilot) -> RollbackWizard:
    await deployments(pilot)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RollbackWizard), "the rollback wizard")
    wizard = pilot.app.screen
    await wait_for(pilot, lambda: wizard.highlighted_number in wizard.plans, "the rollback plan")
    return wizard


def arrange(view: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        app = pilot.app
        if view in TAB_VIEWS:
            tab = await show_tab(pilot, view)
            if view == "compliance":
                tab.focus_body()
                await pilot.press("r")
                await wait_for(pilot, lambda: tab.result is not None, "the compliance run")
        elif view == "rollback-wizard":
            await rollback_wizard(pilot)
        elif view == "confirm":
            await rollback_wizard(pilot)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready,
                           "the confirmation with its preview")
        elif view == "changelog":
            await pilot.press(str(len(TABS) + 1))
            await wait_for(pilot, lambda: isinstance(app.screen, ChangelogScreen)
                           and app.screen.query_one("DataTable").row_count == 2, "the changelog")
        await pilot.pause(0.2)  # the last answers painted (live watches never complete: no wait_for_complete)
        await pilot.pause()
    return run_before


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("look", list(LOOKS))
def test_night_page(snap_compare, frozen_clock, kube, aws, isolated_env, monkeypatch, look, view):
    monkeypatch.setattr(screens.base, "BACKOFF", (3600.0,))  # no retry during the picture
    monkeypatch.chdir(REPO)  # the compliance fixture is named relative to the checkout
    seed(kube, aws, frozen_clock)
    size, theme = LOOKS[look]
    config = sandbox_config(kube.config, aws.url, Config().state_dir, theme)
    write_changelog(config.audit_path, frozen_clock)
    app = OpsConsole(config, services=sandbox_services(config))
    assert snap_compare(app, terminal_size=size, run_before=arrange(view))
