"""The what-changed feed: this console's own actions, and the order around a problem.

``console_changes`` reads the audit log (one Change per finished action of the last
hours). ``related`` keeps the changes that can explain a problem (same context and
namespace, or same Docker host / AWS account, or naming the same service) and puts the
ones just before it started on top: nearest first, the problem's own service first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from console.triage.model import FEED_HOURS, Change, Problem, newest_first, stamp

FINISHED = ("succeeded", "failed", "timed out")
KIND_ORDER = {"rollout": 0, "ecs": 0, "pipeline": 1, "config": 1, "console": 2, "docker": 3, "event": 4}
SLACK = timedelta(minutes=2)  # a change this close after the problem's start still counts as "before"


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None


def console_changes(records: Iterable[Mapping[str, Any]], now: datetime) -> tuple[Change, ...]:
    """Audit records (``console.actions.journal.read_audit``) → changes, finished actions only."""
    since = now - timedelta(hours=FEED_HOURS)
    out = []
    for r in records:
        at = _parse(str(r.get("time", "")))
        if at is None or at < since or r.get("outcome") not in FINISHED:
            continue
        target = r.get("target") or {}
        subject = f"{target.get('kind', '')}/{target.get('name', '')}"
        who = (r.get("operator") or {}).get("user", "")
        why = f" · {r['reason']}" if r.get("reason") else ""
        ns = str(r.get("namespace") or "")
        where = f"{r.get('context', '')}/{ns}" if ns else str(r.get("context", ""))
        out.append(Change(at, "console", str(r.get("backend", "")), "console", subject,
                          f"{r.get('verb', '')} {r.get('outcome', '')} by {who}{why}", where=where, namespace=ns,
                          service=str(target.get("name", "")), warning=r.get("outcome") != "succeeded"))
    return tuple(out)


def read_console_changes(audit_path: Path, now: datetime) -> tuple[Change, ...]:
    from console.actions.journal import read_audit

    return console_changes(read_audit(audit_path).records, now)


def _context_of(change: Change) -> str:
    return change.where.split("/", 1)[0] if change.backend == "kubernetes" else change.where


def relevant(change: Change, problem: Problem) -> bool:
    if change.backend != problem.backend and change.kind != "console":
        return problem.service != "" and change.service == problem.service
    if problem.backend == "kubernetes":
        same_place = _context_of(change) == problem.context and (not problem.namespace
                                                                 or change.namespace in ("", problem.namespace))
        return same_place or (change.kind == "console" and change.service == problem.service)
    if change.kind == "console":
        return change.service == problem.service or change.where == problem.context
    return change.source == problem.source


def related(changes: Iterable[Change], problem: Problem) -> list[Change]:
    """The changes that may explain ``problem``: those just before it started first."""
    start = stamp(problem.since) + SLACK.total_seconds() if problem.since else None
    mine = [c for c in changes if relevant(c, problem)]

    def key(c: Change) -> tuple:
        before = start is None or stamp(c.at) <= start
        same = bool(problem.service) and (c.service == problem.service
                                          or c.service.startswith(problem.service + "-"))
        return (0 if before else 1, 0 if same else 1, -stamp(c.at), KIND_ORDER.get(c.kind, 9))

    return sorted(mine, key=key)


def merged(per_source: Mapping[str, tuple[Change, ...]]) -> list[Change]:
    """Every source's changes in one time-ordered list, newest first, duplicates dropped."""
    seen: dict[str, Change] = {}
    for changes in per_source.values():
        for c in changes:
            seen.setdefault(c.key, c)
    return newest_first(seen.values())
