"""A full disk: the pre-check reserves the space, and a changelog entry is never lost.

A real tmpfs of 64 KiB (mounted as root; elsewhere the tests skip, or fail with CI=true)
holds the changelog; the audit log stays on the normal disk, like an ops repository's
CHANGELOG.md on its own volume.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from console.actions import runner
from console.actions.journal import Journal
from console.actions.records import Operator
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from tests.fixtures.backend_start import backend_missing

OPERATOR = Operator("ann", "bastion")
TARGETS = (Target("deployment", "web", "kubernetes", "dev", "shop"), Target("deployment", "api", "kubernetes", "dev", "shop"))


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        backend_missing("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True,
                          text=True, timeout=20)
    if done.returncode != 0:
        backend_missing(f"cannot mount a tmpfs: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=20)


def fill(directory: Path, leave: int = 0) -> Path:
    """Write a filler file until the filesystem has at most ``leave`` bytes free."""
    filler = directory / f"filler-{uuid.uuid4().hex[:6]}"
    with filler.open("wb") as fh:
        while True:
            free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
            if free <= leave:
                break
            try:
                fh.write(b"x" * min(4096, free - leave))
                fh.flush()
            except OSError:
                break
    return filler


def spec(execute) -> ActionSpec:
    return ActionSpec("scale", TARGETS, Risk.HIGH, execute=execute,
                      verify=lambda t, progress, deadline: progress(f"{t.name}: 5/5 ready"))


def test_one_free_page_refuses_before_anything_runs(small_disk, tmp_path):
    journal = Journal(small_disk / "CHANGELOG.md", tmp_path / "audit.jsonl")
    fill(small_disk, leave=4096)
    calls = []
    results = runner.execute(spec(lambda t, timeout: calls.append(t.name)), "", journal, lambda line: None, OPERATOR)
    assert calls == []
    assert [r.outcome for r in results] == [Outcome.REFUSED, Outcome.REFUSED]
    assert "No space left on device" in results[0].detail and "CHANGELOG.md" in results[0].detail
    assert [r["outcome"] for r in journal.read_audit().records] == ["refused", "refused"]  # audited, not executed


def test_the_reserved_space_holds_the_entries_when_the_disk_fills_during_the_action(small_disk, tmp_path):
    journal = Journal(small_disk / "CHANGELOG.md", tmp_path / "audit.jsonl")

    def execute(target: Target, timeout: float) -> None:
        fill(small_disk)  # something else takes every free block while the action runs

    results = runner.execute(spec(execute), "INC-9", journal, lambda line: None, OPERATOR)
    assert [r.outcome for r in results] == [Outcome.SUCCEEDED, Outcome.SUCCEEDED]
    entries, torn = journal.read_changelog()
    assert len(entries) == 2 and torn == 0


def test_a_failed_changelog_write_stays_in_the_audit_and_is_retried(small_disk, tmp_path):
    changelog = small_disk / "CHANGELOG.md"
    journal = Journal(changelog, tmp_path / "audit.jsonl")
    fillers: list[Path] = []

    def execute(target: Target, timeout: float) -> None:
        os.truncate(changelog, changelog.stat().st_size)  # drop the reservation (what a full disk beats)
        fillers.append(fill(small_disk))

    [first, second] = runner.execute(spec(execute), "", journal, lambda line: None, OPERATOR)
    assert first.outcome is Outcome.SUCCEEDED  # the outcome stands: it is in the audit log
    assert "changelog entry pending" in first.detail and "No space left" in first.detail
    assert journal.pending == 2
    assert [r["outcome"] for r in journal.read_audit().records] == ["requested", "succeeded"] * 2
    for filler in fillers:
        filler.unlink()
    assert journal.retry_pending() == 0
    entries, _torn = journal.read_changelog()
    assert [e.action_id for e in entries] == [first.action_id, second.action_id]
