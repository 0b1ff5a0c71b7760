"""The night page: `?` says why a key is not available, in the key's own words (issue 15)."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Static

from console.actions.runner import read_only_reason
from console.app import OpsConsole
from console.services import Services
from screens.help import HelpScreen
from tests.actions.harness import make_config
from tests.night.test_truth_on_screen import open_clusters, tab_key, wait_for

SIZE = (80, 24)


def help_text(app) -> str:
    """The whole help table as plain text (wider than the screen: nothing cropped)."""
    console = Console(width=160, record=True, file=open("/dev/null", "w"))  # noqa: SIM115 - closed below
    for static in app.screen.query(Static):
        console.print(static.content)
    console.file.close()
    return console.export_text()


def line_of(text: str, description: str) -> str:
    return next((line for line in text.splitlines() if f" {description}" in line), "")


async def open_help(app, pilot) -> str:
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    await pilot.pause()
    return help_text(app)


async def test_help_says_read_only_like_the_refused_key(tmp_path):
    app = OpsConsole(make_config(tmp_path, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.query("#containers-tab")))
        await pilot.press(tab_key("containers"))
        await wait_for(pilot, lambda: app.query_one("#tabs").active == "containers")
        why = read_only_reason(True, lambda _c: False, None)
        text = await open_help(app, pilot)
        restart = line_of(text, "Restart")
        assert why in restart and "not available now" not in restart, text
        assert "not available" not in line_of(text, "Logs"), text  # reading stays available
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.press("R")  # the key itself: refused, with the same reason
        await wait_for(pilot, lambda: any(why in str(n.message) for n in app._notifications))


async def test_help_says_which_rows_a_key_applies_to(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_clusters(app, pilot)
        assert tab.kind == "pods"
        text = await open_help(app, pilot)
        scale = line_of(text, "Scale")
        assert "scale does not apply to pods" in scale, text
        assert "not available now" not in text, text  # every dimmed key gives its reason
