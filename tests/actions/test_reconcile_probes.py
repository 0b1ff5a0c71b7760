"""Reconciliation reads the target through the real adapters (kmock emulator, real dockerd)."""

from __future__ import annotations

import pytest

from console.actions.journal import Journal
from console.actions.reconcile import reconcile
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.config import Config, DockerConfig
from console.services import Services
from tests.actions.test_reconcile import dead_writer

OPERATOR = Operator("ann", "bastion")


def orphan(journal: Journal, target: Target, verb: str = "rollback") -> None:
    spec = ActionSpec(verb, (target,), Risk.HIGH, execute=lambda t, timeout: None)
    record = make_record(spec, target, Outcome.REQUESTED, operator=OPERATOR, action_id=f"id-{target.name}")
    record["writer"] = dead_writer()
    journal.audit(record)


def test_deployment_image_revision_and_readiness(kube, tmp_path):
    kube.seed()
    journal = Journal(tmp_path / "CHANGELOG.md", tmp_path / "audit.jsonl")
    orphan(journal, Target("deployment", "checkout", "kubernetes", "sandbox-dev", "shop"))
    orphan(journal, Target("deployment", "web", "kubernetes", "sandbox-prod", "shop"))  # another context
    orphan(journal, Target("deployment", "gone", "kubernetes", "sandbox-dev", "shop"))
    services = Services(kube.config)
    try:
        report = reconcile(journal, services)
    finally:
        services.close()
    found = {r["target"]["name"]: r["detail"] for r in report.reconciled}
    assert "images checkout=" in found["checkout"] and "revision 3" in found["checkout"]
    assert "0/2 ready" in found["checkout"]
    assert found["web"].startswith("not checked: the console is on context sandbox-dev, the action was on sandbox-prod")
    assert found["gone"].startswith("current state unknown (Not found")
    assert [r["outcome"] for r in journal.read_audit().records].count("reconciled at next start") == 3


@pytest.mark.docker
def test_container_state_and_health(docker_engine, tmp_path):
    c = docker_engine.run(image=docker_engine.unhealthy_image)
    docker_engine.wait_health(c["id"], "unhealthy")
    config = Config(docker=DockerConfig(host=docker_engine.host, timeout=20))
    services = Services(config)
    journal = Journal(tmp_path / "CHANGELOG.md", tmp_path / "audit.jsonl")
    try:
        context = services.docker().host
        label = context.name if context.name == context.host else f"{context.name} ({context.host})"
        orphan(journal, Target("container", c["name"], "docker", label, id=c["id"]), verb="restart")
        [record] = reconcile(journal, services).reconciled
    finally:
        services.close()
    assert record["detail"].startswith("container running: running (unhealthy)")
