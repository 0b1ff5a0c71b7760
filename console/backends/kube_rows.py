"""Raw API objects (JSON dicts) -> KubeRow, with kubectl's columns and problem classification.

Pure functions, no I/O: the watch cache calls ``to_row(kind, obj)`` for every event.
Raw dicts are used instead of the SDK's models because deserialising 5,000 pods into
V1Pod objects costs seconds; the JSON is already what kubectl itself reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from console.models.kubernetes import KubeRow, Severity, Since

ERROR_WAITING = frozenset({"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                           "InvalidImageName", "RunContainerError", "CreateContainerError"})


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _labels(mapping: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in (mapping or {}).items())) if isinstance(mapping, dict) else ()


def _owner(meta: dict[str, Any]) -> str:
    for ref in meta.get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    refs = meta.get("ownerReferences") or []
    return f"{refs[0].get('kind', '')}/{refs[0].get('name', '')}" if refs else ""


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    kind_spec = obj.get("spec") or {}
    if "jobTemplate" in kind_spec:
        kind_spec = (kind_spec["jobTemplate"] or {}).get("spec") or {}
    return ((kind_spec.get("template") or {}).get("spec")) or {}


def _images(containers: list[dict[str, Any]]) -> str:
    return ",".join(str(c.get("image", "")) for c in containers)


def _base(kind: str, obj: dict[str, Any], cells: tuple, **extra: Any) -> KubeRow:
    meta = _meta(obj)
    return KubeRow(kind=kind, namespace=str(meta.get("namespace") or ""), name=str(meta.get("name", "")),
                   uid=str(meta.get("uid", "")), cells=cells, created=parse_time(meta.get("creationTimestamp")),
                   labels=_labels(meta.get("labels")), owner=_owner(meta),
                   resource_version=str(meta.get("resourceVersion", "")), **extra)


def _age(obj: dict[str, Any]) -> Since | str:
    at = parse_time(_meta(obj).get("creationTimestamp"))
    return Since(at) if at else "<unknown>"


def pod_status(obj: dict[str, Any]) -> tuple[str, str, Severity]:
    """(STATUS column, problem, severity), following kubectl's printer closely."""
    status = obj.get("status") or {}
    phase = str(status.get("phase") or "Unknown")
    reason = str(status.get("reason") or phase)
    statuses = status.get("containerStatuses") or []
    if status.get("reason") == "Evicted":
        return "Evicted", f"Evicted: {status.get('message', '')}".rstrip(": "), Severity.WARNING
    for cs in reversed(statuses):
        state = cs.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
    if _meta(obj).get("deletionTimestamp"):
        return "Terminating", "", Severity.OK
    init = _init_status(obj)
    if init is not None:
        return init
    if reason in ERROR_WAITING:
        msg = next(((cs.get("state") or {}).get("waiting", {}).get("message", "") for cs in statuses
                    if (cs.get("state") or {}).get("waiting", {}).get("reason") == reason), "")
        last = _last_terminated(statuses)
        note = f" (last exit: {last})" if last else ""
        return reason, f"{reason}{note}: {msg}".rstrip(": "), Severity.ERROR
    if reason == "OOMKilled" or phase == "Failed":
        return reason, reason, Severity.ERROR
    if phase == "Pending":
        cond = next((c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"
                     and c.get("status") == "False"), None)
        why = (cond or {}).get("reason") or reason
        msg = (cond or {}).get("message", "")
        return "Pending", f"Pending: {why}" + (f": {msg}" if msg else ""), Severity.WARNING
    if _last_terminated(statuses) == "OOMKilled":
        return reason, "OOMKilled (restarted)", Severity.WARNING
    if phase == "Running" and statuses and not all(cs.get("ready") for cs in statuses):
        return reason, "NotReady", Severity.WARNING
    return reason, "", Severity.OK


def _init_status(obj: dict[str, Any]) -> tuple[str, str, Severity] | None:
    """kubectl's Init:N/M, Init:Error, Init:CrashLoopBackOff while init containers run."""
    statuses = (obj.get("status") or {}).get("initContainerStatuses") or []
    total = len((obj.get("spec") or {}).get("initContainers") or []) or len(statuses)
    for i, cs in enumerate(statuses):
        state = cs.get("state") or {}
        term, waiting = state.get("terminated") or {}, (state.get("waiting") or {}).get("reason")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            text = f"Init:{term.get('reason') or 'Error'}"
        elif waiting and waiting != "PodInitializing":
            text = f"Init:{waiting}"
        else:
            return f"Init:{i}/{total}", "", Severity.OK
        message = state.get("waiting", {}).get("message", "") if waiting else term.get("message", "")
        return text, f"init container {cs.get('name', '?')}: {text}" + (f": {message}" if message else ""), Severity.ERROR
    return None


def _last_terminated(statuses: list[dict[str, Any]]) -> str:
    for cs in statuses:
        term = (cs.get("lastState") or {}).get("terminated") or {}
        if term.get("reason"):
            return str(term["reason"])
    return ""


def pod_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    containers = spec.get("containers") or []
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for cs in statuses if cs.get("ready"))
    restarts = sum(int(cs.get("restartCount") or 0) for cs in statuses)
    last = max((t for cs in statuses
                if (t := parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")))),
               default=None)
    restart_cell = Since(last, f"{restarts} ({{}} ago)") if restarts and last else str(restarts)
    text, problem, severity = pod_status(obj)
    cells = (f"{ready}/{len(containers)}", text, restart_cell, _age(obj), str(status.get("podIP") or "<none>"),
             str(spec.get("nodeName") or "<none>"), _images(containers))
    return _base("pods", obj, cells, problem=problem, severity=severity,
                 containers=tuple(str(c.get("name", "")) for c in containers), node=str(spec.get("nodeName") or ""),
                 restarts=restarts, last_exit=_last_exit(statuses))


def _last_exit(statuses: list[dict[str, Any]]) -> int | None:
    for cs in statuses:
        code = ((cs.get("lastState") or {}).get("terminated") or {}).get("exitCode")
        if isinstance(code, int):
            return code
    return None


def _below(ready: int, desired: int) -> tuple[str, Severity]:
    if desired > 0 and ready < desired:
        return f"below desired: {ready}/{desired} ready", Severity.ERROR if ready == 0 else Severity.WARNING
    return "", Severity.OK


def _workload_extra(obj: dict[str, Any]) -> dict[str, Any]:
    containers = _pod_spec(obj).get("containers") or []
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels")
    return {"containers": tuple(str(c.get("name", "")) for c in containers), "selector": _labels(selector)}


def deployment_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = int(spec.get("replicas", 1) or 0)
    ready = int(status.get("readyReplicas") or 0)
    containers = _pod_spec(obj).get("containers") or []
    problem, severity = _below(ready, desired)
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("status") == "False":
            problem, severity = f"{cond.get('reason', 'NotProgressing')}: {cond.get('message', '')}".rstrip(": "), Severity.ERROR
    cells = (f"{ready}/{desired}", str(int(status.get("updatedReplicas") or 0)),
             str(int(status.get("availableReplicas") or 0)), _age(obj),
             ",".join(str(c.get("name", "")) for c in containers), _images(containers))
    return _base("deployments", obj, cells, problem=problem, severity=severity, replicas=desired, **_workload_extra(obj))


def statefulset_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired, ready = int(spec.get("replicas", 1) or 0), int(status.get("readyReplicas") or 0)
    containers = _pod_spec(obj).get("containers") or []
    problem, severity = _below(ready, desired)
    cells = (f"{ready}/{desired}", _age(obj), ",".join(str(c.get("name", "")) for c in containers), _images(containers))
    return _base("statefulsets", obj, cells, problem=problem, severity=severity, replicas=desired, **_workload_extra(obj))


def daemonset_row(obj: dict[str, Any]) -> KubeRow:
    status = obj.get("status") or {}
    desired, ready = int(status.get("desiredNumberScheduled") or 0), int(status.get("numberReady") or 0)
    node_selector = _pod_spec(obj).get("nodeSelector") or {}
    problem, severity = _below(ready, desired)
    cells = (str(desired), str(int(status.get("currentNumberScheduled") or 0)), str(ready),
             str(int(status.get("updatedNumberScheduled") or 0)), str(int(status.get("numberAvailable") or 0)),
             ",".join(f"{k}={v}" for k, v in node_selector.items()) or "<none>", _age(obj),
             _images(_pod_spec(obj).get("containers") or []))
    return _base("daemonsets", obj, cells, problem=problem, severity=severity, **_workload_extra(obj))


def replicaset_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired, ready = int(spec.get("replicas", 1) or 0), int(status.get("readyReplicas") or 0)
    revision = str((_meta(obj).get("annotations") or {}).get("deployment.kubernetes.io/revision", ""))
    problem, severity = _below(ready, desired)
    cells = (str(desired), str(int(status.get("replicas") or 0)), str(ready), revision, _age(obj),
             _images(_pod_spec(obj).get("containers") or []))
    return _base("replicasets", obj, cells, problem=problem, severity=severity, replicas=desired, **_workload_extra(obj))


def job_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    conds = {c.get("type"): c for c in status.get("conditions") or [] if c.get("status") == "True"}
    state = "Complete" if "Complete" in conds else "Failed" if "Failed" in conds else \
        "Suspended" if spec.get("suspend") else "Running"
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    duration = Since(start) if start and not end else \
        (f"{int((end - start).total_seconds())}s" if start and end else "")
    problem = f"Failed: {conds['Failed'].get('reason', '')}".rstrip(": ") if state == "Failed" else ""
    cells = (state, f"{int(status.get('succeeded') or 0)}/{spec.get('completions', 1)}", duration, _age(obj),
             _images(_pod_spec(obj).get("containers") or []))
    return _base("jobs", obj, cells, problem=problem, severity=Severity.ERROR if problem else Severity.OK,
                 **_workload_extra(obj))


def cronjob_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    last = parse_time(status.get("lastScheduleTime"))
    suspended = bool(spec.get("suspend"))
    cells = (str(spec.get("schedule", "")), "True" if suspended else "False", str(len(status.get("active") or [])),
             Since(last) if last else "<none>", _age(obj), _images(_pod_spec(obj).get("containers") or []))
    containers = _pod_spec(obj).get("containers") or []
    return _base("cronjobs", obj, cells, suspended=suspended, containers=tuple(str(c.get("name", "")) for c in containers))


def service_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    typ = str(spec.get("type") or "ClusterIP")
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(str(i.get("ip") or i.get("hostname") or "") for i in ingress) or \
        ",".join(spec.get("externalIPs") or []) or ("<pending>" if typ == "LoadBalancer" else "<none>")
    ports = ",".join(f"{p.get('port')}" + (f":{p['nodePort']}" if p.get("nodePort") else "") + f"/{p.get('protocol', 'TCP')}"
                     for p in spec.get("ports") or []) or "<none>"
    selector = ",".join(f"{k}={v}" for k, v in (spec.get("selector") or {}).items()) or "<none>"
    problem = "LoadBalancer address pending" if external == "<pending>" else ""
    cells = (typ, str(spec.get("clusterIP") or "<none>"), external, ports, _age(obj), selector)
    return _base("services", obj, cells, problem=problem, severity=Severity.WARNING if problem else Severity.OK,
                 selector=_labels(spec.get("selector")))


def secret_row(obj: dict[str, Any]) -> KubeRow:
    """Never the values: only the type and how many keys."""
    keys = len(obj.get("data") or {}) + len(obj.get("stringData") or {})
    return _base("secrets", obj, (str(obj.get("type") or "Opaque"), str(keys), _age(obj)))


def node_row(obj: dict[str, Any]) -> KubeRow:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
    is_ready = ready.get("status") == "True"
    cordoned = bool(spec.get("unschedulable"))
    text = ("Ready" if is_ready else "NotReady") + (",SchedulingDisabled" if cordoned else "")
    roles = ",".join(sorted(k.split("/", 1)[1] for k in (_meta(obj).get("labels") or {})
                            if k.startswith("node-role.kubernetes.io/"))) or "<none>"
    internal = next((a.get("address", "") for a in status.get("addresses") or [] if a.get("type") == "InternalIP"), "<none>")
    info = status.get("nodeInfo") or {}
    if not is_ready:
        problem, severity = f"NotReady: {ready.get('reason', '')} {ready.get('message', '')}".strip(), Severity.ERROR
    elif cordoned:
        problem, severity = "cordoned (SchedulingDisabled)", Severity.WARNING
    else:
        problem, severity = "", Severity.OK
    cells = (text, roles, _age(obj), str(info.get("kubeletVersion", "")), internal, str(info.get("osImage", "")))
    return _base("nodes", obj, cells, problem=problem, severity=severity, unschedulable=cordoned)


def event_row(obj: dict[str, Any]) -> KubeRow:
    inv = obj.get("involvedObject") or {}
    last = parse_time(obj.get("lastTimestamp")) or parse_time(obj.get("eventTime")) or \
        parse_time(_meta(obj).get("creationTimestamp"))
    typ = str(obj.get("type") or "Normal")
    cells = (Since(last) if last else "<unknown>", typ, str(obj.get("reason", "")),
             f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}", str(obj.get("message", "")))
    warn = typ == "Warning"
    return _base("events", obj, cells, problem=str(obj.get("reason", "")) if warn else "",
                 severity=Severity.WARNING if warn else Severity.OK, count=int(obj.get("count") or 1))


CONVERTERS: dict[str, Callable[[dict[str, Any]], KubeRow]] = {
    "pods": pod_row, "deployments": deployment_row, "statefulsets": statefulset_row, "daemonsets": daemonset_row,
    "replicasets": replicaset_row, "jobs": job_row, "cronjobs": cronjob_row, "services": service_row, "secrets": secret_row,
    "nodes": node_row, "events": event_row,
}


def to_row(kind: str, obj: dict[str, Any]) -> KubeRow:
    return CONVERTERS[kind](obj)
