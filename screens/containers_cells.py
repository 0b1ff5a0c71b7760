"""Pure presentation for the Containers tab: columns, cells, problem styles, grouping.

No widgets and no backend calls: a ``ContainerSummary`` plus its latest stats become a
``screens.widgets.Row`` with literal cells and raw values for sorting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime

from console.models.docker import ContainerStats, ContainerSummary
from screens.base import age_text
from screens.widgets import Column, Row

GROUP_PREFIX = "group:"

COLUMNS = (  # what triage needs first comes first, short headers: IMAGE still fits at 80 columns
    Column("name", "NAME"),
    Column("state", "STATE"),
    Column("restarts", "RST"),
    Column("uptime", "UP"),
    Column("cpu", "CPU%"),
    Column("mem", "MEM"),
    Column("image", "IMAGE"),
    Column("compose", "PROJECT/SERVICE"),
    Column("ports", "PORTS"),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}


def ordered(values: dict[str, object]) -> tuple:
    """A tuple in column order from a dict keyed by column key."""
    return tuple(values.get(c.key) for c in COLUMNS)


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f}{unit}" if unit in ("B", "KiB") else f"{value:.1f}{unit}"
        value /= 1024
    return f"{n}B"


def duration(seconds: float) -> str:
    """An uptime as ``docker ps`` would round it: seconds for the first ten minutes (a
    restart just now shows), then minutes, hours, days. A steady container's cell changes
    once a minute at most, so an idle tab repaints nothing in between."""
    s = max(0, int(seconds))
    if s < 600:
        return age_text(s)
    if s < 3600:
        return f"{s // 60}m"
    return age_text(s) if s < 86400 else f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def uptime_seconds(c: ContainerSummary, now: float) -> float | None:
    if c.state not in ("running", "paused") or c.started_at is None:
        return None
    return max(0.0, now - c.started_at.timestamp())


def state_text(c: ContainerSummary) -> str:
    if c.problem:
        return c.problem if c.problem.startswith(("exited", "oom")) or c.state != "running" \
            else f"{c.state} ({c.problem})"
    if c.state == "exited":
        return "exited (0)"
    if c.state not in ("running", "paused"):
        return c.state  # a stopped container's last health verdict is history
    return f"{c.state} ({c.health})" if c.health else c.state


def image_text(c: ContainerSummary) -> str:
    image = c.image if not c.image.startswith("sha256:") else ""
    return f"{image} @{c.short_digest}" if image else f"@{c.short_digest}"


def compose_text(c: ContainerSummary) -> str:
    return f"{c.compose_project}/{c.compose_service}" if c.compose_project else ""


def mem_text(stats: ContainerStats | None, c: ContainerSummary) -> str:
    if stats is None:
        return "-"
    # the container's own limit only: without one the engine reports the host's memory,
    # which says nothing about this container (``23.5Gi`` on every row)
    limit = c.mem_limit
    return f"{human_bytes(stats.mem_used)}/{human_bytes(limit)}" if limit else human_bytes(stats.mem_used)


def cpu_text(stats: ContainerStats | None) -> str:
    if stats is None:
        return "-"
    return "…" if stats.cpu_percent is None else f"{stats.cpu_percent:.1f}"


def container_row(c: ContainerSummary, stats: ContainerStats | None, now: float,
                  style_for: Callable[[ContainerSummary], str]) -> Row:
    up = uptime_seconds(c, now)
    cpu = stats.cpu_percent if stats is not None else None
    mem = stats.mem_used if stats is not None else None
    cells = ordered({"name": c.name, "compose": compose_text(c), "image": image_text(c), "state": state_text(c),
                     "restarts": str(c.restart_count), "uptime": duration(up) if up is not None else "",
                     "cpu": cpu_text(stats), "mem": mem_text(stats, c), "ports": ", ".join(c.ports)})
    raw = ordered({"name": c.name, "compose": compose_text(c), "image": c.image, "state": (0 if c.problem else 1, c.state),
                   "restarts": c.restart_count, "uptime": up, "cpu": cpu, "mem": mem, "ports": ", ".join(c.ports)})
    labels = (*c.labels, ("name", c.name), ("state", c.state), ("health", c.health or "none"),
              ("project", c.compose_project), ("service", c.compose_service), ("image", c.image))
    search = " ".join((c.name, compose_text(c), image_text(c), state_text(c), c.short_id, c.command))
    return Row(key=c.id, cells=cells, raw=raw, search=search,
               labels=labels, style=style_for(c), rank={"error": -2, "warning": -1}.get(problem_level(c), 0))


def problem_level(c: ContainerSummary) -> str:
    """"error" for unhealthy, OOM-killed, dead, exited non-zero; "warning" for restarting or
    restarted; "muted" for stopped or paused; "" otherwise."""
    if c.problem and c.problem != "restarting":
        return "error"
    if c.problem == "restarting" or (c.restart_count and c.state == "running"):
        return "warning"
    if c.state in ("exited", "created", "paused"):
        return "muted"
    return ""


def group_rows(containers: Iterable[ContainerSummary], rows: dict[str, Row]) -> list[Row]:
    """Rows ordered by compose project with a header row per project (no project last)."""
    groups: dict[str, list[ContainerSummary]] = {}
    for c in containers:
        groups.setdefault(c.compose_project, []).append(c)
    out: list[Row] = []
    for project in sorted(groups, key=lambda p: (p == "", p)):
        members = sorted(groups[project], key=lambda c: (c.compose_service, c.name))
        problems = sum(1 for c in members if c.problem)
        cells = ordered({"name": f"▾ {project or '(no project)'}",
                         "state": f"{problems} with problems" if problems else "",
                         "compose": f"{len(members)} container{'s' if len(members) > 1 else ''}"})
        # grouped is an order the operator chose: members stay under their header (rank 0)
        member_rows = [dataclasses.replace(rows[c.id], rank=0) for c in members if c.id in rows]
        out.append(Row(key=GROUP_PREFIX + project, cells=tuple(x or "" for x in cells),
                       raw=ordered({"name": project}), style="bold",
                       search=" ".join(r.search for r in member_rows),
                       labels=tuple({kv for r in member_rows for kv in r.labels})))
        out.extend(member_rows)
    return out


def age_of(when: datetime | None, now: float) -> str:
    return f"{duration(now - when.timestamp())} ago" if when is not None else ""
