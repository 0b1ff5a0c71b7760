"""The Docker adapter: a synchronous class over the engine API (docker SDK, low-level).

Reads return frozen dataclasses from console.models.docker; SDK errors become
console.errors by status code (404 NotFound, 409 Conflict, connection → Unavailable).
Every call has a timeout: reads use ``config.docker.timeout``, mutations the explicit
keyword ``timeout`` they are given; only the streams (events, followed logs) block
without one, and they are closable from another thread.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import docker

from console.backends.base import BackendInfo
from console.backends.docker_convert import (
    converged,
    detail_from_inspect,
    grace_seconds,
    restarted,
    stats_from_sample,
    summary_from_inspect,
    translated,
)
from console.backends.docker_hosts import resolve_host, switchable_hosts
from console.backends.docker_logs import open_logs
from console.backends.docker_ssh import SshRelay, is_ssh
from console.backends.docker_streams import (
    EventStream,
    InspectCache,
    LogStream,
    StatsFeeds,
    open_stats,
    open_within,
    watches_all_state_changes,
)
from console.config import Config
from console.errors import Conflict, NotFound, TimedOut, Unconfigured
from console.models.docker import ContainerDetail, ContainerList, ContainerStats, ContainerSummary, DockerHost

MAX_WORKERS = 64
# ssh:// hosts: every concurrent request is an ssh connection, and sshd drops new ones past
# MaxStartups (10 unauthenticated by default); a few kept-alive connections serve them all.
SSH_WORKERS = 6
STATS_STREAMS = 128  # live stats: containers past this many are sampled one request each
SHELLS = ("/bin/bash", "/usr/bin/bash")
DOCKER_CLIS = ("/usr/local/bin/docker", "/usr/bin/docker")


class DockerBackend:
    """One Docker engine. Thread-safe: the tab's workers call it concurrently."""

    MUTATIONS = frozenset({"start", "stop", "restart", "kill", "pause", "unpause", "remove"})
    generation = 0  # Services' switch count when this was created (see console.services)

    def __init__(self, config: Config, host: DockerHost | None = None) -> None:
        self.config = config
        self._host = host
        self.timeout = config.docker.timeout
        self._api: Any = None
        self._version: str | None = None
        self._lock = threading.Lock()
        self._timed: dict[float, Any] = {}
        self._previous: dict[str, tuple[dict[str, Any], float]] = {}  # id -> (cpu_stats, time)
        self._live = StatsFeeds(self._open_stats, self._from_sample)
        self.inspect_cache = InspectCache()
        self.inspect_calls = 0  # container inspects sent to the engine by list, snapshot and wait_for
        self._relay: SshRelay | None = None  # ssh:// hosts: the system ssh, relayed to a private socket
        self._relay_lock = threading.Lock()

    # -- connection ---------------------------------------------------------------------
    @property
    def host(self) -> DockerHost:
        if self._host is None:
            self._host = resolve_host(self.config)
        return self._host

    @property
    def workers(self) -> int:
        """Concurrent requests (and pooled connections) to this engine."""
        return SSH_WORKERS if is_ssh(self.host.host) else MAX_WORKERS

    def hosts(self) -> tuple[DockerHost, ...]:
        """Hosts the tab can switch to (this one first, config.docker.hosts, contexts)."""
        return switchable_hosts(self.config)

    def _base_url(self) -> str:
        """The URL the SDK talks to: the host, or for ssh:// the relay's private socket."""
        host = self.host.host
        if not is_ssh(host):
            return host
        with self._relay_lock:  # not self._lock: _client() holds that while it connects
            if self._relay is None:
                relay = SshRelay(host, self.timeout)
                try:
                    relay.check(self.timeout)
                except Exception:
                    relay.close()
                    raise
                self._relay = relay
            return self._relay.base_url

    def connect(self) -> BackendInfo:
        host = self.host
        base_url = self._base_url()
        with self._translated("connect"):
            api = docker.APIClient(base_url=base_url, version="auto", timeout=self.timeout,
                                   max_pool_size=self.workers)
            try:
                version = api.version(api_version=False)
            except Exception:
                api.close()
                raise
        with self._lock:
            old, self._api, self._version = self._api, api, api.api_version
        if old is not None:
            old.close()
        return BackendInfo(
            name="docker",
            target=host.name if host.name == host.host else f"{host.name} ({host.host})",
            version=str(version.get("Version", "")),
            extra={"api": str(version.get("ApiVersion", "")), "os": str(version.get("Os", "")),
                   "host": host.host, "source": host.source},
            production=self.config.is_production_docker_host(host.name, host.host),
        )

    def close(self) -> None:
        with self._lock:
            clients = [self._api, *self._timed.values()]
            self._api, self._timed = None, {}
        self._live.close()
        for client in clients:
            if client is not None:
                client.close()
        with self._relay_lock:
            relay, self._relay = self._relay, None
        if relay is not None:
            relay.close()

    def _translated(self, call: str) -> Any:
        return translated(call, self.host.host)

    @property
    def api(self) -> Any:
        api = self._api
        if api is None:
            self.connect()
            api = self._api
        return api

    def _client(self, timeout: float | None) -> Any:
        """A client whose every request times out after ``timeout`` s. ``None``: the client
        for streams (its own pool): the request and the answer's headers are bounded by the
        adapter's timeout; the SDK lifts the socket timeout once a log stream flows."""
        key = -1.0 if timeout is None else round(max(timeout, 0.5), 1)
        self.api  # noqa: B018 - connects (negotiates the API version) if needed; not under the lock: connect() takes it
        with self._lock:
            client = self._timed.get(key)
            if client is None:
                client = self._timed[key] = docker.APIClient(
                    base_url=self._relay.base_url if self._relay else self.host.host, version=self._version,
                    timeout=self.timeout if timeout is None else key,
                    max_pool_size=self.workers + (STATS_STREAMS if timeout is None else 0))
            return client

    # -- reads --------------------------------------------------------------------------
    def list_containers(self, all: bool = True, filters: dict[str, Any] | None = None) -> tuple[ContainerSummary, ...]:  # noqa: A002
        """Every container (``all``) or the running ones, inspected concurrently for health,
        restarts, OOM and limits; sorted by name."""
        with self._translated("list_containers"):
            listed = self.api.containers(all=all, filters=filters)
        infos = self._concurrently([c["Id"] for c in listed], self._inspect_listed(listed), "list_containers")
        return tuple(sorted((summary_from_inspect(i) for i in infos.values() if i), key=lambda c: c.name))

    def _inspect_listed(self, listed: list[dict[str, Any]]) -> Callable[[str], dict[str, Any] | None]:
        """Inspect a listed container, from the cache while a live events stream keeps it valid."""
        states = {c["Id"]: c.get("State", "") for c in listed}

        def inspect(container_id: str) -> dict[str, Any] | None:
            info, token = self.inspect_cache.get(container_id, states[container_id])
            if info is None:
                info = self._inspect_or_none(container_id)
                if info is not None:
                    self.inspect_cache.put(container_id, info, token)
            return info
        return inspect

    def snapshot(self, all: bool = True, wait_for_cpu: bool = False, stats: bool = True,  # noqa: A002
                 live: bool = False) -> ContainerList:
        """What the tab shows in one go: the containers, inspected, and a stats sample of the
        running ones, the inspects and the stats requests all in flight at once (the engine
        answers stats on its 1 s collection tick, so they must not wait behind the inspects).
        ``stats=False`` lists and inspects only (tens of milliseconds: for event refreshes).
        ``live``: the stats come from streams kept open while asked for (``StatsFeeds``:
        for a caller that samples every few seconds), not from a request per container."""
        with self._translated("snapshot"):
            listed = self.api.containers(all=all)
        ids = [c["Id"] for c in listed]
        running = [c["Id"] for c in listed if c.get("State") == "running"] if stats else []
        streamed = running[:STATS_STREAMS] if live and not wait_for_cpu and not is_ssh(self.host.host) else []
        polled = running[len(streamed):]
        infos = {cid: self.inspect_cache.get(cid, c.get("State", ""))[0] for cid, c in zip(ids, listed, strict=True)}
        missing = [cid for cid, info in infos.items() if info is None]  # only these cost a request (and a thread)
        width = self.workers if is_ssh(self.host.host) else self.workers * 2
        samples: dict[str, ContainerStats | None] = {}
        if missing or polled:
            with ThreadPoolExecutor(max_workers=min(len(missing) + len(polled), width),
                                    thread_name_prefix="docker-snapshot") as pool:
                stats_futures = {cid: pool.submit(self._sample, cid, wait_for_cpu) for cid in polled}
                infos.update(zip(missing, pool.map(self._inspect_listed(listed), missing), strict=True))
                samples = {cid: f.result() for cid, f in stats_futures.items()}
        if stats:
            samples.update(self._live.latest(streamed, wait=min(self.timeout, 3.0)) if live else {})
            with self._lock:
                for stale in set(self._previous) - set(running):
                    del self._previous[stale]
        containers = tuple(sorted((summary_from_inspect(i) for i in infos.values() if i), key=lambda c: c.name))
        return ContainerList(containers, {k: v for k, v in samples.items() if v is not None}, self.host.host,
                             time.time(), stats_sampled=stats)

    def _inspect_or_none(self, container_id: str) -> dict[str, Any] | None:
        with self._lock:
            self.inspect_calls += 1
        try:
            with self._translated("inspect"):
                return self.api.inspect_container(container_id)
        except NotFound:
            return None  # removed between the list and the inspect

    def inspect(self, container_id: str) -> ContainerDetail:
        with self._translated("inspect"):
            return detail_from_inspect(self.api.inspect_container(container_id))

    def stats_many(self, ids: Iterable[str], wait_for_cpu: bool = False) -> dict[str, ContainerStats]:
        """One stats sample per container, fetched concurrently. A container sampled before
        gets a one-shot sample and its CPU % from the previous one; a new container gets CPU %
        None, or with ``wait_for_cpu`` the engine's two-sample answer (~1-2 s, in parallel)."""
        ids = list(dict.fromkeys(ids))
        samples = self._concurrently(ids, lambda cid: self._sample(cid, wait_for_cpu), "stats_many")
        with self._lock:
            for stale in set(self._previous) - set(ids):
                del self._previous[stale]
        return {cid: s for cid, s in samples.items() if s is not None}

    def _sample(self, container_id: str, wait_for_cpu: bool) -> ContainerStats | None:
        with self._lock:
            one_shot = container_id in self._previous or not wait_for_cpu
        try:
            with self._translated("stats"):
                sample = self.api.stats(container_id, stream=False, one_shot=one_shot)
        except (NotFound, Conflict):
            return None  # stopped or removed meanwhile: no sample, not a failure
        return self._from_sample(container_id, sample, use_engine_previous=not one_shot)

    def _from_sample(self, container_id: str, sample: dict[str, Any],
                     use_engine_previous: bool = True) -> ContainerStats | None:
        """CPU % against the engine's previous sample (a stream's, or a waited-for answer's),
        else against ours; None for a container that is not running (an empty sample)."""
        if not sample.get("memory_stats"):
            return None
        now = time.time()
        before = sample.get("precpu_stats") or {} if use_engine_previous else {}
        with self._lock:
            if not before.get("system_cpu_usage") and container_id in self._previous:
                before = self._previous[container_id][0]
            self._previous[container_id] = (sample.get("cpu_stats") or {}, now)
        return stats_from_sample(container_id, sample, before, now)

    def _open_stats(self, container_id: str) -> Any:
        with self._translated("stats"):
            return open_stats(self._client(None), container_id)

    def _concurrently(self, ids: list[str], fn: Callable[[str], Any], call: str) -> dict[str, Any]:
        if not ids:
            return {}
        with ThreadPoolExecutor(max_workers=min(len(ids), self.workers), thread_name_prefix=f"docker-{call}") as pool:
            return dict(zip(ids, pool.map(fn, ids), strict=True))

    def logs(self, container_id: str, tail: int | None = None, since: float | None = None,
             timestamps: bool = False) -> tuple[str, ...]:
        """The last ``tail`` lines (default config.docker.log_tail), stdout and stderr merged."""
        tail = self.config.docker.log_tail if tail is None else tail
        with self._translated("logs"):
            data = self.api.logs(container_id, stdout=True, stderr=True, timestamps=timestamps,
                                 tail=tail if tail >= 0 else "all", since=since)
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
        return tuple(line.rstrip("\r") for line in text.splitlines())

    def follow_logs(self, container_id: str, tail: int = 0, since: float | None = None,
                    timestamps: bool = False) -> LogStream:
        """New log lines as they come; ``close()`` it from any thread to stop."""
        params = {"stdout": 1, "stderr": 1, "follow": 1, "timestamps": int(timestamps), "tail": tail if tail >= 0 else "all"}
        with self._translated("follow_logs"):  # read in bulk (docker_logs): the SDK's reader costs ~10 µs a line
            stream = open_logs(self._client(None), container_id, params if since is None else {**params, "since": since})
        return LogStream(stream, host=self.host.host)

    def events(self, since: float | None = None, until: float | None = None,
               filters: dict[str, Any] | None = None) -> EventStream:
        """The engine's events stream; ends at ``until`` or when closed; raises Unavailable if the engine goes."""
        client = self._client(None)
        with self._translated("events"):  # the SDK opens events with no timeout at all: bounded here
            stream = open_within(self.timeout, lambda: client.events(since=since, until=until, filters=filters,
                                                                      decode=True),
                                 f"the engine at {self.host.host} did not start the events stream", "docker.events")
        live = watches_all_state_changes(since, until, filters)
        return EventStream(stream, host=self.host.host, cache=self.inspect_cache if live else None)

    def exec_command(self, container_id: str) -> list[str]:
        """argv for an interactive shell in the container: bash when present, else sh."""
        cli = shutil.which("docker") or next((p for p in DOCKER_CLIS if os.path.exists(p)), None)
        if cli is None:
            raise Unconfigured("the docker CLI is needed for a shell and is not on PATH", source="docker.exec_command")
        shell = "sh"
        for path in SHELLS:
            try:
                with self._translated("exec_command"):
                    chunks, _stat = self.api.get_archive(container_id, path)
                    chunks.close()
            except NotFound:
                continue
            shell = path
            break
        return [cli, "-H", self.host.host, "exec", "-it", container_id, shell]

    # -- waiting (for verification) -----------------------------------------------------
    def wait_for(self, container_id: str, states: Iterable[str], deadline: float,
                 progress: Callable[[str], None] | None = None, gone: bool = False,
                 healthy: bool = False, started_after: datetime | None = None) -> ContainerSummary | None:
        """Poll until the container is in one of ``states`` (or removed, with ``gone``).

        ``healthy``: a container with a HEALTHCHECK must also report ``healthy`` (it fails
        early when it reports ``unhealthy``); ``started_after``: its StartedAt must be later
        (a restart really happened). Raises TimedOut at ``deadline`` with the last state.
        """
        wanted = set(states)
        while True:
            info = self._inspect_or_none(container_id)
            if info is None:
                if gone:
                    return None
                raise NotFound(f"container {container_id[:12]} no longer exists", source="docker.wait_for")
            summary = summary_from_inspect(info)
            if not gone and converged(summary, wanted, healthy, started_after):
                if progress is not None:
                    progress(f"{summary.name}: {summary.status}")
                return summary
            if progress is not None:
                progress(f"{summary.name}: {summary.status}")
            if healthy and summary.state == "running" and summary.health == "unhealthy" and restarted(
                    summary, started_after):
                raise Conflict(f"{summary.name} is running but unhealthy: {summary.status}", source="docker.wait_for")
            if time.monotonic() > deadline:
                want = "removed" if gone else " or ".join(sorted(wanted))
                if healthy and summary.health:
                    want += " and healthy"
                raise TimedOut(f"{summary.name} is {summary.state}"
                               f"{f' ({summary.health})' if summary.health else ''}, expected {want}",
                               source="docker.wait_for")
            time.sleep(0.2)

    # -- mutations (listed in MUTATIONS; each takes an explicit timeout) ----------------
    def start(self, container_id: str, *, timeout: float) -> None:
        with self._translated("start"):
            self._client(timeout).start(container_id)

    def stop(self, container_id: str, *, timeout: float) -> None:
        grace = grace_seconds(timeout)
        with self._translated("stop"):
            self._client(timeout - grace).stop(container_id, timeout=grace)

    def restart(self, container_id: str, *, timeout: float) -> None:
        grace = grace_seconds(timeout)
        with self._translated("restart"):
            self._client(timeout - grace).restart(container_id, timeout=grace)

    def kill(self, container_id: str, *, timeout: float, signal: str = "SIGKILL") -> None:
        with self._translated("kill"):
            self._client(timeout).kill(container_id, signal=signal)

    def pause(self, container_id: str, *, timeout: float) -> None:
        with self._translated("pause"):
            self._client(timeout).pause(container_id)

    def unpause(self, container_id: str, *, timeout: float) -> None:
        with self._translated("unpause"):
            self._client(timeout).unpause(container_id)

    def remove(self, container_id: str, *, timeout: float, force: bool = False) -> None:
        """Remove a container (``force`` kills a running one first); volumes are kept."""
        with self._translated("remove"):
            self._client(timeout).remove_container(container_id, force=force, v=False)

