"""ctrl+p finds the current tab's actions (with their key) and the `:` jump targets."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from console.app import OpsConsole
from console.services import Services
from screens.registry import TABS


async def wait_for(pilot, condition, tries: int = 600, step: float = 0.05):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError("condition not met in time")


def tab_key(tab_id: str) -> str:
    """The number key of a tab (tabs may be added before it)."""
    return str([t.id for t in TABS].index(tab_id) + 1)


def prompts(app) -> list[str]:
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def search(app, pilot, text: str) -> list[str]:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*text)
    await wait_for(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
    await pilot.pause(0.2)  # the palette gathers from its providers asynchronously
    found = prompts(app)
    await pilot.press("escape")
    return found


async def test_palette_finds_the_tab_actions_and_jumps(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.query("#clusters-tab")) and app.focused is not None)
        await pilot.press(tab_key("clusters"))
        tab = app.tab("clusters")
        await wait_for(pilot, lambda: len(tab.rows) > 0 and app.focused is not None and tab in app.focused.ancestors)
        found = await search(app, pilot, "scale")
        assert any("Scale" in p for p in found), found
        found = await search(app, pilot, "roll")
        assert any("oll" in p and "back" in p.lower() for p in found), found
        found = await search(app, pilot, "jump :ns")
        assert any(":ns" in p for p in found), found
