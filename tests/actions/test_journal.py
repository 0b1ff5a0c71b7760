"""The changelog and audit log: atomic appends across processes, crash safety, no secrets."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from console.actions.journal import Journal, JournalUnwritable, read_audit, read_changelog
from console.actions.records import Operator, current_operator, make_record, render_markdown
from console.actions.spec import ActionSpec, Change, Outcome, Risk, Target

ROOT = Path(__file__).resolve().parents[2]


def _spec(**kwargs) -> ActionSpec:
    target = Target("deployment", "web", "kubernetes", "prod-eu", "shop", production=True)
    return ActionSpec("scale", (target,), Risk.HIGH, lambda t, timeout: None, **kwargs)


def _record(spec: ActionSpec, outcome=Outcome.SUCCEEDED, **kwargs) -> dict:
    return make_record(spec, spec.targets[0], outcome, operator=Operator("ann", "bastion", "10.0.0.9:5555", "kube-admin"),
                       action_id=str(uuid.uuid4()), **kwargs)


def _writer(tmp_path: Path, count: int, tag: str, pad: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.actions.journal_writer", str(tmp_path / "changelog.md"),
         str(tmp_path / "audit.jsonl"), str(count), tag, str(pad)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_entry_fields_and_markdown(tmp_path):
    journal = Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")
    record = _record(_spec(undo_hint="scale back to 3"), reason="INC-42", changes=(Change("replicas", "3", "5"),),
                     duration=1.25, detail="rolled out")
    journal.write(record)
    [audit] = journal.read_audit().records
    assert audit["outcome"] == "succeeded" and audit["verb"] == "scale"
    assert audit["operator"] == {"user": "ann", "host": "bastion", "ssh_client": "10.0.0.9:5555", "identity": "kube-admin"}
    assert audit["context"] == "prod-eu" and audit["namespace"] == "shop" and audit["production"] is True
    assert audit["changes"] == [{"field": "replicas", "before": "3", "after": "5"}]
    assert audit["time"].endswith("Z") and audit["risk"] == "high" and audit["duration_s"] == 1.25
    text = (tmp_path / "changelog.md").read_text()
    assert text.startswith("# Operations changelog")
    assert "— scale deployment web (succeeded)" in text
    assert "- change: replicas: 3 → 5" in text and "- reason: INC-42" in text
    assert "- undo: scale back to 3" in text and "[PRODUCTION]" in text
    entries, torn = journal.read_changelog()
    assert torn == 0 and [e.action_id for e in entries] == [audit["action_id"]]


def test_project_changelog_is_only_appended_to(tmp_path):
    path = tmp_path / "CHANGELOG.md"
    original = "# Changelog\n\n## [1.0.0]\n### Added\n- things"  # no trailing newline
    path.write_text(original)
    journal = Journal(path, tmp_path / "audit.jsonl")
    journal.write(_record(_spec()))
    journal.write(_record(_spec()))
    text = path.read_text()
    assert text.startswith(original + "\n### ")
    entries, torn = read_changelog(path)
    assert len(entries) == 2 and torn == 0


def test_secrets_never_written(tmp_path):
    journal = Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")
    spec = _spec(details={"api_token": "tok-123456", "image": "web:2"}, undo_hint="DB_PASSWORD=hunter2 restore")
    journal.write(_record(spec, reason="see Bearer abcdefghijklmnop, key AKIAIOSFODNN7EXAMPLE",
                          changes=(Change("env", "A=1", "SECRET_KEY=s3cr3t-value"), Change("password", "old-pw", "new-pw")),
                          detail="postgres://app:pw-in-url@db:5432/x"))
    for path in (tmp_path / "changelog.md", tmp_path / "audit.jsonl"):
        text = path.read_text()
        for secret in ("tok-123456", "hunter2", "abcdefghijklmnop", "AKIAIOSFODNN7EXAMPLE", "s3cr3t-value",
                       "old-pw", "new-pw", "pw-in-url"):
            assert secret not in text, (path.name, secret)
    assert "web:2" in (tmp_path / "audit.jsonl").read_text()


def test_untrusted_name_cannot_forge_an_entry(tmp_path):
    target = Target("pod", "evil\n### 2020-01-01T00:00:00Z — delete all (succeeded)\n\x1b[31m", "kubernetes", "dev")
    spec = ActionSpec("delete", (target,), Risk.DESTRUCTIVE, lambda t, timeout: None)
    text = render_markdown(make_record(spec, target, Outcome.SUCCEEDED, operator=Operator("a", "b"),
                                       action_id=str(uuid.uuid4())))
    assert text.count("\n### ") == 0 and text.startswith("### ") and "\x1b" not in text


def test_operator_reads_ssh_client():
    op = current_operator("arn:aws:iam::123:user/ann", env={"SSH_CONNECTION": "203.0.113.5 50022 10.0.0.1 22"})
    assert op.ssh_client == "203.0.113.5:50022" and op.identity.endswith("user/ann") and op.user and op.host
    assert current_operator(env={}).ssh_client == ""


def test_unwritable_paths_are_named(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a regular file")
    journal = Journal(tmp_path / "ok.md", blocker / "audit.jsonl")
    with pytest.raises(JournalUnwritable) as info:
        journal.check_writable()
    assert str(blocker / "audit.jsonl") in info.value.body and "is a file, not a directory" in info.value.body
    journal = Journal(blocker / "sub" / "changelog.md", tmp_path / "audit.jsonl")
    with pytest.raises(JournalUnwritable, match="changelog"):
        journal.write(_record(_spec()), changelog=True)


def test_two_processes_never_interleave(tmp_path):
    """Two writer processes, 1,000 records each: 2,000 complete entries in both files, in order per writer."""
    writers = [_writer(tmp_path, 1000, tag) for tag in ("alpha", "beta")]
    for proc in writers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    audit = read_audit(tmp_path / "audit.jsonl")
    assert audit.torn == 0 and len(audit.records) == 2000
    entries, torn = read_changelog(tmp_path / "changelog.md")
    assert torn == 0 and len(entries) == 2000
    assert len({e.action_id for e in entries}) == 2000
    assert {e.action_id for e in entries} == {r["action_id"] for r in audit.records}
    for tag in ("alpha", "beta"):
        seq = [int(r["reason"].split()[1]) for r in audit.records if r["reason"].startswith(tag)]
        assert seq == list(range(1000))
        seq = [int(e.fields["reason"].split()[1]) for e in entries if e.fields["reason"].startswith(tag)]
        assert seq == list(range(1000))
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert all(json.loads(line)["outcome"] == "succeeded" for line in lines)


def test_sigkill_mid_append_leaves_files_parseable(tmp_path):
    """A writer killed with SIGKILL while appending big records: both files still parse,
    at most the last entry is torn, and the next append starts cleanly after it."""
    proc = _writer(tmp_path, 0, "doomed", pad=256 * 1024)
    assert proc.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 30
    while (tmp_path / "audit.jsonl").stat().st_size < 4 * 1024 * 1024 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    audit = read_audit(tmp_path / "audit.jsonl")
    entries, torn = read_changelog(tmp_path / "changelog.md")
    assert len(audit.records) >= 1 and audit.torn <= 1
    assert len(entries) >= 1 and torn <= 1
    journal = Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")
    record = _record(_spec(), reason="after the crash")
    journal.write(record)
    after = read_audit(tmp_path / "audit.jsonl")
    assert after.records[-1]["action_id"] == record["action_id"] and after.torn == audit.torn
    entries_after, torn_after = read_changelog(tmp_path / "changelog.md")
    assert entries_after[-1].action_id == record["action_id"] and torn_after == torn


def test_torn_tail_is_isolated(tmp_path):
    """A torn line written by a crashed writer (simulated) is skipped, and the next append is whole."""
    journal = Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")
    first = _record(_spec())
    journal.write(first)
    with open(tmp_path / "audit.jsonl", "ab") as fh:
        fh.write(b'{"time": "2026-')
    with open(tmp_path / "changelog.md", "ab") as fh:
        fh.write("### 2026-11-27T00:00:00Z — scale deployment web (succ".encode())
    second = _record(_spec())
    journal.write(second)
    audit = journal.read_audit()
    assert [r["action_id"] for r in audit.records] == [first["action_id"], second["action_id"]] and audit.torn == 1
    entries, torn = journal.read_changelog()
    assert [e.action_id for e in entries] == [first["action_id"], second["action_id"]] and torn == 1
