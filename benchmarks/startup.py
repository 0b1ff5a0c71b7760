"""Start-up, from process start, in a real pty: opsconsole vs a Header+DataTable+Footer Textual app.

Both run in a pseudo-terminal (160x50) read by a terminal emulator (pyte); the clock
starts before the fork. Measured for each, interleaved, in the same run:

- complete first frame: the screen shows the whole layout (opsconsole: tab bar, the
  Triage table's header, the status bar and the footer; the peer: header, table rows
  and footer);
- first key answered: right after that frame a key is typed (opsconsole: ``3``, until
  the Clusters tab's footer shows; the peer: ``down``, until the cursor row moved) and
  the time is taken when the screen shows the answer.

No backend is reachable (the console's start-up, not a backend's). Bytecode is compiled
for both before timing (``compileall``), the first run of each is a warm-up.

    python benchmarks/startup.py [--runs 5] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import tempfile
import time
from pathlib import Path

import harness as h

PEER = '''
from textual.app import App
from textual.widgets import DataTable, Footer, Header


class Peer(App):
    BINDINGS = [("q", "quit", "Quit"), ("r", "refresh", "Refresh"), ("slash", "filter", "Filter")]

    def compose(self):
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self):
        self.title = "peer"
        table = self.query_one(DataTable)
        table.add_columns("NAME", "STATUS", "IMAGE", "AGE", "RESTARTS")
        for i in range(40):
            table.add_row(f"row-{i:03d}", "running", f"registry.local/app-{i % 7}:1.{i}", f"{i}m", str(i % 3))


Peer().run()
'''

OURS_FRAME = ("1 Triage", "6 Compliance", "SEV", "k8s", "q Quit")
OURS_ANSWER = "t Kind"  # the Clusters tab's own footer binding
PEER_FRAME = ("peer", "row-000", "row-039", "q Quit")


def one_run(argv: list[str], env: dict[str, str], frame: tuple[str, ...], key: str, answered) -> tuple[float, float, float]:
    """(first frame s, first key answered s, CPU s of the tree at that point), from process start."""
    with h.Term(argv, env) as term:
        t_frame = term.wait_for(h.contains(*frame), 60, "the first complete frame")
        before = term.highlighted()
        term.send(h.KEYS.get(key, key.encode()))
        t_key = term.wait_for(lambda t: answered(t, before), 60, f"the answer to {key!r}")
        cpu = term.cpu()
        return t_frame - term.started, t_key - term.started, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="3 runs")
    ap.add_argument("--json", help="write the table rows here (benchmarks/run_all.py)")
    args = ap.parse_args()
    runs = 3 if args.quick else args.runs
    h.header("start-up", args)
    for pkg in ("console", "screens", "checks", "themes"):
        compileall.compile_dir(str(h.ROOT / pkg), quiet=1)
    import textual
    compileall.compile_dir(str(Path(textual.__file__).parent), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    peer = work / "peer_app.py"
    peer.write_text(PEER)
    env = h.clean_env(home=str(work))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cases = {
        "opsconsole": (h.console_argv(), OURS_FRAME, "3", lambda t, before: OURS_ANSWER in t.text()),
        "Header+DataTable+Footer": ([sys.executable, str(peer)], PEER_FRAME, "down",
                                    lambda t, before: t.highlighted() and t.highlighted() != before),
    }
    for argv, frame, key, answered in cases.values():  # warm-up: page cache, .pyc of the main script's imports
        one_run(argv, env, frame, key, answered)
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (argv, frame, key, answered) in cases.items():  # interleaved: drift hits both alike
            results[name].append(one_run(argv, env, frame, key, answered))
            time.sleep(0.2)
    report = h.Report("startup")
    ours, peer_r = results["opsconsole"], results["Header+DataTable+Footer"]
    for i, what in ((0, "start-up: complete first frame"), (1, "start-up: first key answered")):
        o, p = [r[i] for r in ours], [r[i] for r in peer_r]
        report.add(what, h.spread(o, 1000, " ms"), h.spread(p, 1000, " ms"),
                   h.ratio(statistics.median(o), statistics.median(p)), "<= 1.3x")
    o, p = [r[2] for r in ours], [r[2] for r in peer_r]
    report.add("start-up: CPU until the first key answered", h.spread(o, 1000, " ms"), h.spread(p, 1000, " ms"),
               h.ratio(statistics.median(o), statistics.median(p)))
    print(f"  ({runs} interleaved runs each, min / median / max from process start, pty 160x50)")
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
