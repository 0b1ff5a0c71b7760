"""Intents end in exactly one outcome: abandon at quit, stop at exit, reconcile after a crash."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from console.actions import runner
from console.actions.intent import ActionRun, writer_alive, writer_stamp
from console.actions.journal import Journal
from console.actions.reconcile import reconcile
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from tests.fixtures.dockerd import wait_until

OPERATOR = Operator("ann", "bastion")
TARGET = Target("deployment", "web", "kubernetes", "dev", "shop")


def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "CHANGELOG.md", tmp_path / "audit.jsonl")


def spec(**kw) -> ActionSpec:
    return ActionSpec("scale", (TARGET,), Risk.HIGH, execute=lambda t, timeout: None, **kw)


def dead_writer() -> dict:
    """The stamp of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    stamp = dict(writer_stamp(), pid=proc.pid)
    with open(f"/proc/{proc.pid}/stat", "rb") as fh:
        stamp["start"] = fh.read().decode().rpartition(")")[2].split()[19]
    proc.communicate(b"")
    return stamp


def test_writer_alive_tells_dead_from_live():
    assert writer_alive(writer_stamp())
    assert not writer_alive(dead_writer())
    assert not writer_alive(None)  # a record of an older version: nobody will finish it


def test_orphaned_intent_is_reconciled_once_with_changelog_entry(tmp_path):
    j = journal(tmp_path)
    requested = make_record(spec(), TARGET, Outcome.REQUESTED, operator=OPERATOR, action_id="a1", reason="INC-7")
    requested["writer"] = dead_writer()
    j.audit(requested)
    report = reconcile(j)
    assert [r["action_id"] for r in report.reconciled] == ["a1"]
    assert "reconciled at next start" in report.summary
    assert reconcile(j).reconciled == []  # exactly one outcome
    records = j.read_audit().records
    assert [r["outcome"] for r in records] == ["requested", "reconciled at next start"]
    assert "current state not checked" in records[1]["detail"] and "before recording the outcome" in records[1]["detail"]
    text = (tmp_path / "CHANGELOG.md").read_text()
    assert text.count("(reconciled at next start)") == 1 and "- reason: INC-7" in text


def test_a_live_writers_intent_is_left_alone(tmp_path):
    j = journal(tmp_path)
    requested = make_record(spec(), TARGET, Outcome.REQUESTED, operator=OPERATOR, action_id="a2")
    requested["writer"] = writer_stamp()
    j.audit(requested)
    assert reconcile(j).reconciled == []


def test_missing_changelog_entry_is_written_from_the_audit(tmp_path):
    j = journal(tmp_path)
    done = make_record(spec(), TARGET, Outcome.SUCCEEDED, operator=OPERATOR,
                       action_id="11111111-2222-3333-4444-555555555555")
    done["writer"] = dead_writer()
    j.audit(done)  # died before the changelog entry
    assert reconcile(j).backfilled == 1
    assert reconcile(j).backfilled == 0
    [entry], torn = j.read_changelog()
    assert entry.action_id == done["action_id"] and torn == 0


def test_abandon_while_verifying_records_what_was_done_and_the_worker_writes_nothing(tmp_path):
    j = journal(tmp_path)
    release = threading.Event()

    def verify(target, progress, deadline):
        progress("web: 3/5 ready")
        release.wait(30)

    run = ActionRun("scale web")
    results: list = []
    worker = threading.Thread(target=lambda: results.extend(
        runner.execute(spec(verify=verify, verify_timeout=60), "", j, lambda line: None, OPERATOR, run=run)))
    worker.start()
    wait_until(lambda: run.current is not None and run.current.phase == "verifying" and run.current.last_observed)
    assert "left" in run.status_text() and "3/5 ready" in run.status_text()
    [intent] = run.abandon(j)
    worker.join(10)  # the stop switch ends the wait at once
    release.set()
    assert not worker.is_alive()
    records = j.read_audit().records
    assert [r["outcome"] for r in records] == ["requested", "abandoned"]
    assert records[1]["detail"] == "outcome unknown: scale executed, verification still running; " \
                                   "last observed: web: 3/5 ready"
    assert results[0].outcome is Outcome.ABANDONED
    assert "(abandoned)" in (tmp_path / "CHANGELOG.md").read_text()


def test_no_verification_is_not_called_succeeded(tmp_path):
    [result] = runner.execute(spec(), "", journal(tmp_path), lambda line: None, OPERATOR)
    assert result.outcome is Outcome.APPLIED and "no verification" in result.detail


def test_stop_ends_a_hung_call_at_once(tmp_path):
    hang = threading.Event()
    run = ActionRun("scale web")
    s = ActionSpec("scale", (TARGET,), Risk.HIGH, execute=lambda t, timeout: hang.wait(60), timeout=60)
    worker = threading.Thread(target=lambda: runner.execute(s, "", journal(tmp_path), lambda line: None, OPERATOR,
                                                            run=run))
    worker.start()
    wait_until(lambda: run.current is not None and run.current.phase == "executing")
    started = time.monotonic()
    run.abandon(journal(tmp_path))
    worker.join(10)
    hang.set()
    assert not worker.is_alive() and time.monotonic() - started < 10
    detail = journal(tmp_path).read_audit().records[-1]["detail"]
    assert detail == "outcome unknown: the scale call was sent, its answer not received"
