"""Deploy wizard: choose container(s) and a new image (or just a tag), see the plan and
the server's dry run, then hand the change to the guarded path.

Works on a "flow" (console.actions.kubernetes_rollout.KubeRolloutFlow for a Deployment,
console.actions.aws_ecs.EcsRolloutFlow for an ECS service). Entry points for other tabs::

    open_deploy_wizard(app, services, namespace, deployment, origin=tab)
    open_ecs_deploy_wizard(app, services, cluster, service, origin=tab)   # screens.ecs_deploy

Every read runs in a thread worker; Deploy stays disabled until a plan with an accepted
dry run is on screen. The confirmation (context, namespace and name; typed name on
production), the reason field, execution and the watch belong to the guarded path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from console.errors import InvalidInput, OpsError
from console.models.rollout import DryRun, RolloutPlan
from console.text import safe_text
from screens.base import describe_error
from screens.generation import GenerationBound
from screens.image_text import ImageText
from screens.select import QuitSafeSelect

if TYPE_CHECKING:  # pragma: no cover
    from console.capabilities import FlowLoader, RolloutTarget
    from console.services import Services

WIZARD_CSS = """
{name} {{ align: center middle; }}
{name} > #wizard {{ width: 96%; max-width: 110; height: auto; max-height: 100%;
                   border: thick $primary; background: $surface; padding: 0 1; }}
{name}.-production > #wizard {{ border: thick $error; }}
{name} #wizard-body {{ height: auto; max-height: 24; }}
{name} .wizard-section {{ margin-top: 1; text-style: bold; }}
{name} #wizard-buttons {{ dock: bottom; height: auto; align-horizontal: right; }}
{name} #wizard-buttons Button {{ margin-left: 2; }}
"""

def plan_renderable(plan: RolloutPlan, dry: DryRun | None) -> Group:
    """Before → after per container, strategy, PDB headroom, notes and the dry run."""
    table = Table(expand=True, box=None, padding=(0, 1), header_style="bold")
    table.add_column("container", no_wrap=True, overflow="ellipsis", min_width=len("container"))
    for column in ("before", "after"):  # an image never splits across lines: its registry gives way
        table.add_column(column, no_wrap=True)
    for change in plan.changes:
        style = "bold" if change.changed else "dim"
        table.add_row(safe_text(change.container), ImageText([change.before]), ImageText([change.after], style=style))
    revision = f"revision {plan.revision_before} → " + (f"{plan.revision_after}" if plan.revision_after else "new")
    parts: list[Any] = [table, safe_text(f"{revision} · {plan.replicas} replicas · {plan.strategy}")]
    if plan.pdb:
        parts.append(safe_text(f"PodDisruptionBudget: {plan.pdb}"))
    parts += [safe_text(f"note: {note}", style="italic") for note in plan.notes]
    other = [d for d in plan.diff if not d.path.endswith(".image")]
    if other:
        parts.append(Text("other template changes:", style="bold"))
        parts += [safe_text(f"  {d.text}") for d in other]
    if dry is not None:
        parts.append(safe_text(("dry run: " if dry.ok else "dry run REJECTED: ") + dry.message,
                               style="green" if dry.ok else "bold red"))
    return Group(parts[0], Text("\n").join(parts[1:]))


def resolve_image(current: str, typed: str) -> str:
    """A bare tag ("1.5.0") keeps the current repository; anything else is a full image."""
    typed = typed.strip()
    if typed and not any(ch in typed for ch in "/:@"):
        repo = current.split("@", 1)[0]
        if ":" in repo.rsplit("/", 1)[-1]:
            repo = repo.rsplit(":", 1)[0]
        return f"{repo}:{typed}"
    return typed


def wanted_images(images: tuple[tuple[str, str], ...], container: str, typed: str) -> dict[str, str]:
    """What the operator asked for: an image or tag for ``container``, or for several
    containers at once as ``name=image-or-tag, name2=…``."""
    current = dict(images)
    pairs = [p.partition("=") for p in typed.split(",")] if "=" in typed else [(container, "=", typed)]
    wanted: dict[str, str] = {}
    for name, _, value in pairs:
        name = name.strip()
        if name not in current:
            known = ", ".join(current) or "none"
            raise InvalidInput(f"no container named {name!r} (containers: {known})" if name else "choose a container first",
                               source="deploy wizard")
        if not value.strip():
            raise InvalidInput(f"no image given for {name}", source="deploy wizard")
        wanted[name] = resolve_image(current[name], value)
    return wanted


class DeployWizard(GenerationBound, ModalScreen[None]):
    DEFAULT_CSS = WIZARD_CSS.format(name="DeployWizard")
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+d", "deploy", "Deploy", show=True)]

    def __init__(self, flow: RolloutTarget | None, origin: Any = None, load_flow: FlowLoader | None = None) -> None:
        super().__init__()
        self.flow = flow
        self.origin = origin
        self._load_flow = load_flow  # THREAD callable returning the flow when it needs I/O to build
        self.images: tuple[tuple[str, str], ...] = ()
        self.plan: RolloutPlan | None = None
        self.dry: DryRun | None = None
        self.wanted: dict[str, str] = {}
        self._container = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard"):
            yield Static(Text("Deploy: loading…", style="bold"), id="wizard-title")
            with VerticalScroll(id="wizard-body"):
                yield Label("Container", classes="wizard-section")
                yield QuitSafeSelect([], id="wizard-container", prompt="container", allow_blank=True, compact=True)
                yield Label("Image or tag (several: name=tag,name2=image) · enter: plan", classes="wizard-section")
                yield Input(placeholder="registry/repo:tag or 1.2.3", id="wizard-image", compact=True)
                yield Label("Plan", classes="wizard-section")
                yield Static(Text("type an image and press enter", style="dim"), id="wizard-plan")
            with Horizontal(id="wizard-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Plan", id="plan", variant="primary", compact=True)
                yield Button("Deploy (ctrl+d)", id="deploy", variant="warning", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#wizard-image", Input).focus()
        self.run_worker(self._load, thread=True, exclusive=True, group="wizard-load", exit_on_error=False)

    # -- workers --------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            flow = self._load_flow() if self._load_flow is not None else self.flow
            images = flow.containers()
        except OpsError as exc:
            self.app.call_from_thread(self._failed, describe_error(exc, "load"))
            return
        self.app.call_from_thread(self._loaded, flow, images)

    def _plan(self, wanted: dict[str, str]) -> None:
        try:
            plan, dry = self.flow.plan_deploy(wanted)
        except OpsError as exc:
            self.app.call_from_thread(self._failed, describe_error(exc, "plan"))
            return
        self.app.call_from_thread(self._planned, wanted, plan, dry)

    # -- main thread --------------------------------------------------------------------------
    def _loaded(self, flow: RolloutTarget, images: tuple[tuple[str, str], ...]) -> None:
        if not self.is_attached:
            return
        self.flow, self.images = flow, images
        title = Text("Deploy: ", style="bold")
        title.append_text(safe_text(self.flow.label, style="bold"))
        if self.flow.target.production:
            title.append("  PRODUCTION", style="bold reverse red")
            self.add_class("-production")
        self.query_one("#wizard-title", Static).update(title)
        select = self.query_one("#wizard-container", Select)
        select.set_options([(safe_text(f"{name}  ({image})"), name) for name, image in images])
        if images:
            self._container = images[0][0]
            select.value = images[0][0]
            self.query_one("#wizard-image", Input).value = images[0][1]

    def _failed(self, reason: str) -> None:
        if self.is_attached:
            self.plan, self.dry = None, None
            self.query_one("#deploy", Button).disabled = True
            self.query_one("#wizard-plan", Static).update(safe_text(reason, style="bold red"))

    def _planned(self, wanted: dict[str, str], plan: RolloutPlan, dry: DryRun) -> None:
        if not self.is_attached or wanted != self.wanted:
            return
        self.plan, self.dry = plan, dry
        self.query_one("#wizard-plan", Static).update(plan_renderable(plan, dry))
        button = self.query_one("#deploy", Button)
        button.disabled = not dry.ok or not any(c.changed for c in plan.changes)
        if not any(c.changed for c in plan.changes):
            self.query_one("#wizard-plan", Static).update(Text("nothing changes: that is the image in use", style="bold"))
        if not button.disabled:
            button.focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if str(event.value) == self._container:
            return  # the echo of setting it in _loaded
        self._container = str(event.value)
        current = dict(self.images).get(self._container)
        if current:
            self.query_one("#wizard-image", Input).value = current

    def request_plan(self) -> None:
        container = str(self.query_one("#wizard-container", Select).value)
        try:
            self.wanted = wanted_images(self.images, container, self.query_one("#wizard-image", Input).value)
        except InvalidInput as exc:
            self._failed(exc.body)
            return
        self.query_one("#deploy", Button).disabled = True
        self.query_one("#wizard-plan", Static).update(Text("planning and asking the server for a dry run…", style="dim"))
        self.run_worker(lambda: self._plan(dict(self.wanted)), thread=True, exclusive=True, group="wizard-plan",
                        exit_on_error=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.request_plan()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "plan":
            self.request_plan()
        elif event.button.id == "deploy":
            self.action_deploy()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_deploy(self) -> None:
        if self.plan is None or self.dry is None or self.query_one("#deploy", Button).disabled:
            self.notify("make a plan with an accepted dry run first", severity="warning")
            return
        spec = self.flow.deploy_spec(self.plan, dict(self.wanted))
        self.dismiss(None)
        # started from the App's context: the confirmation's result must not be routed
        # back to this wizard, which is gone by then
        self.app.call_later(self.app.run_guarded, spec, origin=self.origin)


def open_deploy_wizard(app: Any, services: Services, namespace: str, deployment: str, origin: Any = None,
                       watch_interval: float | None = None) -> DeployWizard:
    """Open the deploy wizard for a Kubernetes Deployment (call on the main thread)."""
    from console.actions.kubernetes_rollout import KubeRolloutFlow, rollout_backend

    wizard = DeployWizard(None, origin, load_flow=lambda: KubeRolloutFlow(
        rollout_backend(services), namespace, deployment, watch_interval=watch_interval))
    wizard.bind_to("kubernetes", services.generation("kubernetes"), "deploy wizard")
    app.push_screen(wizard)
    return wizard
