"""The asyncio side of the Kubernetes sandbox: kmock's emulator with the fixes we need.

kmock 0.8 stores objects and serves HTTP; on its own it does not understand the
client's ``watch=True``, resource versions, label/field selectors, ``/version/``, the
``/log`` and ``/scale`` subresources or ``dryRun``. This subclass answers every
Kubernetes resource request itself, on top of kmock's object store and HTTP server, so
the official client sees a small but faithful API server:

- list: ``labelSelector`` / ``fieldSelector``, ``metadata.resourceVersion``;
- watch (``watch=true|True|1``): from a ``resourceVersion`` out of a bounded history,
  ``410 Gone`` (an ERROR event) when that version was compacted, ``timeoutSeconds``;
- create (``generateName``, uid, creationTimestamp), patch (JSON patch, merge patch,
  strategic merge of named lists), replace, delete — all with ``dryRun``;
- ``pods/NAME/log`` as text/plain from a per-container log store (tail, since,
  previous, follow); ``deployments|statefulsets|replicasets/NAME/scale``.

No controllers run: tests and the seed set status and child objects themselves.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp.web
import attrs
import jsonpatch
import jsonpointer
from kmock import KubernetesEmulator, Request, resource
from kmock._internal import aiobus, dicts

from console.sandbox.kube_paging import PAGER
from console.sandbox.kube_selectors import SelectorError, matches_fields, matches_labels
from console.sandbox.kube_streams import StreamError, serve_log, serve_watch

# plural -> (group, version, kind, namespaced)
KINDS: dict[str, tuple[str, str, str, bool]] = {
    "namespaces": ("", "v1", "Namespace", False),
    "nodes": ("", "v1", "Node", False),
    "pods": ("", "v1", "Pod", True),
    "services": ("", "v1", "Service", True),
    "events": ("", "v1", "Event", True),
    "secrets": ("", "v1", "Secret", True),
    "configmaps": ("", "v1", "ConfigMap", True),
    "deployments": ("apps", "v1", "Deployment", True),
    "replicasets": ("apps", "v1", "ReplicaSet", True),
    "statefulsets": ("apps", "v1", "StatefulSet", True),
    "daemonsets": ("apps", "v1", "DaemonSet", True),
    "controllerrevisions": ("apps", "v1", "ControllerRevision", True),
    "jobs": ("batch", "v1", "Job", True),
    "cronjobs": ("batch", "v1", "CronJob", True),
    "leases": ("coordination.k8s.io", "v1", "Lease", True),
}
PLURAL_OF_KIND = {kind: plural for plural, (_, _, kind, _) in KINDS.items()}
SCALABLE = frozenset({"deployments", "statefulsets", "replicasets"})

SERVER_VERSION = {
    "major": "1", "minor": "30", "gitVersion": "v1.30.0-kmock", "gitCommit": "sandbox",
    "gitTreeState": "clean", "buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.22",
    "compiler": "gc", "platform": "linux/amd64",
}


class ApiError(Exception):
    """An error answered as a Kubernetes Status object."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message

    def status(self) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
                "code": self.code, "reason": self.reason, "message": self.message}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def api_version(plural: str) -> str:
    group, version, _, _ = KINDS[plural]
    return f"{group}/{version}" if group else version


def strategic_merge(base: Any, patch: Any) -> Any:
    """Merge like kmock, but lists of named dicts merge by ``name`` (containers, ports)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = strategic_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if _named_list(base) and _named_list(patch):
        merged = {item["name"]: item for item in base}
        order = [item["name"] for item in base]
        for item in patch:
            if item["name"] in merged:
                merged[item["name"]] = strategic_merge(merged[item["name"]], item)
            else:
                order.append(item["name"])
                merged[item["name"]] = copy.deepcopy(item)
        return [merged[name] for name in order]
    return copy.deepcopy(patch)


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "name" in i for i in value)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


@attrs.define(kw_only=True)
class SandboxKubeEmulator(KubernetesEmulator):
    """kmock's emulator answering Kubernetes requests itself (see the module docstring)."""

    history_limit: int = 50_000
    _rv: int = attrs.field(default=1000, init=False)
    _history: collections.deque = attrs.field(factory=collections.deque, init=False)
    _compacted_rv: int = attrs.field(default=0, init=False)  # watches from before this get 410
    _streams: dict[str, aiobus.Bus] = attrs.field(factory=dict, init=False)
    _logs: dict[tuple[str, str, str, bool], list[str]] = attrs.field(factory=dict, init=False)
    _log_changed: asyncio.Condition | None = attrs.field(default=None, init=False)
    _watchers: set[asyncio.Task] = attrs.field(factory=set, init=False)  # open watch/log streams
    _inflight: set[asyncio.Task] = attrs.field(factory=set, init=False)  # every request being answered

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for plural, (group, version, kind, namespaced) in KINDS.items():
            subresources = ["status"] + (["scale"] if plural in SCALABLE else []) + (["log"] if plural == "pods" else [])
            self.resources[resource(group, version, plural)] = {
                "kind": kind, "singular": kind.lower(), "namespaced": namespaced,
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                "shortnames": [], "categories": ["all"], "subresources": subresources,
            }

    # -- the store (call on the loop) ---------------------------------------------------
    def _key(self, plural: str, namespace: str | None, name: str) -> tuple:
        group, version, _, namespaced = KINDS[plural]
        return (resource(group, version, plural), namespace if namespaced else None, name)

    def get_object(self, plural: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        key = self._key(plural, namespace, name)
        if key not in self._objects or self._objects[key].deleted:
            return None
        return self._objects[key].raw

    def list_objects(self, plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        group, version, _, _ = KINDS[plural]
        res = resource(group, version, plural)
        return [obj.raw for (r, ns, _), obj in self._objects.items()
                if r == res and not obj.deleted and (namespace is None or ns == namespace)]

    def _bus(self, plural: str) -> aiobus.Bus:
        if plural not in self._streams:
            self._streams[plural] = aiobus.Bus()
        return self._streams[plural]

    async def store(self, plural: str, obj: dict[str, Any], event: str) -> dict[str, Any]:
        """Write ``obj`` (ADDED/MODIFIED) or remove it (DELETED), with a new resourceVersion."""
        self._rv += 1
        meta = obj.setdefault("metadata", {})
        meta["resourceVersion"] = str(self._rv)
        obj.setdefault("apiVersion", api_version(plural))
        obj.setdefault("kind", KINDS[plural][2])
        key = self._key(plural, meta.get("namespace"), meta["name"])
        if event == "DELETED":
            if key in self._objects:
                del self._objects[key]
        else:  # one version per object: a long sandbox session or a benchmark must not grow without end
            self._objects[key] = obj
        item = {"type": event, "object": obj}
        self._history.append((self._rv, plural, item))
        while len(self._history) > self.history_limit:
            self._compacted_rv = self._history.popleft()[0]
        await self._bus(plural).put((self._rv, item))
        return obj

    def stamp_new(self, plural: str, obj: dict[str, Any], namespace: str | None) -> dict[str, Any]:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if KINDS[plural][3]:
            meta["namespace"] = namespace or meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise ApiError(422, "Invalid", f"{plural}: metadata.name or generateName is required")
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        meta.setdefault("uid", str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", now_iso())
        meta.setdefault("generation", 1)
        return obj

    def compact(self) -> None:
        """Forget the watch history: a watch resumed from an older version gets 410 Gone."""
        self._history.clear()
        self._compacted_rv = self._rv + 1

    def drop_watches(self) -> int:
        """End every open watch and log stream, as an API server restart would."""
        tasks = list(self._watchers)
        for task in tasks:
            task.cancel()
        return len(tasks)

    def drop_requests(self) -> None:
        """Abort every request in flight (before the server stops listening)."""
        for task in list(self._inflight):
            if task is not asyncio.current_task():
                task.cancel()

    def reset_state(self) -> None:
        self._objects.clear()
        self._logs.clear()
        self._history.clear()
        self._compacted_rv = self._rv + 1

    async def append_log(self, namespace: str, pod: str, container: str, lines: list[str], previous: bool) -> None:
        self._logs.setdefault((namespace, pod, container, previous), []).extend(lines)
        if self._log_changed is None:
            self._log_changed = asyncio.Condition()
        async with self._log_changed:
            self._log_changed.notify_all()

    # -- HTTP --------------------------------------------------------------------------
    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        # kmock's path parser reads /api/v1/namespaces as a namespace without a name (HTTP 500)
        if (raw_request.method == "GET" and raw_request.path.rstrip("/") == "/api/v1/namespaces"
                and not _truthy(raw_request.query.get("watch"))):
            try:
                return self._json(self._list("namespaces", None, dict(raw_request.query)))
            except SelectorError as exc:
                return aiohttp.web.json_response(ApiError(400, "BadRequest", str(exc)).status(), status=400)
        return await super().__call__(raw_request)

    async def _handle(self, request: Request) -> aiohttp.web.StreamResponse:
        task = asyncio.current_task()
        self._inflight.add(task)
        try:
            return await self._answer(request)
        finally:
            self._inflight.discard(task)

    async def _answer(self, request: Request) -> aiohttp.web.StreamResponse:
        path = request.url.path.rstrip("/")
        if request.method == "GET" and path == "/version":
            return aiohttp.web.json_response(SERVER_VERSION)
        if request.method == "GET" and path in ("/api", "/apis"):  # kmock wants them without the slash
            if path == "/api":
                return self._json({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": request.url.host or "127.0.0.1"}]})
            return self._json(await self._serve_apis(request))
        res = request.resource
        if res is None or not res.plural:
            return await super()._handle(request)  # discovery: /api, /apis, /api/v1, ...
        try:
            if res.plural not in KINDS or KINDS[res.plural][:2] != (res.group, res.version):
                raise ApiError(404, "NotFound", f"the server could not find the requested resource ({res.plural})")
            return await self._dispatch(request, res.plural)
        except ApiError as exc:
            return aiohttp.web.json_response(exc.status(), status=exc.code)
        except StreamError as exc:
            return aiohttp.web.json_response(exc.status(), status=exc.code)
        except SelectorError as exc:
            return aiohttp.web.json_response(ApiError(400, "BadRequest", str(exc)).status(), status=400)

    async def _dispatch(self, request: Request, plural: str) -> aiohttp.web.StreamResponse:
        method, name, sub, ns = request.method, request.name, request.subresource, request.namespace
        params = request.params
        if method == "GET" and name is None:
            if _truthy(params.get("watch")):
                return await self._streaming(serve_watch(self, request, plural, ns))
            return self._json(self._list(plural, ns, params))
        if sub == "log" and plural == "pods" and method == "GET":
            return await self._streaming(serve_log(self, request, ns or "default", name))
        if sub == "scale" and plural in SCALABLE:
            return self._json(await self._scale(request, plural, ns, name))
        if method == "GET":
            return self._json(self.require(plural, ns, name))
        dry_run = bool(params.get("dryRun"))
        if method == "POST" and name is None:
            return self._json(await self._create(plural, ns, request.data, dry_run), status=201)
        if method == "PATCH" and name:
            return self._json(await self._patch(plural, ns, name, request, dry_run))
        if method == "PUT" and name:
            return self._json(await self._replace(plural, ns, name, request.data, dry_run))
        if method == "DELETE" and name:
            return self._json(await self._delete(plural, ns, name, dry_run))
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on {request.url.path}")

    async def _streaming(self, answer: Any) -> aiohttp.web.StreamResponse:
        """Run a (possibly endless) stream answer, registered so drop_watches() can end it."""
        task = asyncio.current_task()
        self._watchers.add(task)
        try:
            return await answer
        finally:
            self._watchers.discard(task)

    @staticmethod
    def _json(payload: Any, status: int = 200) -> aiohttp.web.Response:
        return aiohttp.web.Response(text=json.dumps(payload), status=status, content_type="application/json")

    def require(self, plural: str, ns: str | None, name: str) -> dict[str, Any]:
        obj = self.get_object(plural, ns, name)
        if obj is None:
            raise ApiError(404, "NotFound", f'{plural} "{name}" not found')
        return obj

    def _list(self, plural: str, ns: str | None, params: dict[str, str]) -> dict[str, Any]:
        labels, fields = params.get("labelSelector", ""), params.get("fieldSelector", "")
        items, meta = PAGER.page((id(self), plural, ns, labels, fields), params, str(self._rv), lambda: [  # limit/continue
            o for o in self.list_objects(plural, ns) if matches_labels(o, labels) and matches_fields(o, fields)])
        return {"apiVersion": api_version(plural), "kind": KINDS[plural][2] + "List", "metadata": meta, "items": items}

    async def _create(self, plural: str, ns: str | None, body: Any, dry_run: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", f"{plural}: the request body must be an object")
        async with self._lock:
            obj = self.stamp_new(plural, body, ns)
            meta = obj["metadata"]
            if self.get_object(plural, meta.get("namespace"), meta["name"]) is not None:
                raise ApiError(409, "AlreadyExists", f'{plural} "{meta["name"]}" already exists')
            return obj if dry_run else await self.store(plural, obj, "ADDED")

    async def _patch(self, plural: str, ns: str | None, name: str, request: Request, dry_run: bool) -> dict[str, Any]:
        body, ctype = request.data, request.headers.get("Content-Type", "")
        async with self._lock:
            old = self.require(plural, ns, name)
            try:
                if isinstance(body, list):
                    new = dicts.json_patch_dict(copy.deepcopy(old), body)
                elif isinstance(body, dict) and "merge-patch" in ctype:
                    new = dict(dicts.merge_patch_dict(copy.deepcopy(old), body))
                elif isinstance(body, dict):
                    new = strategic_merge(old, body)
                else:
                    raise ApiError(400, "BadRequest", f"{plural}/{name}: unsupported patch body")
            except (ValueError, TypeError, LookupError, jsonpatch.JsonPatchException,
                    jsonpointer.JsonPointerException) as exc:  # a failed "test" op is 422 on a real server
                raise ApiError(422, "Invalid", f"{plural}/{name}: cannot apply the patch: {exc}") from None
            new = self.finish_update(plural, old, dict(new), dry_run)
            return new if dry_run else await self.store(plural, new, "MODIFIED")

    async def _replace(self, plural: str, ns: str | None, name: str, body: Any, dry_run: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", f"{plural}/{name}: the request body must be an object")
        async with self._lock:
            old = self.require(plural, ns, name)
            sent = str((body.get("metadata") or {}).get("resourceVersion") or "")
            if sent and sent != str(old["metadata"].get("resourceVersion")):  # optimistic concurrency, as a real server
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {plural} "{name}": '
                               "the object has been modified; please apply your changes to the latest version")
            new = self.finish_update(plural, old, copy.deepcopy(body), dry_run)
            return new if dry_run else await self.store(plural, new, "MODIFIED")

    @staticmethod
    def finish_update(plural: str, old: dict, new: dict, dry_run: bool) -> dict:
        meta = new["metadata"] = dict(new.get("metadata") or {})  # never alias the stored version's
        for key in ("name", "namespace", "uid", "creationTimestamp"):
            if key in old.get("metadata", {}):
                meta[key] = old["metadata"][key]
        generation = old.get("metadata", {}).get("generation", 1)
        meta["generation"] = generation + 1 if new.get("spec") != old.get("spec") else generation
        return new

    async def _delete(self, plural: str, ns: str | None, name: str, dry_run: bool) -> dict[str, Any]:
        async with self._lock:
            obj = copy.deepcopy(self.require(plural, ns, name))
            return obj if dry_run else await self.store(plural, obj, "DELETED")

    async def _scale(self, request: Request, plural: str, ns: str | None, name: str) -> dict[str, Any]:
        if request.method in ("PATCH", "PUT"):
            replicas = (request.data or {}).get("spec", {}).get("replicas") if isinstance(request.data, dict) else None
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(422, "Invalid", f"{plural}/{name}/scale: spec.replicas must be a non-negative integer")
            async with self._lock:
                old = self.require(plural, ns, name)
                new = strategic_merge(old, {"spec": {"replicas": replicas}})
                new = self.finish_update(plural, old, new, False)
                obj = new if request.params.get("dryRun") else await self.store(plural, new, "MODIFIED")
        else:
            obj = self.require(plural, ns, name)
        meta = obj["metadata"]
        return {"apiVersion": "autoscaling/v1", "kind": "Scale",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion") if k in meta},
                "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
                "status": {"replicas": obj.get("status", {}).get("replicas", 0)}}
