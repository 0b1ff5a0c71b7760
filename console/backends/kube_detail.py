"""Describe, YAML and logs for one Kubernetes object (read-only, raw JSON underneath)."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from typing import Any

import urllib3
import yaml
from kubernetes.watch.watch import iter_resp_lines

from console.backends.kube_http import KubeHttp, resource_path, translate
from console.backends.kube_rows import parse_time, to_row
from console.errors import InvalidInput, NotFound, OpsError, TimedOut
from console.models.kubernetes import COLUMNS, KINDS, Condition, KubeDescription, KubeEvent
from console.text import MASK, looks_secret, mask_secrets_value

PLURAL_OF_KIND = {
    "Pod": "pods", "Deployment": "deployments", "ReplicaSet": "replicasets", "StatefulSet": "statefulsets",
    "DaemonSet": "daemonsets", "Job": "jobs", "CronJob": "cronjobs", "Service": "services", "Node": "nodes",
    "Event": "events", "Secret": "secrets", "ConfigMap": "configmaps",
}
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_LOG_LINES = 20_000
MAX_EVENTS = 20


def get_object(http: KubeHttp, kind: str, namespace: str | None, name: str) -> dict[str, Any]:
    return http.json("GET", resource_path(kind, namespace, name), call=f"kubernetes.get {kind} {name}")


def _controller(meta: dict[str, Any]) -> dict[str, Any] | None:
    refs = meta.get("ownerReferences") or []
    return next((r for r in refs if r.get("controller")), refs[0] if refs else None)


def owner_chain(http: KubeHttp, obj: dict[str, Any], depth: int = 4) -> tuple[str, ...]:
    """("ReplicaSet/web-6d8f", "Deployment/web"): the controllers, nearest first."""
    chain: list[str] = []
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace")
    for _ in range(depth):
        ref = _controller(meta)
        if ref is None:
            break
        chain.append(f"{ref.get('kind', '')}/{ref.get('name', '')}")
        plural = PLURAL_OF_KIND.get(str(ref.get("kind")))
        if plural is None:
            break
        try:
            meta = get_object(http, plural, namespace, str(ref.get("name", ""))).get("metadata") or {}
        except NotFound:
            chain[-1] += " (gone)"
            break
    return tuple(chain)


def events_for(http: KubeHttp, obj: dict[str, Any]) -> tuple[KubeEvent, ...]:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or None
    if obj.get("kind") == "Node" or not meta.get("uid"):
        # kubelets record node events with the node's *name* as involvedObject.uid (kubectl copes too)
        selector = f"involvedObject.name={meta.get('name', '')}" + (",involvedObject.kind=Node" if obj.get("kind") == "Node" else "")
    else:
        selector = f"involvedObject.uid={meta['uid']}"
    data = http.json("GET", resource_path("events", namespace or "*"), query={"fieldSelector": selector},
                     call=f"kubernetes.events {meta.get('name', '')}")
    events = []
    for ev in data.get("items") or []:
        inv = ev.get("involvedObject") or {}
        last = parse_time(ev.get("lastTimestamp")) or parse_time(ev.get("eventTime")) or \
            parse_time((ev.get("metadata") or {}).get("creationTimestamp"))
        events.append(KubeEvent(type=str(ev.get("type", "Normal")), reason=str(ev.get("reason", "")),
                                message=str(ev.get("message", "")), count=int(ev.get("count") or 1),
                                last_seen=last, object=f"{inv.get('kind', '')}/{inv.get('name', '')}"))
    events.sort(key=lambda e: e.last_seen.timestamp() if e.last_seen else 0.0, reverse=True)
    return tuple(events[:MAX_EVENTS])


def _container_fields(spec_c: dict[str, Any], status_c: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    def state_text(state: dict[str, Any]) -> str:
        for name, detail in (state or {}).items():
            detail = detail or {}
            reason = detail.get("reason", "")
            extra = f" (exit {detail['exitCode']})" if "exitCode" in detail else ""
            return f"{name.capitalize()}{': ' + reason if reason else ''}{extra}"
        return "<none>"

    return (("Image", str(spec_c.get("image", ""))), ("State", state_text(status_c.get("state") or {})),
            ("Last State", state_text(status_c.get("lastState") or {})), ("Ready", str(status_c.get("ready", False))),
            ("Restart Count", str(status_c.get("restartCount", 0))))


def describe(http: KubeHttp, kind: str, namespace: str | None, name: str) -> KubeDescription:
    obj = get_object(http, kind, namespace, name)
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    row = to_row(kind, obj) if kind in KINDS else None
    fields: list[tuple[str, str]] = [
        ("Labels", ", ".join(f"{k}={v}" for k, v in sorted((meta.get("labels") or {}).items())) or "<none>"),
        ("Annotations", ", ".join(f"{k}={v}" for k, v in sorted((meta.get("annotations") or {}).items())
                                  if k != LAST_APPLIED) or "<none>"),
        ("Created", str(meta.get("creationTimestamp", "<unknown>"))),
    ]
    if row is not None:
        fields += [(col.title(), c) for col, c in zip(COLUMNS[kind], row.cells, strict=True)
                   if isinstance(c, str) and col not in ("AGE",)]
    if "replicas" in spec:
        fields.append(("Replicas", f"{spec['replicas']} desired"))
    containers = []
    if kind == "pods":
        statuses = {c.get("name"): c for c in status.get("containerStatuses") or []}
        containers = [(str(c.get("name", "")), _container_fields(c, statuses.get(c.get("name"), {})))
                      for c in spec.get("containers") or []]
    conditions = tuple(Condition(type=str(c.get("type", "")), status=str(c.get("status", "")),
                                 reason=str(c.get("reason", "")), message=str(c.get("message", "")),
                                 since=parse_time(c.get("lastTransitionTime")))
                       for c in status.get("conditions") or [])
    return KubeDescription(kind=kind, namespace=str(meta.get("namespace") or ""), name=name, fields=tuple(fields),
                           conditions=conditions, owners=owner_chain(http, obj), events=events_for(http, obj),
                           containers=tuple(containers), problem=row.problem if row else "")


def _mask_env(pod_spec: dict[str, Any]) -> None:
    for c in (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or []):
        for env in c.get("env") or []:
            if isinstance(env, dict) and "value" in env and looks_secret(str(env.get("name", ""))):
                env["value"] = MASK


def masked_object(obj: dict[str, Any], reveal: bool = False) -> dict[str, Any]:
    """A copy without managedFields; Secret data and secret-looking env values masked unless ``reveal``."""
    obj = copy.deepcopy(obj)
    meta = obj.get("metadata") or {}
    meta.pop("managedFields", None)
    if not reveal:
        if obj.get("kind") == "Secret":
            for key in ("data", "stringData"):
                if isinstance(obj.get(key), dict):
                    obj[key] = {k: MASK for k in obj[key]}
            (meta.get("annotations") or {}).pop(LAST_APPLIED, None)
        _mask_last_applied(meta)
        spec = obj.get("spec") or {}
        for pod_spec in (spec, (spec.get("template") or {}).get("spec") or {},
                         (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec") or {}):
            if isinstance(pod_spec, dict):
                _mask_env(pod_spec)
        return mask_secrets_value(obj)  # by value too: URLs, --password x, tokens, annotations
    return obj


def _mask_last_applied(meta: dict[str, Any]) -> None:
    """``kubectl apply`` keeps the whole manifest in an annotation: mask it like the object."""
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or LAST_APPLIED not in annotations:
        return
    try:
        applied = json.loads(str(annotations[LAST_APPLIED]))
    except ValueError:
        applied = None
    if not isinstance(applied, dict):
        annotations[LAST_APPLIED] = MASK  # cannot be read, so cannot be masked piecewise
        return
    annotations[LAST_APPLIED] = json.dumps(masked_object(applied), separators=(",", ":"), sort_keys=True)


def masked_yaml(obj: dict[str, Any], reveal: bool = False) -> str:
    return yaml.safe_dump(masked_object(obj, reveal), sort_keys=False, allow_unicode=True)


def _log_query(container: str | None, previous: bool, tail: int | None, since_seconds: int | None,
               timestamps: bool = False, follow: bool = False) -> dict[str, Any]:
    return {"container": container, "previous": "true" if previous else None,
            "tailLines": tail, "sinceSeconds": since_seconds, "timestamps": "true" if timestamps else None,
            "follow": "true" if follow else None}


def read_logs(http: KubeHttp, namespace: str, pod: str, container: str | None = None, previous: bool = False,
              tail: int | None = 500, since_seconds: int | None = None, timestamps: bool = False) -> tuple[str, ...]:
    text = http.text(resource_path("pods", namespace, pod, "log"),
                     query=_log_query(container, previous, tail, since_seconds, timestamps),
                     call=f"kubernetes.logs {namespace}/{pod}")
    lines = text.splitlines()
    return tuple(lines[-MAX_LOG_LINES:])


def follow_logs(http: KubeHttp, namespace: str, pod: str, stop: threading.Event, container: str | None = None,
                tail: int | None = 100, since_seconds: int | None = None, timestamps: bool = False) -> Iterator[str]:
    """Yield lines as the container writes them until ``stop`` is set or the stream ends."""
    call = f"kubernetes.logs.follow {namespace}/{pod}"
    resp = http.raw("GET", resource_path("pods", namespace, pod, "log"),
                    query=_log_query(container, False, tail, since_seconds, timestamps, follow=True),
                    timeout=(min(http.timeout, 10.0), None), call=call)
    watcher = threading.Thread(target=lambda: (stop.wait(), resp.shutdown()), daemon=True, name="kube-log-stop")
    watcher.start()
    try:
        for line in iter_resp_lines(resp):
            if stop.is_set():
                return
            yield line
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        if not stop.is_set():
            raise translate(exc, call) from exc
    finally:
        stop.set()
        resp.release_conn()


def containers_of(http: KubeHttp, kind: str, namespace: str, name: str) -> tuple[tuple[str, str], ...]:
    """(pod, container) for every container of every pod the workload selects."""
    return tuple((str((p.get("metadata") or {}).get("name", "")), str(c.get("name", "")))
                 for p in pods_of(http, kind, namespace, name) for c in (p.get("spec") or {}).get("containers") or [])


def pods_of(http: KubeHttp, kind: str, namespace: str, name: str) -> list[dict[str, Any]]:
    """The pods a workload selects (by its matchLabels)."""
    if kind == "pods":
        return [get_object(http, "pods", namespace, name)]
    obj = get_object(http, kind, namespace, name)
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if kind == "jobs" and not labels:
        labels = {"job-name": name}
    selector = ",".join(f"{k}={v}" for k, v in labels.items())
    data = http.list_all(resource_path("pods", namespace), query={"labelSelector": selector},
                         call=f"kubernetes.pods-of {kind}/{name}")
    return [p for p in data.get("items") or [] if isinstance(p, dict)]


def workload_logs(http: KubeHttp, kind: str, namespace: str, name: str, tail: int | None = 200,
                  previous: bool = False, since_seconds: int | None = None,
                  timestamps: bool = False) -> tuple[str, ...]:
    """Every container of every selected pod, merged by timestamp, each line prefixed
    [pod/container] (after its timestamp, with ``timestamps``)."""
    stamped: list[tuple[str, str]] = []
    failed: list[str] = []
    for pod in pods_of(http, kind, namespace, name):
        pname = (pod.get("metadata") or {}).get("name", "")
        for c in (pod.get("spec") or {}).get("containers") or []:
            cname = c.get("name", "")
            try:
                lines = read_logs(http, namespace, pname, cname, previous=previous, tail=tail,
                                  since_seconds=since_seconds, timestamps=True)
            except InvalidInput:
                continue  # e.g. no previous container for this one
            except TimedOut:
                raise  # the server is sick: one timeout, not one per container
            except OpsError as exc:  # one pod's log (gone, 404, 403, 500) must not hide the others'
                failed.append(f"[{pname}/{cname}] log unavailable: {exc.title}: {exc.body}")
                continue
            for line in lines:
                stamp, _, text = line.partition(" ")
                stamped.append((stamp, f"{stamp} [{pname}/{cname}] {text}" if timestamps
                                else f"[{pname}/{cname}] {text}"))
    stamped.sort(key=lambda item: item[0])
    return tuple(failed) + tuple(text for _, text in stamped[-MAX_LOG_LINES:])
