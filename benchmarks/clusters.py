"""Clusters tab at scale, in a real pty from process start: 5,000 and 20,000 pods on kmock.

The emulator (console/sandbox, kmock) runs in a child process seeded with N pods in
several namespaces; the console starts on a kubeconfig pointing at it with
``--namespace '*'``, ``3`` is typed as soon as the first frame shows, and the screen is
read (pyte) to time:

- first rows, and first full table (the header says ``N pods``) from process start;
- key -> screen for ``j`` (the cursor row shows another pod), ``/`` filter typing (every
  table row on screen matches what was typed, and the input shows it), ``esc`` (the
  filter cleared), and a kind switch (``:deploy`` / ``:pods`` + enter until the header
  and the table show that kind);
- CPU of the console's process tree over the whole run and its RSS at the end.

Peer (the floor; ``kubectl`` is not installed here): a fresh Python process doing a raw
``GET /api/v1/pods`` + ``json.loads``, wall and CPU from its start.

    python benchmarks/clusters.py [--pods 5000,20000] [--namespaces 20] [--keys 30] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness as h
from kube_emu import EmulatorProcess

ROW = re.compile(r"^\s*team-\d\d\s+\S+")
POD = re.compile(r"app-\d-\d{5}")
FLOOR = """
import json, sys, time, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/api/v1/pods", timeout=120) as r:
    items = json.loads(r.read())["items"]
print(len(items))
"""


def table_rows(t: h.Term) -> list[str]:
    return [line for line in t.lines() if ROW.match(line)]


def cursor_pod(t: h.Term) -> str | None:
    for y in t.highlighted():
        m = POD.search(t.lines()[y])
        if m:
            return m.group(0)
    return None


def full_table(n: int):
    marks = (f"· {n} pods ", f"· {n:,} pods ", f"pods · {n} ", f"pods · {n:,} ")  # today's header, and older
    return lambda t: any(m in t.text() for m in marks) and bool(table_rows(t))


def floor(url: str, runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR, url], check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def measure(n: int, emu: EmulatorProcess, keys: int, report: h.Report, floor_s: float) -> None:
    home = tempfile.mkdtemp(prefix="bench-clusters-")
    kubeconfig = emu.kubeconfig(Path(home) / "kubeconfig")
    env = h.clean_env({"KUBECONFIG": str(kubeconfig)}, home=home)
    lat: dict[str, list[float]] = {"j": [], "filter typing": [], "esc": [],
                              "kind switch :deploy": [], "kind switch :pods": []}
    with h.Term(h.console_argv("--namespace", "*"), env) as t:
        t.wait_for(h.contains("q Quit"), 60, "the first frame")
        t.send("3")
        first_rows = t.wait_for(lambda t: bool(table_rows(t)), 120, "the first pod rows") - t.started
        first_full = t.wait_for(full_table(n), 180, f"{n} pods") - t.started
        sampler = h.Sampler(t.pid).start()
        cpu_at_table = t.cpu()
        for _ in range(keys):  # j: the cursor row shows another pod
            before = cursor_pod(t)
            lat["j"].append(t.press("j", lambda t, b=before: (c := cursor_pod(t)) is not None and c != b))
            t.pump(0.05)
            sampler.sample()
        for _ in range(2):
            t.press("/", h.lacks("t Kind"))
            typed = ""
            for ch in "app-3-01":
                typed += ch

                def filtered(t, typed=typed):
                    rows = table_rows(t)
                    return (any(line.strip() == typed for line in t.lines()) and bool(rows)
                            and all(typed in r for r in rows))
                lat["filter typing"].append(t.press(ch, filtered))
                t.pump(0.05)
            lat["esc"].append(t.press("esc", lambda t: any("app-3-01" not in r for r in table_rows(t))))
            t.pump(0.1)
            t.send("esc")  # back to the table
            t.wait_for(h.contains("t Kind"), 30, "the table's footer")
            sampler.sample()
        for _ in range(2):
            for kind, shown in (("deploy", h.contains("· deployments", "UP-TO-DATE")),
                                ("pods", lambda t: full_table(n)(t) and "RESTARTS" in t.text())):
                t.press(":", h.lacks("t Kind"))
                t.send(kind)
                t.wait_for(lambda t, k=kind: any(line.strip(" ▊▎") == k for line in t.lines()), 30, "the : line")
                lat[f"kind switch :{kind}"].append(t.press("enter", shown))
                t.pump(0.1)
        cpu_pct, rss_max = sampler.stop()
        rss_end = t.rss_mb()
        cpu_total = t.cpu()
    goal_keys = "p95 <= 50 ms"
    report.add(f"clusters {n:,} pods: first rows from process start", f"{first_rows:.2f} s")
    report.add(f"clusters {n:,} pods: first full table from process start", f"{first_full:.2f} s",
               f"raw GET + decode {floor_s:.2f} s", h.ratio(first_full, floor_s), "<= 3 s")
    for what, values in lat.items():
        report.add(f"clusters {n:,} pods: key -> screen, {what}", h.latency(values), goal=goal_keys)
    every = [v for values in lat.values() for v in values]
    report.add(f"clusters {n:,} pods: key -> screen, all keys", h.latency(every), goal=goal_keys)
    report.add(f"clusters {n:,} pods: RSS (tree) end / max", f"{rss_end:.0f} / {rss_max:.0f} MB", goal="<= 400 MB")
    report.add(f"clusters {n:,} pods: CPU to first full table / whole run",
               f"{cpu_at_table:.2f} s / {cpu_total:.2f} s ({cpu_pct:.0f}% of a core while typing)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", default="5000,20000")
    ap.add_argument("--namespaces", type=int, default=20)
    ap.add_argument("--keys", type=int, default=30, help="j presses per size")
    ap.add_argument("--quick", action="store_true", help="5,000 pods, 10 j presses")
    ap.add_argument("--json")
    args = ap.parse_args()
    sizes = [5000] if args.quick else [int(s) for s in args.pods.split(",")]
    keys = 10 if args.quick else args.keys
    h.header("clusters", args)
    report = h.Report("clusters")
    for n in sizes:
        emu = EmulatorProcess(n, args.namespaces)
        print(f"  emulator seeded with {n:,} pods in {args.namespaces} namespaces in {emu.seed_s:.1f} s", flush=True)
        try:
            walls, cpus = floor(emu.url, 3)
            measure(n, emu, keys, report, statistics.median(walls))
            report.add(f"clusters {n:,} pods: floor, raw GET /api/v1/pods + json.loads (fresh process)",
                       "", f"{h.spread(walls, 1000, ' ms')} wall, {statistics.median(cpus) * 1000:.0f} ms CPU")
        finally:
            emu.stop()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
