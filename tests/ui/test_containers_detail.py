"""The shared detail screen (describe / YAML / JSON), as the Containers tab uses it."""

from __future__ import annotations

import json

import yaml
from textual.app import App

from screens.detail_view import DetailScreen, Section, describe_text

RAW = {"Name": "/web", "Config": {"Env": ["DB_PASSWORD=••••••"], "Labels": {"x": "[bold]y[/]"}}}


class DetailApp(App):
    def on_mount(self):
        self.push_screen(DetailScreen("container web", [
            Section("State", [("status", "running"), ("label", "[bold red]x[/]\x1b[31m")]),
            Section("Mounts", []),
        ], RAW))


def test_describe_text_is_literal_and_aligned():
    text = describe_text([Section("S", [("k", "a\nb"), ("longer", "[b]c[/]")])])
    assert text.plain.splitlines() == ["S", "  k       a", "          b", "  longer  [b]c[/]"]
    assert all(not span.style or "bold" in str(span.style) or "underline" in str(span.style) for span in text.spans)


async def test_detail_views_toggle_and_copy():
    app = DetailApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        body = screen.query_one("#detail-body")
        assert "[bold red]x[/]" in str(body.render()) and "(none)" in str(body.render())
        await pilot.press("y")
        assert screen.mode == "yaml" and yaml.safe_load(screen.view_text()) == RAW
        await pilot.press("J")
        assert json.loads(screen.view_text()) == RAW
        await pilot.press("c")
        assert json.loads(app.clipboard) == RAW
        await pilot.press("d")
        assert screen.mode == "describe"
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)
