"""Rollback wizard: pick a revision (default: the previous healthy one — the newest before
the current whose rollout did not fail here before, per the audit log), see the diff and
the plan with the server's dry run, and roll back in one key.

Entry points for other tabs::

    open_rollback_wizard(app, services, namespace, deployment, origin=tab)
    open_ecs_rollback_wizard(app, services, cluster, service, origin=tab)   # screens.ecs_deploy

Keys: j/k or arrows move between revisions (the plan follows), enter rolls back to the
highlighted one through the guarded path (preview, confirmation, watch), esc cancels.
From the Clusters tab a failing deployment is rolled back with: the tab's wizard key,
enter, then tab + enter on the confirmation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from console.actions.kubernetes_rollout import default_rollback
from console.errors import OpsError
from console.models.rollout import DryRun, Revision, RolloutPlan
from console.text import safe_text
from screens.base import describe_error
from screens.deploy_wizard import WIZARD_CSS, plan_renderable
from screens.generation import GenerationBound
from screens.revisions import RevisionTable

if TYPE_CHECKING:  # pragma: no cover
    from console.capabilities import FlowLoader, RolloutTarget
    from console.services import Services


class RollbackWizard(GenerationBound, ModalScreen[None]):
    DEFAULT_CSS = WIZARD_CSS.format(name="RollbackWizard") + """
    RollbackWizard RevisionTable { height: auto; max-height: 8; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, flow: RolloutTarget | None, origin: Any = None, load_flow: FlowLoader | None = None, preselect: int = 0) -> None:
        super().__init__()
        self.flow = flow
        self.origin = origin
        self._load_flow = load_flow
        self.preselect = preselect  # a revision number to start on; 0: the previous one
        self.history: tuple[Revision, ...] = ()
        self.plans: dict[int, tuple[RolloutPlan, DryRun]] = {}
        self.go_when_planned: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard"):
            yield Static(Text("Roll back: loading…", style="bold"), id="wizard-title")
            yield Label("Revision to go back to (enter: roll back)", classes="wizard-section")
            yield RevisionTable(id="wizard-revisions")
            with VerticalScroll(id="wizard-body"):
                yield Label("Plan", classes="wizard-section")
                yield Static(Text("loading the revision history…", style="dim"), id="wizard-plan")
            with Horizontal(id="wizard-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Roll back (enter)", id="rollback", variant="warning", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one(RevisionTable).focus()
        self.run_worker(self._load, thread=True, exclusive=True, group="wizard-load", exit_on_error=False)

    # -- workers ----------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            flow = self._load_flow() if self._load_flow is not None else self.flow
            history = flow.history()
            failed = flow.failed_revisions(history)
        except OpsError as exc:
            self.app.call_from_thread(self._failed, describe_error(exc, "history"))
            return
        self.app.call_from_thread(self._loaded, flow, history, failed)

    def _plan(self, revision: Revision) -> None:
        try:
            result = self.flow.plan_rollback(revision)
        except OpsError as exc:
            self.app.call_from_thread(self._failed, describe_error(exc, "plan"), revision.number)
            return
        self.app.call_from_thread(self._planned, revision.number, result)

    # -- main thread --------------------------------------------------------------------------
    def _loaded(self, flow: RolloutTarget, history: tuple[Revision, ...], failed: frozenset[int] = frozenset()) -> None:
        if not self.is_attached:
            return
        self.flow, self.history = flow, history
        title = Text("Roll back: ", style="bold")
        title.append_text(safe_text(flow.label, style="bold"))
        if flow.target.production:
            title.append("  PRODUCTION", style="bold reverse red")
            self.add_class("-production")
        self.query_one("#wizard-title", Static).update(title)
        table = self.query_one(RevisionTable)
        table.show(history, failed)
        start = next((r for r in history if r.number == self.preselect), None) or default_rollback(history, failed)
        if start is None:
            self._failed("no earlier revision to roll back to")
            return
        table.select(start.number)
        self._request(start)

    def _failed(self, reason: str, number: int | None = None) -> None:
        if not self.is_attached or (number is not None and number != self.highlighted_number):
            return
        self.go_when_planned = None
        self.query_one("#rollback", Button).disabled = True
        self.query_one("#wizard-plan", Static).update(safe_text(reason, style="bold red"))

    def _planned(self, number: int, result: tuple[RolloutPlan, DryRun]) -> None:
        if not self.is_attached:
            return
        self.plans[number] = result
        if number != self.highlighted_number:
            return
        plan, dry = result
        self.query_one("#wizard-plan", Static).update(plan_renderable(plan, dry))
        self.query_one("#rollback", Button).disabled = not dry.ok
        if self.go_when_planned == number:
            self.go_when_planned = None
            self.action_rollback()

    @property
    def highlighted_number(self) -> int | None:
        return self.query_one(RevisionTable).current_number

    def _request(self, revision: Revision) -> None:
        if revision.number in self.plans:
            self._planned(revision.number, self.plans[revision.number])
            return
        self.query_one("#rollback", Button).disabled = True
        if revision.current:
            older = any(not r.current for r in self.history)
            self._failed(f"revision {revision.number} is the current one: pick an older revision" if older
                         else f"revision {revision.number} is the only one: no earlier revision to roll back to")
            return
        self.query_one("#wizard-plan", Static).update(Text(f"planning revision {revision.number}…", style="dim"))
        self.run_worker(lambda: self._plan(revision), thread=True, exclusive=True, group="wizard-plan",
                        exit_on_error=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        revision = self.query_one(RevisionTable).current_revision
        if revision is not None and self.history:
            self._request(revision)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_rollback()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "rollback":
            self.action_rollback()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_rollback(self) -> None:
        number = self.highlighted_number
        if number is None:
            return
        if number not in self.plans:
            self.go_when_planned = number  # enter pressed before the plan arrived: go when it does
            return
        plan, dry = self.plans[number]
        if not dry.ok:
            self.notify(f"dry run rejected: {dry.message}", severity="error", markup=False)
            return
        spec = self.flow.rollback_plan_spec(plan)
        self.dismiss(None)
        # started from the App's context: the confirmation's result must not be routed
        # back to this wizard, which is gone by then
        self.app.call_later(self.app.run_guarded, spec, origin=self.origin)


def open_rollback_wizard(app: Any, services: Services, namespace: str, deployment: str, origin: Any = None,
                         revision: int = 0, watch_interval: float | None = None) -> RollbackWizard:
    """Open the rollback wizard for a Kubernetes Deployment (main thread)."""
    from console.actions.kubernetes_rollout import KubeRolloutFlow, rollout_backend

    wizard = RollbackWizard(None, origin, load_flow=lambda: KubeRolloutFlow(
        rollout_backend(services), namespace, deployment, watch_interval=watch_interval), preselect=revision)
    wizard.bind_to("kubernetes", services.generation("kubernetes"), "rollback wizard")
    app.push_screen(wizard)
    return wizard
