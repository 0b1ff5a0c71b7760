"""`make sandbox` really opens the console: run it in tmux, read the screen, quit."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.fixtures.backend_start import backend_missing

ROOT = Path(__file__).resolve().parents[2]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20).stdout


def wait_for(session: str, predicate, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if predicate(screen):
            return screen
        time.sleep(0.5)
    raise AssertionError(f"timed out; last screen:\n{screen}")


@pytest.fixture
def tmux_session(isolated_env):
    if shutil.which("tmux") is None:
        backend_missing("tmux is not installed (tests/setup_backends.sh installs it as root)")
    name = f"opsconsole-test-{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=20)


def start(session: str, command: str, env_home: Path) -> None:
    env = (f"env HOME={env_home} XDG_CONFIG_HOME={env_home}/.config XDG_STATE_HOME={env_home}/.local/state "
           f"XDG_CACHE_HOME={env_home}/.cache KUBECONFIG={env_home}/none DOCKER_HOST=unix://{env_home}/none.sock "
           f"AWS_CONFIG_FILE={env_home}/none AWS_SHARED_CREDENTIALS_FILE={env_home}/none AWS_EC2_METADATA_DISABLED=true "
           f"TERM=xterm-256color ")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", str(ROOT),
                    f"{env}{command}; echo EXITED=$?; sleep 30"], check=True, timeout=20)


def test_make_sandbox_opens_the_console(tmux_session, isolated_env):
    venv = Path(sys.prefix)
    start(tmux_session, f"make --no-print-directory sandbox VENV={venv}", isolated_env)
    screen = wait_for(tmux_session, lambda s: "k8s ●" in s and "aws ●" in s, timeout=180)
    assert "Containers" in screen and "Clusters" in screen and "Compliance" in screen
    tmux("send-keys", "-t", tmux_session, "q")
    screen = wait_for(tmux_session, lambda s: "EXITED=" in s, timeout=30)
    assert "EXITED=0" in screen


def test_console_without_backends_keeps_running(tmux_session, isolated_env):
    start(tmux_session, f"{sys.executable} -m console", isolated_env)
    # the tab's banner and the status bar update in separate frames: wait for both, on a
    # loaded machine "unavailable" can be on screen a while before "docker ✗"
    wait_for(tmux_session, lambda s: "unavailable" in s and "docker ✗" in s)
    tmux("send-keys", "-t", tmux_session, "3")  # Clusters (Triage is 1)
    wait_for(tmux_session, lambda s: "kubernetes not configured" in s or "kubernetes unavailable" in s)
    tmux("send-keys", "-t", tmux_session, "q")
    screen = wait_for(tmux_session, lambda s: "EXITED=" in s, timeout=30)
    assert "EXITED=0" in screen
