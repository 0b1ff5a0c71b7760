"""Frozen dataclasses the Containers tab renders; built by console.backends.docker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"
# container events that change what an inspect shows (not exec_* from healthchecks)
STATE_EVENTS = ("create", "start", "restart", "die", "stop", "kill", "pause", "unpause", "destroy", "rename",
                "oom", "update", "health_status")


@dataclass(frozen=True)
class DockerHost:
    """A host the tab can switch to: where it came from (config, env, context)."""

    name: str
    host: str
    source: str  # "config" | "DOCKER_HOST" | "context" | "default"


@dataclass(frozen=True)
class ContainerSummary:
    id: str
    name: str
    image: str  # the reference it was created from, e.g. "nginx:1.27"
    image_id: str  # "sha256:…"
    state: str  # created | running | paused | restarting | removing | exited | dead
    status: str  # the engine's human status, e.g. "Up 5 minutes (healthy)"
    health: str = ""  # "" | starting | healthy | unhealthy
    restart_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    exit_code: int = 0
    oom_killed: bool = False
    ports: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    mem_limit: int = 0  # bytes; 0: unlimited
    command: str = ""

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def short_digest(self) -> str:
        return self.image_id.split(":", 1)[-1][:12]

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    @property
    def compose_project(self) -> str:
        return self.label_map.get(COMPOSE_PROJECT, "")

    @property
    def compose_service(self) -> str:
        return self.label_map.get(COMPOSE_SERVICE, "")

    @property
    def problem(self) -> str:
        """Why this container needs attention, or "" when it does not."""
        # the exit wins over the health status: the engine keeps the last probe's verdict
        # ("unhealthy") after the process has exited, but that is history, not the state
        if self.oom_killed:
            return "oom-killed"
        if self.state == "dead":
            return "dead"
        if self.state == "exited":
            return f"exited ({self.exit_code})" if self.exit_code != 0 else ""
        if self.state == "restarting":
            return "restarting"
        if self.health == "unhealthy" and self.state in ("running", "paused"):
            return "unhealthy"
        return ""

    @property
    def running(self) -> bool:
        return self.state in ("running", "restarting")


@dataclass(frozen=True)
class ContainerStats:
    id: str
    cpu_percent: float | None  # None until two samples exist
    mem_used: int  # bytes, page cache excluded (as `docker stats` shows it)
    mem_limit: int  # bytes (host memory when unlimited)
    pids: int = 0
    sampled_at: float = 0.0  # time.time()


@dataclass(frozen=True)
class Mount:
    type: str
    source: str
    destination: str
    mode: str = ""
    read_write: bool = True


@dataclass(frozen=True)
class HealthProbe:
    start: str
    end: str
    exit_code: int
    output: str


@dataclass(frozen=True)
class ContainerDetail:
    summary: ContainerSummary
    command: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    env: tuple[str, ...] = ()  # KEY=value, secret-looking values masked
    mounts: tuple[Mount, ...] = ()
    networks: tuple[tuple[str, str], ...] = ()  # (network, ip address)
    ports: tuple[str, ...] = ()
    restart_policy: str = ""
    limits: tuple[tuple[str, str], ...] = ()  # (name, human value)
    health_log: tuple[HealthProbe, ...] = ()
    healthcheck: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)  # the inspect answer, secrets masked


@dataclass(frozen=True)
class DockerEvent:
    type: str  # container | image | network | volume | daemon
    action: str  # start, die, health_status: unhealthy, ...
    id: str
    name: str
    time: float


@dataclass(frozen=True)
class ContainerList:
    """What one refresh of the tab reads: the containers and a stats sample for the running ones."""

    containers: tuple[ContainerSummary, ...]
    stats: dict[str, ContainerStats]
    host: str
    fetched_at: float
    stats_sampled: bool = True  # False: a list-only refresh; the previous samples still apply
