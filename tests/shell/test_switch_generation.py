"""Services.switch and generations, with in-memory adapters (our own seam, no SDK):
a refresh started before a switch can never paint after it."""

from __future__ import annotations

import threading

import pytest
from textual.app import App, ComposeResult
from textual.signal import Signal

from console.backends.base import BackendInfo
from console.config import Config
from console.errors import InvalidInput
from console.services import Services, Switched
from screens.base import BackendTab
from screens.widgets import Column, ResourceTable, Row


class HostAdapter:
    """Lists ``<host>-1``; the adapter of host "slow" blocks until released."""

    def __init__(self, config: Config) -> None:
        self.host = config.docker.host or "default"
        self.release = threading.Event()
        self.returned = threading.Event()
        self.closed = False

    def connect(self) -> BackendInfo:
        return BackendInfo(name="docker", target=self.host)

    def list(self) -> list[str]:
        if self.host == "slow":
            self.release.wait(30)
        self.returned.set()
        return [f"{self.host}-1"]

    def close(self) -> None:
        self.closed = True


class HostsTab(BackendTab):
    BACKEND = "docker"
    POLL_SECONDS = None

    def compose_body(self) -> ComposeResult:
        yield ResourceTable([Column("name", "NAME")], id="items")

    def fetch(self, adapter: HostAdapter) -> list[str]:
        return adapter.list()

    def show(self, data: list[str]) -> None:
        self.query_one(ResourceTable).sync([Row(key=n, cells=(n,)) for n in data])


class SwitchApp(App):
    """What OpsConsole does for a switch: one signal every tab of that backend handles."""

    def __init__(self) -> None:
        super().__init__()
        self.made: list[HostAdapter] = []
        self.services = Services(Config(), factories={"docker": self._make})
        self.backend_switched: Signal[Switched] = Signal(self, "backend-switched")
        self.services.subscribe(self.backend_switched.publish)

    def _make(self, config: Config) -> HostAdapter:
        self.made.append(HostAdapter(config))
        return self.made[-1]

    def compose(self) -> ComposeResult:
        yield HostsTab(self.services, id="hosts-tab")


async def until(pilot, predicate, what: str, tries: int = 500):
    for _ in range(tries):
        await pilot.pause(0.02)
        if predicate():
            return
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_refresh_started_before_a_switch_cannot_paint_after_it():
    app = SwitchApp()
    app.services.config = Config(docker=Config().docker.__class__(host="slow"))
    async with app.run_test(size=(80, 20)) as pilot:
        tab = app.query_one(HostsTab)
        await until(pilot, lambda: app.made and tab.adapter is app.made[0], "connected to the slow host")
        slow = app.made[0]
        generation = app.services.switch("docker", host="fast")
        assert generation == 1 and slow.closed
        table = app.query_one(ResourceTable)
        await until(pilot, lambda: table.visible_keys == ["fast-1"], "the new host's rows")
        slow.release.set()  # the old refresh now finishes and posts its result
        await until(pilot, lambda: tab.dropped_stale == 1, "the old result dropped")
        assert table.visible_keys == ["fast-1"] and tab.generation == 1
        assert tab.info is not None and tab.info.target == "fast"


def test_switch_validates_what_it_changes_and_bumps_only_that_backend():
    services = Services(Config(), factories={"docker": HostAdapter})
    seen: list[Switched] = []
    services.subscribe(seen.append)
    first = services.docker()
    with pytest.raises(InvalidInput, match="can change host"):
        services.switch("docker", context="x")
    with pytest.raises(InvalidInput, match="unknown backend"):
        services.switch("rollout", context="x")
    assert services.switch("docker", host="tcp://127.0.0.1:2375") == 1
    assert first.closed and services.docker() is not first and services.docker().host == "tcp://127.0.0.1:2375"
    assert services.generations() == {"docker": 1, "kubernetes": 0, "aws": 0}
    assert [(e.backend, e.generation) for e in seen] == [("docker", 1)]
    assert "tcp://127.0.0.1:2375" in seen[0].where


def test_parts_share_their_owner_and_extra_contexts_close_on_switch(tmp_path):
    from console.backends.aws import AwsBackend
    from console.backends.kubernetes import KubernetesBackend

    services = Services(Config())
    kube = services.kubernetes()
    assert isinstance(kube, KubernetesBackend) and kube.rollout._owner is kube
    aws = services.aws()
    assert isinstance(aws, AwsBackend) and aws.ecs.aws is aws and aws.pipelines is aws and aws.costs is aws
    other = services.kubernetes_for("other-ctx")
    assert services.kubernetes_for("other-ctx") is other and other.config.kubernetes.context == "other-ctx"
    services.switch("kubernetes", context="next")
    assert services.kubernetes_for("other-ctx") is not other
    assert services.kubernetes().config.kubernetes.context == "next"
    services.close()
