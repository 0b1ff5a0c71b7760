"""Build log viewer: CloudWatch Logs lines of one CodeBuild build, literal, searchable, bounded.

Follows the shared log rules: lines are literal text (control sequences stripped, never
markup), memory is bounded (``MAX_LINES``), `/` filters by a search term, `r` reloads
and `f` toggles following a running build.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Log, Static

from console.errors import OpsError
from console.models.aws import Build, LogLine
from console.text import safe_text, strip_control
from screens.base import describe_error

MAX_LINES = 5000
FOLLOW_SECONDS = 3.0


def format_line(line: LogLine) -> str:
    stamp = line.timestamp.strftime("%H:%M:%S ") if line.timestamp else ""
    return stamp + strip_control(line.message)


class BuildLogScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss_log", "Close"),
        Binding("slash", "search", "Search"),
        Binding("r", "reload", "Reload"),
        Binding("f", "toggle_follow", "Follow"),
    ]

    DEFAULT_CSS = """
    BuildLogScreen { align: center middle; }
    BuildLogScreen > Vertical { width: 95%; height: 90%; border: round $primary; background: $surface; }
    BuildLogScreen #log-title { height: 1; padding: 0 1; }
    BuildLogScreen Log { height: 1fr; }
    BuildLogScreen #log-search { display: none; height: 1; border: none; padding: 0 1; }
    BuildLogScreen #log-search.-shown { display: block; }
    """

    def __init__(self, adapter: Any, build: Build) -> None:
        super().__init__()
        self.adapter = adapter
        self.build = build
        self.lines: list[str] = []
        self.search = ""
        self.follow = build.status == "IN_PROGRESS"
        self._timer: Any = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="log-title")
            yield Log(max_lines=MAX_LINES, id="build-log")
            yield Input(placeholder="search (enter: keep, esc: clear)", id="log-search")

    def on_mount(self) -> None:
        self._title("loading…")
        self.load()
        self._timer = self.set_interval(FOLLOW_SECONDS, self._follow_tick)

    def _title(self, note: str) -> None:
        b = self.build
        text = f"logs: {b.project} #{b.number} ({b.status}) · {b.log_group} · {note}"
        if self.search:
            text += f" · search: {self.search}"
        self.query_one("#log-title", Static).update(safe_text(text))

    @work(thread=True, exclusive=True, group="build-log", exit_on_error=False)
    def load(self) -> None:
        try:
            lines = self.adapter.build_log(self.build, limit=min(MAX_LINES, 10000))
        except OpsError as exc:
            self.app.call_from_thread(self._failed, describe_error(exc, "logs.get_log_events"))
            return
        self.app.call_from_thread(self._show, [format_line(line) for line in lines])

    def _failed(self, reason: str) -> None:
        self._title(f"cannot read the log: {reason}")

    def _show(self, lines: list[str]) -> None:
        self.lines = lines[-MAX_LINES:]
        self._render_lines()
        self._title(f"{len(self.lines)} lines" + (" · following" if self.follow else ""))

    def _render_lines(self) -> None:
        log = self.query_one(Log)
        log.clear()
        wanted = [line for line in self.lines if self.search.lower() in line.lower()] if self.search else self.lines
        log.write_lines(wanted)

    def _follow_tick(self) -> None:
        if self.follow:
            self.load()

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self._title("following" if self.follow else "paused")

    def action_reload(self) -> None:
        self.load()

    def action_search(self) -> None:
        box = self.query_one("#log-search", Input)
        box.add_class("-shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search = event.value.strip()
        self._render_lines()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(Log).focus()

    def action_dismiss_log(self) -> None:
        box = self.query_one("#log-search", Input)
        if box.has_focus:
            box.value = ""
            box.remove_class("-shown")
            self.query_one(Log).focus()
            return
        self.dismiss(None)
