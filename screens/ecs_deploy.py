"""The deploy/rollback wizards for an ECS service: the same screens on an ECS "flow"
(console.actions.aws_ecs.EcsRolloutFlow, on the AWS backend's ECS part). Entry points::

    open_ecs_deploy_wizard(app, services, cluster, service, origin=tab)
    open_ecs_rollback_wizard(app, services, cluster, service, origin=tab)
    open_ecs_revisions(app, services, cluster, service, origin=tab)
    open_ecs_watch(app, services, cluster, service, origin=tab)
    open_ecs_services(app, services)     # every cluster's services, with the keys above
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from console.actions.aws_ecs import EcsRolloutFlow, ecs_backend
from console.errors import OpsError
from console.models.rollout import EcsService
from console.text import safe_text
from screens.base import describe_error
from screens.generation import GenerationBound
from screens.widgets import Column, ResourceTable, Row

if TYPE_CHECKING:  # pragma: no cover
    from console.capabilities import FlowLoader
    from console.services import Services


def _flow_loader(services: Services, cluster: str, service: str, watch_interval: float) -> FlowLoader:
    return lambda: EcsRolloutFlow(ecs_backend(services), cluster, service, watch_interval=watch_interval)


def _push(app: Any, services: Services, screen: Any, what: str) -> Any:
    """Show ``screen`` bound to the AWS generation it was opened on (closed on a switch)."""
    screen.bind_to("aws", services.generation("aws"), what)
    app.push_screen(screen)
    return screen


def open_ecs_deploy_wizard(app: Any, services: Services, cluster: str, service: str, origin: Any = None,
                           watch_interval: float = 5.0) -> Any:
    from screens.deploy_wizard import DeployWizard

    wizard = DeployWizard(None, origin, load_flow=_flow_loader(services, cluster, service, watch_interval))
    return _push(app, services, wizard, "ECS deploy wizard")


def open_ecs_rollback_wizard(app: Any, services: Services, cluster: str, service: str, origin: Any = None,
                             revision: int = 0, watch_interval: float = 5.0) -> Any:
    from screens.rollback_wizard import RollbackWizard

    wizard = RollbackWizard(None, origin, load_flow=_flow_loader(services, cluster, service, watch_interval),
                            preselect=revision)
    return _push(app, services, wizard, "ECS rollback wizard")


def open_ecs_revisions(app: Any, services: Services, cluster: str, service: str, origin: Any = None,
                       watch_interval: float = 5.0) -> Any:
    from screens.revisions import RevisionsScreen

    openers = {
        "rollback": lambda n: open_ecs_rollback_wizard(app, services, cluster, service, origin, n, watch_interval),
        "deploy": lambda _: open_ecs_deploy_wizard(app, services, cluster, service, origin, watch_interval),
        "watch": lambda _: open_ecs_watch(app, services, cluster, service, origin, watch_interval),
    }
    screen = RevisionsScreen(_flow_loader(services, cluster, service, watch_interval), origin, openers)
    return _push(app, services, screen, "ECS revision history")


def open_ecs_watch(app: Any, services: Services, cluster: str, service: str, origin: Any = None,
                   watch_interval: float = 5.0, timeout: float | None = None) -> Any:
    """Watch the service's current deployment live, until steady state or failure."""
    from screens.rollout_watch import RolloutWatchScreen

    screen = RolloutWatchScreen(_flow_loader(services, cluster, service, watch_interval), origin, timeout)
    return _push(app, services, screen, "ECS watch")


class EcsServicesScreen(GenerationBound, ModalScreen[None]):
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

    def __init__(self, services: Services, watch_interval: float = 5.0) -> None:
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


def open_ecs_services(app: Any, services: Services, watch_interval: float = 5.0) -> EcsServicesScreen:
    """The ECS services of the configured account/region (main thread)."""
    screen = EcsServicesScreen(services, watch_interval)
    return _push(app, services, screen, "ECS services")


