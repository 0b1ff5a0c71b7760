"""One look at a Deployment rollout, the way ``kubectl rollout status`` judges it.

``RolloutWatcher.look()`` reads the Deployment, its new ReplicaSet (the one whose template
is the Deployment's), that ReplicaSet's pods and the namespace's warning events, and
returns a ``RolloutSnapshot``: complete, progressing, paused, failed (the Progressing
condition says ProgressDeadlineExceeded, or a new pod is in a state that never heals on
its own) or timed out. A failed or timed-out snapshot carries the failing pods' reasons
and their last log lines.
"""

from __future__ import annotations

import time
from typing import Any

from console.backends.kube_http import KubeHttp, resource_path
from console.errors import OpsError
from console.models.rollout import Phase, PodState, RolloutSnapshot, strip_hash

REVISION = "deployment.kubernetes.io/revision"
# waiting reasons a pod does not leave without a change to the Deployment
HOPELESS = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError",
                      "CreateContainerError", "RunContainerError"})
CRASH_LOOP_LIMIT = 3  # CrashLoopBackOff after this many restarts fails the rollout early


def _template(obj: dict[str, Any]) -> dict[str, Any]:
    return strip_hash((obj.get("spec") or {}).get("template") or {})


def pod_state(pod: dict[str, Any]) -> PodState:
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    reason, message, restarts = "", "", 0
    for cs in statuses:
        restarts += int(cs.get("restartCount") or 0)
        state = cs.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        last = (cs.get("lastState") or {}).get("terminated") or {}
        if waiting and not reason:
            reason, message = str(waiting.get("reason", "")), str(waiting.get("message", ""))
            if last.get("reason"):
                message = f"{message} (last exit: {last['reason']}, code {last.get('exitCode', '?')})".strip()
        elif terminated and not reason:
            reason, message = str(terminated.get("reason", "Terminated")), str(terminated.get("message", ""))
    if not reason and status.get("phase") in ("Pending", "Failed"):
        cond = next((c for c in status.get("conditions") or [] if c.get("status") == "False"), {})
        reason = str(status.get("reason") or cond.get("reason") or status.get("phase"))
        message = str(status.get("message") or cond.get("message") or "")
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return PodState(name=str(meta.get("name", "")), phase=str(status.get("phase", "")), reason=reason,
                    message=message, restarts=restarts, ready=ready)


def hopeless(pod: PodState) -> bool:
    return pod.reason in HOPELESS or (pod.reason == "CrashLoopBackOff" and pod.restarts >= CRASH_LOOP_LIMIT)


def judge(dep: dict[str, Any], pods: tuple[PodState, ...]) -> tuple[Phase, str]:
    """The rollout's phase and a one-line reason, from the Deployment and its new pods."""
    spec, status, meta = dep.get("spec") or {}, dep.get("status") or {}, dep.get("metadata") or {}
    desired = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    updated, available = int(status.get("updatedReplicas") or 0), int(status.get("availableReplicas") or 0)
    total = int(status.get("replicas") or 0)
    stuck = [p for p in pods if hopeless(p)]
    if stuck:
        return Phase.FAILED, f"{len(stuck)} new pod(s) failing: {', '.join(sorted({p.reason for p in stuck}))}"
    if spec.get("paused"):
        return Phase.PAUSED, "the Deployment is paused (resume to continue)"
    if int(status.get("observedGeneration") or 0) < int(meta.get("generation") or 0):
        # the status still describes the previous spec (its conditions too), like kubectl
        return Phase.PROGRESSING, "waiting for the controller to pick up the change"
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            return Phase.FAILED, f"progress deadline exceeded: {cond.get('message') or 'no progress'}"
    if updated < desired:
        return Phase.PROGRESSING, f"{updated} of {desired} new replicas updated"
    if total > updated:
        return Phase.PROGRESSING, f"{total - updated} old replica(s) pending termination"
    if available < updated:
        return Phase.PROGRESSING, f"{available} of {updated} updated replicas available"
    return Phase.COMPLETE, f"successfully rolled out ({available}/{desired} available)"


class RolloutWatcher:
    """Looks at one Deployment repeatedly; remembers which warnings it has already seen."""

    def __init__(self, http: KubeHttp, namespace: str, name: str, log_lines: int = 5) -> None:
        self.http, self.namespace, self.name = http, namespace, name
        self.log_lines = log_lines
        self.started = time.monotonic()
        self._seen_events: set[tuple[str, int]] | None = None

    def _get(self, kind: str, name: str | None = None, selector: str | None = None) -> Any:
        query = {"labelSelector": selector} if selector else None
        return self.http.json("GET", resource_path(kind, self.namespace, name), query=query,
                              call=f"rollout.watch {kind} {self.namespace}/{name or self.name}")

    def _new_replicaset(self, dep: dict[str, Any]) -> dict[str, Any] | None:
        match = (dep.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in match.items())
        uid = (dep.get("metadata") or {}).get("uid")
        want = _template(dep)
        for rs in self._get("replicasets", selector=selector).get("items") or []:
            refs = (rs.get("metadata") or {}).get("ownerReferences") or []
            if any(r.get("uid") == uid for r in refs) and _template(rs) == want:
                return rs
        return None

    def _pods(self, rs: dict[str, Any] | None) -> list[dict[str, Any]]:
        if rs is None:
            return []
        match = (rs.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        selector = ",".join(f"{k}={v}" for k, v in match.items())
        return list(self._get("pods", selector=selector).get("items") or [])

    def _warnings(self, names: set[str]) -> tuple[str, ...]:
        events = [e for e in self._get("events").get("items") or [] if e.get("type") == "Warning"]
        keys = {(str((e.get("metadata") or {}).get("uid") or (e.get("metadata") or {}).get("name")),
                 int(e.get("count") or 1)): e for e in events}
        if self._seen_events is None:
            self._seen_events = set(keys)
            return ()
        out = []
        for key, e in keys.items():
            if key not in self._seen_events and (e.get("involvedObject") or {}).get("name") in names:
                out.append(f"{e['involvedObject'].get('name')}: {e.get('reason', '')}: {e.get('message', '')}")
        self._seen_events |= set(keys)
        return tuple(out)

    def _logs(self, pod: dict[str, Any], state: PodState) -> tuple[str, ...]:
        """The failing container's last lines (the previous run's when it restarted)."""
        if not self.log_lines:
            return ()
        path = resource_path("pods", self.namespace, state.name, "log")
        for previous in ((True, False) if state.restarts else (False,)):
            try:
                text = self.http.text(path, query={"tailLines": self.log_lines, "previous": "true" if previous else None},
                                      call=f"rollout.logs {self.namespace}/{state.name}")
            except OpsError:
                continue
            lines = tuple(line for line in text.splitlines() if line.strip())
            if lines:
                return lines[-self.log_lines:]
        return ()

    def look(self, timed_out: bool = False) -> RolloutSnapshot:
        dep = self._get("deployments", self.name)
        rs = self._new_replicaset(dep)
        raw_pods = self._pods(rs)
        pods = tuple(pod_state(p) for p in raw_pods)
        names = {self.name, *(p.name for p in pods)} | ({rs["metadata"]["name"]} if rs else set())
        warnings = self._warnings(names)
        phase, message = judge(dep, pods)
        if phase is Phase.PROGRESSING and timed_out:
            phase, message = Phase.TIMED_OUT, f"still progressing when the watch timed out: {message}"
        if phase in (Phase.FAILED, Phase.TIMED_OUT):
            pods = tuple(PodState(**{**s.__dict__, "last_log": self._logs(p, s)}) if (s.failing or not s.ready) else s
                         for p, s in zip(raw_pods, pods, strict=True))
        spec, status = dep.get("spec") or {}, dep.get("status") or {}
        revision = ((dep.get("metadata") or {}).get("annotations") or {}).get(REVISION, "0")
        return RolloutSnapshot(
            phase=phase, desired=int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1),
            updated=int(status.get("updatedReplicas") or 0), ready=int(status.get("readyReplicas") or 0),
            available=int(status.get("availableReplicas") or 0), message=message,
            revision=int(revision) if str(revision).isdigit() else 0, pods=pods, warnings=warnings,
            elapsed=time.monotonic() - self.started)
