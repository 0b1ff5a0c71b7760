"""RolloutBackend against the kmock emulator: history, diff, plan, dry run, apply, rollback, watch."""

from __future__ import annotations

import threading
import time

import pytest

from console.backends.rollout import RolloutBackend, check_image, revision_history, template_diff
from console.backends.rollout_strategy import pdb_headroom, resolve_count, strategy_of
from console.errors import Conflict, InvalidInput, NotFound
from console.models.rollout import Phase
from tests.rollout.kube_steps import controller_step, deadline_exceeded


@pytest.fixture
def rollout(kube):
    kube.seed()
    backend = RolloutBackend(kube.config)
    yield backend
    backend.close()


def later(seconds: float, fn, *args, **kwargs) -> threading.Thread:
    def run():
        time.sleep(seconds)
        fn(*args, **kwargs)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_history_from_replicaset_revisions_marks_current(rollout):
    history = rollout.history("shop", "checkout")
    assert [r.number for r in history] == [3, 2, 1]
    assert [r.current for r in history] == [True, False, False]
    assert history[0].images == (("checkout", "registry.local/checkout:2.2.0"),)
    assert history[2].images == (("checkout", "registry.local/checkout:2.0.0"),)
    assert history[1].name.startswith("checkout-") and history[1].created is not None


def test_diff_between_any_two_revisions_ignores_the_hash_label(rollout):
    history = {r.number: r for r in rollout.history("shop", "checkout")}
    diff = template_diff(history[1].template, history[3].template)
    assert [line.text for line in diff] == [
        "~ spec.containers[checkout].image: registry.local/checkout:2.0.0 → registry.local/checkout:2.2.0"]
    assert template_diff(history[2].template, history[2].template) == ()


def test_plan_set_image_names_before_after_strategy_and_pdb(rollout):
    plan = rollout.plan_set_image("shop", "web", {"web": "registry.local/web:1.5.0"})
    assert plan.images_before == "web=registry.local/web:1.4.2"
    assert plan.images_after == "web=registry.local/web:1.5.0"
    assert plan.strategy == "RollingUpdate (maxSurge 1, maxUnavailable 0)" and plan.replicas == 3
    assert plan.context == "sandbox-dev" and plan.namespace == "shop" and not plan.production
    assert plan.pdb.startswith("unknown")  # the emulator serves no policy/v1 API
    assert plan.revision_before == 1
    assert [d.path for d in plan.diff] == ["spec.containers[web].image"]


def test_plan_refuses_unknown_container_and_bad_image(rollout):
    with pytest.raises(InvalidInput, match="no container named api"):
        rollout.plan_set_image("shop", "web", {"api": "registry.local/web:2"})
    with pytest.raises(InvalidInput, match="not a valid image reference"):
        rollout.plan_set_image("shop", "web", {"web": "Registry.local/Web:1.5"})


def test_dry_run_accepts_without_changing_the_deployment(rollout, kube):
    result = rollout.dry_run_set_image("shop", "web", {"web": "registry.local/web:1.5.0"})
    assert result.ok and "dryRun=All" in result.message
    dep = kube.emu.get("deployments", "shop", "web")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.local/web:1.4.2"


def test_dry_run_rejection_says_why(rollout, kube):
    bad = rollout.dry_run_set_image("shop", "web", {"web": "web image"})
    assert not bad.ok and "contains spaces" in bad.message
    kube.emu.delete("deployments", "shop", "web")
    gone = rollout.dry_run_set_image("shop", "web", {"web": "registry.local/web:1.5.0"})
    assert not gone.ok and "Not found" in gone.message
    assert not rollout.dry_run_rollback("shop", "cart").ok  # cart has a single revision


def test_set_image_patches_template_and_records_change_cause(rollout, kube):
    before = kube.emu.get("deployments", "shop", "web")["metadata"]["generation"]
    detail = rollout.set_image("shop", "web", {"web": "registry.local/web:1.5.0"}, reason="INC-42", timeout=5)
    assert detail == "web: registry.local/web:1.4.2 → registry.local/web:1.5.0"
    dep = kube.emu.get("deployments", "shop", "web")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.local/web:1.5.0"
    assert "INC-42" in dep["metadata"]["annotations"]["kubernetes.io/change-cause"]
    assert dep["metadata"]["generation"] == before + 1


def test_rollback_applies_the_old_template_like_kubectl_undo(rollout, kube):
    plan = rollout.plan_rollback("shop", "checkout")
    assert plan.revision_after == 2 and plan.revision_before == 3
    assert plan.images_after == "checkout=registry.local/checkout:2.1.0"
    assert rollout.dry_run_rollback("shop", "checkout").ok
    assert rollout.rollback("shop", "checkout", timeout=5) == "rolled back to revision 2"
    template = kube.emu.get("deployments", "shop", "checkout")["spec"]["template"]
    assert template["spec"]["containers"][0]["image"] == "registry.local/checkout:2.1.0"
    assert "pod-template-hash" not in template["metadata"]["labels"]
    assert [r.current for r in rollout.history("shop", "checkout")] == [False, True, False]


def test_rollback_to_current_or_unknown_revision_is_refused(rollout):
    with pytest.raises(Conflict, match="already the current"):
        rollout.rollback("shop", "checkout", 3, timeout=5)
    with pytest.raises(NotFound, match="known: 3, 2, 1"):
        rollout.plan_rollback("shop", "checkout", 9)


def test_pause_and_resume(rollout, kube):
    rollout.pause("shop", "web", timeout=5)
    assert kube.emu.get("deployments", "shop", "web")["spec"]["paused"] is True
    snap = next(rollout.watch_rollout("shop", "web", timeout=5))
    assert snap.phase is Phase.PAUSED
    rollout.resume("shop", "web", timeout=5)
    assert "paused" not in kube.emu.get("deployments", "shop", "web")["spec"]


def test_watch_follows_a_rollout_to_completion(rollout, kube):
    rollout.set_image("shop", "web", {"web": "registry.local/web:1.5.0"}, timeout=5)
    later(0.3, controller_step, kube.emu, "shop", "web")
    snaps = list(rollout.watch_rollout("shop", "web", timeout=10, interval=0.05))
    assert snaps[0].phase is Phase.PROGRESSING and "controller" in snaps[0].message
    final = snaps[-1]
    assert final.phase is Phase.COMPLETE and (final.updated, final.available, final.desired) == (3, 3, 3)
    assert final.revision == 2 and len(final.pods) == 3 and all(p.ready for p in final.pods)
    assert [r.number for r in rollout.history("shop", "web")][:1] == [2]


def test_watch_reports_a_failed_rollout_with_pod_reasons_and_logs(rollout, kube):
    rollout.set_image("shop", "web", {"web": "registry.local/web:1.6.0"}, timeout=5)
    controller_step(kube.emu, "shop", "web", ready=False, waiting="CrashLoopBackOff", restarts=1,
                    log=("starting web 1.6.0", "FATAL: config key missing"))
    deadline_exceeded(kube.emu, "shop", "web")
    final = list(rollout.watch_rollout("shop", "web", timeout=10, interval=0.05))[-1]
    assert final.phase is Phase.FAILED and "progress deadline exceeded" in final.message
    text = final.failure_text()
    assert "CrashLoopBackOff" in text and "FATAL: config key missing" in text


def test_watch_fails_early_on_an_image_that_cannot_be_pulled(rollout, kube):
    rollout.set_image("shop", "web", {"web": "registry.local/web:9.9-typo"}, timeout=5)
    controller_step(kube.emu, "shop", "web", ready=False, waiting="ImagePullBackOff")
    final = list(rollout.watch_rollout("shop", "web", timeout=10, interval=0.05))[-1]
    assert final.phase is Phase.FAILED and "ImagePullBackOff" in final.message


def test_watch_times_out_when_nothing_moves(rollout):
    rollout.set_image("shop", "web", {"web": "registry.local/web:1.5.0"}, timeout=5)
    final = list(rollout.watch_rollout("shop", "web", timeout=0.3, interval=0.05))[-1]
    assert final.phase is Phase.TIMED_OUT and "controller" in final.message


# -- pure logic on plain dicts ----------------------------------------------------------------
def test_strategy_math_matches_the_controller():
    assert resolve_count("25%", 3, True) == 1 and resolve_count("25%", 3, False) == 0
    assert resolve_count(2, 10, True) == 2 and resolve_count(None, 8, False) == 2
    with pytest.raises(InvalidInput):
        resolve_count("lots", 3, True)
    assert strategy_of({"spec": {"replicas": 1, "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "10%"}}}})[1:] == (0, 1)
    assert strategy_of({"spec": {"replicas": 4, "strategy": {"type": "Recreate"}}})[0].startswith("Recreate")


def test_pdb_headroom_from_matching_budgets():
    pdbs = [{"metadata": {"name": "web-pdb"}, "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
             "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "expectedPods": 3}},
            {"metadata": {"name": "other"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "db"}}}}]
    assert pdb_headroom(pdbs, {"app": "web"}) == "web-pdb: minAvailable 2, 3/3 healthy, 1 disruption(s) allowed"
    assert pdb_headroom(pdbs, {"app": "cart"}) == "no PodDisruptionBudget covers these pods"


def test_history_ignores_foreign_and_unannotated_replicasets():
    dep = {"metadata": {"uid": "d1", "annotations": {"deployment.kubernetes.io/revision": "2"}},
           "spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "a", "image": "x:2"}]}}}}
    def rs(name, rev, image, uid="d1"):
        return {"metadata": {"name": name, "ownerReferences": [{"uid": uid, "controller": True}],
                             "annotations": {"deployment.kubernetes.io/revision": rev} if rev else {}},
                "spec": {"template": {"metadata": {"labels": {"app": "a", "pod-template-hash": name}},
                                      "spec": {"containers": [{"name": "a", "image": image}]}}}}
    history = revision_history(dep, [rs("a-1", "1", "x:1"), rs("a-2", "2", "x:2"), rs("b-1", "5", "y", uid="other"),
                                     rs("a-0", "", "x:0")])
    assert [(r.number, r.current) for r in history] == [(2, True), (1, False)]


def test_check_image():
    assert check_image("registry.local:5000/team/web:1.2.3") == ""
    assert check_image("web@sha256:" + "a" * 64) == ""
    assert "spaces" in check_image(" web")
    assert check_image("web:") != ""


def test_watch_rides_out_an_api_outage(rollout, kube):
    rollout.set_image("shop", "web", {"web": "registry.local/web:1.5.0"}, timeout=5)
    kube.emu.take_down()

    def recover():
        kube.emu.bring_up()
        controller_step(kube.emu, "shop", "web")
    later(0.5, recover)
    snaps = list(rollout.watch_rollout("shop", "web", timeout=20, interval=0.1))
    assert any("cannot see the rollout (Unavailable" in s.message for s in snaps)
    assert snaps[-1].phase is Phase.COMPLETE
