"""Kubernetes rows (``KubeRow`` from the watch caches) → triage problems and changes.

Pure functions: the rows of one context in, frozen ``Problem``/``Change`` rows out. A
workload with failing pods becomes one problem that names its worst pod's reason
(``CrashLoopBackOff: exit 1, 9 restarts · 0/2 ready``) and opens that pod's logs; pods
no failing workload explains are listed on their own. Warning-event storms, NotReady
and cordoned nodes, and failed jobs are problems too. Changes: ReplicaSet revisions
(image before → after), new secrets (names only) and Warning events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from console.models.kubernetes import KubeRow, Severity, Since
from console.triage.model import FEED_HOURS, Change, Collected, Level, LogTarget, Problem

# the kinds a Kubernetes source watches in each context
WATCHED = ("pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "nodes", "events", "secrets")
STORM = 10  # Warning events on one object within the window that make a "storm"
WORKLOADS = {"deployments": "deployment", "statefulsets": "statefulset", "daemonsets": "daemonset"}
JUMP = {"pod": "pods", "deployment": "deploy", "statefulset": "sts", "daemonset": "ds", "node": "nodes",
        "job": "jobs", "events": "events"}
CRASHING = ("CrashLoopBackOff", "Error", "OOMKilled", "RunContainerError", "CreateContainerError")


def _ready(row: KubeRow) -> tuple[int, int] | None:
    """(ready, desired) of a workload row, from its READY column."""
    if row.kind == "daemonsets":
        cells = row.cells
        try:
            return int(str(cells[2])), int(str(cells[0]))
        except ValueError:
            return None
    head = str(row.cells[0])
    ready, _, desired = head.partition("/")
    return (int(ready), int(desired)) if ready.isdigit() and desired.isdigit() else None


def pod_reason(row: KubeRow) -> str:
    """The words for a failing pod: ``CrashLoopBackOff: exit 1, 9 restarts``."""
    status = str(row.cells[1])
    if status in CRASHING:
        parts = []
        if row.last_exit is not None:
            parts.append(f"exit {row.last_exit}" + (" (OOMKilled)" if "last exit: OOMKilled" in row.problem else ""))
        parts.append(f"{row.restarts} restart{'' if row.restarts == 1 else 's'}")
        return f"{status}: {', '.join(parts)}"
    if row.restarts and row.last_exit is not None:
        return f"{row.problem}: exit {row.last_exit}, {row.restarts} restart{'' if row.restarts == 1 else 's'}"
    return row.problem


def _level(row: KubeRow) -> Level:
    return Level.ERROR if row.severity is Severity.ERROR else Level.WARNING


def _pod_logs(row: KubeRow) -> LogTarget:
    return LogTarget("kubernetes", "pods", row.namespace, row.name, row.containers[0] if row.containers else None)


def _event_time(row: KubeRow) -> datetime | None:
    cell = row.cells[0]
    return cell.at if isinstance(cell, Since) else row.created


class _Index:
    """Who owns what in one context: pod → workload, ReplicaSet → Deployment."""

    def __init__(self, rows: Mapping[str, tuple[KubeRow, ...]]) -> None:
        self.rs_owner = {f"{r.namespace}/{r.name}": r.owner for r in rows.get("replicasets", ())}
        self.workload_of: dict[str, str] = {}  # "ns/pod" -> "deployments/ns/name"
        for pod in rows.get("pods", ()):
            self.workload_of[pod.key] = self._workload(pod)

    def _workload(self, pod: KubeRow) -> str:
        kind, _, name = pod.owner.partition("/")
        if kind == "ReplicaSet":
            kind, _, name = self.rs_owner.get(f"{pod.namespace}/{name}", "").partition("/")
        plural = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets"}.get(kind)
        return f"{plural}/{pod.namespace}/{name}" if plural else ""

    def service(self, namespace: str, obj: str) -> str:
        """The app an event's object belongs to ("pod/checkout-7f-h7w2k" → "checkout")."""
        kind, _, name = obj.partition("/")
        if kind == "pod":
            owner = self.workload_of.get(f"{namespace}/{name}", "")
            return owner.rsplit("/", 1)[-1] if owner else name
        return name


def problems(context: str, rows: Mapping[str, tuple[KubeRow, ...]], source: str, now: datetime) -> tuple[Problem, ...]:
    index = _Index(rows)
    failing: dict[str, list[KubeRow]] = defaultdict(list)
    for pod in rows.get("pods", ()):
        if pod.problem:
            failing[index.workload_of.get(pod.key, "")].append(pod)
    newest_rs: dict[str, datetime] = {}
    for rs in rows.get("replicasets", ()):
        if rs.owner.startswith("Deployment/") and rs.created and int(str(rs.cells[0]) or 0) > 0:
            key = f"deployments/{rs.namespace}/{rs.owner.split('/', 1)[1]}"
            newest_rs[key] = max(rs.created, newest_rs.get(key, rs.created))
    out: list[Problem] = []
    covered: set[str] = set()

    def where(ns: str) -> str:
        return f"{context}/{ns}" if ns else context

    for plural, singular in WORKLOADS.items():
        for w in rows.get(plural, ()):
            key = f"{plural}/{w.namespace}/{w.name}"
            pods = sorted(failing.get(key, ()), key=lambda p: (p.severity is not Severity.ERROR, -p.restarts, p.name))
            if not w.problem and not pods:
                continue
            counts = _ready(w)
            reason = pod_reason(pods[0]) if pods else w.problem
            if pods and counts and counts[0] < counts[1]:
                reason += f" · {counts[0]}/{counts[1]} ready"
            elif w.problem and pods:
                reason += f" · {w.problem}"
            level = Level.CRITICAL if counts and counts[1] > 0 and counts[0] == 0 else \
                max([_level(w) if w.problem else Level.WARNING, *(_level(p) for p in pods)])
            starts = [p.created for p in pods if p.created]
            since = min(starts) if starts else newest_rs.get(key, w.created)
            covered.update(p.key for p in pods)
            covered.add(f"{w.namespace}/{w.name}")
            if len(pods) > 1:
                reason += f" · {len(pods)} pods failing"
            detail = tuple(f"pod {p.name}: {pod_reason(p)}" for p in pods)
            out.append(Problem(source, "kubernetes", level, singular, w.name, where(w.namespace), reason, since,
                               context=context, namespace=w.namespace, service=w.name, tab="clusters",
                               jump=f"{JUMP[singular]} {w.name}",
                               logs=_pod_logs(pods[0]) if pods else LogTarget("kubernetes", plural, w.namespace, w.name),
                               detail=detail))
    for pods in failing.values():
        for p in pods:
            if p.key in covered:
                continue
            covered.add(p.key)
            out.append(Problem(source, "kubernetes", _level(p), "pod", p.name, where(p.namespace), pod_reason(p),
                               p.created, context=context, namespace=p.namespace,
                               service=index.service(p.namespace, f"pod/{p.name}"), tab="clusters",
                               jump=f"pods {p.name}", logs=_pod_logs(p)))
    node_events = {str(e.cells[3]).split("/", 1)[1]: _event_time(e) for e in rows.get("events", ())
                   if str(e.cells[3]).startswith("node/")}
    for n in rows.get("nodes", ()):
        if n.problem:
            out.append(Problem(source, "kubernetes", _level(n), "node", n.name, context, n.problem,
                               node_events.get(n.name), context=context, tab="clusters", jump=f"nodes {n.name}"))
    for j in rows.get("jobs", ()):
        if j.problem:
            out.append(Problem(source, "kubernetes", Level.ERROR, "job", j.name, where(j.namespace), j.problem, j.created,
                               context=context, namespace=j.namespace, service=j.name, tab="clusters",
                               jump=f"jobs {j.name}", logs=LogTarget("kubernetes", "jobs", j.namespace, j.name)))
    out += _storms(context, rows.get("events", ()), covered, source, now, index)
    return tuple(out)


def _storms(context: str, events: tuple[KubeRow, ...], covered: set[str], source: str, now: datetime,
            index: _Index) -> list[Problem]:
    since = now - timedelta(hours=FEED_HOURS)
    by_object: dict[tuple[str, str], list[KubeRow]] = defaultdict(list)
    for e in events:
        at = _event_time(e)
        if str(e.cells[1]) == "Warning" and at is not None and at >= since:
            by_object[(e.namespace, str(e.cells[3]))].append(e)
    out = []
    for (ns, obj), evs in by_object.items():
        total = sum(max(1, e.count) for e in evs)
        name = obj.partition("/")[2]
        if total < STORM or f"{ns}/{name}" in covered:
            continue
        top = max(evs, key=lambda e: e.count)
        first = min(t for e in evs if (t := _event_time(e)) is not None)
        out.append(Problem(source, "kubernetes", Level.WARNING, "events", obj, f"{context}/{ns}" if ns else context,
                           f"Warning storm: {top.cells[2]} x{total}: {top.cells[4]}", first, context=context,
                           namespace=ns, service=index.service(ns, obj), tab="clusters", jump=f"events {name}"))
    return out


def changes(context: str, rows: Mapping[str, tuple[KubeRow, ...]], source: str, now: datetime) -> tuple[Change, ...]:
    since = now - timedelta(hours=FEED_HOURS)
    index = _Index(rows)
    out: list[Change] = []
    revisions: dict[tuple[str, str], list[tuple[int, KubeRow]]] = defaultdict(list)
    for rs in rows.get("replicasets", ()):
        kind, _, dep = rs.owner.partition("/")
        rev = str(rs.cells[3])
        if kind == "Deployment" and rev.isdigit():
            revisions[(rs.namespace, dep)].append((int(rev), rs))
    for (ns, dep), revs in revisions.items():
        revs.sort(key=lambda pair: pair[0])
        for i, (rev, rs) in enumerate(revs):
            if rs.created is None or rs.created < since:
                continue
            after = str(rs.cells[5])
            text = f"revision {rev}: {revs[i - 1][1].cells[5]} → {after}" if i else f"revision {rev}: {after}"
            out.append(Change(rs.created, source, "kubernetes", "rollout", f"deployment/{dep}", text,
                              where=f"{context}/{ns}", namespace=ns, service=dep))
    for s in rows.get("secrets", ()):
        if s.created is not None and s.created >= since:
            out.append(Change(s.created, source, "kubernetes", "config", f"secret/{s.name}", "secret created (values not shown)",
                              where=f"{context}/{s.namespace}", namespace=s.namespace, service=s.name))
    for e in rows.get("events", ()):
        at = _event_time(e)
        warning = str(e.cells[1]) == "Warning"
        if at is None or at < since or not (warning or e.cells[2] in ("ScalingReplicaSet", "Killing")):
            continue
        count = f" (x{e.count})" if e.count > 1 else ""
        obj = str(e.cells[3])
        out.append(Change(at, source, "kubernetes", "event", obj, f"{e.cells[2]}: {e.cells[4]}{count}",
                          where=f"{context}/{e.namespace}" if e.namespace else context, namespace=e.namespace,
                          service=index.service(e.namespace, obj), warning=warning))
    return tuple(out)


def collect(context: str, rows: Mapping[str, tuple[KubeRow, ...]], source: str, now: datetime) -> Collected:
    return Collected(problems(context, rows, source, now), changes(context, rows, source, now))
