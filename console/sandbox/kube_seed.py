"""A small, realistic estate for the Kubernetes sandbox, plus object builders.

``seed_estate(emu, now)`` fills an emulator with two namespaces (shop, payments):
healthy and broken deployments with their ReplicaSets (a crash-looping ``checkout``
with revisions 1-3, the current one failing), pods in every state an operator meets
(Running, CrashLoopBackOff with restarts, Pending with a reason, OOMKilled,
ImagePullBackOff, Evicted), services, a statefulset, a daemonset, a job, a cronjob,
three nodes (one NotReady, one cordoned) and warning events. Timestamps are relative to
``now`` so snapshot tests with a frozen clock see the same ages every run.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

NODES = ("node-a", "node-b", "node-c")


def ts(now: datetime, ago: timedelta) -> str:
    return (now - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, namespace: str | None, now: datetime, age: timedelta, labels: dict | None = None,
         **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name, "creationTimestamp": ts(now, age), "labels": dict(labels or {}),
                         "uid": hashlib.sha1(f"{namespace}/{name}".encode()).hexdigest()[:8] + "-sandbox"}
    if namespace:
        m["namespace"] = namespace
    m.update(extra)
    return m


def template_hash(image: str) -> str:
    return hashlib.sha1(image.encode()).hexdigest()[:10]


def container(name: str, image: str, **extra: Any) -> dict[str, Any]:
    c = {"name": name, "image": image, "resources": {"limits": {"memory": "256Mi"}}}
    c.update(extra)
    return c


def deployment(ns: str, name: str, image: str, replicas: int, ready: int, now: datetime, age: timedelta,
               revision: int = 1) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(name, ns, now, age, labels, generation=revision,
                         annotations={"deployment.kubernetes.io/revision": str(revision)}),
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "strategy": {"type": "RollingUpdate"},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [container(name, image)]}}},
        "status": {"observedGeneration": revision, "replicas": replicas, "updatedReplicas": replicas,
                   "readyReplicas": ready, "availableReplicas": ready,
                   "conditions": [
                       {"type": "Available", "status": "True" if ready >= replicas else "False",
                        "reason": "MinimumReplicasAvailable" if ready >= replicas else "MinimumReplicasUnavailable",
                        "lastTransitionTime": ts(now, timedelta(minutes=30))},
                       {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                        "lastTransitionTime": ts(now, age)}]},
    }


def replicaset(dep: dict[str, Any], image: str, revision: int, replicas: int, ready: int, now: datetime,
               age: timedelta) -> dict[str, Any]:
    ns, dname = dep["metadata"]["namespace"], dep["metadata"]["name"]
    h = template_hash(image)
    labels = {"app": dname, "pod-template-hash": h}
    owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": dname, "uid": dep["metadata"]["uid"], "controller": True}
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": meta(f"{dname}-{h}", ns, now, age, labels, ownerReferences=[owner],
                         annotations={"deployment.kubernetes.io/revision": str(revision)}),
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [container(dname, image)]}}},
        "status": {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready},
    }


def pod(ns: str, name: str, image: str, now: datetime, age: timedelta, *, labels: dict | None = None,
        owner: dict[str, Any] | None = None, node: str | None = "node-a", phase: str = "Running",
        ready: bool = True, restarts: int = 0, waiting: str | None = None, message: str = "",
        last_terminated: str | None = None, pending_reason: str | None = None,
        evicted: bool = False, ip: str | None = None, cname: str | None = None) -> dict[str, Any]:
    cname = cname or (labels or {}).get("app", name)
    m = meta(name, ns, now, age, labels)
    if owner is not None:
        m["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                 "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"], "controller": True}]
    state: dict[str, Any] = {"running": {"startedAt": ts(now, age)}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": message}}
    cstatus: dict[str, Any] = {"name": cname, "image": image, "imageID": "" if waiting else f"{image}@sha256:{template_hash(image)}", "ready": ready, "restartCount": restarts,
                               "started": ready, "state": state, "lastState": {}}
    if last_terminated:
        cstatus["lastState"] = {"terminated": {"reason": last_terminated, "exitCode": 137 if last_terminated == "OOMKilled" else 1,
                                               "startedAt": ts(now, timedelta(minutes=3)),
                                               "finishedAt": ts(now, timedelta(minutes=2))}}
    status: dict[str, Any] = {"phase": phase, "startTime": ts(now, age), "podIP": ip or _ip(ns, name),
                              "hostIP": "10.0.0.1", "containerStatuses": [cstatus],
                              "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                              "lastTransitionTime": ts(now, age)}]}
    if phase == "Pending":
        status = {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
                                                      "reason": pending_reason or "Unschedulable",
                                                      "message": message or "0/3 nodes are available: 3 Insufficient cpu.",
                                                      "lastTransitionTime": ts(now, age)}]}
        node = None
    if evicted:
        status = {"phase": "Failed", "reason": "Evicted", "message": message or "The node was low on resource: memory.",
                  "startTime": ts(now, age)}
    spec: dict[str, Any] = {"containers": [container(cname, image)], "restartPolicy": "Always"}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": status}


def _ip(ns: str, name: str) -> str:
    digest = hashlib.sha1(f"{ns}/{name}".encode()).digest()
    return f"10.244.{digest[0]}.{digest[1] % 250 + 2}"


def node(name: str, now: datetime, ready: bool = True, unschedulable: bool = False) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": meta(name, None, now, timedelta(days=40), {"kubernetes.io/hostname": name,
                                                                  "node-role.kubernetes.io/worker": ""}),
            "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "Unknown",
                                       "reason": "KubeletReady" if ready else "NodeStatusUnknown",
                                       "message": "kubelet is posting ready status" if ready else "Kubelet stopped posting node status.",
                                       "lastHeartbeatTime": ts(now, timedelta(seconds=20 if ready else 900))}],
                       "addresses": [{"type": "InternalIP", "address": f"10.0.0.{NODES.index(name) + 11 if name in NODES else 99}"}],
                       "nodeInfo": {"kubeletVersion": "v1.30.0", "kubeProxyVersion": "v1.30.0",
                                    "osImage": "Debian GNU/Linux 12 (bookworm)", "operatingSystem": "linux",
                                    "architecture": "amd64", "kernelVersion": "6.1.0-18-amd64",
                                    "containerRuntimeVersion": "containerd://1.7.13", "bootID": f"boot-{name}",
                                    "machineID": f"machine-{name}", "systemUUID": f"uuid-{name}"}}}


def event(ns: str, name: str, obj: dict[str, Any], reason: str, message: str, now: datetime, ago: timedelta,
          type_: str = "Warning", count: int = 1) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Event", "metadata": meta(name, ns, now, ago),
            "involvedObject": {"kind": obj["kind"], "name": obj["metadata"]["name"], "namespace": ns,
                               "uid": obj["metadata"]["uid"]},
            "reason": reason, "message": message, "type": type_, "count": count,
            "firstTimestamp": ts(now, ago + timedelta(minutes=count)), "lastTimestamp": ts(now, ago),
            "source": {"component": "kubelet"}}


def seed_estate(emu: Any, now: datetime | None = None) -> None:
    """Fill ``emu`` (a console.sandbox.kube.KubeEmulator) with the sandbox estate."""
    now = now or datetime.now(UTC)
    objs: list[dict[str, Any]] = [node("node-a", now), node("node-b", now, ready=False),
                                  node("node-c", now, unschedulable=True)]
    for ns in ("shop", "payments"):
        objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": meta(ns, None, now, timedelta(days=30)),
                     "status": {"phase": "Active"}})
    day, hour, minute = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)

    web = deployment("shop", "web", "registry.local/web:1.4.2", 3, 3, now, 12 * day)
    web_rs = replicaset(web, "registry.local/web:1.4.2", 1, 3, 3, now, 12 * day)
    objs += [web, web_rs]
    for i, nd in enumerate(("node-a", "node-a", "node-c")):
        objs.append(pod("shop", f"{web_rs['metadata']['name']}-{'xk2pq r8t4z m2n7c'.split()[i]}", "registry.local/web:1.4.2",
                        now, 12 * day, labels=web_rs["spec"]["selector"]["matchLabels"], owner=web_rs, node=nd))

    images = ["registry.local/checkout:2.0.0", "registry.local/checkout:2.1.0", "registry.local/checkout:2.2.0"]
    checkout = deployment("shop", "checkout", images[2], 2, 0, now, 20 * day, revision=3)
    objs.append(checkout)
    for rev, image in enumerate(images, start=1):
        current = rev == 3
        rs = replicaset(checkout, image, rev, 2 if current else 0, 0, now, (4 - rev) * 2 * day if rev < 3 else 25 * minute)
        objs.append(rs)
        if current:
            sel = rs["spec"]["selector"]["matchLabels"]
            objs.append(pod("shop", f"{rs['metadata']['name']}-h7w2k", image, now, 25 * minute, labels=sel, owner=rs,
                            phase="Running", ready=False, restarts=9, waiting="CrashLoopBackOff",
                            message="back-off 5m0s restarting failed container=checkout",
                            last_terminated="Error", node="node-a"))
            objs.append(pod("shop", f"{rs['metadata']['name']}-q9d4s", image, now, 25 * minute, labels=sel, owner=rs,
                            phase="Running", ready=False, restarts=4, waiting="CrashLoopBackOff",
                            message="back-off 2m40s restarting failed container=checkout",
                            last_terminated="OOMKilled", node="node-c"))

    cart = deployment("shop", "cart", "registry.local/cart:9.9.9-typo", 1, 0, now, 2 * hour)
    cart_rs = replicaset(cart, "registry.local/cart:9.9.9-typo", 1, 1, 0, now, 2 * hour)
    objs += [cart, cart_rs,
             pod("shop", f"{cart_rs['metadata']['name']}-b5v8n", "registry.local/cart:9.9.9-typo", now, 2 * hour,
                 labels=cart_rs["spec"]["selector"]["matchLabels"], owner=cart_rs, ready=False,
                 waiting="ImagePullBackOff", phase="Pending",
                 message='Back-off pulling image "registry.local/cart:9.9.9-typo"')]
    objs[-1]["status"] = {"phase": "Pending", "containerStatuses": [
        {"name": "cart", "image": "registry.local/cart:9.9.9-typo", "imageID": "", "ready": False, "restartCount": 0,
         "state": {"waiting": {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "registry.local/cart:9.9.9-typo"'}}}],
        "startTime": ts(now, 2 * hour), "podIP": "10.244.3.9", "hostIP": "10.0.0.11"}
    objs[-1]["spec"]["nodeName"] = "node-a"

    search = deployment("shop", "search", "registry.local/search:3.1", 2, 1, now, 5 * day)
    search_rs = replicaset(search, "registry.local/search:3.1", 1, 2, 1, now, 5 * day)
    sel = search_rs["spec"]["selector"]["matchLabels"]
    objs += [search, search_rs,
             pod("shop", f"{search_rs['metadata']['name']}-p2m9x", "registry.local/search:3.1", now, 5 * day,
                 labels=sel, owner=search_rs, node="node-a"),
             pod("shop", f"{search_rs['metadata']['name']}-z4k8j", "registry.local/search:3.1", now, 40 * minute,
                 labels=sel, owner=search_rs, phase="Pending", ready=False, pending_reason="Unschedulable")]

    api = deployment("payments", "payments-api", "registry.local/payments-api:5.2.0", 2, 2, now, 9 * day)
    api_rs = replicaset(api, "registry.local/payments-api:5.2.0", 1, 2, 2, now, 9 * day)
    sel = api_rs["spec"]["selector"]["matchLabels"]
    objs += [api, api_rs,
             pod("payments", f"{api_rs['metadata']['name']}-f3g6h", "registry.local/payments-api:5.2.0", now, 9 * day,
                 labels=sel, owner=api_rs, node="node-a"),
             pod("payments", f"{api_rs['metadata']['name']}-j8l2m", "registry.local/payments-api:5.2.0", now, 9 * day,
                 labels=sel, owner=api_rs, node="node-c", restarts=1, last_terminated="OOMKilled"),
             pod("payments", f"{api_rs['metadata']['name']}-e1v5c", "registry.local/payments-api:5.2.0", now, 3 * day,
                 labels=sel, owner=api_rs, evicted=True, ready=False)]

    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": meta("ledger-db", "payments", now, 30 * day, {"app": "ledger-db"}),
           "spec": {"replicas": 1, "serviceName": "ledger-db", "selector": {"matchLabels": {"app": "ledger-db"}},
                    "template": {"metadata": {"labels": {"app": "ledger-db"}},
                                 "spec": {"containers": [container("postgres", "postgres:16.2")]}}},
           "status": {"replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1}}
    objs += [sts, pod("payments", "ledger-db-0", "postgres:16.2", now, 30 * day, labels={"app": "ledger-db"},
                      owner=sts, node="node-a", cname="postgres")]

    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": meta("log-agent", "payments", now, 30 * day, {"app": "log-agent"}),
          "spec": {"selector": {"matchLabels": {"app": "log-agent"}},
                   "template": {"metadata": {"labels": {"app": "log-agent"}},
                                "spec": {"containers": [container("agent", "registry.local/log-agent:0.9")]}}},
          "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                     "updatedNumberScheduled": 3, "numberAvailable": 2}}
    objs.append(ds)

    cron_tpl = {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                                                "containers": [container("settle", "registry.local/settle:1.0")]}}}}
    cron = {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": meta("nightly-settlement", "payments", now, 30 * day, {"app": "settle"}),
            "spec": {"schedule": "0 2 * * *", "suspend": False, "jobTemplate": cron_tpl},
            "status": {"lastScheduleTime": ts(now, 7 * hour), "active": []}}
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": meta("nightly-settlement-28011", "payments", now, 7 * hour, {"app": "settle"},
                            ownerReferences=[{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly-settlement",
                                              "uid": cron["metadata"]["uid"], "controller": True}]),
           "spec": {"completions": 1, "parallelism": 1, "template": cron_tpl["spec"]["template"]},
           "status": {"succeeded": 1, "startTime": ts(now, 7 * hour), "completionTime": ts(now, 7 * hour - 94 * timedelta(seconds=1)),
                      "conditions": [{"type": "Complete", "status": "True"}]}}
    objs += [cron, job]

    for ns, name, port, sel in (("shop", "web", 80, "web"), ("shop", "checkout", 8080, "checkout"),
                                ("payments", "payments-api", 443, "payments-api")):
        objs.append({"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, now, 20 * day, {"app": sel}),
                     "spec": {"type": "ClusterIP", "clusterIP": f"10.96.{len(name)}.{port % 250}", "selector": {"app": sel},
                              "ports": [{"port": port, "protocol": "TCP", "targetPort": port}]}})
    objs.append({"apiVersion": "v1", "kind": "Service", "metadata": meta("shop-lb", "shop", now, 20 * day, {"app": "web"}),
                 "spec": {"type": "LoadBalancer", "clusterIP": "10.96.7.7", "selector": {"app": "web"},
                          "ports": [{"port": 443, "protocol": "TCP", "nodePort": 30443}]},
                 "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}})

    objs.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                 "metadata": meta("ledger-db-credentials", "payments", now, 30 * day, {"app": "ledger-db"}),
                 "data": {"username": "bGVkZ2Vy", "password": "c2FuZGJveC1vbmx5LXB3"}})

    crash = next(o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"].endswith("-h7w2k"))
    pull = next(o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"].endswith("-b5v8n"))
    pending = next(o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"].endswith("-z4k8j"))
    objs += [
        event("shop", "checkout-crash.1", crash, "BackOff", "Back-off restarting failed container checkout", now, 1 * minute, count=37),
        event("shop", "cart-pull.1", pull, "Failed", 'Failed to pull image "registry.local/cart:9.9.9-typo": not found', now, 3 * minute, count=12),
        event("shop", "search-sched.1", pending, "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.", now, 5 * minute, count=8),
        event("shop", "checkout-scaled.1", checkout, "ScalingReplicaSet", "Scaled up replica set checkout to 2", now, 25 * minute, type_="Normal"),
        {**event("", "node-b-notready.1", objs[1], "NodeNotReady", "Node node-b status is now: NodeNotReady", now, 15 * minute),
         "metadata": meta("node-b-notready.1", "default", now, 15 * minute)},
    ]
    emu.apply_many(objs)
    emu.append_log("shop", crash["metadata"]["name"], ["starting checkout 2.2.0", "connecting to db payments-db:5432",
                                                       "FATAL: missing env CHECKOUT_DB_PASSWORD"], at=now - minute)
    emu.append_log("shop", crash["metadata"]["name"], ["starting checkout 2.2.0", "panic: nil map"], previous=True,
                   at=now - 3 * minute)
    for p in (o for o in objs if o["kind"] == "Pod" and o["metadata"]["name"].startswith("web-")):
        emu.append_log("shop", p["metadata"]["name"], ["GET / 200 3ms", "GET /healthz 200 1ms"], at=now - 30 * timedelta(seconds=1))
