"""Contract tests of KubernetesBackend against the kmock emulator (tests/fixtures/kube.py)."""

from __future__ import annotations

import dataclasses
import inspect
import threading
import time

import pytest

from console.backends.kubernetes import KubernetesBackend
from console.errors import InvalidInput, NotFound, Unconfigured
from console.models.kubernetes import KINDS, Severity


def wait_until(check, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def backend(kube):
    kube.seed()
    b = KubernetesBackend(kube.config)
    b.connect()
    yield b
    b.close()


def by_name(rows, suffix):
    return next(r for r in rows if r.name.endswith(suffix))


def test_connect_reports_context_namespace_version_and_production(kube):
    dev = KubernetesBackend(kube.config)
    info = dev.connect()
    assert (info.target, info.production, info.version) == ("sandbox-dev/shop", False, "v1.30.0-kmock")
    prod = KubernetesBackend(kube.with_context("sandbox-prod"))
    assert prod.connect().production is True and prod.namespace == "payments"
    dev.close()
    prod.close()


def test_no_kubeconfig_is_unconfigured(kube, tmp_path):
    cfg = dataclasses.replace(kube.config, kubernetes=dataclasses.replace(
        kube.config.kubernetes, kubeconfig=str(tmp_path / "missing")))
    with pytest.raises(Unconfigured, match="no kubeconfig"):
        KubernetesBackend(cfg).connect()


def test_several_kubeconfig_files_and_a_down_context(kube, tmp_path, monkeypatch):
    other = tmp_path / "other.yaml"
    other.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: dead, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: dead-ctx, context: {cluster: dead, user: u}}]\n")
    monkeypatch.setenv("KUBECONFIG", f"{kube.kubeconfig}:{other}")
    cfg = dataclasses.replace(kube.config, kubernetes=dataclasses.replace(kube.config.kubernetes, kubeconfig=None))
    b = KubernetesBackend(cfg)
    assert [c.name for c in b.contexts()] == ["sandbox-dev", "sandbox-prod", "dead-ctx"]
    assert b.probe_context("sandbox-prod") == ""
    assert "Unavailable" in b.probe_context("dead-ctx", timeout=1.0)
    assert b.connect().extra["context"] == "sandbox-dev"  # the first file's current-context
    b.close()


def test_every_kind_lists_across_all_namespaces(backend):
    for kind in KINDS:
        rows = backend.list(kind, "*")
        assert rows, kind
        assert all(r.kind == kind and len(r.cells) > 0 for r in rows)


def test_pod_problems_are_classified(backend):
    shop = backend.list("pods", "shop")
    crash = by_name(shop, "-h7w2k")
    assert crash.cell("STATUS") == "CrashLoopBackOff" and crash.severity is Severity.ERROR
    assert crash.cell("RESTARTS").template.startswith("9 (")
    assert by_name(shop, "-q9d4s").problem.startswith("CrashLoopBackOff (last exit: OOMKilled)")
    assert by_name(shop, "-b5v8n").cell("STATUS") == "ImagePullBackOff"
    pending = by_name(shop, "-z4k8j")
    assert pending.problem.startswith("Pending: Unschedulable") and pending.severity is Severity.WARNING
    assert by_name(shop, "-xk2pq").severity is Severity.OK
    payments = backend.list("pods", "payments")
    assert by_name(payments, "-e1v5c").cell("STATUS") == "Evicted"
    assert by_name(payments, "-j8l2m").problem == "OOMKilled (restarted)"


def test_node_and_deployment_problems(backend):
    nodes = {r.name: r for r in backend.list("nodes")}
    assert nodes["node-b"].cell("STATUS") == "NotReady" and nodes["node-b"].severity is Severity.ERROR
    assert nodes["node-c"].cell("STATUS") == "Ready,SchedulingDisabled" and nodes["node-c"].unschedulable
    deps = {r.name: r for r in backend.list("deployments", "shop")}
    assert deps["checkout"].problem == "below desired: 0/2 ready" and deps["checkout"].severity is Severity.ERROR
    assert deps["search"].severity is Severity.WARNING and deps["web"].problem == ""
    assert deps["web"].cell("READY") == "3/3" and deps["web"].selector == (("app", "web"),)


def test_label_selector_list(backend):
    assert {r.name.split("-")[0] for r in backend.list("pods", "shop", label_selector="app=web")} == {"web"}


def test_watch_cache_follows_changes_without_relisting(backend, kube):
    changes = []
    cache = backend.watch("deployments", "shop", on_change=lambda: changes.append(1))
    assert cache.wait_synced(5)
    assert len(cache.rows()) == 4
    kube.emu.patch("deployments", "shop", "web", {"spec": {"replicas": 5}})
    assert wait_until(lambda: next(r for r in cache.rows() if r.name == "web").replicas == 5)
    kube.emu.delete("deployments", "shop", "cart")
    assert wait_until(lambda: "cart" not in {r.name for r in cache.rows()})
    state = cache.state()
    assert state.relists == 0 and state.events >= 2 and not state.stale and changes


def test_watch_relists_after_410_gone(backend, kube):
    cache = backend.watch("pods", "shop")
    assert cache.wait_synced(5)
    kube.emu.compact()
    kube.emu.drop_watches()  # the client resumes from its version, which is now too old
    web = next(r for r in cache.rows() if r.name.startswith("web-"))
    kube.emu.delete("pods", "shop", web.name)
    assert wait_until(lambda: cache.state().relists >= 1)
    assert wait_until(lambda: web.name not in {r.name for r in cache.rows()})


def test_api_down_marks_stale_then_recovers(backend, kube):
    cache = backend.watch("nodes")
    assert cache.wait_synced(5)
    kube.emu.take_down()
    assert wait_until(lambda: cache.state().stale)
    assert len(cache.rows()) == 3  # the last good data stays
    kube.emu.bring_up()
    kube.emu.patch("nodes", None, "node-a", {"spec": {"unschedulable": True}})
    assert wait_until(lambda: not cache.state().stale, timeout=15)
    assert wait_until(lambda: next(r for r in cache.rows() if r.name == "node-a").unschedulable)


def test_describe_joins_owner_chain_conditions_and_events(backend):
    crash = by_name(backend.list("pods", "shop"), "-h7w2k")
    desc = backend.describe("pods", "shop", crash.name)
    assert desc.owners[0].startswith("ReplicaSet/checkout-") and desc.owners[1] == "Deployment/checkout"
    assert any(e.reason == "BackOff" and e.count == 37 for e in desc.events)
    assert desc.conditions and desc.problem.startswith("CrashLoopBackOff")
    assert "Controlled By:" in desc.as_text(crash.created)


def test_yaml_masks_secret_data_unless_revealed(backend, kube):
    kube.emu.apply({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
                    "data": {"password": "aHVudGVyMg=="}})
    assert "aHVudGVyMg==" not in backend.yaml("secrets", "shop", "db")
    assert "aHVudGVyMg==" in backend.yaml("secrets", "shop", "db", reveal=True)


def test_logs_tail_previous_workload_and_follow(backend, kube):
    crash = by_name(backend.list("pods", "shop"), "-h7w2k").name
    assert backend.logs("shop", crash, tail=1) == ("FATAL: missing env CHECKOUT_DB_PASSWORD",)
    assert "panic: nil map" in backend.logs("shop", crash, previous=True)
    merged = backend.workload_logs("deployments", "shop", "web")
    assert len(merged) == 6 and all(line.startswith("[web-") and "/web] " in line for line in merged)
    stop = threading.Event()
    lines = backend.follow_logs("shop", crash, stop, tail=0)
    got = []
    reader = threading.Thread(target=lambda: got.extend(line for line in lines if got.append(line) or len(got) >= 2))
    reader.start()
    time.sleep(0.3)
    kube.emu.append_log("shop", crash, ["one", "two"])
    assert wait_until(lambda: len(got) >= 2)
    stop.set()
    reader.join(5)
    assert got[:2] == ["one", "two"] and not reader.is_alive()


def test_followed_and_merged_logs_carry_timestamps_when_asked(backend, kube):
    """The log viewer always asks for timestamps (t then only shows or hides them): a
    followed pod and a merged workload carry them first, before the [pod/container] prefix."""
    from console.logbuffer import STAMP, without_stamp

    merged = backend.workload_logs("deployments", "shop", "web", timestamps=True)
    assert len(merged) == 6 and all(STAMP.match(line) and without_stamp(line).startswith("[web-") for line in merged)
    crash = by_name(backend.list("pods", "shop"), "-h7w2k").name
    stop = threading.Event()
    lines = backend.follow_logs("shop", crash, stop, tail=1, timestamps=True)
    got = []
    reader = threading.Thread(target=lambda: got.extend(line for line in lines if got.append(line) or len(got) >= 2))
    reader.start()
    assert wait_until(lambda: len(got) >= 1)
    kube.emu.append_log("shop", crash, ["later"])
    assert wait_until(lambda: len(got) >= 2)
    stop.set()
    reader.join(5)
    assert [without_stamp(line) for line in got[:2]] == ["FATAL: missing env CHECKOUT_DB_PASSWORD", "later"]
    assert all(STAMP.match(line) for line in got[:2])


def test_mutations_have_timeouts_and_are_listed():
    for name in KubernetesBackend.MUTATIONS:
        assert "timeout" in inspect.signature(getattr(KubernetesBackend, name)).parameters, name


def test_scale_with_dry_run_preview(backend, kube):
    assert backend.scale_preview("deployments", "shop", "web", 5, timeout=5) == (3, 5)
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 3
    assert backend.scale("deployments", "shop", "web", 5, timeout=5) == 3
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 5
    with pytest.raises(InvalidInput):
        backend.scale("services", "shop", "web", 2, timeout=5)


def test_delete_pod_and_missing_pod(backend, kube):
    web = next(r for r in backend.list("pods", "shop") if r.name.startswith("web-")).name
    backend.delete_pod("shop", web, timeout=5)
    assert kube.emu.get("pods", "shop", web) is None
    with pytest.raises(NotFound):
        backend.delete_pod("shop", web, timeout=5)


def test_rollout_restart_cordon_and_cronjob_actions(backend, kube):
    stamp = backend.rollout_restart("deployments", "shop", "web", timeout=5)
    tpl = kube.emu.get("deployments", "shop", "web")["spec"]["template"]
    assert tpl["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == stamp
    assert tpl["spec"]["containers"][0]["image"] == "registry.local/web:1.4.2"  # merge kept the rest
    backend.cordon("node-a", timeout=5)
    assert kube.emu.get("nodes", None, "node-a")["spec"]["unschedulable"] is True
    backend.uncordon("node-a", timeout=5)
    assert "unschedulable" not in kube.emu.get("nodes", None, "node-a")["spec"]
    job = backend.trigger_cronjob("payments", "nightly-settlement", timeout=5)
    created = kube.emu.get("jobs", "payments", job)
    assert created["metadata"]["ownerReferences"][0]["name"] == "nightly-settlement"
    assert created["spec"]["template"]["spec"]["containers"][0]["name"] == "settle"
    backend.suspend_cronjob("payments", "nightly-settlement", timeout=5)
    assert kube.emu.get("cronjobs", "payments", "nightly-settlement")["spec"]["suspend"] is True
    backend.resume_cronjob("payments", "nightly-settlement", timeout=5)
    assert kube.emu.get("cronjobs", "payments", "nightly-settlement")["spec"]["suspend"] is False
