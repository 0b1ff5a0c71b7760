"""`make bench`: run every benchmark, print one table, write it to benchmarks/results.md.

Runs startup, clusters, logs, containers and compliance (each a fresh process, in that
order, ``--json`` rows gathered), then prints ``what | opsconsole | peer | ratio | goal |
load avg``. ``--quick`` passes ``--quick`` to each (a smoke run, ~1 minute each); ``--only
a,b`` runs some. A script that fails is reported in the table and the run goes on; the
exit status is 1 if any failed.

    python benchmarks/run_all.py [--quick] [--only startup,clusters]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("startup", "clusters", "logs", "containers", "compliance")
COLUMNS = ("what", "opsconsole", "peer", "ratio", "goal", "load avg")


def cell(value: str) -> str:
    return value.replace("|", "/").replace("\n", " ")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=",".join(SCRIPTS))
    ap.add_argument("--output", default=str(HERE / "results.md"))
    args = ap.parse_args()
    rows: list[list[str]] = []
    failed = []
    started = time.perf_counter()
    for name in args.only.split(","):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
            out = fh.name
        cmd = [sys.executable, str(HERE / f"{name}.py"), "--json", out, *(["--quick"] if args.quick else [])]
        t0 = time.perf_counter()
        code = subprocess.run(cmd, check=False).returncode
        took = time.perf_counter() - t0
        try:
            got = json.loads(Path(out).read_text() or "[]")
        except (OSError, ValueError):
            got = []
        os.unlink(out)
        rows += [[r["what"], r["ours"], r["peer"], r["ratio"], r["goal"], r["load"]] for r in got]
        if code != 0:
            failed.append(name)
            rows.append([f"{name}: FAILED (exit {code})", "", "", "", "", ""])
        print(f"-- {name}: {took:.0f} s, exit {code}", flush=True)
    load = os.getloadavg()
    lines = [
        f"# Benchmark results ({'quick' if args.quick else 'full'} run)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} CPUs · "
        f"{platform.python_implementation()} {platform.python_version()} · took {time.perf_counter() - started:.0f} s · "
        f"load average at the end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
        *("| " + " | ".join(cell(c) for c in row) + " |" for row in rows),
        "",
        "Latencies: key typed in a pty until the screen shows the answer. CPU: user+sys of the process tree.",
        "min / median / max over the runs; load avg: 1/5/15 min when the line was measured.",
        "",
    ]
    text = "\n".join(lines)
    Path(args.output).write_text(text)
    print()
    print(text)
    print(f"(written to {args.output})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
