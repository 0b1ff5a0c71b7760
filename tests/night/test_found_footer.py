"""The night page at 80 columns: the footer shows whole keys only, `?` always (issue 15)."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from console.app import OpsConsole
from screens.changelog_view import ChangelogScreen
from screens.footer import choose, key_width
from screens.registry import TABS
from tests.actions.harness import make_config
from tests.night.screen_text import screen_lines
from tests.night.test_truth_on_screen import wait_for


async def settle(app, pilot) -> None:
    """Let the footer recompose (tabs' own workers may be cancelled and restarted meanwhile)."""
    for _ in range(3):
        await pilot.pause()


def footer_keys(app) -> list[FooterKey]:
    return [k for k in app.screen.query(FooterKey) if k.display]


def assert_whole(app, where: str) -> None:
    width = app.size.width
    footer = app.screen.query_one(Footer)
    keys = footer_keys(app)
    palette = [k for k in keys if k.has_class("-command-palette")]
    limit = palette[0].region.x if palette else width
    line = screen_lines(app)[footer.region.y]
    for key in keys:
        if key in palette:
            continue
        region = key.region
        assert region.width > 0 and region.right <= limit, (where, key.key, key.description, region, line)
        assert f"{key.key_display} {key.description}" in line, (where, key.description, line)
    assert any(k.action == "help" for k in keys), (where, line)
    assert "? Help" in line, (where, line)


@pytest.mark.parametrize("width", [80, 120])
async def test_every_tab_footer_shows_whole_keys_and_help(tmp_path, width):
    app = OpsConsole(make_config(tmp_path))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        for i, tab in enumerate(TABS):
            await wait_for(pilot, lambda t=tab: bool(app.query(f"#{t.id}-tab")))
            await pilot.press(str(i + 1))
            await wait_for(pilot, lambda t=tab: app.query_one("#tabs").active == t.id and bool(footer_keys(app)))
            await settle(app, pilot)
            assert_whole(app, tab.id)
        await pilot.press(str(len(TABS) + 1))
        await wait_for(pilot, lambda: isinstance(app.screen, ChangelogScreen) and bool(footer_keys(app)))
        await settle(app, pilot)
        assert_whole(app, "changelog")


async def test_the_footer_refits_when_the_terminal_narrows(tmp_path):
    app = OpsConsole(make_config(tmp_path))
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(app, pilot)
        await wait_for(pilot, lambda: bool(footer_keys(app)))
        wide = len(footer_keys(app))
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: len(footer_keys(app)) < wide)
        await settle(app, pilot)
        assert_whole(app, "after the resize")


def test_choose_keeps_help_and_the_first_keys_that_fit():
    widths = [key_width("⏎", "Go to", False), key_width("l", "Logs", False), key_width("/", "Filter", False),
              key_width("?", "Help", False)]
    assert widths[0] == 9
    assert choose(widths, [False, False, False, True], room=sum(widths)) == [0, 1, 2, 3]
    assert choose(widths, [False, False, False, True], room=widths[0] + widths[3] + 2) == [0, 3]
    assert choose(widths, [False, False, False, True], room=widths[3]) == [3]
