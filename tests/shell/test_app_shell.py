"""The shell with no backend reachable: it paints, says why, and keeps working."""

from __future__ import annotations

from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import Config
from screens.base import BackendTab
from screens.status_bar import StatusBar


async def wait_states(app, pilot, names=("docker", "kubernetes", "aws"), tries=100):
    bar = app.query_one(StatusBar)
    for _ in range(tries):
        await pilot.pause(0.05)
        if all(n in bar.statuses and bar.statuses[n].state is not BackendState.CONNECTING for n in names):
            return bar
    raise AssertionError(f"backends still connecting: {bar.statuses}")


async def until(pilot, condition, tries: int = 400):
    """Poll: on a loaded machine a key's effect lands a few frames later."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


async def test_starts_with_every_backend_down():
    app = OpsConsole(Config())
    async with app.run_test(size=(100, 30)) as pilot:
        bar = await wait_states(app, pilot)
        assert bar.statuses["docker"].state is BackendState.UNAVAILABLE
        assert bar.statuses["kubernetes"].state in (BackendState.UNCONFIGURED, BackendState.UNAVAILABLE)
        assert bar.statuses["aws"].state in (BackendState.UNCONFIGURED, BackendState.UNAVAILABLE)
        tab = app.tab("containers")
        assert tab.has_class("-unavailable")
        assert "unavailable" in str(tab.query_one("#state-banner").render())
        # the app keeps working: switch tabs, open help, jump
        await pilot.press("3")
        await until(pilot, lambda: app.query_one("#tabs").active == "clusters")
        await pilot.press("question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ != "HelpScreen")
        await pilot.press("colon", *"costs", "enter")
        await until(pilot, lambda: app.query_one("#tabs").active == "costs")


async def test_retry_key_reconnects():
    app = OpsConsole(Config())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_states(app, pilot)
        tab: BackendTab = app.tab("containers")
        before = tab.state
        await pilot.press("2", "r")
        await pilot.pause(0.2)
        assert tab.state in (BackendState.CONNECTING, before)


async def test_read_only_marked_in_status_bar():
    import dataclasses

    cfg = Config()
    cfg = dataclasses.replace(cfg, general=dataclasses.replace(cfg.general, read_only=True))
    app = OpsConsole(cfg)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_states(app, pilot)
        assert "RO" in str(app.query_one(StatusBar).status_text())


async def test_number_keys_reach_every_tab_from_every_tab():
    app = OpsConsole(Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_states(app, pilot)
        tabs = app.query_one("#tabs")
        for key, tab_id in [("5", "costs"), ("6", "compliance"), ("4", "pipelines"), ("6", "compliance"),
                            ("3", "clusters"), ("2", "containers"), ("1", "triage"), ("6", "compliance"),
                            ("5", "costs")]:
            await pilot.press(key)
            for _ in range(200):  # wait for the switch (a loaded machine is slow), never a fixed pause
                if tabs.active == tab_id:
                    break
                await pilot.pause(0.05)
            assert tabs.active == tab_id, f"after {key}: {tabs.active}"


async def test_tab_keys_do_nothing_behind_another_screen():
    app = OpsConsole(Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_states(app, pilot)
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("4")
        await pilot.pause(0.2)
        assert app.query_one("#tabs").active == "triage"
        await pilot.press("escape")
