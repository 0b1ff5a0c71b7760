"""The deploy/rollback wizards for an ECS service: the same screens on an ECS "flow".

``EcsRolloutFlow`` wraps EcsDeployBackend for one service: task definition revisions
are the history, a deploy registers a revision with the new image(s) and points the
service at it, a rollback points it at an older revision; the verification watches the
service's deployments until steady state, and the undo goes back to the revision that
was in service before. Entry points::

    open_ecs_deploy_wizard(app, services, cluster, service, origin=tab)
    open_ecs_rollback_wizard(app, services, cluster, service, origin=tab)
    open_ecs_revisions(app, services, cluster, service, origin=tab)
    open_ecs_watch(app, services, cluster, service, origin=tab)
    open_ecs_services(app, services)     # every cluster's services, with the keys above
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from console.actions import ActionSpec, Preview, Risk, Target
from console.actions.undo import register_undo, target_from_record
from console.errors import OpsError
from console.models.rollout import DryRun, EcsService, Revision, RolloutPlan, RolloutSnapshot
from console.text import safe_text
from screens.base import describe_error
from screens.rollout_watch import failed_revisions, plan_changes, plan_details, plan_notes, watch_verifier
from screens.widgets import Column, ResourceTable, Row


def short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


class EcsRolloutFlow:
    kind = "ecs service"

    def __init__(self, backend: Any, cluster: str, service: str, watch_interval: float = 5.0,
                 verify_timeout: float | None = None) -> None:
        """``verify_timeout`` unset: ``config.aws.ecs_deploy_timeout``."""
        self.backend, self.cluster, self.service = backend, cluster, service
        self.watch_interval = watch_interval
        self.verify_timeout = float(verify_timeout if verify_timeout is not None
                                    else backend.config.aws.ecs_deploy_timeout)

    @property
    def target(self) -> Target:
        return Target("ecs service", self.service, "aws", self.backend.where, self.cluster,
                      production=self.backend.production)

    @property
    def label(self) -> str:
        return f"ECS service {self.cluster}/{self.service} @ {self.backend.where}"

    # -- reads (THREAD) --------------------------------------------------------------------
    def history(self) -> tuple[Revision, ...]:
        return self.backend.history(self.cluster, self.service)

    def containers(self) -> tuple[tuple[str, str], ...]:
        current = next((r for r in self.history() if r.current), None)
        return current.images if current else ()

    def failed_revisions(self, history: tuple[Revision, ...]) -> frozenset[int]:
        return failed_revisions(history, self.backend.config.audit_path, self.target)

    def plan_deploy(self, images: dict[str, str]) -> tuple[RolloutPlan, DryRun]:
        plan = self.backend.plan_deploy(self.cluster, self.service, images)
        return plan, self.backend.dry_run(plan)

    def plan_rollback(self, revision: Revision | None) -> tuple[RolloutPlan, DryRun]:
        plan = self.backend.plan_rollback(self.cluster, self.service, revision.name if revision else "")
        return plan, self.backend.dry_run(plan)

    # -- specs (no I/O) ---------------------------------------------------------------------
    def watch(self, timeout: float, target: str = "") -> Iterator[RolloutSnapshot]:
        """THREAD: snapshots of the service's deployment towards ``target`` (default: its
        current task definition) until steady state, failure or ``timeout``."""
        target = target or self.backend.service(self.cluster, self.service)["taskDefinition"]
        return self.backend.watch_deployment(self.cluster, self.service, target, timeout=timeout,
                                             interval=self.watch_interval)

    def _verify(self, state: dict[str, str]) -> Any:
        def watch(timeout: float) -> Iterator[RolloutSnapshot]:
            return self.backend.watch_deployment(self.cluster, self.service, state["target"], timeout=timeout,
                                                 interval=self.watch_interval)
        return watch_verifier(watch, f"{self.cluster}/{self.service}")

    def _spec(self, verb: str, plan: RolloutPlan, execute: Any, state: dict[str, str], after: str) -> ActionSpec:
        def preview(t: Target) -> Preview:
            fresh = self.backend.plan_rollback(self.cluster, self.service, plan.after_ref) if plan.after_ref \
                else self.backend.plan_deploy(self.cluster, self.service, {c.container: c.after for c in plan.changes})
            dry = self.backend.dry_run(fresh)
            return Preview(plan_changes(fresh, after), dry_run=dry.message, dry_run_ok=dry.ok, notes=plan_notes(fresh))

        return ActionSpec(
            verb=verb, targets=(self.target,), risk=Risk.HIGH, summary=plan.summary, execute=execute, preview=preview,
            verify=self._verify(state), verify_timeout=self.verify_timeout, timeout=60.0,
            undo=lambda t: self.rollback_spec_to(plan.before_ref, plan.images_after, plan.images_before),
            undo_hint=f"point the service back at {short(plan.before_ref)} ({plan.images_before})",
            details=plan_details(plan, task_definition_before=plan.before_ref), undo_kind="ecs.rollback")

    def deploy_spec(self, plan: RolloutPlan, images: dict[str, str]) -> ActionSpec:
        state: dict[str, str] = {}

        def execute(t: Target, timeout: float) -> str:
            state["target"] = self.backend.deploy(self.cluster, self.service, new_images=images, timeout=timeout)
            return f"{plan.images_before} → {plan.images_after} as {short(state['target'])}"

        return self._spec("deploy", plan, execute, state, "new revision")

    def rollback_plan_spec(self, plan: RolloutPlan) -> ActionSpec:
        state = {"target": plan.after_ref}

        def execute(t: Target, timeout: float) -> str:
            self.backend.deploy(self.cluster, self.service, task_definition=plan.after_ref, timeout=timeout)
            return f"service on {short(plan.after_ref)}: {plan.images_after}"

        return self._spec("rollback", plan, execute, state, str(plan.revision_after))

    def rollback_spec_to(self, arn: str, images_before: str = "", images_after: str = "") -> ActionSpec:
        """Point the service at ``arn`` (the undo of a deploy or rollback)."""
        state = {"target": arn}
        target = self.target
        return ActionSpec(
            verb="rollback", targets=(target,), risk=Risk.HIGH,
            summary=f"roll back {self.service} to {short(arn)}" + (f": {images_before} → {images_after}"
                                                                   if images_before else ""),
            execute=lambda t, timeout: self.backend.deploy(self.cluster, self.service, task_definition=arn,
                                                           timeout=timeout),
            preview=lambda t: self.plan_preview(arn), verify=self._verify(state), verify_timeout=self.verify_timeout,
            timeout=60.0, undo_hint="roll back again to the revision wanted",
            details={"images_before": images_before, "images_after": images_after, "task_definition_after": arn})

    def plan_preview(self, arn: str) -> Preview:
        plan = self.backend.plan_rollback(self.cluster, self.service, arn)
        dry = self.backend.dry_run(plan)
        return Preview(plan_changes(plan, str(plan.revision_after)), dry_run=dry.message, dry_run_ok=dry.ok,
                       notes=plan_notes(plan))


def ecs_backend(services: Any) -> Any:
    """THREAD: the ECS part of the current AWS backend (same session, profile and region)."""
    return services.aws().ecs


def _flow_loader(services: Any, cluster: str, service: str, watch_interval: float) -> Any:
    return lambda: EcsRolloutFlow(ecs_backend(services), cluster, service, watch_interval=watch_interval)


def open_ecs_deploy_wizard(app: Any, services: Any, cluster: str, service: str, origin: Any = None,
                           watch_interval: float = 5.0) -> Any:
    from screens.deploy_wizard import DeployWizard

    wizard = DeployWizard(None, origin, load_flow=_flow_loader(services, cluster, service, watch_interval))
    app.push_screen(wizard)
    return wizard


def open_ecs_rollback_wizard(app: Any, services: Any, cluster: str, service: str, origin: Any = None,
                             revision: int = 0, watch_interval: float = 5.0) -> Any:
    from screens.rollback_wizard import RollbackWizard

    wizard = RollbackWizard(None, origin, load_flow=_flow_loader(services, cluster, service, watch_interval),
                            preselect=revision)
    app.push_screen(wizard)
    return wizard


def open_ecs_revisions(app: Any, services: Any, cluster: str, service: str, origin: Any = None,
                       watch_interval: float = 5.0) -> Any:
    from screens.revisions import RevisionsScreen

    openers = {
        "rollback": lambda n: open_ecs_rollback_wizard(app, services, cluster, service, origin, n, watch_interval),
        "deploy": lambda _: open_ecs_deploy_wizard(app, services, cluster, service, origin, watch_interval),
        "watch": lambda _: open_ecs_watch(app, services, cluster, service, origin, watch_interval),
    }
    screen = RevisionsScreen(_flow_loader(services, cluster, service, watch_interval), origin, openers)
    app.push_screen(screen)
    return screen


def open_ecs_watch(app: Any, services: Any, cluster: str, service: str, origin: Any = None,
                   watch_interval: float = 5.0, timeout: float | None = None) -> Any:
    """Watch the service's current deployment live, until steady state or failure."""
    from screens.rollout_watch import RolloutWatchScreen

    screen = RolloutWatchScreen(_flow_loader(services, cluster, service, watch_interval), origin, timeout)
    app.push_screen(screen)
    return screen


class EcsServicesScreen(ModalScreen[None]):
    """Every ECS service of the account/region; keys open the wizards on the highlighted one."""

    DEFAULT_CSS = """
    EcsServicesScreen { align: center middle; }
    EcsServicesScreen > #ecs-services { width: 96%; max-width: 140; height: 90%; border: thick $primary;
                                        background: $surface; padding: 0 1; }
    EcsServicesScreen ResourceTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("h", "history", "History (enter)"),
        Binding("i", "deploy", "Deploy image"),
        Binding("b", "rollback", "Roll back"),
        Binding("w", "watch", "Watch"),
        Binding("r", "reload", "Refresh"),
    ]

    def __init__(self, services: Any, watch_interval: float = 5.0) -> None:
        super().__init__()
        self.services = services
        self.watch_interval = watch_interval
        self.rows: dict[str, EcsService] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="ecs-services"):
            yield Static(Text("ECS services: loading…", style="bold"), id="ecs-title")
            yield ResourceTable((Column("cluster", "CLUSTER"), Column("service", "SERVICE"),
                                 Column("td", "TASK DEFINITION"), Column("tasks", "RUNNING/DESIRED"),
                                 Column("pending", "PENDING"), Column("deps", "DEPLOYMENTS"),
                                 Column("rollout", "ROLLOUT")), id="ecs-table")

    def on_mount(self) -> None:
        self.query_one(ResourceTable).focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group="ecs-services", exit_on_error=False)

    def request_refresh(self) -> None:  # the guarded path refreshes its origin afterwards
        self.action_reload()

    def _load(self) -> None:
        try:
            backend = ecs_backend(self.services)
            rows = tuple(s for cluster in backend.clusters() for s in backend.services(cluster))
            where = backend.where
        except OpsError as exc:
            self.app.call_from_thread(self._title, describe_error(exc, "ecs services"), "bold red")
            return
        self.app.call_from_thread(self._loaded, where, rows)

    def _title(self, text: str, style: str = "bold") -> None:
        if self.is_attached:
            self.query_one("#ecs-title", Static).update(safe_text(text, style=style))

    def _loaded(self, where: str, rows: tuple[EcsService, ...]) -> None:
        if not self.is_attached:
            return
        self._title(f"ECS services @ {where}: {len(rows)}" + ("" if rows else " (none found)"))
        self.rows = {f"{s.cluster}/{s.name}": s for s in rows}
        self.query_one(ResourceTable).sync(Row(
            key=key, cells=(s.cluster, s.name, s.family_revision, f"{s.running}/{s.desired}", str(s.pending),
                            str(s.deployments), s.rollout_state or "-"),
            style="bold" if s.running < s.desired or s.rollout_state == "FAILED" else "")
            for key, s in self.rows.items())

    @property
    def current(self) -> EcsService | None:
        return self.rows.get(self.query_one(ResourceTable).current_key or "")

    def _open(self, opener: Any) -> None:
        svc = self.current
        if svc is None:
            self.notify("no service selected", severity="warning")
            return
        opener(self.app, self.services, svc.cluster, svc.name, self, watch_interval=self.watch_interval)

    def action_history(self) -> None:
        self._open(open_ecs_revisions)

    def on_data_table_row_selected(self, event: Any) -> None:
        event.stop()
        self.action_history()

    def action_deploy(self) -> None:
        self._open(open_ecs_deploy_wizard)

    def action_rollback(self) -> None:
        self._open(open_ecs_rollback_wizard)

    def action_watch(self) -> None:
        self._open(open_ecs_watch)

    def action_close(self) -> None:
        self.dismiss(None)


def open_ecs_services(app: Any, services: Any, watch_interval: float = 5.0) -> EcsServicesScreen:
    """The ECS services of the configured account/region (main thread)."""
    screen = EcsServicesScreen(services, watch_interval)
    app.push_screen(screen)
    return screen


def _undo_ecs(record: Any, services: Any) -> ActionSpec:
    target = target_from_record(record)
    params = record.get("undo_params") or {}
    arn = params.get("task_definition_before", "")
    if not arn:
        raise OpsError(f"record {record.get('action_id', '?')} names no task definition to go back to",
                       source="ecs.undo")
    flow = EcsRolloutFlow(ecs_backend(services), target.namespace, target.name)
    return flow.rollback_spec_to(arn, params.get("images_after", ""), params.get("images_before", ""))


register_undo("ecs.rollback", _undo_ecs)
