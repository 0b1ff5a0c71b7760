"""Time from process start to the first painted frame.

Compares, in the same run: opsconsole with no backend reachable, opsconsole --sandbox,
and a minimal Textual app (one Label). Each runs in a pseudo-terminal; the app writes
the wall-clock time of its first painted frame to a file and exits. Prints medians and
the ratio to the minimal app (aim: <= 1.3x).

    python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import pty
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MINIMAL = """
import os, time
from textual.app import App
from textual.widgets import Label

class Minimal(App):
    def compose(self):
        yield Label("hello")
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        with open(os.environ["OPSCONSOLE_FIRST_FRAME_FILE"], "w") as fh:
            fh.write(repr(time.time()))
        self.exit()

Minimal().run()
"""


def first_frame(argv: list[str], env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / "frame"
        env = {**env, "OPSCONSOLE_FIRST_FRAME_FILE": str(marker), "HOME": tmp,
               "XDG_STATE_HOME": tmp, "XDG_CONFIG_HOME": tmp, "XDG_CACHE_HOME": tmp}
        master, slave = pty.openpty()
        start = time.time()
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True)
        os.close(slave)
        deadline = time.time() + 60
        try:
            while not marker.exists() or not marker.read_text():
                if time.time() > deadline or proc.poll() not in (None, 0):
                    raise RuntimeError(f"{argv} painted no frame (exit {proc.returncode})")
                try:
                    os.read(master, 65536)  # keep the pty drained
                except OSError:
                    time.sleep(0.005)
            painted = float(marker.read_text())
        finally:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            os.close(master)
        return painted - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBECONFIG", "AWS_", "DOCKER_"))}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="30", DOCKER_HOST="unix:///nonexistent.sock",
               KUBECONFIG="/nonexistent", AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
               AWS_EC2_METADATA_DISABLED="true")
    py = sys.executable
    cases = {
        "minimal textual app": [py, "-c", MINIMAL],
        "opsconsole (no backends)": [py, "-m", "console"],
        "opsconsole --sandbox": [py, "-m", "console", "--sandbox"],
    }
    for argv in cases.values():  # warm the page cache and .pyc files once
        first_frame(argv, env)
    results = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, argv in cases.items():  # interleaved, so drift hits every case alike
            results[name].append(first_frame(argv, env))
    base = statistics.median(results["minimal textual app"])
    print(f"first painted frame, median of {args.runs} runs (interleaved), pty 100x30")
    for name, samples in results.items():
        med = statistics.median(samples)
        print(f"  {name:28s} {med * 1000:7.0f} ms   min {min(samples) * 1000:6.0f}   ratio {med / base:4.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
