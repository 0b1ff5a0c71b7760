"""Revision history of a Deployment (or ECS service) with a diff between any two revisions.

Entry points::

    open_revisions(app, services, namespace, deployment, origin=tab)
    open_ecs_revisions(app, services, cluster, service, origin=tab)   # screens.ecs_deploy

The table lists revision, age, images per container, change-cause, replicas (ready/
current) and marks the current one with ●. The pane below shows the diff from the base
revision (the current one, or the one marked with space) to the highlighted one. Keys:
space marks the base, enter/b opens the rollback wizard on the highlighted revision,
i the deploy wizard, w the live rollout watch, p / P pause / resume the rollout
(Kubernetes), esc closes.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from console import clock
from console.errors import OpsError
from console.models.rollout import Revision, template_diff
from console.text import safe_text
from screens.base import age_text, describe_error
from screens.generation import GenerationBound
from screens.image_text import ImageText
from screens.widgets import Column, ResourceTable, Row

if TYPE_CHECKING:  # pragma: no cover
    from console.capabilities import FlowLoader, RolloutTarget
    from console.services import Services


def revision_age(revision: Revision) -> str:
    if revision.created is None:
        return "-"
    return age_text(clock.now() - revision.created.astimezone(UTC).timestamp())


class RevisionTable(ResourceTable):
    """Revisions newest first; key = the revision number as text."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__((Column("cur", "", 1), Column("rev", "REV", 5), Column("age", "AGE", 8),
                          Column("images", "IMAGES"), Column("cause", "CHANGE-CAUSE"),
                          Column("replicas", "READY", 7)), **kwargs)
        self.revisions: dict[str, Revision] = {}

    def show(self, history: tuple[Revision, ...], failed: frozenset[int] = frozenset()) -> None:
        """``failed``: revisions whose rollout failed here before (marked ✗)."""
        self.revisions = {str(r.number): r for r in history}
        self.sync(Row(key=str(r.number), raw=(r.current, r.number),
                      cells=("●" if r.current else "✗" if r.number in failed else "", str(r.number),
                             revision_age(r), ImageText(f"{n}={i}" for n, i in r.images) if r.images else "-",
                             ("failed here before · " if r.number in failed else "") + (r.change_cause or "-"),
                             f"{r.ready}/{r.replicas}"),
                      style="bold" if r.current else "") for r in history)

    def select(self, number: int) -> None:
        keys = self.visible_keys
        if str(number) in keys:
            self.move_cursor(row=keys.index(str(number)), animate=False)

    @property
    def current_revision(self) -> Revision | None:
        return self.revisions.get(self.current_key or "")

    @property
    def current_number(self) -> int | None:
        revision = self.current_revision
        return revision.number if revision else None


def diff_renderable(base: Revision, other: Revision) -> Text:
    lines = template_diff(base.template, other.template)
    head = safe_text(f"revision {base.number} → revision {other.number}", style="bold")
    if not lines:
        return Text("\n").join([head, Text("identical templates", style="dim")])
    return Text("\n").join([head, *(safe_text(line.text, style="green" if not line.before else
                                               "red" if not line.after else "") for line in lines)])


class RevisionsScreen(GenerationBound, ModalScreen[None]):
    DEFAULT_CSS = """
    RevisionsScreen { align: center middle; }
    RevisionsScreen > #revisions { width: 95%; max-width: 130; height: 90%; border: thick $primary;
                                   background: $surface; padding: 0 1; }
    RevisionsScreen RevisionTable { height: auto; max-height: 12; }
    RevisionsScreen #revisions-diff { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("b", "rollback", "Roll back to this"),
        Binding("i", "deploy", "Deploy image"),
        Binding("w", "watch", "Watch rollout"),
        Binding("p", "pause", "Pause rollout"),
        Binding("P", "resume", "Resume rollout"),
    ]

    def __init__(self, load_flow: FlowLoader, origin: Any = None, openers: dict[str, Any] | None = None) -> None:
        super().__init__()
        self._load_flow = load_flow
        self.flow: RolloutTarget | None = None
        self.origin = origin
        self.openers = openers or {}  # "deploy" / "rollback": callables(revision_number) opening the wizards
        self.history: tuple[Revision, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="revisions"):
            yield Static(Text("Revisions: loading…", style="bold"), id="revisions-title")
            yield RevisionTable(id="revisions-table")
            with VerticalScroll(id="revisions-diff"):
                yield Static("", id="revisions-diff-text")

    def on_mount(self) -> None:
        self.query_one(RevisionTable).focus()
        self.run_worker(self._load, thread=True, exclusive=True, group="revisions", exit_on_error=False)

    def _load(self) -> None:
        try:
            flow = self.flow or self._load_flow()
            history = flow.history()
            failed = flow.failed_revisions(history)
        except OpsError as exc:
            self.app.call_from_thread(self._failed, describe_error(exc, "history"))
            return
        self.app.call_from_thread(self._loaded, flow, history, failed)

    def _failed(self, reason: str) -> None:
        if self.is_attached:
            self.query_one("#revisions-diff-text", Static).update(safe_text(reason, style="bold red"))

    def _loaded(self, flow: RolloutTarget, history: tuple[Revision, ...], failed: frozenset[int]) -> None:
        if not self.is_attached:
            return
        self.flow, self.history = flow, history
        title = Text("Revisions: ", style="bold")
        title.append_text(safe_text(flow.label, style="bold"))
        self.query_one("#revisions-title", Static).update(title)
        table = self.query_one(RevisionTable)
        table.show(history, failed)
        self._show_diff()

    @property
    def base(self) -> Revision | None:
        table = self.query_one(RevisionTable)
        marked = [table.revisions[k] for k in table.marked if k in table.revisions]
        return marked[0] if marked else next((r for r in self.history if r.current), None)

    def _show_diff(self) -> None:
        other = self.query_one(RevisionTable).current_revision
        base = self.base
        if other is None or base is None:
            return
        text = diff_renderable(base, other) if other is not base else Text(
            f"revision {other.number} is the base: highlight another one (space marks a different base)", style="dim")
        self.query_one("#revisions-diff-text", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self.history:
            self._show_diff()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_rollback()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_rollback(self) -> None:
        revision = self.query_one(RevisionTable).current_revision
        opener = self.openers.get("rollback")
        if revision is None or opener is None:
            return
        if revision.current:
            self.notify("that is the current revision: highlight an older one", severity="warning")
            return
        self.dismiss(None)
        opener(revision.number)

    def action_deploy(self) -> None:
        opener = self.openers.get("deploy")
        if opener is not None:
            self.dismiss(None)
            opener(0)

    def action_watch(self) -> None:
        opener = self.openers.get("watch")
        if opener is not None:
            self.dismiss(None)
            opener(0)

    def _pause(self, pause: bool) -> None:
        if self.flow is None or not self.flow.can_pause:
            self.notify("pause/resume applies to Kubernetes Deployments", severity="warning")
            return
        self.app.run_guarded(self.flow.pause_spec(pause), origin=self.origin)

    def action_pause(self) -> None:
        self._pause(True)

    def action_resume(self) -> None:
        self._pause(False)


def open_revisions(app: Any, services: Services, namespace: str, deployment: str, origin: Any = None,
                   watch_interval: float | None = None) -> RevisionsScreen:
    """Open the revision history of a Kubernetes Deployment (main thread)."""
    from console.actions.kubernetes_rollout import KubeRolloutFlow, rollout_backend
    from screens.deploy_wizard import open_deploy_wizard
    from screens.rollback_wizard import open_rollback_wizard
    from screens.rollout_watch import open_rollout_watch

    openers = {
        "rollback": lambda number: open_rollback_wizard(app, services, namespace, deployment, origin, number,
                                                        watch_interval),
        "deploy": lambda _: open_deploy_wizard(app, services, namespace, deployment, origin, watch_interval),
        "watch": lambda _: open_rollout_watch(app, services, namespace, deployment, origin, watch_interval),
    }
    screen = RevisionsScreen(lambda: KubeRolloutFlow(rollout_backend(services), namespace, deployment,
                                                     watch_interval=watch_interval), origin, openers)
    screen.bind_to("kubernetes", services.generation("kubernetes"), "revision history")
    app.push_screen(screen)
    return screen
