"""Two console processes on one deployment: the second is refused with the holder's name; after the
first is SIGKILLed, its Lease expires and the second proceeds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def console(kube, state: Path, user: str, reason: str, mode: str, replicas: int) -> subprocess.Popen:
    state.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.team.console_proc", str(kube.kubeconfig), str(state), user, "bastion-2",
         reason, mode, str(replicas)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})


def next_event(proc: subprocess.Popen) -> dict:
    line = proc.stdout.readline()
    assert line, f"console process ended (rc={proc.poll()}) without a result"
    return json.loads(line)


def wait_for(check, deadline_s: float, what: str):
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def holder(kube) -> str:
    lease = kube.emu.get("leases", "shop", "opsconsole-deployment-web") or {}
    return (lease.get("spec") or {}).get("holderIdentity") or ""


def test_second_console_refused_with_holder_then_proceeds_after_the_first_is_killed(kube, tmp_path):
    kube.seed()
    kube.emu.enable_controllers(True)  # a scale is "succeeded" only once the pods are ready
    first = console(kube, tmp_path / "alice", "alice", "INC-42", "hold", 5)
    second = console(kube, tmp_path / "bob", "bob", "CHG-7", "retry", 4)
    try:
        assert next_event(first) == {"event": "ready"} and next_event(second) == {"event": "ready"}
        (tmp_path / "alice" / "go").touch()
        wait_for(lambda: holder(kube) == "alice@bastion-2", 60, "alice's console to take the Lease")

        (tmp_path / "bob" / "go").touch()
        refused = next_event(second)
        assert refused["outcome"] == "refused"
        assert refused["detail"].startswith("refused: alice@bastion-2 is scaling web since ")
        assert refused["detail"].endswith("— INC-42")
        bob_audit = (tmp_path / "bob" / "audit.jsonl").read_text()
        assert '"outcome":"refused"' in bob_audit and "alice@bastion-2 is scaling web" in bob_audit

        first.send_signal(signal.SIGKILL)
        first.wait(30)
        (tmp_path / "bob" / "go2").touch()
        deadline = time.monotonic() + 90
        while True:  # refusals until the dead console's Lease expires (20 s after its last renewal)
            result = next_event(second)
            if result["outcome"] != "refused":
                break
            assert "alice@bastion-2" in result["detail"]
            assert time.monotonic() < deadline, "the dead console's Lease never expired"
        assert result["outcome"] == "succeeded", result
        assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 4
        assert holder(kube) == ""  # bob's lease released after his action
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)
