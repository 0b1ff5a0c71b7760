"""The night page, issue 15 (found 8): the 16-colour ANSI theme (TERM=xterm) never relies on
`dim` or on colour alone. Many terminals render no dim, and a remapped palette loses
colour, so the selected tab, the cursor row and the focused button carry reverse/bold,
and states carry words. Checked on the composed screen's segments, with and without NO_COLOR."""

from __future__ import annotations

import dataclasses

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button

import themes
from console.app import OpsConsole
from console.services import Services
from screens.registry import TABS
from screens.widgets import Column, ResourceTable, Row
from tests.night.test_found_counts import SIZE, wait_for
from tests.night.test_truth_on_screen import open_clusters
from tests.shell.test_no_color import screen_lines


def segments(app):
    return [(row, seg) for row, line in enumerate(screen_lines(app)) for seg in line
            if seg.style is not None and seg.text.strip()]


def assert_no_dim(app, where: str) -> None:
    dimmed = [(row, seg.text) for row, seg in segments(app) if seg.style.dim]
    assert not dimmed, f"{where}: dim text (not rendered by many terminals): {dimmed[:8]}"


def styled(app, predicate) -> str:
    return "".join(seg.text for _, seg in segments(app) if predicate(seg.style))


def ansi_config(config):
    return dataclasses.replace(config, general=dataclasses.replace(config.general, theme=themes.ANSI.name))


@pytest.mark.parametrize("no_color", [False, True], ids=["ansi", "ansi+NO_COLOR"])
async def test_every_tab_reads_without_dim_and_marks_tab_and_cursor(kube, monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    kube.seed()
    config = ansi_config(kube.config)
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == themes.ANSI.name
        tab = await open_clusters(app, pilot)
        await wait_for(pilot, lambda: tab.table().has_focus and tab.current_row() is not None, "cursor on a row")
        # the name's start: a column may end in "…" when a wider cell (a restart's age) takes room
        await wait_for(pilot, lambda: tab.current_row().name[:16] in styled(app, lambda s: s.reverse),
                       "the cursor row in reverse video", shown=lambda: styled(app, lambda s: s.reverse))
        reverse = styled(app, lambda s: s.reverse)
        assert "Clusters" in reverse  # the selected tab
        assert "CrashLoopBackOff" in styled(app, lambda s: True)  # the state is a word, not a colour
        assert "failing" in styled(app, lambda s: s.bold)
        assert_no_dim(app, "Clusters")
        for i, t in enumerate(TABS):
            await pilot.press(str(i + 1))
            await wait_for(pilot, lambda t=t: app.query_one("#tabs").active == t.id, f"tab {t.title}")
            await pilot.pause()
            assert t.title in styled(app, lambda s: s.reverse), f"tab {t.title}: the selected tab is not reverse"
            others = [o.title for o in TABS if o is not t]
            assert not any(o in styled(app, lambda s: s.reverse) for o in others), "only the selected tab is reverse"
            assert_no_dim(app, f"tab {t.title}")


class WidgetsApp(App):
    """A table and buttons under the console's stylesheets and the ANSI theme."""

    CSS_PATH = themes.CSS_PATHS

    def __init__(self) -> None:
        super().__init__(ansi_color=True if themes.no_color() else None)

    def compose(self) -> ComposeResult:
        yield ResourceTable([Column("name", "NAME"), Column("state", "STATE")], id="t")
        yield Button("Cancel", id="cancel")
        yield Button("Confirm", id="confirm")

    def on_mount(self) -> None:
        for theme in themes.ALL:
            self.register_theme(theme)
        self.theme = themes.ANSI.name
        self._filters.append(themes.NoDim(lambda: self.theme == themes.ANSI.name))
        table = self.query_one(ResourceTable)
        table.sync([Row("a", ("web-1", "running")), Row("b", ("web-2", "FAILED"), style="red dim"),
                    Row("c", ("db", "running"))])


@pytest.mark.parametrize("no_color", [False, True], ids=["ansi", "ansi+NO_COLOR"])
async def test_table_cursor_and_focused_button_read_in_monochrome(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = WidgetsApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.move_cursor(row=table.visible_keys.index("b"))
        await wait_for(pilot, lambda: "web-2" in styled(app, lambda s: s.reverse), "the cursor row in reverse")
        assert "web-1" not in styled(app, lambda s: s.reverse)
        assert "FAILED" in styled(app, lambda s: True)
        assert "NAME" in styled(app, lambda s: s.bold)  # the header
        assert_no_dim(app, "table")
        app.query_one("#confirm", Button).focus()
        await wait_for(pilot, lambda: "Confirm" in styled(app, lambda s: s.reverse or s.bold), "the focused button")
        assert "Cancel" not in styled(app, lambda s: s.reverse)
        assert_no_dim(app, "buttons")
