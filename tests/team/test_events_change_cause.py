"""Every Kubernetes action leaves an Event on its target; deploys and rollbacks set the change-cause."""

from __future__ import annotations

import dataclasses

from console.actions import runner
from console.actions.journal import Journal
from console.actions.kubernetes import scale_target
from console.actions.records import Operator
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.actions.team import build_hooks
from console.backends.kube_events import event_reason
from console.backends.kube_http import resource_path
from console.backends.rollout import CHANGE_CAUSE, RolloutBackend
from console.services import Services

ALICE = Operator(user="alice", host="bastion-2")


def setup(kube_api, tmp_path):
    kube_api.seed()
    kube_api.env.emu.enable_controllers(True)  # a scale succeeds once its pods are ready
    services = Services(kube_api.config)
    adapter = services.kubernetes()
    adapter.connect()
    journal = Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")
    return services, adapter, build_hooks(kube_api.config, services), journal


def events_for(http, name: str, reason: str) -> list[dict]:
    items = http.json("GET", resource_path("events", "shop")).get("items") or []
    return [e for e in items if e.get("reason") == reason and (e.get("involvedObject") or {}).get("name") == name]


def test_scale_records_an_event_with_operator_and_reason_and_releases_its_lease(kube_api, tmp_path):
    services, adapter, hooks, journal = setup(kube_api, tmp_path)
    web = Target("deployment", "web", "kubernetes", "sandbox-dev", "shop", id="")
    spec = dataclasses.replace(scale_target(adapter, "deployments", web, 3, 5), verify_timeout=20.0)
    lines: list[str] = []
    [result] = runner.execute(spec, "INC-42", journal, lines.append, ALICE, hooks=hooks)
    assert result.outcome is Outcome.SUCCEEDED, result.detail
    assert any("lock taken (Lease shop/opsconsole-deployment-web)" in line for line in lines)
    http = kube_api.http()
    [event] = events_for(http, "web", "OpsconsoleScale")
    assert event["type"] == "Normal" and event["source"]["component"] == "opsconsole"
    assert event["involvedObject"]["kind"] == "Deployment" and event["involvedObject"]["namespace"] == "shop"
    assert "alice@bastion-2" in event["message"] and "INC-42" in event["message"]
    assert result.action_id in event["message"]
    lease = http.json("GET", resource_path("leases", "shop", "opsconsole-deployment-web"))
    assert "holderIdentity" not in lease["spec"]
    services.close()


def test_failed_action_records_a_warning_event(kube_api, tmp_path):
    services, adapter, hooks, journal = setup(kube_api, tmp_path)
    ghost = Target("deployment", "ghost", "kubernetes", "sandbox-dev", "shop")
    spec = scale_target(adapter, "deployments", ghost, 1, 2)
    [result] = runner.execute(spec, "", journal, lambda _: None, ALICE, hooks=hooks)
    assert result.outcome is Outcome.FAILED
    [event] = events_for(kube_api.http(), "ghost", "OpsconsoleScale")
    assert event["type"] == "Warning" and "reason: (none given)" in event["message"]
    services.close()


def test_deploy_and_rollback_set_change_cause_with_who_and_why(kube_api, tmp_path):
    services, _, hooks, journal = setup(kube_api, tmp_path)
    rollout = RolloutBackend(kube_api.config)
    target = Target("deployment", "checkout", "kubernetes", "sandbox-dev", "shop")
    history = rollout.history("shop", "checkout")
    container = history[-1].images[0][0] if history else "checkout"
    deploy = ActionSpec(verb="set image", targets=(target,), risk=Risk.HIGH,
                        execute=lambda t, timeout: rollout.set_image("shop", "checkout",
                                                                     {container: "registry.local/checkout:2.3.0"},
                                                                     timeout=timeout))
    [result] = runner.execute(deploy, "INC-77", journal, lambda _: None, ALICE, hooks=hooks)
    assert result.outcome is Outcome.APPLIED, result.detail  # these bare specs have no verification
    dep = rollout.deployment("shop", "checkout")  # what `kubectl rollout history` reads, via the API
    cause = dep["metadata"]["annotations"][CHANGE_CAUSE]
    assert cause == f"opsconsole set image {container}=registry.local/checkout:2.3.0 by alice@bastion-2: INC-77"
    assert events_for(kube_api.http(), "checkout", event_reason("set image"))

    older = [r for r in rollout.history("shop", "checkout") if not r.current]
    back = ActionSpec(verb="rollback", targets=(target,), risk=Risk.HIGH,
                      execute=lambda t, timeout: rollout.rollback("shop", "checkout", older[0].number, timeout=timeout))
    [result] = runner.execute(back, "INC-78", journal, lambda _: None, ALICE, hooks=hooks)
    assert result.outcome is Outcome.APPLIED, result.detail
    cause = rollout.deployment("shop", "checkout")["metadata"]["annotations"][CHANGE_CAUSE]
    assert cause == f"opsconsole rollback to revision {older[0].number} by alice@bastion-2: INC-78"
    assert events_for(kube_api.http(), "checkout", "OpsconsoleRollback")
    rollout.close()
    services.close()
