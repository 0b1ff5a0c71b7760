"""A minimal deployment controller for the sandbox emulator, so changes really converge.

Runs on the emulator's loop (``KubeEmulator.enable_controllers(True)``; on for
``opsconsole --sandbox``, off in the ``kube`` test fixture unless a test turns it on).
Every ``interval`` it brings each Deployment toward its spec, as the real controller
manager does, in the smallest form that makes rollouts and scale verifiable:

- a pod template with no matching ReplicaSet gets a new one with the next revision; a
  template that matches an older ReplicaSet (a rollback) moves that one to the next
  revision, and the Deployment's ``deployment.kubernetes.io/revision`` follows;
- the new ReplicaSet is scaled to ``spec.replicas``; the old ones go to 0 once the new
  pods are ready (``maxUnavailable: 0``), or at once when the new one is already full;
- each ReplicaSet's pods follow its replicas: created ``Pending``, they become Running and
  Ready after ``ready_after`` seconds, unless their image is a crashing one (they go to
  ``CrashLoopBackOff``) or one that cannot be pulled (``ImagePullBackOff``);
- ReplicaSet and Deployment status (replicas, updated, ready, available, observedGeneration)
  are recomputed; an object is stored only when it changed.

Seeded objects that are already consistent are left as they are.
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
import uuid
from typing import Any

from console.sandbox.kube_emulator import now_iso

REVISION = "deployment.kubernetes.io/revision"
HASH = "pod-template-hash"
BORN = "sandbox.opsconsole/created-at"  # monotonic seconds, on pods this controller created
CRASHING = ("registry.local/checkout:2.2.0", "crashloop")  # images (or parts) whose containers crash
UNPULLABLE = ("-typo", "badpull")


def _revision(obj: dict[str, Any]) -> int:
    try:
        return int(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _bare(template: dict[str, Any]) -> str:
    """A template without the pod-template-hash label, as canonical JSON (for comparing)."""
    t = copy.deepcopy(template or {})
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop(HASH, None)
    return json.dumps(t, sort_keys=True)


def _owned(objs: list[dict[str, Any]], owner: dict[str, Any]) -> list[dict[str, Any]]:
    uid = owner["metadata"].get("uid")
    return [o for o in objs if any(r.get("uid") == uid for r in (o.get("metadata") or {}).get("ownerReferences") or [])]


def _ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in (pod.get("status") or {}).get("conditions") or [])


def _image(pod: dict[str, Any]) -> str:
    containers = (pod.get("spec") or {}).get("containers") or [{}]
    return str(containers[0].get("image", ""))


class DeploymentController:
    def __init__(self, emu: Any, ready_after: float = 2.0) -> None:
        self.emu = emu  # console.sandbox.kube_emulator.SandboxKubeEmulator
        self.ready_after = ready_after

    async def _put(self, plural: str, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        if old is None:
            await self.emu.store(plural, new, "ADDED")
        elif json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True):
            await self.emu.store(plural, new, "MODIFIED")

    async def sync(self) -> None:
        async with self.emu._lock:
            for dep in list(self.emu.list_objects("deployments")):
                await self._sync_deployment(copy.deepcopy(dep))

    async def _sync_deployment(self, dep: dict[str, Any]) -> None:
        ns = dep["metadata"]["namespace"]
        old_dep = copy.deepcopy(dep)
        rss = _owned(self.emu.list_objects("replicasets", ns), dep)
        want = _bare((dep.get("spec") or {}).get("template"))
        new_rs = next((copy.deepcopy(rs) for rs in rss if _bare((rs.get("spec") or {}).get("template")) == want), None)
        top = max((_revision(rs) for rs in rss), default=0)
        new_old = copy.deepcopy(new_rs)
        if new_rs is None and (dep.get("spec") or {}).get("paused"):
            return  # a paused rollout makes no new ReplicaSet
        if new_rs is None:
            new_rs, new_old = self._new_replicaset(dep, top + 1), None
        elif _revision(new_rs) < top:  # a rollback: the old template becomes the newest revision
            new_rs["metadata"].setdefault("annotations", {})[REVISION] = str(top + 1)
        dep["metadata"].setdefault("annotations", {})[REVISION] = str(_revision(new_rs))
        replicas = int((dep.get("spec") or {}).get("replicas", 1))
        new_rs["spec"]["replicas"] = replicas
        new_uid = new_rs["metadata"]["uid"]
        pods_of = {rs["metadata"]["uid"]: _owned(self.emu.list_objects("pods", ns), rs) for rs in rss}
        new_pods = pods_of.get(new_uid, [])
        new_full = len(new_pods) >= replicas and sum(_ready(p) for p in new_pods) >= replicas
        rs_states: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [(new_old, new_rs)]
        for rs in rss:
            if rs["metadata"]["uid"] != new_uid:
                changed = copy.deepcopy(rs)
                if new_full:
                    changed["spec"]["replicas"] = 0
                rs_states.append((rs, changed))
        total = ready = updated = 0
        for old_rs, rs in rs_states:
            pods = await self._sync_pods(rs, pods_of.get(rs["metadata"]["uid"], []))
            n_ready = sum(_ready(p) for p in pods)
            rs["status"] = {**(rs.get("status") or {}), "replicas": len(pods), "readyReplicas": n_ready,
                            "availableReplicas": n_ready, "observedGeneration": rs["metadata"].get("generation", 1)}
            await self._put("replicasets", old_rs, rs)
            total, ready = total + len(pods), ready + n_ready
            updated += len(pods) if rs is new_rs else 0
        self._deployment_status(dep, total, ready, updated, replicas)
        await self._put("deployments", old_dep, dep)

    def _new_replicaset(self, dep: dict[str, Any], revision: int) -> dict[str, Any]:
        template = copy.deepcopy(dep["spec"]["template"])
        h = hashlib.sha1(_bare(template).encode()).hexdigest()[:10]
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH] = h
        labels = dict(template["metadata"]["labels"])
        meta = dep["metadata"]
        owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": meta["name"], "uid": meta["uid"],
                 "controller": True}
        return self.emu.stamp_new("replicasets", {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{meta['name']}-{h}", "labels": labels, "ownerReferences": [owner],
                         "annotations": {REVISION: str(revision)}},
            "spec": {"replicas": 0, "selector": {"matchLabels": labels}, "template": template}}, meta["namespace"])

    async def _sync_pods(self, rs: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
        want = int(rs["spec"].get("replicas") or 0)
        pods = sorted(pods, key=lambda p: (_ready(p), p["metadata"].get("creationTimestamp", "")))
        while len(pods) > want:  # remove not-ready, then the youngest
            await self.emu.store("pods", copy.deepcopy(pods.pop(0)), "DELETED")
        while len(pods) < want:
            pods.append(await self._create_pod(rs))
        out = []
        for pod in pods:
            out.append(await self._progress(pod))
        return out

    async def _create_pod(self, rs: dict[str, Any]) -> dict[str, Any]:
        meta, template = rs["metadata"], copy.deepcopy(rs["spec"]["template"])
        owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": meta["name"], "uid": meta["uid"], "controller": True}
        pod = self.emu.stamp_new("pods", {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{meta['name']}-{uuid.uuid4().hex[:5]}", "labels": template["metadata"]["labels"],
                         "ownerReferences": [owner], "annotations": {BORN: f"{time.monotonic():.3f}"}},
            "spec": {**template.get("spec", {}), "nodeName": "node-a"},
            "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]}}, meta["namespace"])
        return await self.emu.store("pods", pod, "ADDED")

    async def _progress(self, pod: dict[str, Any]) -> dict[str, Any]:
        """Pending → Running/Ready (or crashing) ``ready_after`` seconds after creation."""
        born = ((pod.get("metadata") or {}).get("annotations") or {}).get(BORN)
        if born is None or (pod.get("status") or {}).get("phase") != "Pending":
            return pod
        if time.monotonic() - float(born) < self.ready_after:
            return pod
        new = copy.deepcopy(pod)
        image = _image(pod)
        name = ((pod.get("spec") or {}).get("containers") or [{}])[0].get("name", "app")
        now = now_iso()
        if any(c in image for c in CRASHING):
            state, ready, phase = {"waiting": {"reason": "CrashLoopBackOff",
                                               "message": f"back-off 10s restarting failed container={name}"}}, False, "Running"
        elif any(c in image for c in UNPULLABLE):
            state, ready, phase = {"waiting": {"reason": "ImagePullBackOff",
                                               "message": f'Back-off pulling image "{image}"'}}, False, "Pending"
        else:
            state, ready, phase = {"running": {"startedAt": now}}, True, "Running"
        new["status"] = {"phase": phase, "startTime": now, "hostIP": "10.0.0.11", "podIP": "10.244.9.9",
                         "containerStatuses": [{"name": name, "image": image, "imageID": "", "ready": ready,
                                                "restartCount": 1 if "waiting" in state and phase == "Running" else 0,
                                                "started": ready, "state": state, "lastState": {}}],
                         "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                         "lastTransitionTime": now}]}
        if phase == "Pending" and not ready:
            new["metadata"]["annotations"].pop(BORN, None)  # final state: stop looking at it
        return await self.emu.store("pods", new, "MODIFIED")

    @staticmethod
    def _deployment_status(dep: dict[str, Any], total: int, ready: int, updated: int, replicas: int) -> None:
        status = dep.setdefault("status", {})
        core = {"observedGeneration": dep["metadata"].get("generation", 1), "replicas": total,
                "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready}
        if all(status.get(k, 0 if k != "observedGeneration" else None) == v for k, v in core.items()):
            return
        status.update(core)
        status["unavailableReplicas"] = max(0, replicas - ready) or None
        done = updated == replicas and ready == replicas and total == replicas
        now = now_iso()
        status["conditions"] = [
            {"type": "Available", "status": "True" if ready >= replicas else "False",
             "reason": "MinimumReplicasAvailable" if ready >= replicas else "MinimumReplicasUnavailable",
             "lastTransitionTime": now},
            {"type": "Progressing", "status": "True",
             "reason": "NewReplicaSetAvailable" if done else "ReplicaSetUpdated", "lastTransitionTime": now}]
