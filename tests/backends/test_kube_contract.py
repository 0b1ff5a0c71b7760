"""KubernetesBackend contract tests on both backends (kmock and the real API server).

Each test here failed on the real server before the fix it names (issue 13 items); the
kmock run keeps the emulator honest about the same calls.
"""

from __future__ import annotations

import json

import pytest

from console.backends.kubernetes import KubernetesBackend
from console.backends.rollout import CHANGED, JSON_PATCH, RolloutBackend
from console.errors import Conflict, Denied
from tests.backends.kube_objects import deployment


@pytest.fixture
def backend(any_kube):
    b = KubernetesBackend(any_kube.config)
    b.connect()
    yield b
    b.close()


def test_item1_yaml_and_copy_mask_the_last_applied_configuration(any_kube, backend):
    manifest = deployment("api", env=[{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "MODE", "value": "fast"}])
    applied = json.dumps(manifest)  # what kubectl apply stores
    manifest["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": applied}
    any_kube.create("deployments", manifest)
    text = backend.yaml("deployments", any_kube.namespace, "api")
    copied = json.dumps(backend.masked_object("deployments", any_kube.namespace, "api"))
    for shown in (text, copied):
        assert "hunter2" not in shown
    annotation = backend.masked_object("deployments", any_kube.namespace, "api")["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"]
    env = json.loads(annotation)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[1] == {"name": "MODE", "value": "fast"} and env[0]["value"] != "hunter2"
    assert "hunter2" in backend.yaml("deployments", any_kube.namespace, "api", reveal=True)


def test_item2_node_describe_shows_kubelet_events_recorded_by_node_name(any_kube, backend):
    if any_kube.name == "kmock":
        any_kube.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    any_kube.create("events", {  # node events live in "default", as a kubelet writes them
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": f"node-1.rebooted-{any_kube.namespace}"},
        "involvedObject": {"kind": "Node", "name": "node-1", "uid": "node-1"},  # what a kubelet writes
        "reason": "Rebooted", "message": "Node node-1 has been rebooted, boot id: 42", "type": "Warning",
        "source": {"component": "kubelet", "host": "node-1"}, "count": 1,
        "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z"}, namespace="default")
    events = backend.describe("nodes", None, "node-1").events
    assert any(e.reason == "Rebooted" and "boot id: 42" in e.message for e in events)


def test_item6_a_deployment_changed_between_plan_and_patch_says_review_the_new_plan(any_kube):
    any_kube.create("deployments", deployment("web"))
    rollout = RolloutBackend(any_kube.config)
    try:
        generation = int(rollout.deployment(any_kube.namespace, "web")["metadata"]["generation"])
        stale_guard = [{"op": "test", "path": "/metadata/generation", "value": generation + 7},
                       {"op": "replace", "path": "/spec/replicas", "value": 4}]
        with pytest.raises(Conflict, match=CHANGED):
            rollout._patch(any_kube.namespace, "web", stale_guard, JSON_PATCH, "rollout.set_image test")
        assert rollout.deployment(any_kube.namespace, "web")["spec"]["replicas"] == 1
    finally:
        rollout.close()


def test_item8_lists_come_in_pages_with_limit_and_continue(any_kube, backend):
    for i in range(7):
        any_kube.create("services", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"svc-{i}"},
                                     "spec": {"ports": [{"port": 80 + i}], "selector": {"app": "x"}}})
    backend.http.page_size = 3
    before = backend.http.requests
    names = {r.name for r in backend.list("services")}
    assert {f"svc-{i}" for i in range(7)} <= names
    assert backend.http.requests - before == 2  # a first page of 3, then pages of 12 (page_growth): both servers page


def test_item5_namespace_choices_for_a_user_who_cannot_list_namespaces(any_kube):
    if any_kube.name == "kmock":  # no RBAC: every namespace
        b = KubernetesBackend(any_kube.config)
        b.connect()
        try:
            assert b.namespace_choices() == (b.namespaces(), "")
        finally:
            b.close()
        return
    b = KubernetesBackend(any_kube.with_context("real-limited"))
    b.connect()
    try:
        with pytest.raises(Denied, match="forbidden"):
            b.namespaces()
        names, note = b.namespace_choices(("limited", "team-b"))
        assert names == ("limited", "team-b") and "not allowed" in note
        assert b.list("pods") == ()  # its own namespace works
    finally:
        b.close()


# -- the action paths, on both backends ---------------------------------------------------------
def test_scale_dry_run_changes_nothing_then_scale_converges(any_kube, backend):
    import time

    any_kube.controllers()
    any_kube.create("deployments", deployment("web", replicas=1))
    assert backend.scale_preview("deployments", any_kube.namespace, "web", 2, timeout=5.0)[1] == 2
    assert any_kube.get("deployments", "web")["spec"]["replicas"] == 1
    assert backend.scale("deployments", any_kube.namespace, "web", 2, timeout=5.0) == 1
    backend.verify_scale("deployments", any_kube.namespace, "web", 2, lambda _: None, time.monotonic() + 60)


def test_rollout_history_rollback_and_verification(any_kube):
    from console.models.rollout import Phase

    any_kube.controllers()
    any_kube.create("deployments", deployment("web", image="registry.local/web:1.0"))
    rollout = RolloutBackend(any_kube.config)
    try:
        for snap in rollout.watch_rollout(any_kube.namespace, "web", timeout=60, interval=0.2):
            last = snap
        assert last.phase is Phase.COMPLETE, last.progress_text
        rollout.set_image(any_kube.namespace, "web", {"app": "registry.local/web:2.0"}, timeout=5.0)
        for snap in rollout.watch_rollout(any_kube.namespace, "web", timeout=60, interval=0.2):
            last = snap
        assert last.phase is Phase.COMPLETE and last.revision == 2, last.progress_text
        history = rollout.history(any_kube.namespace, "web")
        assert [(r.number, r.current) for r in history] == [(2, True), (1, False)]
        rollout.rollback(any_kube.namespace, "web", 1, timeout=5.0)
        for snap in rollout.watch_rollout(any_kube.namespace, "web", timeout=60, interval=0.2):
            last = snap
        assert last.phase is Phase.COMPLETE and last.revision == 3, last.progress_text
        current = next(r for r in rollout.history(any_kube.namespace, "web") if r.current)
        assert current.number == 3 and current.images == (("app", "registry.local/web:1.0"),)
    finally:
        rollout.close()


def test_cordon_suspend_and_trigger_read_back(any_kube, backend):
    import time

    from tests.backends.kube_objects import cronjob

    if any_kube.name == "kmock":
        any_kube.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-2"}})
    any_kube.create("cronjobs", cronjob("nightly"))
    backend.cordon("node-2", timeout=5.0)
    try:
        backend.verify_field("nodes", None, "node-2", "unschedulable", True, lambda _: None, time.monotonic() + 10)
    finally:
        backend.uncordon("node-2", timeout=5.0)
    backend.suspend_cronjob(any_kube.namespace, "nightly", timeout=5.0)
    backend.verify_field("cronjobs", any_kube.namespace, "nightly", "suspend", True, lambda _: None,
                         time.monotonic() + 10)
    job = backend.trigger_cronjob(any_kube.namespace, "nightly", timeout=5.0)
    assert any_kube.get("jobs", job)["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
