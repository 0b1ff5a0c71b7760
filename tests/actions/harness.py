"""A tiny App and an in-memory executor for the guarded-path pilot tests.

The executor is a plain object standing in for a backend (no SDK, so nothing is
monkeypatched): it counts calls, can raise an OpsError, block past its timeout, or
report verification progress.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from console.actions.journal import Journal
from console.actions.spec import ActionSpec, Change, Preview, Risk, Target
from console.backends.base import BackendInfo
from console.config import ChangelogConfig, Config, GeneralConfig, KubernetesConfig
from console.errors import Conflict
from console.services import Services
from screens.base import BackendTab
from screens.guarded import start_guarded


@dataclass
class FakeExecutor:
    """An in-memory "backend": replicas per name, calls recorded."""

    replicas: dict[str, int] = field(default_factory=lambda: {"web": 3})
    calls: list[tuple[str, float]] = field(default_factory=list)
    fail_with: Exception | None = None
    block: threading.Event | None = None  # execute waits on it (never set → times out)
    verify_steps: int = 0

    def scale(self, target: Target, replicas: int, timeout: float) -> str:
        self.calls.append((target.name, timeout))
        if self.block is not None:
            self.block.wait(30)
        if self.fail_with is not None:
            raise self.fail_with
        self.replicas[target.name] = replicas
        return f"{target.name} scaled to {replicas}"

    def verify(self, target: Target, progress, deadline: float) -> None:
        for step in range(self.verify_steps):
            progress(f"{target.name}: {step + 1}/{self.verify_steps} replicas ready")


def scale_spec(fake: FakeExecutor, *names: str, replicas: int = 5, production: bool = False,
               risk: Risk = Risk.HIGH, timeout: float = 30.0, context: str = "dev") -> ActionSpec:
    targets = tuple(Target("deployment", n, "kubernetes", context, "shop", production=production) for n in names)
    before = {n: fake.replicas.get(n, 1) for n in names}
    return ActionSpec(
        verb="scale",
        targets=targets,
        risk=risk,
        execute=lambda t, timeout: fake.scale(t, replicas, timeout),
        preview=lambda t: Preview((Change("replicas", str(before[t.name]), str(replicas)),), dry_run="accepted"),
        verify=fake.verify,
        undo=lambda t: scale_spec(fake, t.name, replicas=before[t.name], context=context),
        undo_hint=f"scale back to {before[names[0]]}",
        timeout=timeout,
        verify_timeout=10.0,
        details={"previous_replicas": str(before[names[0]])},
        undo_kind="test.scale",
    )


def make_config(tmp_path: Path, read_only: bool = False, read_only_contexts: tuple[str, ...] = ()) -> Config:
    return Config(
        general=GeneralConfig(read_only=read_only),
        kubernetes=KubernetesConfig(read_only_contexts=read_only_contexts),
        changelog=ChangelogConfig(path=str(tmp_path / "ops" / "CHANGELOG.md"), audit_path=str(tmp_path / "audit.jsonl")),
    )


class GuardApp(App):
    """What the guarded path needs from the real App: config, journal, run_guarded."""

    def __init__(self, config: Config, services: object = None) -> None:
        super().__init__()
        self.config = config
        self.services = services
        self.journal: Journal | None = None
        self.refreshes = 0

    def compose(self) -> ComposeResult:
        yield Static("guarded-action test app")

    def run_guarded(self, spec: ActionSpec, origin: object = None):
        return start_guarded(self, spec, origin)

    def request_refresh(self) -> None:  # the app doubles as the origin tab
        self.refreshes += 1


def conflict(message: str = "the deployment changed meanwhile") -> Conflict:
    return Conflict(message, source="kubernetes.scale")


class FakeDockerAdapter:
    """Connects instantly; the tab test only needs an identity."""

    MUTATIONS = frozenset({"restart"})

    def __init__(self, config: Config) -> None:
        self.config = config

    def connect(self) -> BackendInfo:
        return BackendInfo("docker", "unix:///fake.sock", identity="fake-engine")

    def close(self) -> None:
        return None


class ScaleTab(BackendTab):
    """A tab with one mutating key, as a real tab would write it."""

    BACKEND = "docker"
    MUTATING_ACTIONS = frozenset({"scale_web"})
    POLL_SECONDS = None
    BINDINGS = [Binding("x", "scale_web", "Scale web")]
    can_focus = True

    def __init__(self, services: Services, fake: FakeExecutor, context: str = "dev", **kwargs) -> None:
        super().__init__(services, **kwargs)
        self.fake = fake
        self.context = context
        self.refresh_requests = 0

    def request_refresh(self) -> None:
        self.refresh_requests += 1
        super().request_refresh()

    def compose_body(self) -> ComposeResult:
        yield Static("scale tab")

    def context_name(self) -> str | None:
        return self.context

    def action_scale_web(self) -> None:
        self.run_guarded(scale_spec(self.fake, "web", context=self.context))


class TabApp(GuardApp):
    def __init__(self, config: Config, fake: FakeExecutor, context: str = "dev") -> None:
        super().__init__(config, services=Services(config, factories={"docker": FakeDockerAdapter}))
        self.fake = fake
        self.context = context

    def compose(self) -> ComposeResult:
        yield ScaleTab(self.services, self.fake, self.context, id="scale-tab")
