"""Docker targets: a lock file on this host; a killed console leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from console.actions.lock_file import FileLocks
from console.actions.spec import Target
from console.models.locks import Held, Lock

BOX = Target("container", "web-1", "docker", "unix:///var/run/docker.sock", id="abc123")
ROOT = Path(__file__).resolve().parents[2]

HOLD = """
import sys, time
from console.actions.lock_file import FileLocks
from console.actions.spec import Target
box = Target("container", "web-1", "docker", "unix:///var/run/docker.sock", id="abc123")
lock = FileLocks(sys.argv[1]).acquire(box, "carol@bastion-3", "INC-9", "c-1", 30, verb="restart")
print(type(lock).__name__, flush=True)
time.sleep(600)
"""


def wait_for(check, deadline_s: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_second_console_on_the_host_is_refused_then_proceeds_after_release(tmp_path):
    alice, bob = FileLocks(tmp_path), FileLocks(tmp_path)
    lock = alice.acquire(BOX, "alice@bastion-2", "INC-42", "a-1", 30, verb="restart")
    assert isinstance(lock, Lock) and "this host only" in lock.where
    held = bob.acquire(BOX, "bob@bastion-2", "", "b-1", 30, verb="stop")
    assert isinstance(held, Held) and held.message.startswith("alice@bastion-2 is restarting web-1 since ")
    assert held.message.endswith("— INC-42")
    alice.release(lock)
    assert bob.peek(BOX) is None
    assert isinstance(bob.acquire(BOX, "bob@bastion-2", "", "b-1", 30, verb="stop"), Lock)


def test_a_killed_console_leaves_no_stale_lock(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout.readline().strip() == "Lock"
        held = FileLocks(tmp_path).peek(BOX)
        assert isinstance(held, Held) and held.who == "carol@bastion-3"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        wait_for(lambda: FileLocks(tmp_path).peek(BOX) is None, what="the kernel to drop the dead console's lock")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
