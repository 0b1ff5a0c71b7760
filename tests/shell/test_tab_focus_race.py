"""A focus asked for before a tab switch lands after it (Widget.focus is deferred): it must
not pull the tabs back to the tab that was left (a loaded run lost `2` and `3` that way)."""

from __future__ import annotations

from console.app import OpsConsole
from console.config import Config
from tests.shell.test_app_shell import until


async def test_a_stale_focus_in_the_tab_left_does_not_switch_back():
    app = OpsConsole(Config())
    async with app.run_test(size=(100, 30)) as pilot:
        tabs = app.query_one("#tabs")
        await until(pilot, lambda: app.query("#containers-tab") and app.query("#clusters-tab"))
        for target in ("containers", "clusters"):
            app.tab("triage").focus_body()  # deferred: lands after the switch below
            app.action_show_tab(target)
            await until(pilot, lambda: app.focused is not None)
            await pilot.pause()
            assert tabs.active == target, app.focused
            assert f"{target}-tab" in {a.id for a in app.focused.ancestors_with_self if a.id}, app.focused
            await pilot.press("1")
            await until(pilot, lambda: tabs.active == "triage")
