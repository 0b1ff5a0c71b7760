"""Read a target's current state from an audit record, for reconciliation after a crash.

A probe is ``probe(record, services) -> str``: one line saying what the target shows now
(e.g. ``images web=shop:2.1.0, revision 7, 5/5 ready``). It runs in a worker thread,
bounded by the reconciler's timeout, through the same adapters the tabs use. It never
changes anything. A record for another context/host than the console's is not read
(that would report the wrong cluster): the line says so instead.

Probes are registered per ``(backend, target kind)``; :func:`probe_for` returns None for
a target nobody can read here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from console.models.kubernetes import KINDS
from console.text import strip_control

Probe = Callable[[Mapping[str, Any], Any], str]

_PROBES: dict[tuple[str, str], Probe] = {}


def register_probe(backend: str, kind: str, probe: Probe) -> None:
    _PROBES[(backend, kind)] = probe


def probe_for(record: Mapping[str, Any]) -> Probe | None:
    target = record.get("target") or {}
    return _PROBES.get((str(record.get("backend", "")), str(target.get("kind", "") if isinstance(target, Mapping)
                                                             else "")))


def _line(value: object) -> str:
    return " ".join(strip_control(value).split())[:300]


def _target(record: Mapping[str, Any]) -> Mapping[str, Any]:
    target = record.get("target")
    return target if isinstance(target, Mapping) else {}


# -- Kubernetes ---------------------------------------------------------------------------
def _kube(record: Mapping[str, Any], services: Any) -> tuple[Any, str]:
    kube = services.kubernetes()
    if not kube.connected:  # at start, before the Clusters tab has connected
        kube.connect()
    context = str(kube.context)
    wanted = str(record.get("context", ""))
    if wanted and wanted != context:
        return None, f"not checked: the console is on context {context}, the action was on {wanted}"
    return kube, ""


def _images(spec: Mapping[str, Any]) -> str:
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return ", ".join(f"{c.get('name', '?')}={c.get('image', '?')}" for c in containers if isinstance(c, Mapping))


def kube_workload(record: Mapping[str, Any], services: Any) -> str:
    """Deployments, StatefulSets, DaemonSets, ReplicaSets: images, revision and readiness."""
    kube, why = _kube(record, services)
    if kube is None:
        return why
    target = _target(record)
    kind = f"{target.get('kind', '')}s"
    obj = kube.get(kind, str(record.get("namespace", "")) or None, str(target.get("name", "")))
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    parts = [f"images {_images(spec) or '?'}"]
    revision = (meta.get("annotations") or {}).get("deployment.kubernetes.io/revision")
    if revision:
        parts.append(f"revision {revision}")
    if "replicas" in spec:
        parts.append(f"{int(status.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)} ready")
    if spec.get("paused"):
        parts.append("paused")
    return _line(", ".join(parts))


def kube_node(record: Mapping[str, Any], services: Any) -> str:
    kube, why = _kube(record, services)
    if kube is None:
        return why
    obj = kube.get("nodes", None, str(_target(record).get("name", "")))
    return "cordoned (unschedulable)" if (obj.get("spec") or {}).get("unschedulable") else "schedulable (not cordoned)"


def kube_cronjob(record: Mapping[str, Any], services: Any) -> str:
    kube, why = _kube(record, services)
    if kube is None:
        return why
    obj = kube.get("cronjobs", str(record.get("namespace", "")) or None, str(_target(record).get("name", "")))
    return "suspended" if (obj.get("spec") or {}).get("suspend") else "not suspended"


def kube_pod(record: Mapping[str, Any], services: Any) -> str:
    from console.errors import NotFound

    kube, why = _kube(record, services)
    if kube is None:
        return why
    try:
        obj = kube.get("pods", str(record.get("namespace", "")) or None, str(_target(record).get("name", "")))
    except NotFound:
        return "the pod no longer exists"
    return _line(f"the pod exists, phase {(obj.get('status') or {}).get('phase', '?')}")


# -- Docker -------------------------------------------------------------------------------
def docker_container(record: Mapping[str, Any], services: Any) -> str:
    from console.errors import NotFound

    docker = services.docker()
    host = docker.host
    current = host.name if host.name == host.host else f"{host.name} ({host.host})"
    wanted = str(record.get("context", ""))
    if wanted and wanted != current:
        return f"not checked: the console is on Docker host {current}, the action was on {wanted}"
    target = _target(record)
    try:
        detail = docker.inspect(str(target.get("id") or target.get("name", "")))
    except NotFound:
        return "the container no longer exists"
    summary = getattr(detail, "summary", detail)
    return _line(f"container {getattr(summary, 'state', '?')}: {getattr(summary, 'status', '')}")


for _kind in ("deployment", "statefulset", "daemonset", "replicaset"):
    if f"{_kind}s" in KINDS:
        register_probe("kubernetes", _kind, kube_workload)
register_probe("kubernetes", "node", kube_node)
register_probe("kubernetes", "cronjob", kube_cronjob)
register_probe("kubernetes", "pod", kube_pod)
register_probe("docker", "container", docker_container)
