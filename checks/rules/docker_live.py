"""Docker rules over live containers (normalised from `docker inspect` data or the adapter's models)."""

from __future__ import annotations

from typing import Any

from checks.model import Hit, Severity
from checks.registry import rule

DOCS = "https://docs.docker.com/engine"
SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def normalise(data: Any) -> dict[str, Any]:
    """One shape for the rules: from an inspect dict (``container.attrs``) or a ContainerDetail.

    Keys: name, id, privileged, user, memory, healthcheck, mounts (sources), network_mode,
    pid_mode. A value the source cannot tell is None, and rules skip it.
    """
    if isinstance(data, dict) and ("HostConfig" in data or "Config" in data):
        host = data.get("HostConfig") or {}
        cfg = data.get("Config") or {}
        health = cfg.get("Healthcheck") or {}
        return {
            "name": str(data.get("Name", "")).lstrip("/"), "id": str(data.get("Id", "")),
            "privileged": bool(host.get("Privileged")), "user": str(cfg.get("User") or ""),
            "memory": int(host.get("Memory") or 0),
            "healthcheck": bool(health.get("Test")) and health.get("Test") != ["NONE"],
            "mounts": [str(m.get("Source", "")) for m in data.get("Mounts") or [] if isinstance(m, dict)]
            + [str(b).split(":")[0] for b in host.get("Binds") or []],
            "network_mode": str(host.get("NetworkMode") or ""), "pid_mode": str(host.get("PidMode") or ""),
        }
    if isinstance(data, dict):
        return dict(data)
    summary = getattr(data, "summary", data)
    return {
        "name": getattr(summary, "name", ""), "id": getattr(summary, "id", ""),
        "privileged": getattr(data, "privileged", None), "user": getattr(data, "user", None),
        "memory": getattr(summary, "mem_limit", None),
        "healthcheck": bool(getattr(data, "healthcheck", ())) if hasattr(data, "healthcheck") else None,
        "mounts": [m.source for m in getattr(data, "mounts", ())],
        "network_mode": getattr(data, "network_mode", None), "pid_mode": getattr(data, "pid_mode", None),
    }


def _live(id, title, severity, category, remediation, reference):
    return rule(id, title, severity, category, "docker:container", remediation, reference)


@_live("OPS-DKR-001", "Privileged container", Severity.CRITICAL, "runtime",
       "Run without --privileged; add only the capabilities needed.", f"{DOCS}/containers/run/#runtime-privilege-and-linux-capabilities")
def dkr_privileged(c):
    if c.get("privileged") is True:
        yield Hit("running with --privileged", "privileged")


@_live("OPS-DKR-002", "Container runs as root", Severity.MEDIUM, "runtime", "Set USER in the image or --user at run time.",
       f"{DOCS}/security/#linux-kernel-capabilities")
def dkr_root(c):
    user = c.get("user")
    if user is not None and str(user).split(":")[0] in ("", "root", "0"):
        yield Hit(f"user is {user or 'unset (root)'}", "user")


@_live("OPS-DKR-003", "No memory limit", Severity.MEDIUM, "resources", "Run with --memory so one container cannot starve the host.",
       f"{DOCS}/containers/resource_constraints/")
def dkr_memory(c):
    if c.get("memory") == 0:
        yield Hit("no memory limit", "memory")


@_live("OPS-DKR-004", "No healthcheck", Severity.LOW, "resilience", "Add HEALTHCHECK to the image or --health-cmd at run time.",
       "https://docs.docker.com/reference/dockerfile/#healthcheck")
def dkr_health(c):
    if c.get("healthcheck") is False:
        yield Hit("no healthcheck configured", "healthcheck")


@_live("OPS-DKR-005", "Docker socket mounted", Severity.CRITICAL, "runtime",
       "Don't mount the Docker socket; it is root on the host.", f"{DOCS}/security/#docker-daemon-attack-surface")
def dkr_socket(c):
    for source in c.get("mounts") or []:
        if source in SOCKETS:
            yield Hit(f"mounts {source}", "mounts")


@_live("OPS-DKR-006", "Host network or PID namespace", Severity.HIGH, "network",
       "Use the default bridge or a user network; don't share the host's PID namespace.", f"{DOCS}/network/drivers/host/")
def dkr_host_ns(c):
    if c.get("network_mode") == "host":
        yield Hit("network mode host", "network_mode")
    if c.get("pid_mode") == "host":
        yield Hit("pid mode host", "pid_mode")
