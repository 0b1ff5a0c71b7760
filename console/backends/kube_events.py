"""An Event on the target for every Kubernetes action, so a teammate in kubectl or k9s sees it.

``record_action(http, target, verb, outcome, message, timeout)`` posts a core/v1 Event
(``reason: OpsconsoleScale``, ``OpsconsoleRollback``, … from the verb; type Normal when
the action succeeded, Warning otherwise; ``source.component: opsconsole``) whose
involvedObject is the target (uid included when known). Cluster-scoped targets (nodes)
get their Event in "default", as the API server requires.
"""

from __future__ import annotations

import time
from typing import Any

from console.backends.kube_http import KubeHttp, resource_path
from console.backends.kube_lease import CLUSTER_SCOPED_KINDS, micro_time

# target kind -> (apiVersion, Kind) of the involved object
KINDS = {
    "pod": ("v1", "Pod"), "service": ("v1", "Service"), "secret": ("v1", "Secret"), "node": ("v1", "Node"),
    "configmap": ("v1", "ConfigMap"), "namespace": ("v1", "Namespace"),
    "deployment": ("apps/v1", "Deployment"), "statefulset": ("apps/v1", "StatefulSet"),
    "daemonset": ("apps/v1", "DaemonSet"), "replicaset": ("apps/v1", "ReplicaSet"),
    "job": ("batch/v1", "Job"), "cronjob": ("batch/v1", "CronJob"),
}
MAX_MESSAGE = 1024


def event_reason(verb: str) -> str:
    """"scale" → "OpsconsoleScale", "rollout restart" → "OpsconsoleRolloutRestart"."""
    words = verb.replace("-", " ").replace("_", " ").split()
    return "Opsconsole" + "".join(w[:1].upper() + w[1:] for w in words)


def event_body(target: Any, verb: str, ok: bool, message: str, host: str, at: float | None = None) -> dict[str, Any]:
    at = time.time() if at is None else at
    api_version, kind = KINDS.get(target.kind, ("v1", target.kind[:1].upper() + target.kind[1:]))
    cluster_scoped = target.kind in CLUSTER_SCOPED_KINDS
    namespace = "default" if cluster_scoped else target.namespace or "default"
    involved = {"apiVersion": api_version, "kind": kind, "name": target.name}
    if not cluster_scoped:
        involved["namespace"] = namespace
    if target.id:
        involved["uid"] = target.id
    stamp = micro_time(at).split(".")[0] + "Z"  # firstTimestamp/lastTimestamp are Time (seconds)
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"generateName": f"{target.name[:200]}.opsconsole-", "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "opsconsole"}},
        "involvedObject": involved, "reason": event_reason(verb), "message": message[:MAX_MESSAGE],
        "type": "Normal" if ok else "Warning", "source": {"component": "opsconsole", "host": host[:253]},
        "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
    }


def record_action(http: KubeHttp, target: Any, verb: str, ok: bool, message: str, host: str,
                  timeout: float) -> dict[str, Any]:
    """POST the Event; raises the typed errors of console.backends.kube_http."""
    body = event_body(target, verb, ok, message, host)
    namespace = body["metadata"]["namespace"]
    return http.json("POST", resource_path("events", namespace), body=body, timeout=timeout,
                     call=f"kubernetes.create event {namespace} for {target.kind} {target.name}")
