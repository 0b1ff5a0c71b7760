"""Engine answers → console.models.docker dataclasses, and SDK errors → typed errors."""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import docker.errors
import requests.exceptions

from console.errors import Conflict, Denied, NotFound, OpsError, Throttled, TimedOut, Unavailable
from console.models.docker import ContainerDetail, ContainerStats, ContainerSummary, HealthProbe, Mount
from console.text import looks_secret, mask_args, mask_env, mask_secret, mask_secrets_in, mask_secrets_value


@contextlib.contextmanager
def translated(call: str, host: str = "") -> Iterator[None]:
    """Re-raise docker/requests errors as console.errors, by status code or type."""
    try:
        yield
    except OpsError:
        raise
    except Exception as exc:  # noqa: BLE001 - every SDK failure is translated, none escapes raw
        raise translate(exc, call, host) from exc


def translate(exc: BaseException, call: str, host: str = "") -> OpsError:
    source = f"docker.{call}"
    where = f" at {host}" if host else ""
    if isinstance(exc, docker.errors.APIError):
        status = exc.status_code or 0
        body = str(exc.explanation or exc)
        if status == 404:
            return NotFound(body, source=source)
        if status == 409:
            return Conflict(body, source=source)
        if status in (401, 403):
            return Denied(body, source=source)
        if status == 429:
            return Throttled(body, source=source)
        if status >= 500 and isinstance(exc.__cause__, requests.exceptions.ConnectionError):
            return Unavailable(body, source=source)
        return OpsError(body, title=f"Docker error {status}", source=source)
    cause: BaseException | None = exc
    while cause is not None:  # DockerException wraps the connection error that caused it
        if isinstance(cause, requests.exceptions.Timeout):
            return TimedOut(f"the engine{where} did not answer in time ({cause})", source=source)
        if isinstance(cause, (requests.exceptions.ConnectionError, ConnectionError, FileNotFoundError)):
            return Unavailable(f"cannot reach the engine{where}: {_why_unreachable(cause)}", source=source)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, docker.errors.DockerException):
        return Unavailable(f"{exc}{where}", source=source)
    return OpsError(f"{type(exc).__name__}: {exc}", title="Docker error", source=source)


_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def parse_time(value: str | None) -> datetime | None:
    """Engine timestamps (RFC 3339, nanoseconds); the zero time and bad values are None."""
    match = _TIME.match(value or "")
    if match is None or value.startswith("0001-"):
        return None
    frac = (match[2] or "0")[:6].ljust(6, "0")
    tz = match[3] if match[3] and match[3] != "Z" else "+00:00"
    return datetime.fromisoformat(f"{match[1]}.{frac}{tz}")


def port_text(ports: Any) -> tuple[str, ...]:
    """From inspect NetworkSettings.Ports ({"80/tcp": [{"HostIp","HostPort"}]}) or ps Ports (list)."""
    out: list[str] = []
    if isinstance(ports, dict):
        for private, bindings in sorted(ports.items()):
            if not bindings:
                out.append(private)
            for b in bindings or ():
                out.append(f"{b.get('HostIp') or '0.0.0.0'}:{b.get('HostPort')}->{private}")
    elif isinstance(ports, list):
        for p in ports:
            private = f"{p.get('PrivatePort')}/{p.get('Type', 'tcp')}"
            out.append(f"{p['IP']}:{p.get('PublicPort')}->{private}" if p.get("PublicPort") else private)
    return tuple(dict.fromkeys(out))


def summary_from_inspect(info: dict[str, Any]) -> ContainerSummary:
    state = info.get("State") or {}
    cfg = info.get("Config") or {}
    host_cfg = info.get("HostConfig") or {}
    net = info.get("NetworkSettings") or {}
    labels = cfg.get("Labels") or {}
    cmd = [*(cfg.get("Entrypoint") or []), *(cfg.get("Cmd") or [])]
    return ContainerSummary(
        id=info["Id"],
        name=(info.get("Name") or "").lstrip("/"),
        image=cfg.get("Image") or info.get("Image", ""),
        image_id=info.get("Image", ""),
        state=state.get("Status", "unknown"),
        status=_status_line(state),
        health=(state.get("Health") or {}).get("Status", ""),
        restart_count=int(info.get("RestartCount") or 0),
        started_at=parse_time(state.get("StartedAt")),
        finished_at=parse_time(state.get("FinishedAt")),
        exit_code=int(state.get("ExitCode") or 0),
        oom_killed=bool(state.get("OOMKilled")),
        ports=port_text(net.get("Ports") or {}),
        labels=tuple(sorted((str(k), mask_secret(v) if looks_secret(str(k)) else mask_secrets_in(str(v)))
                            for k, v in labels.items())),
        mem_limit=int(host_cfg.get("Memory") or 0),
        command=" ".join(str(c) for c in mask_args([str(c) for c in cmd])),
    )


def _status_line(state: dict[str, Any]) -> str:
    status = state.get("Status", "unknown")
    if status == "exited":
        return f"exited ({state.get('ExitCode', 0)})"
    health = (state.get("Health") or {}).get("Status")
    return f"{status} ({health})" if health else status


def masked_inspect(info: dict[str, Any]) -> dict[str, Any]:
    """A copy of an inspect answer with secrets masked by key and by value (env, labels,
    command line, URLs, tokens: ``console.text.mask_secrets_value``)."""
    raw = copy.deepcopy(info)
    cfg = raw.get("Config") or {}
    if cfg.get("Env"):
        cfg["Env"] = [mask_env(e) for e in cfg["Env"]]
    if cfg.get("Labels"):
        cfg["Labels"] = {k: (mask_secret(v) if looks_secret(k) else v) for k, v in cfg["Labels"].items()}
    return mask_secrets_value(raw)


def _bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{n}B"


def detail_from_inspect(info: dict[str, Any]) -> ContainerDetail:
    cfg = info.get("Config") or {}
    host_cfg = info.get("HostConfig") or {}
    state = info.get("State") or {}
    policy = host_cfg.get("RestartPolicy") or {}
    policy_text = policy.get("Name") or "no"
    if policy.get("MaximumRetryCount"):
        policy_text += f" (max {policy['MaximumRetryCount']} retries)"
    limits = []
    if host_cfg.get("Memory"):
        limits.append(("memory", _bytes(host_cfg["Memory"])))
    if host_cfg.get("NanoCpus"):
        limits.append(("cpus", f"{host_cfg['NanoCpus'] / 1e9:g}"))
    if host_cfg.get("CpuShares"):
        limits.append(("cpu shares", str(host_cfg["CpuShares"])))
    if host_cfg.get("PidsLimit"):
        limits.append(("pids", str(host_cfg["PidsLimit"])))
    health = state.get("Health") or {}
    probes = tuple(
        HealthProbe(start=str(p.get("Start", "")), end=str(p.get("End", "")), exit_code=int(p.get("ExitCode", 0)),
                    output=mask_secrets_in(str(p.get("Output", ""))))
        for p in health.get("Log") or ()
    )
    networks = tuple(sorted((name, (n or {}).get("IPAddress", "")) for name, n in
                            ((info.get("NetworkSettings") or {}).get("Networks") or {}).items()))
    mounts = tuple(
        Mount(type=m.get("Type", ""), source=m.get("Source", "") or m.get("Name", ""),
              destination=m.get("Destination", ""), mode=m.get("Mode", ""), read_write=bool(m.get("RW", True)))
        for m in info.get("Mounts") or ()
    )
    summary = summary_from_inspect(info)
    return ContainerDetail(
        summary=summary,
        command=tuple(mask_args([str(c) for c in cfg.get("Cmd") or ()])),
        entrypoint=tuple(mask_args([str(c) for c in cfg.get("Entrypoint") or ()])),
        env=tuple(mask_env(e) for e in cfg.get("Env") or ()),
        mounts=mounts,
        networks=networks,
        ports=summary.ports,
        restart_policy=policy_text,
        limits=tuple(limits),
        health_log=probes,
        healthcheck=tuple(str(t) for t in (cfg.get("Healthcheck") or {}).get("Test") or ()),
        raw=masked_inspect(info),
    )


def memory_used(mem: dict[str, Any]) -> int:
    """Memory in use without the page cache, as the docker CLI computes it (cgroup v1 and v2)."""
    usage = int(mem.get("usage") or 0)
    stats = mem.get("stats") or {}
    inactive = stats.get("total_inactive_file", stats.get("inactive_file", 0)) or 0
    return usage - inactive if inactive < usage else usage


def cpu_percent(now: dict[str, Any], before: dict[str, Any]) -> float | None:
    """CPU % between two ``cpu_stats`` samples; None without a usable earlier sample."""
    total_now = (now.get("cpu_usage") or {}).get("total_usage") or 0
    total_before = (before.get("cpu_usage") or {}).get("total_usage") or 0
    system_delta = (now.get("system_cpu_usage") or 0) - (before.get("system_cpu_usage") or 0)
    if not before.get("system_cpu_usage") or system_delta <= 0:
        return None
    cpus = now.get("online_cpus") or len((now.get("cpu_usage") or {}).get("percpu_usage") or ()) or 1
    return max(0.0, (total_now - total_before) / system_delta * cpus * 100.0)


def stats_from_sample(container_id: str, sample: dict[str, Any], before: dict[str, Any],
                      sampled_at: float) -> ContainerStats:
    mem = sample.get("memory_stats") or {}
    return ContainerStats(
        id=container_id,
        cpu_percent=cpu_percent(sample.get("cpu_stats") or {}, before or {}),
        mem_used=memory_used(mem),
        mem_limit=int(mem.get("limit") or 0),
        pids=int((sample.get("pids_stats") or {}).get("current") or 0),
        sampled_at=sampled_at,
    )


def _why_unreachable(exc: BaseException) -> str:
    """The root OS error in words (socket missing, refused, permission), by type, not text."""
    root: BaseException | None = exc
    seen = 0
    while root is not None and seen < 10:
        for arg in getattr(root, "args", ()):
            if isinstance(arg, BaseException):
                root = arg
                break
        else:
            if isinstance(root, FileNotFoundError):
                return "socket not found (is dockerd running?)"
            if isinstance(root, PermissionError):
                return "permission denied on the socket (is this user in the docker group?)"
            if isinstance(root, ConnectionRefusedError):
                return "connection refused"
            nxt = root.__cause__ or root.__context__
            if nxt is None:
                break
            root = nxt
        seen += 1
    return str(exc)


def restarted(summary: ContainerSummary, after: datetime | None) -> bool:
    return after is None or (summary.started_at is not None and summary.started_at > after)


def converged(summary: ContainerSummary, wanted: set[str], healthy: bool, after: datetime | None) -> bool:
    """In a wanted state, started anew when asked, and healthy when it has a health check."""
    if summary.state not in wanted or not restarted(summary, after):
        return False
    return not (healthy and summary.state == "running" and summary.health not in ("", "healthy"))


def grace_seconds(timeout: float) -> int:
    """Seconds the engine waits after SIGTERM before SIGKILL: at most 10, half the budget."""
    return max(0, min(10, int(timeout // 2)))
