"""What only a real API server shows: logs without a kubelet, rollback annotations, a frozen
server, and credential plugins that never answer."""

from __future__ import annotations

import dataclasses
import sys
import threading

from console.backends.kubernetes import KubernetesBackend
from console.backends.rollout import RolloutBackend
from console.errors import TimedOut
from tests.backends.kube_objects import deployment
from tests.fixtures.kube_real import poll


def ready(env, name, want):
    return poll(lambda: (env.get("deployments", name).get("status") or {}).get("readyReplicas") == want,
                what=f"{name} ready {want}")


def test_item9_merged_workload_logs_go_on_past_a_pod_whose_log_fails(kube_real):
    env = kube_real
    env.create("deployments", deployment("web", replicas=2))
    ready(env, "web", 2)
    b = KubernetesBackend(env.config)
    b.connect()
    try:  # no kubelet serves pods/log here: the server answers 404 for each pod
        lines = b.workload_logs("deployments", env.namespace, "web")
    finally:
        b.close()
    assert len(lines) == 2 and all(" log unavailable: " in line and "HTTP " in line for line in lines)


def test_item7_rollback_restores_the_revisions_annotations_like_kubectl(kube_real):
    env = kube_real
    env.create("deployments", deployment("web", annotations={"team": "blue", "kubernetes.io/change-cause": "v1"}))
    ready(env, "web", 1)
    env.patch("deployments", "web", {"metadata": {"annotations": {"team": "red", "kubernetes.io/change-cause": "v2"}},
                                     "spec": {"template": {"spec": {"containers": [
                                         {"name": "app", "image": "registry.local/web:2.0"}]}}}})
    poll(lambda: (env.get("deployments", "web")["metadata"]["annotations"].get("deployment.kubernetes.io/revision")
                  == "2"), what="revision 2")
    ready(env, "web", 1)
    rollout = RolloutBackend(env.config)
    try:
        plan = rollout.plan_rollback(env.namespace, "web", 1)
        assert "annotation team: red → blue" in plan.notes
        rollout.rollback(env.namespace, "web", 1, timeout=5.0)
    finally:
        rollout.close()
    annotations = env.get("deployments", "web")["metadata"]["annotations"]
    assert annotations["team"] == "blue" and annotations["kubernetes.io/change-cause"] == "v1"


def bounded(fn, limit: float = 60.0):
    """Run ``fn`` in a thread; the test fails (instead of hanging) when it does not return."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(limit)
    assert not t.is_alive(), f"{fn} still waiting after {limit:.0f}s: the call has no timeout"
    return box


def test_issue14_frozen_api_server_times_out_list_detail_logs_connect_and_actions(kube_real):
    env = kube_real
    env.create("deployments", deployment("web"))
    ready(env, "web", 1)
    pod = env.request("GET", f"/api/v1/namespaces/{env.namespace}/pods")["items"][0]["metadata"]["name"]
    cfg = dataclasses.replace(env.config, kubernetes=dataclasses.replace(env.config.kubernetes, timeout=1.5))
    b = KubernetesBackend(cfg)
    b.connect()
    fresh = KubernetesBackend(cfg)
    calls = {
        "list": lambda: b.list("pods"),
        "describe": lambda: b.describe("deployments", env.namespace, "web"),
        "logs": lambda: b.logs(env.namespace, pod),
        "connect": fresh.connect,
        "scale": lambda: b.scale("deployments", env.namespace, "web", 2, timeout=1.5),
        "delete": lambda: b.delete_pod(env.namespace, pod, timeout=1.5),
    }
    env.plane.kubelet.paused.set()
    env.plane.freeze()
    try:
        results = {name: bounded(call) for name, call in calls.items()}
    finally:
        env.plane.thaw()
        env.plane.kubelet.paused.clear()
        b.close()
        fresh.close()
    for name, box in results.items():
        assert isinstance(box.get("error"), TimedOut), f"{name}: {box}"
        assert "no answer in time" in box["error"].body


def test_issue14_an_exec_credential_plugin_that_never_answers_times_out_naming_context_and_plugin(kube_real, tmp_path):
    env = kube_real
    plugin = tmp_path / "sso-login"
    plugin.write_text(f"#!{sys.executable}\nimport time\nprint('Open the browser to log in…', flush=True)\n"
                      "time.sleep(3600)\n")
    plugin.chmod(0o755)
    kubeconfig = tmp_path / "exec.kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: real, cluster: {{server: '{env.plane.url}', certificate-authority: '{env.plane.ca_file}'}}}}]\n"
        f"users: [{{name: sso, user: {{exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: '{plugin}'}}}}}}]\n"
        "contexts: [{name: corp-sso, context: {cluster: real, user: sso}}]\ncurrent-context: corp-sso\n")
    cfg = dataclasses.replace(env.config, kubernetes=dataclasses.replace(
        env.config.kubernetes, kubeconfig=str(kubeconfig), context="corp-sso", timeout=1.0))
    box = bounded(KubernetesBackend(cfg).connect)
    error = box.get("error")
    assert isinstance(error, TimedOut), box
    assert "'corp-sso'" in error.body and "'sso-login'" in error.body


def test_issue14_a_watch_on_a_frozen_api_server_turns_stale_then_recovers(kube_real):
    from console.backends.kube_http import KubeHttp
    from console.backends.kube_watch import WatchCache

    env = kube_real
    env.create("deployments", deployment("web"))
    b = KubernetesBackend(env.config)
    b.connect()
    cache = WatchCache(KubeHttp(b.http.api, 2.0), "deployments", env.namespace, watch_seconds=2).start()
    try:
        assert cache.wait_synced(30) and [r.name for r in cache.rows()] == ["web"]
        env.plane.kubelet.paused.set()
        env.plane.freeze()
        try:
            poll(lambda: cache.state().stale, timeout=60, what="stale while frozen")
            assert "no answer in time" in cache.state().reason
        finally:
            env.plane.thaw()
            env.plane.kubelet.paused.clear()
        poll(lambda: not cache.state().stale, timeout=60, what="live again")
    finally:
        cache.stop(timeout=2)
        b.close()
