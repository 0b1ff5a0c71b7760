"""Kubernetes verification: an action is verified when the cluster converged, not when stored.

Each ``verify_*`` function polls through the adapter (any object with ``get(kind, ns,
name)`` and ``http``, i.e. ``KubernetesBackend``) until ``deadline`` (time.monotonic()),
reports the last observed state through ``progress`` on every poll, and raises:

- ``NotConverged`` as soon as the controllers say it cannot converge (ReplicaSet
  ``FailedCreate`` such as a quota, pods ``Unschedulable``, ``ProgressDeadlineExceeded``),
  with the server's reason;
- ``TimedOut`` at the deadline, with the last observed state.

``verify_scale``     ready replicas = target and no surplus pods (scale down);
``verify_restart``   the ReplicaSet with the new template is ready and the old pods are gone
                     (StatefulSet/DaemonSet: every pod updated and ready);
``verify_field``     a spec field reads back (cordon, suspend).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from console.backends.kube_http import resource_path
from console.errors import NotConverged, NotFound, TimedOut

Progress = Callable[[str], None]
INTERVAL = 0.25
SOURCE = "kubernetes.verify"


def poll(check: Callable[[], str | None], progress: Progress, deadline: float, what: str,
         interval: float = INTERVAL) -> None:
    """``check`` returns None when converged, else the state it observed (reported)."""
    note = "not read yet"
    while True:
        try:
            result = check()
        except NotFound:
            result = "not found"
        if result is None:
            return
        note = result
        progress(note)
        if time.monotonic() >= deadline:
            raise TimedOut(f"{what}: last observed {note}", source=SOURCE)
        time.sleep(max(0.0, min(interval, deadline - time.monotonic())))


def _selector(obj: dict[str, Any]) -> str:
    labels = (((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {})
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _pods(adapter: Any, namespace: str, obj: dict[str, Any]) -> list[dict[str, Any]]:
    selector = _selector(obj)
    if not selector:
        return []
    data = adapter.http.json("GET", resource_path("pods", namespace), query={"labelSelector": selector},
                             call=f"{SOURCE} pods of {namespace}/{(obj.get('metadata') or {}).get('name')}")
    return [p for p in data.get("items") or [] if not (p.get("metadata") or {}).get("deletionTimestamp")]


def _failure(adapter: Any, kind: str, namespace: str, obj: dict[str, Any], pods: list[dict[str, Any]]) -> str | None:
    """The controllers' reason why ``obj`` cannot converge, or None."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "ReplicaFailure" and cond.get("status") == "True":
            return f"{cond.get('reason', 'ReplicaFailure')}: {cond.get('message', '')}".strip()
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            return f"ProgressDeadlineExceeded: {cond.get('message', '')}".strip()
    for rs in _replicasets(adapter, kind, namespace, obj):
        for cond in (rs.get("status") or {}).get("conditions") or []:
            if cond.get("type") == "ReplicaFailure" and cond.get("status") == "True":
                return f"{cond.get('reason', 'ReplicaFailure')}: {cond.get('message', '')}".strip()
    for pod in pods:
        for cond in (pod.get("status") or {}).get("conditions") or []:
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False" and cond.get("reason") == "Unschedulable":
                return f"pod {pod['metadata']['name']} Unschedulable: {cond.get('message', '')}".strip()
    return None


def _replicasets(adapter: Any, kind: str, namespace: str, obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The ReplicaSets a Deployment owns (empty for other kinds)."""
    if kind != "deployments":
        return []
    uid = (obj.get("metadata") or {}).get("uid")
    selector = _selector(obj)
    data = adapter.http.json("GET", resource_path("replicasets", namespace), query={"labelSelector": selector or None},
                             call=f"{SOURCE} replicasets of {namespace}/{obj['metadata'].get('name')}")
    return [rs for rs in data.get("items") or []
            if any(ref.get("uid") == uid for ref in (rs.get("metadata") or {}).get("ownerReferences") or [])]


def _counts(kind: str, obj: dict[str, Any]) -> tuple[int, int, int]:
    """(desired, ready, total pods) as the workload's status reports them."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if kind == "daemonsets":
        return (int(status.get("desiredNumberScheduled") or 0), int(status.get("numberReady") or 0),
                int(status.get("currentNumberScheduled") or 0))
    desired = spec.get("replicas")
    return (1 if desired is None else int(desired), int(status.get("readyReplicas") or 0),
            int(status.get("replicas") or 0))


def _observed(obj: dict[str, Any]) -> bool:
    generation = int((obj.get("metadata") or {}).get("generation") or 0)
    return int((obj.get("status") or {}).get("observedGeneration") or 0) >= generation


def verify_scale(adapter: Any, kind: str, namespace: str, name: str, replicas: int, progress: Progress,
                 deadline: float) -> None:
    """Ready replicas = ``replicas`` and no surplus pods; NotConverged on FailedCreate/quota/unschedulable."""
    def check() -> str | None:
        obj = adapter.get(kind, namespace, name)
        desired, ready, total = _counts(kind, obj)
        pods = _pods(adapter, namespace, obj)
        state = f"ready {ready}/{replicas}, {len(pods)} pod(s)"
        if desired != replicas:
            state += f", spec.replicas is {desired} (changed by someone else?)"
        reason = _failure(adapter, kind, namespace, obj, pods)
        if reason and ready < replicas:
            progress(state)
            raise NotConverged(f"{kind} {namespace}/{name} cannot reach {replicas} ready replicas "
                               f"({state}): {reason}", source=SOURCE)
        done = _observed(obj) and desired == replicas and ready == replicas and total == replicas
        return None if done and len(pods) == replicas else state
    poll(check, progress, deadline, f"{kind} {namespace}/{name} not at {replicas} ready replicas")


def _template_annotation(obj: dict[str, Any], key: str) -> str | None:
    meta = (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {})
    return (meta.get("annotations") or {}).get(key)


def verify_restart(adapter: Any, kind: str, namespace: str, name: str, annotation: str, stamp: str,
                   progress: Progress, deadline: float) -> None:
    """The pods carrying the new template (annotation ``annotation`` = ``stamp``) are all ready and
    the old ones gone."""
    def check() -> str | None:
        obj = adapter.get(kind, namespace, name)
        if _template_annotation(obj, annotation) != stamp:
            return "template not updated (someone else changed it?)"
        desired, ready, _ = _counts(kind, obj)
        pods = _pods(adapter, namespace, obj)
        reason = _failure(adapter, kind, namespace, obj, pods)
        if reason:
            raise NotConverged(f"{kind} {namespace}/{name} restart cannot complete: {reason}", source=SOURCE)
        if kind == "deployments":
            new = [rs for rs in _replicasets(adapter, kind, namespace, obj) if _template_annotation(rs, annotation) == stamp]
            new_uid = new[0]["metadata"]["uid"] if new else None
            new_ready = int((new[0].get("status") or {}).get("readyReplicas") or 0) if new else 0
            old = [p for p in pods if not any(r.get("uid") == new_uid for r in p["metadata"].get("ownerReferences") or [])]
            state = f"new ReplicaSet ready {new_ready}/{desired}, {len(old)} old pod(s) left"
            return None if new and new_ready == desired and not old and _observed(obj) else state
        status = obj.get("status") or {}
        updated = int(status.get("updatedReplicas") or status.get("updatedNumberScheduled") or 0)
        state = f"updated {updated}/{desired}, ready {ready}/{desired}"
        if kind == "statefulsets" and status.get("updateRevision") != status.get("currentRevision"):
            return state + ", revision rolling"
        return None if _observed(obj) and updated == desired and ready == desired else state
    poll(check, progress, deadline, f"{kind} {namespace}/{name} restart not complete")


def verify_field(adapter: Any, kind: str, namespace: str | None, name: str, field: str, want: bool,
                 progress: Progress, deadline: float) -> None:
    """``spec.<field>`` reads back as ``want`` (absent = false)."""
    def check() -> str | None:
        value = bool((adapter.get(kind, namespace, name).get("spec") or {}).get(field))
        return None if value == want else f"spec.{field}={str(value).lower()}"
    poll(check, progress, deadline, f"{kind} {name}: spec.{field} not {str(want).lower()}")
