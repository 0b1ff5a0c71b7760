"""The rows of the Triage view: problems, changes and the state of each source."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

FEED_HOURS = 24.0  # how far back the what-changed feed looks


class Level(enum.IntEnum):
    """Severity of a problem; higher ranks first."""

    WARNING = 1
    ERROR = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return {Level.WARNING: "WARN", Level.ERROR: "ERROR", Level.CRITICAL: "CRIT"}[self]


@dataclass(frozen=True)
class LogTarget:
    """What ``l`` opens for a problem: a pod container, a workload, a container, a build."""

    backend: str  # "kubernetes" | "docker" | "aws"
    kind: str  # "pods" | "deployments" | … | "container" | "build"
    namespace: str = ""
    name: str = ""
    container: str | None = None
    previous: bool = False


@dataclass(frozen=True)
class Problem:
    """One broken thing, in words: ``what`` is kind/name, ``where`` the host/context/account."""

    source: str  # the SourceState id it came from: "docker:local", "kube:prod-eu", "aws:123/us-east-1"
    backend: str  # "docker" | "kubernetes" | "aws" | "compliance"
    level: Level
    kind: str  # "pod", "deployment", "node", "container", "pipeline", "build", "ecs service", "cost", "findings"
    name: str
    where: str  # "local" | "prod-eu/payments" | "123456789012/us-east-1"
    reason: str  # "CrashLoopBackOff: exit 1, 14 restarts"
    since: datetime | None = None
    context: str = ""  # Kubernetes context, Docker host or AWS profile the object lives in
    namespace: str = ""
    service: str = ""  # what the feed filters on: the app / deployment / container / pipeline name
    object_id: str = ""  # container id, pipeline name, ECS cluster/service, …
    tab: str = ""  # the tab ``enter`` jumps to
    jump: str = ""  # the `:` command that shows the object in that tab
    logs: LogTarget | None = None
    detail: tuple[str, ...] = ()  # more lines for the incident note (the pods of a workload, …)

    @property
    def key(self) -> str:
        return f"{self.source}|{self.kind}|{self.namespace}|{self.name}"

    @property
    def what(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class Change:
    """One entry of the what-changed feed."""

    at: datetime
    source: str
    backend: str
    kind: str  # "rollout" | "config" | "event" | "docker" | "pipeline" | "ecs" | "console"
    subject: str  # "deployment/checkout"
    text: str  # "revision 3: checkout:2.1.0 → checkout:2.2.0"
    where: str = ""
    namespace: str = ""
    service: str = ""
    warning: bool = False

    @property
    def key(self) -> str:
        return f"{self.source}|{self.kind}|{self.subject}|{self.at.isoformat()}|{self.text[:40]}"


class SourceMode(enum.Enum):
    LOADING = "loading"
    READY = "ready"
    STALE = "stale"
    UNAVAILABLE = "unavailable"
    UNCONFIGURED = "unconfigured"


@dataclass(frozen=True)
class SourceState:
    """How one source is doing: shown in the Triage header line, one per source."""

    id: str
    label: str  # "kube sandbox-dev", "docker local", "aws us-east-1"
    mode: SourceMode = SourceMode.LOADING
    reason: str = ""
    fetched_at: float | None = None  # wall clock of the last good answer
    problems: int = 0
    note: str = ""  # "no cached Cost Explorer data", …


@dataclass(frozen=True)
class Collected:
    """What one source found in one pass."""

    problems: tuple[Problem, ...] = ()
    changes: tuple[Change, ...] = ()
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _stamp(at: datetime | None) -> float:
    if at is None:
        return 0.0
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def rank(problems: Iterable[Problem]) -> list[Problem]:
    """Severity first, then the most recent first, then by where/what for a stable order."""
    return sorted(problems, key=lambda p: (-int(p.level), -_stamp(p.since), p.where, p.what))


def newest_first(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (-_stamp(c.at), c.subject, c.text))


def stamp(at: datetime | None) -> float:
    """Seconds since the epoch of an aware or naive-UTC datetime (0 for None)."""
    return _stamp(at)
