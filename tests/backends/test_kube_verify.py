"""Verification reads convergence, proven on the real control plane and its controllers."""

from __future__ import annotations

import time

import pytest

from console.backends.kubernetes import KubernetesBackend
from console.errors import NotConverged, TimedOut
from tests.backends.kube_objects import cronjob, deployment, quota
from tests.fixtures.kube_real import poll


@pytest.fixture
def real(kube_real):
    b = KubernetesBackend(kube_real.config)
    b.connect()
    yield kube_real, b
    b.close()


def ready(env, name, want):
    return poll(lambda: (env.get("deployments", name).get("status") or {}).get("readyReplicas") == want,
                what=f"{name} ready {want}")


def test_scale_is_verified_only_when_ready_replicas_reach_the_target(real):
    env, b = real
    env.create("deployments", deployment("web", replicas=1))
    ready(env, "web", 1)
    notes: list[str] = []
    b.scale("deployments", env.namespace, "web", 3, timeout=5.0)
    b.verify_scale("deployments", env.namespace, "web", 3, notes.append, time.monotonic() + 60)
    assert env.get("deployments", "web")["status"]["readyReplicas"] == 3
    assert notes and notes[0].startswith("ready ") and not notes[0].startswith("ready 3/3")


def test_quota_limited_scale_fails_with_the_failedcreate_reason(real):
    env, b = real
    env.create("resourcequotas", quota("pods", 2))
    env.create("deployments", deployment("web", replicas=1))
    ready(env, "web", 1)
    notes: list[str] = []
    b.scale("deployments", env.namespace, "web", 4, timeout=5.0)
    with pytest.raises(NotConverged, match="FailedCreate.*exceeded quota") as err:
        b.verify_scale("deployments", env.namespace, "web", 4, notes.append, time.monotonic() + 60)
    assert "cannot reach 4 ready replicas" in err.value.body and notes[-1].startswith("ready ")


def test_never_ready_pods_time_out_with_the_last_observed_state(real):
    env, b = real
    env.create("deployments", deployment("slow", image="registry.local/neverready:1", replicas=1))
    poll(lambda: len(env.request("GET", f"/api/v1/namespaces/{env.namespace}/pods").get("items") or []) == 1)
    with pytest.raises(TimedOut, match="last observed ready 0/1"):
        b.verify_scale("deployments", env.namespace, "slow", 1, lambda _: None, time.monotonic() + 1.5)


def test_unschedulable_pods_fail_the_scale_early(real):
    env, b = real
    env.create("deployments", deployment("big", image="registry.local/unschedulable:1", replicas=1))
    with pytest.raises(NotConverged, match="Unschedulable: 0/2 nodes are available"):
        b.verify_scale("deployments", env.namespace, "big", 1, lambda _: None, time.monotonic() + 60)


def test_restart_waits_for_the_new_replicaset_and_old_pods_gone(real):
    env, b = real
    env.create("deployments", deployment("web", replicas=2))
    ready(env, "web", 2)
    old = {p["metadata"]["uid"] for p in env.request("GET", f"/api/v1/namespaces/{env.namespace}/pods")["items"]}
    notes: list[str] = []
    stamp = b.rollout_restart("deployments", env.namespace, "web", timeout=5.0)
    b.verify_restart("deployments", env.namespace, "web", stamp, notes.append, time.monotonic() + 90)
    pods = env.request("GET", f"/api/v1/namespaces/{env.namespace}/pods")["items"]
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 2 and not old & {p["metadata"]["uid"] for p in live}
    assert any("old pod(s) left" in n for n in notes)


def test_restart_into_a_crash_loop_times_out_not_verified(real):
    env, b = real
    env.create("deployments", deployment("web", replicas=1))
    ready(env, "web", 1)
    env.patch("deployments", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "registry.local/crashloop:2"}]}}}})
    stamp = b.rollout_restart("deployments", env.namespace, "web", timeout=5.0)
    with pytest.raises(TimedOut, match="new ReplicaSet ready 0/1, 1 old pod"):
        b.verify_restart("deployments", env.namespace, "web", stamp, lambda _: None, time.monotonic() + 3)


def test_cordon_and_suspend_read_the_field_back(real):
    env, b = real
    env.create("cronjobs", cronjob("nightly"))
    b.suspend_cronjob(env.namespace, "nightly", timeout=5.0)
    b.verify_field("cronjobs", env.namespace, "nightly", "suspend", True, lambda _: None, time.monotonic() + 10)
    with pytest.raises(TimedOut, match="spec.suspend=true"):
        b.verify_field("cronjobs", env.namespace, "nightly", "suspend", False, lambda _: None, time.monotonic() + 0.5)
    b.cordon("node-2", timeout=5.0)
    try:
        b.verify_field("nodes", None, "node-2", "unschedulable", True, lambda _: None, time.monotonic() + 10)
    finally:
        b.uncordon("node-2", timeout=5.0)
    b.verify_field("nodes", None, "node-2", "unschedulable", False, lambda _: None, time.monotonic() + 10)


# -- through the guarded runner: the outcome words the operator reads -------------------------
def run_scale(env, b, tmp_path, replicas: int):
    from console.actions.journal import Journal
    from console.actions.kubernetes import scale
    from console.actions.records import Operator
    from console.actions.runner import execute
    from console.backends.base import BackendInfo

    row = next(r for r in b.list("deployments") if r.name == "web")
    info = BackendInfo(name="kubernetes", target="real-admin", extra={"context": "real-admin"})
    spec = scale(b, row, info, replicas)
    notes: list[str] = []
    journal = Journal(tmp_path / "CHANGELOG.md", tmp_path / "audit.jsonl")
    return execute(spec, "INC-13", journal, notes.append, Operator(user="t", host="h"))[0], notes


def test_scale_action_on_a_quota_ends_failed_with_the_failedcreate_reason(real, tmp_path):
    env, b = real
    env.create("resourcequotas", quota("pods", 3))
    env.create("deployments", deployment("web", replicas=3))
    ready(env, "web", 3)
    result, notes = run_scale(env, b, tmp_path, 5)
    assert result.outcome.value == "failed", result
    assert "FailedCreate" in result.detail and "exceeded quota" in result.detail
    assert any(n.startswith("ready ") for n in notes)


def test_scale_action_succeeds_only_once_ready_replicas_reach_the_target(real, tmp_path):
    env, b = real
    env.create("deployments", deployment("web", replicas=1))
    ready(env, "web", 1)
    result, notes = run_scale(env, b, tmp_path, 3)
    assert result.outcome.value == "succeeded", result
    assert env.get("deployments", "web")["status"]["readyReplicas"] == 3


def test_statefulset_restart_waits_for_every_pod_updated_and_ready(real):
    env, b = real
    env.create("statefulsets", {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                     "terminationGracePeriodSeconds": 0, "containers": [{"name": "db", "image": "registry.local/db:1"}]}}}})
    poll(lambda: (env.get("statefulsets", "db").get("status") or {}).get("readyReplicas") == 2, what="db ready")
    notes: list[str] = []
    stamp = b.rollout_restart("statefulsets", env.namespace, "db", timeout=5.0)
    b.verify_restart("statefulsets", env.namespace, "db", stamp, notes.append, time.monotonic() + 90)
    status = env.get("statefulsets", "db")["status"]
    assert status["updateRevision"] == status["currentRevision"] and status["readyReplicas"] == 2
    assert notes and notes[0].startswith("updated ")  # it saw the restart in progress first
