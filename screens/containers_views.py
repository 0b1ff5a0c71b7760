"""The Containers tab's detail screen (inspect + CPU/memory sparklines) and its log source."""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline

from console.errors import NotFound
from console.models.docker import ContainerDetail, ContainerSummary
from screens.base import describe_error
from screens.containers_cells import age_of, human_bytes
from screens.detail_view import DetailScreen, Section

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.docker import DockerBackend

HISTORY = 60  # samples kept per container for the sparklines


class ContainerLogSource:
    """A ``screens.log_view.LogSource`` over the Docker adapter (called in workers)."""

    def __init__(self, adapter: DockerBackend, container: ContainerSummary, host: str, max_lines: int = 20000) -> None:
        self.adapter = adapter
        self.container_id = container.id
        self.title = f"logs {container.name} @ {host}"
        self.max_lines = max_lines

    def _bounded(self, tail: int) -> int:
        """"All" and huge tails read at most ``max_lines`` (the viewer keeps no more)."""
        return self.max_lines if tail < 0 or tail > self.max_lines else tail

    def fetch(self, tail: int, since: float | None, timestamps: bool) -> list[str]:
        return list(self.adapter.logs(self.container_id, tail=self._bounded(tail), since=since,
                                      timestamps=timestamps))

    def follow(self, tail: int, since: float | None, timestamps: bool) -> Any:
        return self.adapter.follow_logs(self.container_id, tail=self._bounded(tail), since=since,
                                        timestamps=timestamps)

    def ended(self) -> str:
        """Why a followed stream stopped by itself: the container is gone or not running."""
        deadline = time.monotonic() + 5.0
        while True:
            try:
                state = self.adapter.inspect(self.container_id).summary.state
            except NotFound:
                return "the container was removed"
            if state != "removing" or time.monotonic() > deadline:
                break
            time.sleep(0.2)  # THREAD (the viewer's worker): a removal in progress ends in a moment
        return f"the container is {state}" if state != "running" else "the engine closed the stream"


def detail_sections(d: ContainerDetail, now: float) -> list[Section]:
    c = d.summary
    health_status = c.health or "no healthcheck"
    if c.health and c.state not in ("running", "paused"):
        health_status = f"{c.health} (last probe before it stopped)"
    state = [("status", c.status), ("health", health_status), ("restarts", str(c.restart_count)),
             ("started", f"{c.started_at:%Y-%m-%d %H:%M:%S} UTC ({age_of(c.started_at, now)})" if c.started_at else ""),
             ("finished", f"{c.finished_at:%Y-%m-%d %H:%M:%S} UTC" if c.finished_at else ""),
             ("exit code", str(c.exit_code)), ("OOM killed", "yes" if c.oom_killed else "no")]
    if c.problem:
        state.insert(0, ("PROBLEM", c.problem))
    container = [("name", c.name), ("id", c.id), ("image", c.image), ("image id", c.image_id),
                 ("entrypoint", " ".join(d.entrypoint)), ("command", " ".join(d.command)),
                 ("restart policy", d.restart_policy)]
    if c.compose_project:
        container.append(("compose", f"project {c.compose_project}, service {c.compose_service}"))
    health = [("test", " ".join(d.healthcheck))] if d.healthcheck else []
    health += [(f"{p.end[:19]} exit {p.exit_code}", p.output.strip()) for p in d.health_log[-5:]]
    return [
        Section("Container", container),
        Section("State", state),
        Section("Resource limits", list(d.limits) or [("limits", "none (unlimited)")]),
        Section("Ports", [(p, "") for p in d.ports]),
        Section("Networks", [(name, ip or "-") for name, ip in d.networks]),
        Section("Mounts", [(m.destination, f"{m.type} {m.source}{'' if m.read_write else ' (read-only)'}")
                           for m in d.mounts]),
        Section("Environment (secret-looking values masked)", [tuple(e.split("=", 1)) if "=" in e else (e, "")
                                                               for e in d.env]),
        Section("Labels", list(c.labels)),
        Section("Healthcheck (last probes)", health),
    ]


class ContainerDetailScreen(DetailScreen):
    """Inspect of one container with CPU and memory sparklines fed by the tab's samples."""

    BINDINGS = [Binding("r", "reload", "Re-inspect")]
    DEFAULT_CSS = """
    ContainerDetailScreen #spark-row { height: 4; padding: 0 1; }
    ContainerDetailScreen #spark-row > Vertical { width: 1fr; height: 4; }
    ContainerDetailScreen Sparkline { height: 3; }
    ContainerDetailScreen Sparkline > .sparkline--max-color { color: $error; }
    ContainerDetailScreen Sparkline > .sparkline--min-color { color: $success; }
    """

    def __init__(self, tab: Any, container: ContainerSummary) -> None:
        super().__init__(f"container {container.name} @ {tab.host_label}", [Section("Loading", [("", "inspecting…")])],
                         None)
        self.tab = tab
        self.container = container

    def compose_extra(self) -> ComposeResult:
        with Horizontal(id="spark-row"):
            with Vertical():
                yield Label("CPU %", id="cpu-label")
                yield Sparkline([], id="cpu-spark")
            with Vertical():
                yield Label("memory", id="mem-label")
                yield Sparkline([], id="mem-spark")

    def on_mount(self) -> None:
        super().on_mount()
        self.update_sparklines()
        self.set_interval(2.0, self.update_sparklines)
        self.action_reload()

    def update_sparklines(self) -> None:
        history: deque[tuple[float, int]] = self.tab.history.get(self.container.id, deque())
        cpu = [h[0] for h in history]
        mem = [h[1] for h in history]
        # fewer than two samples: a flat line (Textual draws one sample as a solid block of █)
        self.query_one("#cpu-spark", Sparkline).data = cpu if len(cpu) > 1 else []
        self.query_one("#mem-spark", Sparkline).data = [float(m) for m in mem] if len(mem) > 1 else []
        cpu_now = f"{cpu[-1]:.1f}% (max {max(cpu):.1f}%)" if cpu else "no sample yet"
        mem_now = f"{human_bytes(mem[-1])} (max {human_bytes(max(mem))})" if mem else "no sample yet"
        self.query_one("#cpu-label", Label).update(Text(f"CPU %  {cpu_now}"))
        self.query_one("#mem-label", Label).update(Text(f"memory  {mem_now}"))

    def action_reload(self) -> None:
        self._inspect_worker()

    @work(thread=True, exclusive=True, group="container-inspect", exit_on_error=False, description="inspect")
    def _inspect_worker(self) -> None:
        from console import clock

        adapter = self.tab.adapter
        try:
            if adapter is None:
                raise RuntimeError("not connected to the engine")
            detail = adapter.inspect(self.container.id)
        except Exception as exc:  # noqa: BLE001 - shown in the screen; the app keeps running
            reason = describe_error(exc, "docker.inspect")
            self.app.call_from_thread(self.update_sections, [Section("Inspect failed", [("reason", reason)])])
            return
        sections = detail_sections(detail, clock.now())
        self.app.call_from_thread(self.update_sections, sections, detail.raw)
