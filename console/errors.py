"""Typed errors shared by every layer.

Adapters translate SDK exceptions into these once, by status or error code (never by
message text). Each error carries a short ``title`` and a ``body`` the UI shows as is.
"""

from __future__ import annotations


class OpsError(Exception):
    """Base of every error opsconsole raises on purpose."""

    title = "Error"

    def __init__(self, body: str, *, title: str | None = None, source: str = "") -> None:
        super().__init__(body)
        self.body = body
        self.source = source  # the call or file the error came from, e.g. "docker.list_containers"
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return f"{self.source}: {self.body}" if self.source else self.body


class Unavailable(OpsError):
    """The backend cannot be reached (down, refused, DNS, TLS, socket missing)."""

    title = "Unavailable"


class Unconfigured(OpsError):
    """The backend is not configured on this machine (no kubeconfig, no AWS credentials)."""

    title = "Not configured"


class Denied(OpsError):
    """Authentication or authorisation failed (401/403, expired credentials)."""

    title = "Access denied"


class LoginRequired(Denied):
    """The credentials need an interactive login (an SSO profile never logged in, or its
    session expired). Retrying cannot help until the operator logs in: no auto-retry."""

    title = "Login required"


class NotFound(OpsError):
    title = "Not found"


class Conflict(OpsError):
    """The object changed or is in a state that forbids the call (409, invalid state)."""

    title = "Conflict"


class Throttled(OpsError):
    title = "Throttled"


class TimedOut(OpsError):
    title = "Timed out"


class InvalidInput(OpsError):
    """Bad input from a file, flag, config or API answer; body names where and what."""

    title = "Invalid input"


class ReadOnly(OpsError):
    """A mutation was requested while read-only mode is on."""

    title = "Read-only"


class NotConverged(OpsError):
    """A change was applied but the system reports it cannot converge (FailedCreate, quota,
    unschedulable pods, progress deadline exceeded); the body holds the server's reason."""

    title = "Did not converge"
