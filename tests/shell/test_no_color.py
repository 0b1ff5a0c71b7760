"""NO_COLOR=1: a readable monochrome screen. No element has equal foreground and
background; state is shown by reverse video, bold and underline instead of colour."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.widgets import DataTable

import themes
from console.app import OpsConsole
from console.config import Config
from tests.shell.test_app_shell import wait_states


def screen_lines(app) -> list[list[Segment]]:
    """The composed screen as the terminal gets it (line filters applied), as segments."""
    width, height = app.size
    console = Console(width=width, height=height, force_terminal=True, color_system="truecolor",
                      legacy_windows=False, file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the console
    update = app.screen._compositor.render_update(full=True)  # what export_screenshot renders too
    segments = [s for s in console.render(update) if not s.control]
    console.file.close()
    return list(Segment.split_lines(segments))


def assert_monochrome(app, where: str) -> None:
    for row, line in enumerate(screen_lines(app)):
        for seg in line:
            style = seg.style
            if style is None or not seg.text.strip():
                continue
            fg, bg = style.color, style.bgcolor
            assert not (fg is not None and bg is not None and fg == bg and not fg.is_default), \
                f"{where}, row {row}: {seg.text!r} has foreground == background ({fg})"
            for colour in (fg, bg):
                assert colour is None or colour.is_default, f"{where}, row {row}: {seg.text!r} is coloured {colour}"


def styled(app, predicate) -> str:
    return "".join(seg.text for line in screen_lines(app) for seg in line if seg.style and predicate(seg.style))


async def test_no_color_is_monochrome_and_readable(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    app = OpsConsole(Config())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_states(app, pilot)
        assert app.theme == themes.ANSI.name and app.no_color
        for key, tab in (("1", "Triage"), ("2", "Containers"), ("3", "Clusters"), ("4", "Pipelines"),
                         ("5", "Costs"), ("6", "Compliance")):
            await pilot.press(key)
            await pilot.pause()
            assert_monochrome(app, f"tab {tab}")
            assert tab in styled(app, lambda s: s.reverse)  # the active tab in reverse video
        assert "docker" in styled(app, lambda s: s.reverse)  # the status bar too
        assert "Quit" in "".join(seg.text for line in screen_lines(app) for seg in line)
        await pilot.press("question_mark")
        await pilot.pause()
        assert_monochrome(app, "help")
        await pilot.press("escape")


async def test_a_dark_theme_forced_under_no_color_is_monochrome_too(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = OpsConsole(Config(general=Config().general.__class__(theme="opsconsole-dark")))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_states(app, pilot)
        assert_monochrome(app, "dark theme")


class TableApp(App):
    CSS_PATH = themes.CSS_PATHS

    def __init__(self) -> None:
        super().__init__(ansi_color=True if themes.no_color() else None)

    def compose(self) -> ComposeResult:
        yield DataTable(id="t")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "state")
        table.add_rows([("web-1", "running"), ("web-2", "exited"), ("db", "running")])
        table.move_cursor(row=1)
        table.focus()


async def test_no_color_table_cursor_is_reverse_video(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        assert_monochrome(app, "table")
        assert "web-2" in styled(app, lambda s: s.reverse) and "web-1" not in styled(app, lambda s: s.reverse)
        assert "name" in styled(app, lambda s: s.bold)  # header
