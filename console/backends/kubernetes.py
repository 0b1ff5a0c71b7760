"""KubernetesBackend: the Clusters tab's adapter (sync; run it in thread workers).

Reads come from watch caches (console.backends.kube_watch) or one-off lists, as frozen
``KubeRow``s; describe/YAML/logs from console.backends.kube_detail. Mutations take a
keyword ``timeout`` and are listed in ``MUTATIONS``; screens reach them only through
guarded ActionSpecs. Every failure is a console.errors type (translated in kube_http).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from console.backends import kube_detail, kube_verify
from console.backends.base import BackendInfo
from console.backends.kube_client import KubeContext, default_namespace, list_contexts, make_api_client, resolve_context
from console.backends.kube_http import MERGE, STRATEGIC, KubeHttp, resource_path
from console.backends.kube_rows import to_row
from console.backends.kube_watch import WatchCache
from console.backends.rollout import RolloutBackend
from console.config import Config
from console.errors import Denied, InvalidInput, OpsError, Unavailable
from console.models.kubernetes import CLUSTER_SCOPED, KINDS, RESTARTABLE, SCALABLE, KubeDescription, KubeRow

ALL = "*"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
KEEP_RECENT = 3  # watch caches kept running besides the pinned ones (see KubernetesBackend.watch)


class KubernetesBackend:
    MUTATIONS = frozenset({"delete_pod", "scale", "rollout_restart", "cordon", "uncordon", "trigger_cronjob",
                           "suspend_cronjob", "resume_cronjob"})

    generation = 0  # Services' switch count when this was created (see console.services)

    def __init__(self, config: Config) -> None:
        self.config = config
        self._rollout: RolloutBackend | None = None
        self._connect_lock = threading.Lock()
        self.timeout = config.kubernetes.timeout
        self._ctx: KubeContext | None = None
        self._namespace = config.kubernetes.namespace or ""
        self._http: KubeHttp | None = None
        self._watches: dict[tuple[str, str], WatchCache] = {}  # in order of last use
        self._pinned: set[tuple[str, str]] = set()  # kept whatever is shown (Triage, multi-context)
        self._lock = threading.Lock()

    # -- connection ------------------------------------------------------------------------
    def connect(self) -> BackendInfo:
        ctx = resolve_context(self.config)
        self._namespace = default_namespace(self.config, ctx)
        http = KubeHttp(make_api_client(self.config, ctx.name), self.timeout)
        version = http.json("GET", "/version", call="kubernetes.connect /version")
        self._ctx, self._http = ctx, http
        return BackendInfo(name="kubernetes", target=f"{ctx.name}/{self._namespace}",
                           version=str(version.get("gitVersion", "")), identity=ctx.user,
                           production=self.config.is_production_context(ctx.name),
                           extra={"context": ctx.name, "namespace": self._namespace, "server": ctx.server})

    def connected_http(self) -> KubeHttp:
        """The client, connecting first when nothing has yet (the rollout part uses this)."""
        with self._connect_lock:
            if self._http is None:
                self.connect()
            return self.http

    @property
    def rollout(self) -> RolloutBackend:
        """Deployment revisions, plans and rollouts on this backend's own client and context."""
        with self._lock:
            if self._rollout is None:
                self._rollout = RolloutBackend(self.config, owner=self)
            return self._rollout

    def close(self) -> None:
        with self._lock:
            watches, self._watches = list(self._watches.values()), {}
            self._pinned = set()
        for w in watches:
            w.stop(timeout=0.2)  # may run on the UI thread (Services.replace): never wait long
        if self._http is not None:
            self._http.api.close()
            self._http = None

    @property
    def connected(self) -> bool:
        return self._http is not None

    @property
    def http(self) -> KubeHttp:
        if self._http is None:
            raise Unavailable("not connected", source="kubernetes")
        return self._http

    @property
    def context(self) -> str:
        return self._ctx.name if self._ctx else (self.config.kubernetes.context or "")

    @property
    def namespace(self) -> str:
        """The namespace in view; "*" means all namespaces."""
        return self._namespace

    @property
    def production(self) -> bool:
        return self.config.is_production_context(self.context)

    def contexts(self) -> tuple[KubeContext, ...]:
        return list_contexts(self.config)

    def probe_context(self, name: str, timeout: float = 3.0) -> str:
        """"" when the context's API answers /version, else why not (never raises)."""
        try:
            http = KubeHttp(make_api_client(self.config, name), timeout)
            try:
                http.json("GET", "/version", call=f"kubernetes.probe {name}")
            finally:
                http.api.close()
        except OpsError as exc:
            return f"{exc.title}: {exc.body}"
        return ""

    def namespaces(self) -> tuple[str, ...]:
        data = self.http.list_all(resource_path("namespaces"), call="kubernetes.list namespaces")
        return tuple(sorted(str((n.get("metadata") or {}).get("name", "")) for n in data.get("items") or []))

    def namespace_choices(self, recent: tuple[str, ...] = ()) -> tuple[tuple[str, ...], str]:
        """(namespaces, note) for the picker: all of them when the user may list namespaces; else
        (a namespace-scoped user, 403) the context's, the one in view and ``recent``, and why."""
        try:
            return self.namespaces(), ""
        except Denied as exc:
            own = self._ctx.namespace if self._ctx is not None else ""
            names = dict.fromkeys(n for n in (own, self._namespace, *recent) if n and n != ALL)
            return tuple(names), f"listing namespaces is not allowed here ({exc.body}); pick one or type a name"

    # -- reads -------------------------------------------------------------------------------
    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in KINDS:
            raise InvalidInput(f"unknown kind {kind!r} (known: {', '.join(KINDS)})", source="kubernetes")

    def _scope(self, kind: str, namespace: str | None) -> str:
        return ALL if kind in CLUSTER_SCOPED else (namespace or self._namespace or ALL)

    def list(self, kind: str, namespace: str | None = None, label_selector: str = "") -> tuple[KubeRow, ...]:
        """One list call (no cache). ``namespace`` "*" = all namespaces."""
        self._check_kind(kind)
        data = self.http.list_all(resource_path(kind, self._scope(kind, namespace)),
                                  query={"labelSelector": label_selector or None}, call=f"kubernetes.list {kind}")
        return tuple(to_row(kind, obj) for obj in data.get("items") or [] if isinstance(obj, dict))

    def watch(self, kind: str, namespace: str | None = None, on_change: Callable[[], None] | None = None,
              keep_others: bool = False) -> WatchCache:
        """The running watch cache for kind+scope (started on first call).

        The ``KEEP_RECENT`` most recently used caches keep running, so going back to the
        kind seen a moment ago (pods → deployments → pods at 20k pods) does not list it all
        again; older ones stop, except those asked for with ``keep_others`` (pinned)."""
        self._check_kind(kind)
        key = (kind, self._scope(kind, namespace))
        with self._lock:
            cache = self._watches.pop(key, None)
            if cache is not None and not cache.running:
                cache = None
            if cache is None:
                cache = WatchCache(self.http, kind, key[1], on_change).start()
            elif on_change is not None:
                cache.on_change = on_change
            self._watches[key] = cache  # the most recent last
            if keep_others:
                self._pinned.add(key)
            unpinned = [k for k in self._watches if k not in self._pinned]
            old = unpinned[:-KEEP_RECENT] if len(unpinned) > KEEP_RECENT else []
            stale = [self._watches.pop(k) for k in old]
        for w in stale:
            w.stop(timeout=0.5)
        return cache

    def describe(self, kind: str, namespace: str | None, name: str) -> KubeDescription:
        return kube_detail.describe(self.http, kind, namespace, name)

    def yaml(self, kind: str, namespace: str | None, name: str, reveal: bool = False) -> str:
        """The object as YAML; Secret data and secret-looking env masked unless ``reveal``
        (callers reveal only through a guarded, audited action)."""
        return kube_detail.masked_yaml(kube_detail.get_object(self.http, kind, namespace, name), reveal=reveal)

    def masked_object(self, kind: str, namespace: str | None, name: str, reveal: bool = False) -> dict[str, Any]:
        """The object as a dict, masked like ``yaml()``."""
        return kube_detail.masked_object(kube_detail.get_object(self.http, kind, namespace, name), reveal=reveal)

    def logs(self, namespace: str, pod: str, container: str | None = None, previous: bool = False,
             tail: int | None = None, since_seconds: int | None = None, timestamps: bool = False) -> tuple[str, ...]:
        """``tail`` None: config.kubernetes.log_tail; -1: everything the server keeps."""
        tail = self.config.kubernetes.log_tail if tail is None else tail
        return kube_detail.read_logs(self.http, namespace, pod, container, previous, None if tail < 0 else tail,
                                     since_seconds, timestamps)

    def containers_of(self, kind: str, namespace: str, name: str) -> tuple[tuple[str, str], ...]:
        """(pod, container) pairs of a workload (or of one pod)."""
        return kube_detail.containers_of(self.http, kind, namespace, name)

    def follow_logs(self, namespace: str, pod: str, stop: threading.Event, container: str | None = None,
                    tail: int | None = None, since_seconds: int | None = None,
                    timestamps: bool = False) -> Iterator[str]:
        tail = self.config.kubernetes.log_tail if tail is None else tail
        return kube_detail.follow_logs(self.http, namespace, pod, stop, container, tail, since_seconds, timestamps)

    def workload_logs(self, kind: str, namespace: str, name: str, tail: int | None = None,
                      previous: bool = False, since_seconds: int | None = None,
                      timestamps: bool = False) -> tuple[str, ...]:
        """Every container of the workload's pods, merged by time, prefixed [pod/container]."""
        tail = self.config.kubernetes.log_tail if tail is None else tail
        return kube_detail.workload_logs(self.http, kind, namespace, name, None if tail < 0 else tail, previous,
                                         since_seconds, timestamps)

    def get(self, kind: str, namespace: str | None, name: str) -> dict[str, Any]:
        """The raw object (for previews and verification)."""
        return kube_detail.get_object(self.http, kind, namespace, name)

    # -- mutations ------------------------------------------------------------------------------
    def _patch(self, kind: str, namespace: str | None, name: str, body: dict[str, Any], timeout: float,
               sub: str | None = None, dry_run: bool = False, content_type: str = STRATEGIC) -> dict[str, Any]:
        return self.http.json("PATCH", resource_path(kind, namespace, name, sub), body=body, content_type=content_type,
                              query={"dryRun": "All" if dry_run else None}, timeout=timeout,
                              call=f"kubernetes.patch {kind} {name}")

    def delete_pod(self, namespace: str, name: str, *, timeout: float) -> str:
        obj = self.http.json("DELETE", resource_path("pods", namespace, name), timeout=timeout,
                             call=f"kubernetes.delete pod {name}")
        return str((obj.get("metadata") or {}).get("uid", ""))

    def _check_scalable(self, kind: str) -> None:
        if kind not in SCALABLE:
            raise InvalidInput(f"{kind} cannot be scaled (scalable: {', '.join(sorted(SCALABLE))})", source="kubernetes.scale")

    def scale_preview(self, kind: str, namespace: str, name: str, replicas: int, *, timeout: float) -> tuple[int, int]:
        """(current, after) replicas as the server's dry run (dryRun=All) answers them."""
        self._check_scalable(kind)
        current = self.http.json("GET", resource_path(kind, namespace, name, "scale"), timeout=timeout,
                                 call=f"kubernetes.scale {kind} {name}")
        after = self._patch(kind, namespace, name, {"spec": {"replicas": replicas}}, timeout, "scale", True, MERGE)
        return int((current.get("spec") or {}).get("replicas") or 0), int((after.get("spec") or {}).get("replicas") or 0)

    def scale(self, kind: str, namespace: str, name: str, replicas: int, *, timeout: float) -> int:
        """Set spec.replicas through the scale subresource; returns the previous count."""
        self._check_scalable(kind)
        if replicas < 0:
            raise InvalidInput(f"replicas must be >= 0, got {replicas}", source="kubernetes.scale")
        before = self.http.json("GET", resource_path(kind, namespace, name, "scale"), timeout=timeout,
                                call=f"kubernetes.scale {kind} {name}")
        self._patch(kind, namespace, name, {"spec": {"replicas": replicas}}, timeout, "scale", False, MERGE)
        return int((before.get("spec") or {}).get("replicas") or 0)

    def rollout_restart(self, kind: str, namespace: str, name: str, *, timeout: float) -> str:
        """Patch the pod template's restartedAt annotation (what kubectl rollout restart does)."""
        if kind not in RESTARTABLE:
            raise InvalidInput(f"{kind} has no rollout (restartable: {', '.join(sorted(RESTARTABLE))})",
                               source="kubernetes.rollout_restart")
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        self._patch(kind, namespace, name, body, timeout)
        return stamp

    def cordon(self, node: str, *, timeout: float) -> None:
        self._patch("nodes", None, node, {"spec": {"unschedulable": True}}, timeout)

    def uncordon(self, node: str, *, timeout: float) -> None:
        self._patch("nodes", None, node, {"spec": {"unschedulable": None}}, timeout)

    def suspend_cronjob(self, namespace: str, name: str, *, timeout: float) -> None:
        self._patch("cronjobs", namespace, name, {"spec": {"suspend": True}}, timeout)

    def resume_cronjob(self, namespace: str, name: str, *, timeout: float) -> None:
        self._patch("cronjobs", namespace, name, {"spec": {"suspend": False}}, timeout)

    def trigger_cronjob(self, namespace: str, name: str, *, timeout: float) -> str:
        """Create a Job from the CronJob's template now (kubectl create job --from=cronjob/NAME)."""
        cron = self.http.json("GET", resource_path("cronjobs", namespace, name), timeout=timeout,
                              call=f"kubernetes.get cronjob {name}")
        template = (cron.get("spec") or {}).get("jobTemplate") or {}
        meta = cron.get("metadata") or {}
        job_name = f"{name}-manual-{int(time.time()) % 1_000_000:06d}"[:63]
        job = {"apiVersion": "batch/v1", "kind": "Job",
               "metadata": {"name": job_name, "namespace": namespace,
                            "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                            "annotations": {"cronjob.kubernetes.io/instantiate": "manual"},
                            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": name,
                                                 "uid": meta.get("uid", ""), "controller": True}]},
               "spec": template.get("spec") or {}}
        created = self.http.json("POST", resource_path("jobs", namespace), body=job, timeout=timeout,
                                 call=f"kubernetes.create job from cronjob {name}")
        return str((created.get("metadata") or {}).get("name", job_name))

    # -- verification (used by guarded actions; see console.backends.kube_verify) --------------
    def verify_scale(self, kind: str, namespace: str, name: str, replicas: int, progress: Callable[[str], None],
                     deadline: float) -> None:
        kube_verify.verify_scale(self, kind, namespace, name, replicas, progress, deadline)

    def verify_restart(self, kind: str, namespace: str, name: str, stamp: str, progress: Callable[[str], None],
                       deadline: float) -> None:
        kube_verify.verify_restart(self, kind, namespace, name, RESTARTED_AT, stamp, progress, deadline)

    def verify_field(self, kind: str, namespace: str | None, name: str, field: str, want: bool,
                     progress: Callable[[str], None], deadline: float) -> None:
        kube_verify.verify_field(self, kind, namespace, name, field, want, progress, deadline)
