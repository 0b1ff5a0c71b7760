"""What the Clusters tab shows: frozen rows with kubectl-like columns, and descriptions.

A ``KubeRow`` carries the cells of ``COLUMNS[kind]`` (``kubectl get -o wide`` columns,
plus IMAGES). Cells that depend on the clock (AGE, "9 (2m ago)") are ``Since`` values;
``render_cell(cell, now)`` turns any cell into text, so the same row renders the same
way under a frozen clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs",
         "services", "secrets", "nodes", "events")

ALIASES = {
    "po": "pods", "pod": "pods", "deploy": "deployments", "deployment": "deployments", "deploys": "deployments",
    "sts": "statefulsets", "statefulset": "statefulsets", "ds": "daemonsets", "daemonset": "daemonsets",
    "rs": "replicasets", "replicaset": "replicasets", "job": "jobs", "cj": "cronjobs", "cronjob": "cronjobs",
    "svc": "services", "service": "services", "secret": "secrets", "no": "nodes", "node": "nodes", "ev": "events", "event": "events",
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "pods": ("READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "IMAGES"),
    "deployments": ("READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES"),
    "statefulsets": ("READY", "AGE", "CONTAINERS", "IMAGES"),
    "daemonsets": ("DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE", "IMAGES"),
    "replicasets": ("DESIRED", "CURRENT", "READY", "REVISION", "AGE", "IMAGES"),
    "jobs": ("STATUS", "COMPLETIONS", "DURATION", "AGE", "IMAGES"),
    "cronjobs": ("SCHEDULE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE", "IMAGES"),
    "services": ("TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"),
    "secrets": ("TYPE", "DATA", "AGE"),
    "nodes": ("STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "OS-IMAGE"),
    "events": ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
}
CLUSTER_SCOPED = frozenset({"nodes"})
SCALABLE = frozenset({"deployments", "statefulsets", "replicasets"})
RESTARTABLE = frozenset({"deployments", "statefulsets", "daemonsets"})
LOGGABLE = frozenset({"pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs"})


def canonical_kind(word: str) -> str | None:
    """"deploy" -> "deployments"; None for an unknown word."""
    w = word.strip().lower()
    return w if w in KINDS else ALIASES.get(w)


class Severity(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Since:
    """A cell showing time elapsed since ``at``: ``template`` holds one ``{}`` for the age."""

    at: datetime
    template: str = "{}"


Cell = str | Since


def format_age(seconds: float) -> str:
    """kubectl's short durations: 45s, 5m30s, 95m, 5h30m, 47h, 3d5h, 40d."""
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    m, h, d = s // 60, s // 3600, s // 86400
    if s < 600:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if s < 3 * 3600:
        return f"{m}m"
    if s < 8 * 3600:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if s < 48 * 3600:
        return f"{h}h"
    if s < 8 * 86400:
        return f"{d}d{h % 24}h" if h % 24 else f"{d}d"
    return f"{d}d"


def render_cell(cell: Cell, now: datetime) -> str:
    if isinstance(cell, Since):
        return cell.template.format(format_age((now - cell.at).total_seconds()))
    return cell


@dataclass(frozen=True)
class KubeRow:
    """One object of one kind, ready for the table. ``cells`` align with COLUMNS[kind]."""

    kind: str
    namespace: str
    name: str
    uid: str
    cells: tuple[Cell, ...]
    created: datetime | None = None
    problem: str = ""  # "CrashLoopBackOff", "Pending: Unschedulable", "below desired 0/2", ...
    severity: Severity = Severity.OK
    labels: tuple[tuple[str, str], ...] = ()
    containers: tuple[str, ...] = ()  # pods: its containers; workloads: the template's
    selector: tuple[tuple[str, str], ...] = ()  # workloads: spec.selector.matchLabels
    replicas: int | None = None  # scalable kinds: spec.replicas
    suspended: bool | None = None  # cronjobs
    unschedulable: bool = False  # nodes
    node: str = ""  # pods
    owner: str = ""  # "ReplicaSet/web-6d8f" (the controller)
    resource_version: str = ""
    restarts: int = 0  # pods: restarts of all containers
    last_exit: int | None = None  # pods: exit code of the last terminated container
    count: int = 0  # events: how many times it happened
    context: str = ""  # set when a table shows several contexts (Clusters' :ctx a,b)

    @property
    def key(self) -> str:
        key = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.context}:{key}" if self.context else key

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def cell(self, column: str) -> Cell:
        return self.cells[COLUMNS[self.kind].index(column)]

    def matches(self, text: str) -> bool:
        """The `/` filter: every word must match; ``k=v`` (or ``k!=v``) tests a label."""
        labels = self.label_map
        for word in text.split():
            if "!=" in word:
                k, _, v = word.partition("!=")
                if labels.get(k) == v:
                    return False
            elif "=" in word:
                k, _, v = word.partition("=")
                if labels.get(k) != v:
                    return False
            else:
                hay = " ".join([self.namespace, self.name, self.problem,
                                *(c for c in self.cells if isinstance(c, str))]).lower()
                if word.lower() not in hay:
                    return False
        return True


@dataclass(frozen=True)
class Condition:
    type: str
    status: str
    reason: str = ""
    message: str = ""
    since: datetime | None = None


@dataclass(frozen=True)
class KubeEvent:
    type: str  # Normal | Warning
    reason: str
    message: str
    count: int
    last_seen: datetime | None
    object: str = ""  # "Pod/checkout-abc"


@dataclass(frozen=True)
class KubeDescription:
    """A describe-style view: fields, conditions, owner chain and recent events."""

    kind: str
    namespace: str
    name: str
    fields: tuple[tuple[str, str], ...] = ()
    conditions: tuple[Condition, ...] = ()
    owners: tuple[str, ...] = ()  # nearest first: ("ReplicaSet/web-6d8f", "Deployment/web")
    events: tuple[KubeEvent, ...] = ()
    containers: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    problem: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_text(self, now: datetime) -> str:
        """Plain text in the shape of ``kubectl describe`` (caller renders it literally)."""
        lines = [f"Name:         {self.name}"]
        if self.namespace:
            lines.append(f"Namespace:    {self.namespace}")
        lines.append(f"Kind:         {self.kind}")
        lines += [f"{(k + ':').ljust(13)} {v}" for k, v in self.fields]
        if self.problem:
            lines.append(f"Problem:      {self.problem}")
        lines.append("Controlled By: " + (" <- ".join(self.owners) if self.owners else "<none>"))
        for cname, cfields in self.containers:
            lines.append(f"Container {cname}:")
            lines += [f"  {(k + ':').ljust(16)} {v}" for k, v in cfields]
        lines.append("Conditions:")
        lines += [f"  {c.type:<16} {c.status:<7} {c.reason} {c.message}".rstrip() for c in self.conditions] or ["  <none>"]
        lines.append("Events:")
        if not self.events:
            lines.append("  <none>")
        for e in self.events:
            seen = format_age((now - e.last_seen).total_seconds()) if e.last_seen else "<unknown>"
            count = f" (x{e.count})" if e.count > 1 else ""
            lines.append(f"  {e.type:<8} {e.reason:<18} {seen:>6} ago{count}  {e.message}")
        return "\n".join(lines)


@dataclass(frozen=True)
class WatchState:
    """How a watch cache is doing, for the status line."""

    kind: str
    namespace: str
    synced: bool = False
    stale: bool = False
    reason: str = ""
    relists: int = 0
    reconnects: int = 0
    events: int = 0
    denied: bool = False  # 401/403: the watch stopped (no retry loop); reason holds the server's message
    loading: bool = False  # the first list is still arriving page by page (rows so far are shown)
