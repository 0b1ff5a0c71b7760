"""Docker rows (``ContainerSummary``, ``DockerEvent``) → triage problems and changes.

Pure functions. Unhealthy (with how many health checks failed in a row), restarting,
OOM-killed, dead and recently crashed containers are problems; die, restart, oom, kill
and health-status events of the last hours are changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from console.models.docker import ContainerSummary, DockerEvent
from console.triage.model import FEED_HOURS, Change, Level, LogTarget, Problem

RESTARTS = 3  # restarts that make a running container a problem
EVENT_ACTIONS = ("die", "restart", "oom", "kill", "health_status: unhealthy", "health_status: healthy", "start",
                 "stop", "destroy")


def service_of(c: ContainerSummary) -> str:
    labels = dict(c.labels)
    return labels.get("com.docker.compose.service") or c.name


def container_problem(c: ContainerSummary, host: str, source: str, streak: int, now: datetime) -> Problem | None:
    """``streak``: how many health checks failed in a row (from the inspect's health log)."""
    level, reason, since = None, "", c.started_at
    if c.state == "dead":
        level, reason, since = Level.ERROR, f"dead: exit {c.exit_code}", c.finished_at
    elif c.oom_killed:
        level, reason, since = Level.ERROR, f"OOM-killed: exit {c.exit_code}", c.finished_at
    elif c.state == "restarting":
        level, reason, since = Level.ERROR, f"restarting: exit {c.exit_code}, {c.restart_count} restarts", c.finished_at
    elif c.health == "unhealthy":
        times = f" {streak}x" if streak else ""
        level, reason = Level.ERROR, f"unhealthy: health check failed{times}"
    elif c.state == "running" and c.restart_count >= RESTARTS:
        level, reason = Level.WARNING, f"restarted {c.restart_count} times (last exit {c.exit_code})"
    elif c.state == "exited" and c.exit_code not in (0, 143) and c.finished_at is not None \
            and c.finished_at >= now - timedelta(hours=FEED_HOURS):
        level, reason, since = Level.WARNING, f"exited: exit {c.exit_code}", c.finished_at
    if level is None:
        return None
    return Problem(source, "docker", level, "container", c.name, host, reason, since, context=host,
                   service=service_of(c), object_id=c.id, tab="containers", jump=f"containers {c.name}",
                   logs=LogTarget("docker", "container", name=c.id))


def problems(containers: Iterable[ContainerSummary], host: str, source: str, streaks: Mapping[str, int],
             now: datetime) -> tuple[Problem, ...]:
    out = (container_problem(c, host, source, streaks.get(c.id, 0), now) for c in containers)
    return tuple(p for p in out if p is not None)


def changes(events: Iterable[DockerEvent], host: str, source: str, services: Mapping[str, str]) -> tuple[Change, ...]:
    """``services``: container name → its compose service (for the feed's filter)."""
    out = []
    for e in events:
        if e.type != "container" or not any(e.action.startswith(a) for a in EVENT_ACTIONS):
            continue
        warning = e.action in ("die", "oom", "kill", "restart") or "unhealthy" in e.action
        out.append(Change(datetime.fromtimestamp(e.time, UTC), source, "docker", "docker", f"container/{e.name}",
                          e.action, where=host, service=services.get(e.name, e.name), warning=warning))
    return tuple(out)
