"""The real console in tmux, an action mid-verification, then SIGKILL, `q` → leave, or SIGTERM.

The action restarts a container on the real test dockerd whose health check stays
"starting" (its first probe is ten minutes away), so the verification is still running
when the console goes. Every intent must end with exactly one outcome and one changelog
entry: ``reconciled at next start`` after SIGKILL (read from the container at the next
start), ``abandoned`` after `q` → leave running and after SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from console.actions.journal import read_audit, read_changelog
from tests.fixtures.backend_start import backend_missing

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
SECOND = 1_000_000_000
STARTING = {"test": ["CMD", "/bin/true"], "interval": 600 * SECOND, "timeout": SECOND, "retries": 1}


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20).stdout


class Console:
    """One opsconsole process in a tmux session, its pid and its state dir."""

    def __init__(self, home: Path, docker_host: str) -> None:
        self.home = home
        self.docker_host = docker_host
        self.session = ""
        self.state = home / ".local/state/opsconsole"

    def start(self) -> None:
        self.session = f"opsconsole-crash-{uuid.uuid4().hex[:8]}"
        pidfile = self.home / "console.pid"
        pidfile.unlink(missing_ok=True)
        env = (f"env HOME={self.home} XDG_CONFIG_HOME={self.home}/.config XDG_STATE_HOME={self.home}/.local/state "
               f"XDG_CACHE_HOME={self.home}/.cache KUBECONFIG={self.home}/none DOCKER_HOST={self.docker_host} "
               f"AWS_CONFIG_FILE={self.home}/none AWS_SHARED_CREDENTIALS_FILE={self.home}/none "
               f"AWS_EC2_METADATA_DISABLED=true TERM=xterm-256color TEXTUAL_ANIMATIONS=none ")
        command = f"{env}sh -c 'echo $$ > {pidfile}; exec {sys.executable} -m console'"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "140", "-y", "45", "-c", str(ROOT),
                        f"{command}; echo EXITED=$?; sleep 60"], check=True, timeout=20)
        self.wait(lambda: pidfile.exists() and pidfile.read_text().strip(), "the pid file")
        self.pid = int(pidfile.read_text())

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.session)

    def wait(self, predicate, what: str, timeout: float = 90.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.screen()}")

    def wait_screen(self, text: str, timeout: float = 90.0) -> str:
        return self.wait(lambda: (s := self.screen()) and text in s and s, repr(text), timeout)

    def keys(self, *keys: str) -> None:
        tmux("send-keys", "-t", self.session, *keys)

    def press_until(self, key: str, shown, what: str, attempts: int = 10) -> None:
        """Send ``key`` until ``shown(screen)``: a keystroke can land before the widget that takes
        it has the focus, or get lost, on a loaded machine."""
        for _attempt in range(attempts):
            self.keys(key)
            poll_until = time.monotonic() + 3
            while time.monotonic() < poll_until:
                if shown(self.screen()):
                    return
                time.sleep(0.2)
        raise AssertionError(f"{key} never gave {what}:\n{self.screen()}")

    def hide_progress(self) -> None:
        self.press_until("Escape", lambda s: "Hide (esc)" not in s, "the progress hidden")

    def stop(self) -> None:
        if self.session:
            tmux("kill-session", "-t", self.session)

    def restart_action_running(self, name: str) -> None:
        """Open Containers, restart ``name``, confirm, and wait until the verification runs."""
        self.wait_screen("docker ●")
        self.press_until(":", lambda s: "pods app=web" in s, "the command line")  # the next keys are text
        self.keys("containers", "Enter")
        self.wait(lambda: "pods app=web" not in self.screen(), "the command line to close")
        self.wait_screen(name)
        self.press_until("R", lambda s: "Confirm restart" in s, "the confirmation")
        self.wait_screen("What will change")
        self.wait(lambda: "computing the preview" not in self.screen(), "the preview")
        self.keys("Tab")  # from Cancel (the default focus) to Confirm
        self.press_until("Enter", lambda s: "Confirm restart" not in s, "the confirmation closed")
        self.wait_screen("verifying")

    def records(self) -> list[dict]:
        return read_audit(self.state / "audit.jsonl").records

    def entries(self) -> list:
        entries, _torn = read_changelog(self.state / "changelog.md")
        return entries


@pytest.fixture
def console(isolated_env, docker_engine):
    if shutil.which("tmux") is None:
        backend_missing("tmux is not installed (tests/setup_backends.sh installs it as root)")
    consoles: list[Console] = []

    def make() -> Console:
        c = Console(isolated_env, docker_engine.host)
        consoles.append(c)
        return c

    yield make
    for c in consoles:
        c.stop()


def _exited(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (its parent shell died with the terminal)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def _one_intent(records: list[dict], final: str) -> dict:
    assert [r["outcome"] for r in records] == ["requested", final], records
    assert records[0]["action_id"] == records[1]["action_id"]
    return records[1]


def test_sigkill_mid_verification_is_reconciled_at_next_start(console, docker_engine):
    c = docker_engine.run(name=f"crash-{uuid.uuid4().hex[:6]}", healthcheck=STARTING)
    first = console()
    first.start()
    first.restart_action_running(c["name"])
    os.kill(first.pid, signal.SIGKILL)
    first.wait_screen("EXITED=")
    assert [r["outcome"] for r in first.records()] == ["requested"]  # the intent, nothing else

    second = console()
    second.start()
    second.wait_screen("reconciled at next start")
    outcome = second.wait(lambda: len(second.records()) == 2 and second.records(), "the reconciled record")
    record = _one_intent(outcome, "reconciled at next start")
    assert "container running" in record["detail"] and "starting" in record["detail"]  # read from dockerd
    [entry] = second.entries()
    assert entry.action_id == record["action_id"] and entry.heading.endswith("(reconciled at next start)")
    second.keys("q")
    second.wait_screen("EXITED=0")
    assert len(second.records()) == 2  # nothing else written, nothing lost


def test_quit_leave_running_records_abandoned(console, docker_engine):
    c = docker_engine.run(name=f"leave-{uuid.uuid4().hex[:6]}", healthcheck=STARTING)
    first = console()
    first.start()
    first.restart_action_running(c["name"])
    first.hide_progress()  # it keeps running, the status bar says so
    first.wait_screen("1 running (A)")
    first.press_until("q", lambda s: "Actions are still running" in s, "the quit dialog")
    first.keys("l")
    screen = first.wait_screen("EXITED=0", timeout=30)
    assert "Traceback" not in screen
    record = _one_intent(first.records(), "abandoned")
    assert record["detail"].startswith("outcome unknown: restart executed, verification still running")
    assert "opsconsole: left running: restart container" in screen  # printed once the UI is gone
    [entry] = first.entries()
    assert entry.heading.endswith("(abandoned)")

    second = console()  # the next start finds nothing to reconcile
    second.start()
    second.wait_screen("docker ●")
    second.keys("q")
    second.wait_screen("EXITED=0")
    assert len(second.records()) == 2 and len(second.entries()) == 1


def test_sigterm_mid_verification_records_abandoned_and_exits_cleanly(console, docker_engine):
    c = docker_engine.run(name=f"term-{uuid.uuid4().hex[:6]}", healthcheck=STARTING)
    first = console()
    first.start()
    first.restart_action_running(c["name"])
    os.kill(first.pid, signal.SIGTERM)
    screen = first.wait_screen("EXITED=", timeout=30)
    assert "EXITED=143" in screen and "Traceback" not in screen
    record = _one_intent(first.records(), "abandoned")
    assert "SIGTERM" not in record["detail"] and record["detail"].startswith("outcome unknown")
    [entry] = first.entries()
    assert entry.action_id == record["action_id"]


def test_terminal_closed_mid_verification_records_abandoned(console, docker_engine):
    c = docker_engine.run(name=f"hup-{uuid.uuid4().hex[:6]}", healthcheck=STARTING)
    first = console()
    first.start()
    first.restart_action_running(c["name"])
    first.stop()  # tmux kill-session: the pane's terminal goes away, the console gets SIGHUP
    first.wait(lambda: len(first.records()) == 2, "the outcome record")
    first.wait(lambda: _exited(first.pid), "the console to exit")
    record = _one_intent(first.records(), "abandoned")
    assert record["detail"].startswith("outcome unknown: restart executed, verification still running")
    [entry] = first.entries()
    assert entry.action_id == record["action_id"]
