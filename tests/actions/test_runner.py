"""The runner without the UI: gate, outcomes of execute and verify, bulk undo, journal failures."""

from __future__ import annotations

import time

from console.actions import runner
from console.actions.journal import Journal
from console.actions.records import Operator
from console.actions.spec import ActionSpec, Outcome, Risk
from console.errors import TimedOut
from tests.actions.harness import FakeExecutor, conflict, scale_spec

OPERATOR = Operator("ann", "bastion")


def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")


def test_gate():
    fake = FakeExecutor()
    spec = scale_spec(fake, "web", context="prod-eu")
    assert runner.gate(spec, read_only=True).startswith("read-only mode")
    assert runner.gate(spec, False, lambda ctx: ctx.startswith("prod")) == (
        "context prod-eu is read-only (config kubernetes.read_only_contexts)")
    assert runner.gate(spec, False, lambda ctx: False) is None
    assert runner.gate(spec, False, True) == "this context is read-only"
    empty = ActionSpec("restart", (), Risk.HIGH, lambda t, timeout: None)
    assert runner.gate(empty, False) == "restart: no target selected"


def test_verify_failure_and_timeout(tmp_path):
    fake = FakeExecutor()

    def failing(target, progress, deadline):
        progress("checking")
        raise conflict("pods crash-looping")

    def slow(target, progress, deadline):
        progress("web: 3/5 ready")
        while time.monotonic() < deadline:
            time.sleep(0.01)
        raise TimedOut("still 0/5 ready", source="verify")

    lines: list[str] = []
    for verify, outcome, text in ((failing, Outcome.FAILED, "verification failed: Conflict"),
                                  (slow, Outcome.APPLIED, "verification timed out: still 0/5 ready; last observed: web: 3/5 ready")):
        spec = ActionSpec("scale", scale_spec(fake, "web").targets, Risk.HIGH,
                          execute=lambda t, timeout: None, verify=verify, verify_timeout=0.1)
        [result] = runner.execute(spec, "", journal(tmp_path), lines.append, OPERATOR)
        assert result.outcome is outcome and text in result.detail, result
        assert result.executed and not result.ok
    assert "checking" in lines


def test_unexpected_exception_is_a_failure(tmp_path):
    def broken(target, timeout):
        raise KeyError("replicas")

    spec = ActionSpec("scale", scale_spec(FakeExecutor(), "web").targets, Risk.HIGH, execute=broken)
    [result] = runner.execute(spec, "", journal(tmp_path), lambda line: None, OPERATOR)
    assert result.outcome is Outcome.FAILED and result.detail == "KeyError: 'replicas'"


def test_bulk_undo_covers_only_the_failed_targets(tmp_path):
    fake = FakeExecutor(replicas={"web": 3, "api": 2, "db": 1})
    spec = scale_spec(fake, "web", "api", "db", replicas=6)
    original = fake.scale

    def scale_fails_for_api(target, replicas, timeout):
        if target.name == "api" and replicas == 6:
            fake.replicas["api"] = 4  # half-way, then an error
            raise conflict()
        return original(target, replicas, timeout)

    fake.scale = scale_fails_for_api
    results = runner.execute(spec, "", journal(tmp_path), lambda line: None, OPERATOR)
    assert [r.outcome for r in results] == [Outcome.SUCCEEDED, Outcome.FAILED, Outcome.SUCCEEDED]
    undo = runner.undo_spec(spec, results)
    assert undo is not None and [t.name for t in undo.targets] == ["api"]
    runner.execute(undo, "", journal(tmp_path), lambda line: None, OPERATOR)
    assert fake.replicas == {"web": 6, "api": 2, "db": 6}


def test_bulk_undo_of_several_targets_dispatches_per_target(tmp_path):
    fake = FakeExecutor(replicas={"web": 3, "api": 2})
    spec = scale_spec(fake, "web", "api", replicas=6)
    results = [runner.TargetResult(t, Outcome.APPLIED, "", 1.0, "id") for t in spec.targets]
    fake.replicas.update(web=6, api=6)
    undo = runner.undo_spec(spec, results)
    assert undo is not None and len(undo.targets) == 2 and undo.summary == "undo scale on 2 targets"
    previews = runner.previews(undo)
    assert [(p.preview.changes[0].before, p.preview.changes[0].after) for p in previews.values()] == [
        ("6", "3"), ("6", "2")]  # each inverse previews its own target
    runner.execute(undo, "", journal(tmp_path), lambda line: None, OPERATOR)
    assert fake.replicas == {"web": 3, "api": 2}


def test_journal_breaking_mid_bulk_refuses_the_rest(tmp_path):
    fake = FakeExecutor(replicas={"web": 3, "api": 2})
    spec = scale_spec(fake, "web", "api")
    jr = journal(tmp_path)
    original = fake.scale

    def scale_then_break_the_audit_dir(target, replicas, timeout):
        result = original(target, replicas, timeout)
        (tmp_path / "audit.jsonl").unlink()
        (tmp_path / "audit.jsonl").mkdir()  # the next append fails
        return result

    fake.scale = scale_then_break_the_audit_dir
    results = runner.execute(spec, "", jr, lambda line: None, OPERATOR)
    assert results[0].outcome is Outcome.SUCCEEDED and "could not be recorded" in results[0].detail
    assert results[1].outcome is Outcome.REFUSED and "refused before execution" in results[1].detail
    assert [c[0] for c in fake.calls] == ["web"]


def test_decline_and_refuse_records(tmp_path):
    spec = scale_spec(FakeExecutor(), "web", "api")
    jr = journal(tmp_path)
    assert [r.outcome for r in runner.decline(spec, jr, OPERATOR, reason="not now")] == [Outcome.DECLINED] * 2
    assert [r.outcome for r in runner.refuse(spec, "read-only", jr, OPERATOR)] == [Outcome.REFUSED] * 2
    records = jr.read_audit().records
    assert [r["outcome"] for r in records] == ["declined", "declined", "refused", "refused"]
    assert records[0]["reason"] == "not now" and records[2]["detail"] == "read-only"
    assert jr.read_changelog() == ([], 0)  # nothing changed: nothing for the human changelog
