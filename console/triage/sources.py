"""Where the Triage view's rows come from: one source per Docker host, Kubernetes context
and AWS part, bound to the ``Services`` adapters.

``collect(now)`` runs in a thread worker (the Triage tab starts one per source, so a
dead source never delays the others) and returns a ``Collected`` or raises an
``OpsError``. Every call below goes through an adapter whose SDK calls carry a timeout;
the Docker events read is closed by a timer after ``config.docker.timeout``. Adapter
modules are imported lazily, by ``Services``, inside those workers.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from console.errors import Unavailable
from console.triage import aws as aws_rows
from console.triage import docker as docker_rows
from console.triage import kube as kube_rows
from console.triage.feed import read_console_changes
from console.triage.model import FEED_HOURS, Collected

if TYPE_CHECKING:  # pragma: no cover
    from console.services import Services

MAX_EVENTS = 5000  # Docker events read per pass (the newest are kept)


class Source(Protocol):
    id: str
    label: str
    backend: str  # the sandbox provides "kubernetes" and "aws": their sources wait for it

    def collect(self, now: datetime) -> Collected: ...


class KubeSource:
    """One Kubernetes context: its own adapter (``Services.kubernetes_for``) and watch caches."""

    backend = "kubernetes"

    def __init__(self, services: Services, context: str) -> None:
        self.services, self.context = services, context
        self.id, self.label, self.where = f"kube:{context}", f"kube {context}", context
        self._connected = False

    def collect(self, now: datetime) -> Collected:
        adapter = self.services.kubernetes_for(self.context)
        if not self._connected:
            adapter.connect()
            self._connected = True
        timeout = self.services.config.kubernetes.timeout
        try:
            caches = {kind: adapter.watch(kind, None, keep_others=True) for kind in kube_rows.WATCHED}
            deadline = time.monotonic() + timeout
            for kind, cache in caches.items():
                while not cache.wait_synced(0.05):
                    if cache.state().stale or time.monotonic() > deadline:
                        raise Unavailable(cache.state().reason or f"listing {kind} took over {timeout:.0f}s",
                                          source=f"kubernetes.list {kind} ({self.context})")
                state = cache.state()
                if state.stale:
                    raise Unavailable(f"watch of {kind} disconnected: {state.reason}",
                                      source=f"kubernetes.watch ({self.context})")
        except Unavailable:
            self._connected = False  # reconnect (and re-read /version) on the next pass
            raise
        rows = {kind: cache.rows() for kind, cache in caches.items()}
        found = kube_rows.collect(self.context, rows, self.id, now)
        namespace = adapter.namespace
        return Collected(found.problems, found.changes, extra={"namespace": namespace})


class DockerSource:
    backend = "docker"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.id, self.label, self.where = "docker", "docker", ""

    def collect(self, now: datetime) -> Collected:
        adapter = self.services.docker()
        host = self.where = adapter.host.name
        containers = adapter.list_containers(all=True)
        streaks = {}
        for c in containers:
            if c.health == "unhealthy":
                log = adapter.inspect(c.id).health_log
                streak = 0
                for probe in reversed(log):
                    if probe.exit_code == 0:
                        break
                    streak += 1
                streaks[c.id] = streak
        problems = docker_rows.problems(containers, host, self.id, streaks, now)
        events = self._events(adapter, now)
        services = {c.name: docker_rows.service_of(c) for c in containers}
        return Collected(problems, docker_rows.changes(events, host, self.id, services))

    def _events(self, adapter, now: datetime) -> list:
        until = now.timestamp()
        stream = adapter.events(since=until - FEED_HOURS * 3600, until=until, filters={"type": "container"})
        timer = threading.Timer(self.services.config.docker.timeout, stream.close)
        timer.daemon = True
        timer.start()
        events = []
        try:
            for e in stream:
                events.append(e)
                if len(events) > MAX_EVENTS:
                    del events[: len(events) - MAX_EVENTS]
        finally:
            timer.cancel()
            stream.close()
        return events


class _AwsPart:
    backend = "aws"

    def __init__(self, services: Services, part: str) -> None:
        self.services = services
        self.id, self.label, self.where = f"aws:{part}", f"aws {part}", "aws"

    def _aws(self):
        aws = self.services.aws()
        if not aws.account:
            aws.connect()
        return aws

    def _where(self, aws) -> str:
        return f"{aws.account or aws.profile or 'default'}/{aws.region}"


class PipelinesSource(_AwsPart):
    def __init__(self, services: Services) -> None:
        super().__init__(services, "pipelines")

    def collect(self, now: datetime) -> Collected:
        aws = self._aws()
        view = aws.pipelines_view()
        where = self._where(aws)
        return Collected(tuple(aws_rows.pipeline_problems(view, where, self.id)),
                         tuple(aws_rows.pipeline_changes(view, where, self.id, now)))


class EcsSource(_AwsPart):
    def __init__(self, services: Services) -> None:
        super().__init__(services, "ecs")

    def collect(self, now: datetime) -> Collected:
        aws = self._aws()
        ecs = aws.ecs  # the ECS part on the same session (profile, region, account)
        raw = []
        for cluster in ecs.clusters():
            arns = list(aws.pages("ecs", "list_services", "serviceArns", cluster=cluster))
            for i in range(0, len(arns), 10):
                raw += ecs.call("describe_services", cluster=cluster, services=arns[i:i + 10]).get("services") or []
        where = self._where(aws)
        return Collected(tuple(aws_rows.ecs_problems(raw, where, self.id)),
                         tuple(aws_rows.ecs_changes(raw, where, self.id, now)))


class CostsSource(_AwsPart):
    """Day-over-day anomalies from the Costs tab's cache only: never a paid call."""

    def __init__(self, services: Services) -> None:
        super().__init__(services, "costs")

    def collect(self, now: datetime) -> Collected:
        aws = self._aws()
        cached = aws.cached_daily_by_service()
        if cached is None:
            return Collected(note="nothing cached yet: open Costs, 5")
        rows, fetched = cached
        age = int((now.timestamp() - fetched) // 60)
        problems = aws_rows.cost_anomalies(rows, aws.clock().date(), self._where(aws), self.id)
        return Collected(tuple(problems), note=f"from the Costs cache, {age}m old")


class ComplianceSource:
    """New high/critical findings between the Compliance tab's last two runs (files only)."""

    backend = "compliance"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.id, self.label, self.where = "compliance", "compliance", "compliance"

    def collect(self, now: datetime) -> Collected:
        from console.triage.compliance import problems

        found = problems(self.services.config.state_dir, self.id)
        return Collected(found, note="" if found else "no new findings since the last run")


class ConsoleSource:
    """This console's own finished actions (the audit log), for the feed."""

    backend = "console"

    def __init__(self, services: Services) -> None:
        self.services = services
        self.id, self.label, self.where = "console", "changelog", ""

    def collect(self, now: datetime) -> Collected:
        return Collected(changes=read_console_changes(self.services.config.audit_path, now))


def triage_contexts(services: Services) -> tuple[str, ...]:
    """The contexts ``[kubernetes] triage_contexts`` names (patterns), else the current one."""
    from console.backends.kube_client import list_contexts, resolve_context

    config = services.config
    patterns = config.kubernetes.triage_contexts
    if not patterns:
        return (resolve_context(config).name,)
    names = [c.name for c in list_contexts(config)]
    chosen = [n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    if not chosen:
        raise Unavailable(f"no context matches kubernetes.triage_contexts {list(patterns)} (known: {', '.join(names)})",
                          source="triage")
    return tuple(chosen)


def fixed_sources(services: Services) -> list[Source]:
    return [DockerSource(services), PipelinesSource(services), EcsSource(services), CostsSource(services),
            ComplianceSource(services), ConsoleSource(services)]

