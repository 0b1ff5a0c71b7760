"""Snapshots of the Containers list and the log viewer with fixed data and a frozen clock.

The list is fed by a fixed stand-in for the Docker adapter (injected through
``Services`` factories, the way the App injects adapters; no SDK involved), so the
picture does not depend on container ids, image digests, timing or load.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from textual.app import App, ComposeResult

from console.backends.base import BackendInfo
from console.config import Config
from console.models.docker import ContainerList, ContainerStats, ContainerSummary, DockerHost
from console.services import Services
from screens.containers import ContainersTab
from screens.log_view import LogScreen
from tests.fixtures.isolation import FROZEN_AT

STARTED = datetime.fromtimestamp(FROZEN_AT - 3725, tz=UTC)
COMPOSE = (("com.docker.compose.project", "shop"), ("com.docker.compose.service", "web"))


def fixed(name, state="running", **kw) -> ContainerSummary:
    base = dict(id=(name * 12)[:64], name=name, image="registry.local/shop/web:1.4", image_id="sha256:" + "ab12" * 16,
                state=state, status=state, started_at=STARTED if state == "running" else None)
    base.update(kw)
    return ContainerSummary(**base)


CONTAINERS = (
    fixed("web-1", labels=COMPOSE, ports=("0.0.0.0:8080->80/tcp",), mem_limit=512 * 1024 * 1024, health="healthy"),
    fixed("worker", health="unhealthy", restart_count=2, image="registry.local/shop/worker:2"),
    fixed("migrate", state="exited", exit_code=3, image="registry.local/shop/migrate:1"),
    fixed("cache", state="restarting", restart_count=7, image="redis:7"),
    fixed("batch", state="exited", oom_killed=True, exit_code=137, image="registry.local/batch:9"),
    fixed("[bold red]x[/]", image="busybox:1"),
)
STATS = {
    CONTAINERS[0].id: ContainerStats(CONTAINERS[0].id, 12.5, 200 * 1024 * 1024, 512 * 1024 * 1024),
    CONTAINERS[1].id: ContainerStats(CONTAINERS[1].id, 97.0, 1536 * 1024 * 1024, 2048 * 1024 * 1024),
    CONTAINERS[5].id: ContainerStats(CONTAINERS[5].id, 0.0, 300 * 1024, 8 * 1024 ** 3),
}


class _QuietEvents:
    def __init__(self) -> None:
        self._closed = threading.Event()

    def __iter__(self):
        self._closed.wait()
        return iter(())

    def close(self) -> None:
        self._closed.set()


class FixedDocker:
    """Answers like DockerBackend, from fixed models."""

    MUTATIONS = frozenset()

    def __init__(self, config: Config) -> None:
        self.host = DockerHost("snapshot", "unix:///snapshot/docker.sock", "config")

    def connect(self) -> BackendInfo:
        return BackendInfo("docker", "snapshot (unix:///snapshot/docker.sock)", "27.0.0")

    def snapshot(self, all: bool = True, stats: bool = True, live: bool = False) -> ContainerList:  # noqa: A002
        containers = tuple(c for c in CONTAINERS if all or c.running)
        return ContainerList(containers, {c.id: STATS[c.id] for c in containers if c.id in STATS}, self.host.host,
                             FROZEN_AT)

    def events(self, **_kw):
        return _QuietEvents()

    def close(self) -> None:
        return None


class ContainersOnly(App):
    def __init__(self) -> None:
        super().__init__()
        self.config = Config()
        self.services = Services(self.config, factories={"docker": FixedDocker})

    def compose(self) -> ComposeResult:
        yield ContainersTab(self.services, id="containers-tab")


async def loaded(pilot) -> None:
    tab = pilot.app.query_one(ContainersTab)
    for _ in range(1500):  # >= 30 s: a loaded machine
        await pilot.pause(0.02)
        if tab.has_data:
            break
    tab.table.sort_by("name")
    tab.table.focus()
    await pilot.pause()


def test_containers_list(snap_compare, frozen_clock):
    assert snap_compare(ContainersOnly(), terminal_size=(140, 14), run_before=loaded)


def test_containers_grouped_by_project(snap_compare, frozen_clock):
    async def grouped(pilot) -> None:
        await loaded(pilot)
        await pilot.press("P")
        await pilot.pause()

    assert snap_compare(ContainersOnly(), terminal_size=(140, 16), run_before=grouped)


class LinesSource:
    title = "logs web-1 @ snapshot"

    def fetch(self, tail, since, timestamps):
        return [f"2026-11-18T08:2{i % 10}:00Z GET /api/items/{i} 200" if i % 7 else
                f"2026-11-18T08:2{i % 10}:00Z ERROR upstream timeout [bold]item {i}[/] \x1b[31m!\x1b[0m"
                for i in range(1, 30)]

    def follow(self, tail, since, timestamps):
        return _QuietEvents()


class LogsOnly(App):
    def on_mount(self) -> None:
        self.push_screen(LogScreen(LinesSource(), tail=100))


def test_logs_view_with_search(snap_compare, frozen_clock):
    async def searched(pilot) -> None:
        from screens.log_view import LogView

        view = pilot.app.screen.query_one(LogView)
        for _ in range(600):  # the lines, then the search (a worker): wait for each, never a fixed pause
            if view.lines_widget.lines:
                break
            await pilot.pause(0.05)
        await pilot.press("slash", *"error", "enter")
        for _ in range(600):
            if view.match_info not in ("", "searching…"):
                break
            await pilot.pause(0.05)
        await pilot.press("n")
        await pilot.pause()

    assert snap_compare(LogsOnly(), terminal_size=(100, 20), run_before=searched)
