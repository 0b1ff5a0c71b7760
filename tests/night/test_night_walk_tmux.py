"""The night page, walked in the real console: `make sandbox` in tmux at 80x24, TERM=xterm.

Paged at night, the operator goes from the first screen to the failing pod's logs, rolls its
deployment back with a reason and sees it verified, then opens that changelog entry. Each
leg's keys are counted (typed text apart) against the goals of issue 15 and printed in the
terminal summary (tests/fixtures/night_walk.py):

    night page (tmux 80x24): logs 1 keys, rollback 6 keys + 17 chars typed, changelog 2 keys

Every step waits for what it needs on screen (capture-pane, 60 s each: the machine may be
loaded) before the next key, and each key is sent once: a key that gets lost fails the walk
instead of being retried into the count.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from console.actions.journal import read_audit
from tests.fixtures.backend_start import backend_missing
from tests.fixtures.night_walk import NIGHT_WALK

ROOT = Path(__file__).resolve().parents[2]
STEP = 60.0  # seconds a screen state may take
GOALS = {"logs": 5, "rollback": 12, "changelog": 2}
REASON = "INC-42 bad deploy"
SGR = re.compile(r"((?:\x1b\[[0-9;:]*m)+) ?Confirm rollback")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20).stdout


class NightWalk:
    """The console in a tmux pane; keys sent per leg are counted, typed text apart."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.session = f"opsconsole-night-{uuid.uuid4().hex[:8]}"
        self.keys: Counter[str] = Counter()
        self.typed: Counter[str] = Counter()

    def start(self) -> None:
        h = self.home
        # COLUMNS/LINES (tests/fixtures/isolation.py sets COLUMNS) would override the pane size
        env = (f"env -u COLUMNS -u LINES HOME={h} XDG_CONFIG_HOME={h}/.config XDG_STATE_HOME={h}/.local/state XDG_CACHE_HOME={h}/.cache "
               f"KUBECONFIG={h}/none DOCKER_HOST=unix://{h}/none.sock AWS_CONFIG_FILE={h}/none "
               f"AWS_SHARED_CREDENTIALS_FILE={h}/none AWS_EC2_METADATA_DISABLED=true TERM=xterm "
               f"TEXTUAL_ANIMATIONS=none ")
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "80", "-y", "24", "-c", str(ROOT),
                        f"{env}{sys.executable} -m console --sandbox; echo EXITED=$?; sleep 60"], check=True, timeout=20)

    def stop(self) -> None:
        tmux("kill-session", "-t", self.session)

    def screen(self, escapes: bool = False) -> str:
        return tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.session)

    def wait(self, shown, what: str, escapes: bool = False) -> str:
        deadline = time.monotonic() + STEP
        while time.monotonic() < deadline:
            screen = self.screen(escapes)
            if shown(screen):
                return screen
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.screen()}")

    def wait_all(self, *texts: str) -> str:
        return self.wait(lambda s: all(t in s for t in texts), " and ".join(map(repr, texts)))

    def press(self, leg: str, key: str) -> None:
        self.keys[leg] += 1
        tmux("send-keys", "-t", self.session, key)

    def type(self, leg: str, text: str) -> None:
        self.typed[leg] += len(text)
        tmux("send-keys", "-t", self.session, "-l", text)

    def summary(self) -> str:
        rollback = f"rollback {self.keys['rollback']} keys"
        if self.typed["rollback"]:
            rollback += f" + {self.typed['rollback']} chars typed"
        return (f"night page (tmux 80x24): logs {self.keys['logs']} keys, {rollback}, "
                f"changelog {self.keys['changelog']} keys")


def confirm_focused(screen: str) -> bool:
    """The Confirm button has the focus: drawn bold and underlined (screens/confirm.py)."""
    match = SGR.search(screen)
    if match is None:
        return False
    params = {p for seq in re.findall(r"\x1b\[([0-9;:]*)m", match.group(1)) for p in seq.split(";")}
    return "4" in params


def detail_pane(screen: str) -> str:
    """The changelog's detail pane as one line (long values wrap): below the table's divider
    at 80 columns, right of it on wide screens."""
    lines = screen.splitlines()
    below = next((n for n, line in enumerate(lines) if line.strip().startswith("────")), None)
    if below is not None:
        return " ".join(" ".join(line.split()) for line in lines[below + 1:])
    return " ".join(" ".join(line.split("│", 1)[1].split()) for line in lines if "│" in line)


@pytest.fixture
def walk(isolated_env):
    if shutil.which("tmux") is None:
        backend_missing("tmux is not installed (tests/setup_backends.sh installs it as root)")
    night = NightWalk(isolated_env)
    night.start()
    yield night
    night.stop()


def test_night_page_logs_rollback_changelog(walk, record_property):
    # the first screen: Triage, the failing deployment on top and selected
    walk.wait_all("k8s ●", "deployment/checkout @ sandbox-dev/shop: CrashLoopBackOff")

    # leg 1: the failing pod's logs
    walk.press("logs", "l")
    walk.wait_all("shop/pod", "FATAL: missing env CHECKOUT_DB_PASSWORD")

    # leg 2: roll its deployment back, with a reason, and see it verified
    walk.press("rollback", "Escape")
    walk.wait_all("SEV", "deployment/checkout @ sandbox-dev/shop")
    walk.press("rollback", "Enter")  # Go to: Clusters, its deployment
    walk.wait_all("ns shop · ", "deployments", "checkout: below desired")
    walk.press("rollback", "b")
    walk.wait_all("Roll back: deployment shop/checkout", "dry run: accepted")
    walk.press("rollback", "Enter")  # the previous revision (preselected)
    walk.wait_all("Confirm: roll back checkout to revision 2", "dry run: accepted", "Reason (ticket")
    walk.type("rollback", REASON)  # lands in the reason while Cancel has the focus
    # the field took it (the placeholder is gone); the whole reason is read back in the changelog
    walk.wait(lambda s: "INC-" in s and "e.g. INC-1234" not in s, "the reason typed")
    walk.press("rollback", "Enter")  # reason → Confirm
    walk.wait(confirm_focused, "the focus on Confirm", escapes=True)
    walk.press("rollback", "Enter")
    walk.wait_all("Done: roll back checkout", "succeeded  deployment checkout @ sandbox-dev/shop")

    # leg 3: that changelog entry, with its reason
    walk.press("changelog", "Escape")  # close the result
    walk.wait(lambda s: "Done: roll back" not in s, "the result closed")
    walk.press("changelog", "7")
    # the whole reason, in the detail of the entry selected (the newest)
    walk.wait(lambda s: "Changelog:" in s and re.search(r"succeeded\s+rollback", s) is not None
              and f"reason: {REASON}" in detail_pane(s), "the entry's detail with its reason")
    records = read_audit(walk.home / ".local/state/opsconsole/sandbox-audit.jsonl").records
    assert [(r["outcome"], r.get("reason")) for r in records] == [("requested", REASON), ("succeeded", REASON)]

    record_property(NIGHT_WALK, walk.summary())
    print(walk.summary())
    for leg, goal in GOALS.items():
        assert walk.keys[leg] <= goal, f"{leg}: {walk.keys[leg]} keys, goal {goal}; {walk.summary()}"
