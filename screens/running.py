"""Actions still running: the status-bar indicator, reopening one, and quitting safely.

``add``/``remove`` keep the App's list of running guarded actions (screens.guarded calls
them). The status bar shows ``▶ N running (A)`` while the list is not empty; ``A``
(``reopen_latest``) shows the newest hidden one again.

Quitting (``q``, ``:q``, ctrl+c) while something runs opens :class:`QuitScreen`: *wait*
quits when the last action has finished; *leave running and quit* records
``abandoned: outcome unknown`` with what was already executed, for every open intent
(console.actions.intent.ActionRun.abandon), then quits. SIGTERM and SIGHUP (the
terminal closed) leave running at once: nobody can answer a dialog then.
"""

from __future__ import annotations

import logging
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.text import safe_text

log = logging.getLogger(__name__)


def runs(app: App) -> list[Any]:
    """The GuardedRuns of ``app`` still executing or verifying, oldest first."""
    found = getattr(app, "running_actions", None)
    if found is None:
        found = app.running_actions = []  # type: ignore[attr-defined]
    return found


def add(app: App, run: Any) -> None:
    runs(app).append(run)
    _show(app)


def remove(app: App, run: Any) -> None:
    current = runs(app)
    if run in current:
        current.remove(run)
    _show(app)
    waiting = getattr(app, "_quit_when_idle", False)
    if waiting and not current:
        app.exit()


def _show(app: App) -> None:
    from screens.status_bar import StatusBar

    count = len(runs(app))
    for bar in app.query(StatusBar):  # none in a bare test App
        bar.set_running(f"▶ {count} running (A)" if count else "")


def reopen_latest(app: App) -> bool:
    """Show the newest running action's progress again; False when none runs."""
    current = runs(app)
    if not current:
        return False
    current[-1].reopen()
    return True


def running_text(app: App) -> Text:
    text = Text()
    for run in runs(app):
        if text:
            text.append("\n")
        text.append("• ")
        text.append_text(safe_text(f"{run.spec.title}: {run.action_run.status_text()}"))
    return text


def abandon_all(app: App, why: str) -> list[str]:
    """THREAD or MAIN: record ``abandoned`` for every open intent; the titles left running."""
    left = []
    for run in list(runs(app)):
        closed = run.action_run.abandon(run.journal)
        if closed:
            left.append(f"{run.spec.title} ({why}; recorded as abandoned: outcome unknown)")
    return left


class QuitScreen(ModalScreen[str | None]):
    """What still runs, and the choice: wait, leave it running and quit, or stay."""

    DEFAULT_CSS = """
    QuitScreen { align: center middle; }
    QuitScreen > #quit-dialog { width: 90%; max-width: 100; height: auto; border: thick $warning;
                                background: $surface; padding: 0 1; }
    QuitScreen #quit-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    QuitScreen #quit-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("w", "choose('wait')", "Wait, then quit"),
        Binding("l", "choose('leave')", "Leave running and quit"),
        Binding("escape", "choose('stay')", "Stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog"):
            yield Static(Text("Actions are still running", style="bold"))
            yield Static(running_text(self.app), id="quit-running")
            yield Static("Leaving records them as 'abandoned: outcome unknown' with what was already done; "
                         "check the targets afterwards.", classes="dim")
            with Horizontal(id="quit-buttons"):
                yield Button("Stay (esc)", id="stay", variant="primary", compact=True)
                yield Button("Wait, then quit (w)", id="wait", compact=True)
                yield Button("Leave running and quit (l)", id="leave", variant="warning", compact=True)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if not runs(self.app):
            self.dismiss("wait")  # nothing left: quitting is safe now
            return
        self.query_one("#quit-running", Static).update(running_text(self.app))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


def request_quit(app: App) -> None:
    """MAIN: quit now, or ask first when actions are running (see the module docstring)."""
    if not runs(app):
        app.exit()
        return
    if any(isinstance(s, QuitScreen) for s in app.screen_stack):
        return

    def chosen(choice: str | None) -> None:
        if choice == "wait":
            if not runs(app):
                app.exit()
                return
            app._quit_when_idle = True  # type: ignore[attr-defined]
            app.notify("quitting when the running actions have finished", timeout=10)
        elif choice == "leave":
            leave_and_quit(app, "left running at quit")

    app.push_screen(QuitScreen(), chosen)


def leave_and_quit(app: App, why: str, return_code: int = 0) -> None:
    """MAIN: record the running actions as abandoned, remember them for the exit message, quit."""
    left = abandon_all(app, why)
    app.left_running = left  # type: ignore[attr-defined]
    app.exit(return_code=return_code)
