"""2 processes x 1,000 actions, SIGKILLed at random: every intent ends with exactly one outcome."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from console.actions.journal import Journal
from console.actions.reconcile import reconcile

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = 1000
DEADLINE = 600.0  # seconds for the whole run on a loaded machine; the test fails, never hangs, past it


def _start(tmp_path: Path, slot: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.actions.action_worker", str(tmp_path / "CHANGELOG.md"),
         str(tmp_path / "audit.jsonl"), slot, str(ACTIONS)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except FileNotFoundError:
        return 0


@pytest.mark.timeout(900)  # its own cap is 600 s; pytest's default 300 s is too short on a loaded machine
def test_random_sigkills_lose_no_outcome(tmp_path):
    rng = random.Random(12)
    audit = tmp_path / "audit.jsonl"
    workers = {slot: _start(tmp_path, slot) for slot in ("a", "b")}
    kills = 0
    ends = time.monotonic() + DEADLINE
    try:
        while workers:
            assert time.monotonic() < ends, f"not finished within {DEADLINE}s after {kills} kills"
            # kill when the audit log has grown by a random number of lines (a condition, not a timer)
            goal = _lines(audit) + rng.randint(5, 120)
            while workers and _lines(audit) < goal and time.monotonic() < ends:
                for slot, proc in list(workers.items()):
                    if proc.poll() is not None:
                        assert proc.returncode == 0, proc.stderr.read()
                        del workers[slot]
                time.sleep(0.005)  # polling interval, not a wait for a condition
            if not workers:
                break
            slot = rng.choice(sorted(workers))
            workers[slot].send_signal(signal.SIGKILL)
            workers[slot].wait(30)
            kills += 1
            workers[slot] = _start(tmp_path, slot)
    finally:
        for proc in workers.values():
            proc.kill()
            proc.wait(30)
    journal = Journal(tmp_path / "CHANGELOG.md", audit)
    reconcile(journal)  # the last kill may have left one open; all writers are gone now

    records = journal.read_audit().records
    requested = [r["action_id"] for r in records if r["outcome"] == "requested"]
    outcomes = Counter(r["action_id"] for r in records if r["outcome"] not in ("requested", "follow-up"))  # a follow-up is no outcome
    assert kills > 5
    assert Counter(r["target"]["name"] for r in records if r["outcome"] == "requested") == {"a": ACTIONS, "b": ACTIONS}
    assert len(set(requested)) == len(requested) == 2 * ACTIONS
    assert {a: outcomes[a] for a in requested if outcomes[a] != 1} == {}, "intents without exactly one outcome"
    assert set(outcomes) == set(requested)
    reconciled = [r for r in records if r["outcome"] == "reconciled at next start"]
    assert reconciled, "no kill landed mid-action (raise the count or lower the growth window)"
    entries, _torn = journal.read_changelog()
    in_changelog = Counter(e.action_id for e in entries)
    assert {a: in_changelog[a] for a in requested if in_changelog[a] != 1} == {}, "changelog entries lost or doubled"
