"""What every adapter reports about itself."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime


class BackendState(enum.Enum):
    CONNECTING = "connecting"
    READY = "ready"
    STALE = "stale"  # was ready, last refresh failed: data on screen is old
    UNAVAILABLE = "unavailable"
    UNCONFIGURED = "unconfigured"
    DENIED = "denied"  # the server said 401/403: shown at once with its message, no retry loop


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BackendInfo:
    """Identity of a connected backend, shown in the status bar.

    ``target`` is where it points (Docker host, kube context/namespace, AWS
    profile/region); ``version`` the server version; ``identity`` who we are there
    (AWS account/ARN, kube user); ``production`` whether config marks it production.
    """

    name: str  # "docker" | "kubernetes" | "aws"
    target: str
    version: str = ""
    identity: str = ""
    production: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BackendStatus:
    name: str
    state: BackendState
    info: BackendInfo | None = None
    reason: str = ""  # why unavailable/stale, names the call
    data_at: datetime | None = None  # when the last good data was fetched
    retries: int = 0
