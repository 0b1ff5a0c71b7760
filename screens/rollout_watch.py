"""The live rollout watch screen (Kubernetes Deployment or ECS service): progress, new
pods' states and new warnings, from a flow of console.actions.kubernetes_rollout or
console.actions.aws_ecs."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Log, Static

from console.actions.kubernetes_rollout import KubeRolloutFlow, rollout_backend
from console.errors import OpsError
from console.models.rollout import Phase, RolloutSnapshot
from console.text import safe_text, strip_control
from screens.base import describe_error
from screens.generation import GenerationBound

if TYPE_CHECKING:  # pragma: no cover
    from console.capabilities import FlowLoader, RolloutTarget
    from console.services import Services


class RolloutWatchScreen(GenerationBound, ModalScreen[None]):
    """Live view of a rollout started anywhere: progress, new pods' states, new warnings.

    Read-only; p / P pause and resume the rollout through the guarded path (Kubernetes).
    The watch runs in a thread worker and stops when the screen closes.
    """

    DEFAULT_CSS = """
    RolloutWatchScreen { align: center middle; }
    RolloutWatchScreen > #watch { width: 90%; max-width: 120; height: 80%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    RolloutWatchScreen.-complete > #watch { border: thick $success; }
    RolloutWatchScreen.-failed > #watch { border: thick $error; }
    RolloutWatchScreen #watch-pods { height: auto; max-height: 12; margin-top: 1; }
    RolloutWatchScreen #watch-log { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "close", "Close"), Binding("p", "pause", "Pause"), Binding("P", "resume", "Resume")]

    def __init__(self, load_flow: FlowLoader, origin: Any = None, timeout: float | None = None) -> None:
        """``timeout`` unset: the flow's ``verify_timeout`` (from the config)."""
        super().__init__()
        self._load_flow = load_flow
        self.flow: RolloutTarget | None = None
        self.origin = origin
        self.timeout = timeout
        self.last: RolloutSnapshot | None = None
        self._watch_stopped = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="watch"):
            yield Static(Text("Watching: loading…", style="bold"), id="watch-title")
            yield Static("", id="watch-progress")
            yield Static("", id="watch-pods")
            yield Log(id="watch-log", auto_scroll=True)

    def on_mount(self) -> None:
        self.run_worker(self._watch, thread=True, exclusive=True, group="rollout-watch", exit_on_error=False)

    def on_unmount(self) -> None:
        self._watch_stopped.set()

    def _watch(self) -> None:
        try:
            flow = self._load_flow()
            self.app.call_from_thread(self._started, flow)
            timeout = self.timeout if self.timeout is not None else flow.verify_timeout
            for snap in flow.watch(timeout):
                if self._watch_stopped.is_set():
                    return
                self.app.call_from_thread(self._show, snap)
        except OpsError as exc:
            if not self._watch_stopped.is_set():
                self.app.call_from_thread(self._line, describe_error(exc, "watch"))

    def _started(self, flow: RolloutTarget) -> None:
        self.flow = flow
        if self.is_attached:
            title = Text("Watching: ", style="bold")
            title.append_text(safe_text(flow.label, style="bold"))
            self.query_one("#watch-title", Static).update(title)

    def _line(self, line: str) -> None:
        if self.is_attached:
            self.query_one(Log).write_line(strip_control(line))

    def _show(self, snap: RolloutSnapshot) -> None:
        if not self.is_attached:
            return
        previous, self.last = self.last, snap
        style = {Phase.COMPLETE: "bold green", Phase.FAILED: "bold red", Phase.TIMED_OUT: "bold yellow"}
        self.query_one("#watch-progress", Static).update(safe_text(snap.progress_text, style=style.get(snap.phase, "")))
        pods = Text("\n").join(safe_text(f"pod {p.text}" + (f" — {p.message}" if p.message else ""),
                                         style="red" if p.failing else "") for p in snap.pods)
        self.query_one("#watch-pods", Static).update(pods)
        if previous is None or previous.progress_text != snap.progress_text:
            self._line(f"{snap.elapsed:6.1f}s {snap.progress_text}")
        for warning in snap.warnings:
            self._line(f"warning: {warning}")
        if snap.done and snap.phase is not Phase.COMPLETE:
            for line in snap.failure_text().splitlines()[1:]:
                self._line(line)
        self.set_class(snap.phase is Phase.COMPLETE, "-complete")
        self.set_class(snap.phase in (Phase.FAILED, Phase.TIMED_OUT), "-failed")

    def action_close(self) -> None:
        self.dismiss(None)

    def _pause(self, pause: bool) -> None:
        if self.flow is None or not self.flow.can_pause:
            self.notify("pause/resume applies to Kubernetes Deployments", severity="warning")
            return
        self.app.run_guarded(self.flow.pause_spec(pause), origin=self.origin)

    def action_pause(self) -> None:
        self._pause(True)

    def action_resume(self) -> None:
        self._pause(False)


def open_rollout_watch(app: Any, services: Services, namespace: str, deployment: str, origin: Any = None,
                       watch_interval: float | None = None, timeout: float | None = None) -> RolloutWatchScreen:
    """Watch a Deployment's rollout live (main thread)."""
    screen = RolloutWatchScreen(lambda: KubeRolloutFlow(rollout_backend(services), namespace, deployment,
                                                        watch_interval=watch_interval), origin, timeout)
    screen.bind_to("kubernetes", services.generation("kubernetes"), "rollout watch")
    app.push_screen(screen)
    return screen
