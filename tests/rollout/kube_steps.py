"""Play the Deployment controller's part in the kmock emulator (it runs no controllers).

``controller_step`` makes the ReplicaSet for the Deployment's current template (with the
revision annotation), its pods (healthy or failing) and the Deployment status a real
controller would write; ``deadline_exceeded`` sets the Progressing condition to
ProgressDeadlineExceeded.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from console.sandbox.kube_seed import pod, replicaset, template_hash


def controller_step(emu, namespace: str, name: str, *, ready: bool = True, waiting: str | None = None,
                    restarts: int = 0, log: tuple[str, ...] = ()) -> dict:
    """Create (or update) the new ReplicaSet and its pods; write the Deployment status."""
    now = datetime.now(UTC)
    dep = emu.get("deployments", namespace, name)
    image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    replicas = dep["spec"].get("replicas", 1)
    rss = [r for r in emu.list("replicasets", namespace)
           if any(o.get("uid") == dep["metadata"]["uid"] for o in r["metadata"].get("ownerReferences", []))]
    existing = next((r for r in rss if r["metadata"]["name"] == f"{name}-{template_hash(image)}"), None)
    top = max((int(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) for r in rss), default=0)
    revision = top + 1
    if existing is not None and int(existing["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) == top:
        revision = top
    for old in rss:
        if old is not existing:
            emu.patch("replicasets", namespace, old["metadata"]["name"], {"spec": {"replicas": 0},
                                                                       "status": {"replicas": 0, "readyReplicas": 0}})
    rs = replicaset(dep, image, revision, replicas, replicas if ready else 0, now, timedelta(seconds=5))
    emu.apply(rs)
    for i in range(replicas):
        p = pod(namespace, f"{rs['metadata']['name']}-new{i}", image, now, timedelta(seconds=5),
                labels=rs["spec"]["selector"]["matchLabels"], owner=rs, ready=ready, waiting=waiting,
                restarts=restarts, message=f"{waiting} for {image}" if waiting else "",
                last_terminated="Error" if restarts else None)
        emu.apply(p)
        if log:
            emu.append_log(namespace, p["metadata"]["name"], list(log), previous=bool(restarts))
    emu.patch("deployments", namespace, name, {"metadata": {"annotations": {
        "deployment.kubernetes.io/revision": str(revision)}}})
    emu.advance_deployment(namespace, name, ready=replicas if ready else 0)
    progressing = {"type": "Progressing", "status": "True",
                   "reason": "NewReplicaSetAvailable" if ready else "ReplicaSetUpdated",
                   "message": f'ReplicaSet "{rs["metadata"]["name"]}" is progressing.'}
    return emu.set_status("deployments", namespace, name, {"conditions": [progressing]})


def deadline_exceeded(emu, namespace: str, name: str) -> dict:
    dep = emu.get("deployments", namespace, name)
    return emu.set_status("deployments", namespace, name, {**dep.get("status", {}), "conditions": [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
         "message": f'ReplicaSet "{name}" has timed out progressing.'}]})


def step_when_image(emu, namespace: str, name: str, image: str, *, then=None, timeout: float = 30.0,
                    **step) -> threading.Thread:
    """In the background: once the Deployment's template carries ``image`` (the change was
    applied), play the controller (``controller_step(**step)``), then ``then(emu)``."""
    def run() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dep = emu.get("deployments", namespace, name) or {}
            containers = dep.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or [{}]
            if containers[0].get("image") == image:
                controller_step(emu, namespace, name, **step)
                if then is not None:
                    then(emu)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=run, name=f"controller {name}", daemon=True)
    thread.start()
    return thread
