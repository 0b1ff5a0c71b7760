"""Triage at scale: three emulated clusters of 5,000 pods each, plus Docker and AWS.

Prints: time from start to the first complete Triage table (every Kubernetes context and
the AWS sources answered), the cost of 100 watch events per second per cluster (CPU share
of the console process, collection passes, UI-loop lag), and beside them the same figures
of the single-cluster Clusters tab (benchmarks/clusters_inprocess.py on the first cluster). Each
emulator, and moto, runs in a child process so the console's CPU and RSS are its own.

    .venv/bin/python benchmarks/triage.py [--clusters 3] [--pods 5000] [--namespaces 50] [--rate 100] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.clusters_inprocess import emulator_process, pct, run_console  # noqa: E402


def aws_process(conn) -> None:
    """Child: moto with the sandbox's AWS estate (pipelines, builds, costs)."""
    from console.sandbox.aws import start_aws_emulator

    aws = start_aws_emulator(seed=True)
    conn.send(aws.url)
    conn.recv()
    aws.stop()


def kubeconfig(path: Path, urls: list[str]) -> Path:
    doc = {"apiVersion": "v1", "kind": "Config",
           "clusters": [{"name": f"c{i}", "cluster": {"server": u}} for i, u in enumerate(urls)],
           "users": [{"name": "u", "user": {"token": "bench"}}],
           "contexts": [{"name": f"bench-{i}", "context": {"cluster": f"c{i}", "user": "u"}} for i in range(len(urls))],
           "current-context": "bench-0"}
    path.write_text(yaml.safe_dump(doc))
    return path


async def run_triage(urls: list[str], aws_url: str, conns: list, args) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from console.config import AwsConfig, Config, KubernetesConfig
    from console.services import Services
    from console.triage.model import SourceMode
    from screens.triage import TriageTab

    workdir = Path(tempfile.mkdtemp(prefix="bench-triage-"))
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    config = dataclasses.replace(
        Config(), kubernetes=KubernetesConfig(kubeconfig=str(kubeconfig(workdir / "kubeconfig", urls)),
                                              context="bench-0", namespace="*", triage_contexts=("bench-*",)),
        aws=AwsConfig(region="us-east-1", endpoint_url=aws_url))

    class Bench(App):
        def compose(self) -> ComposeResult:
            self.services = Services(config)
            yield TriageTab(self.services, id="triage-tab")

    figures: dict[str, float] = {}
    started = time.perf_counter()
    app = Bench()
    async with app.run_test(size=(160, 50)) as pilot:
        tab = app.query_one(TriageTab)
        kube_ids = [f"kube:bench-{i}" for i in range(len(urls))]

        def complete() -> bool:
            return all(k in tab.found for k in kube_ids) and all(
                s.mode is not SourceMode.LOADING for s in tab.states.values()) and "aws:pipelines" in tab.states
        while not complete():
            await pilot.pause(0.01)
        figures["first_table_s"] = time.perf_counter() - started
        figures["problems"] = len(tab.problems)
        figures["docker"] = tab.states["docker"].mode.value
        figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        seen: set[tuple[str, float | None]] = set()

        def note_passes() -> None:  # a pass of a context shows as a new fetched_at of its source
            for k in kube_ids:
                seen.add((k, tab.states[k].fetched_at))

        note_passes()
        before = len(seen)
        lags: list[float] = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for conn in conns:
            conn.send(f"churn {args.rate} {args.seconds}")
        deadline = time.perf_counter() + args.seconds
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            await asyncio.sleep(0.05)
            lags.append((time.perf_counter() - t0 - 0.05) * 1000)
            note_passes()
        sent = sum(conn.recv() for conn in conns)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        figures["events_per_s"] = sent / wall
        figures["passes"] = len(seen) - before
        figures["cpu_share_pct"] = 100 * cpu / wall
        figures["ui_lag_p50_ms"], figures["ui_lag_p95_ms"] = pct(lags, 0.5), pct(lags, 0.95)
        figures["rss_after_events_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        app.services.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=3)
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--namespaces", type=int, default=50)
    parser.add_argument("--rate", type=int, default=100, help="watch events per second, per cluster")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    spawn = mp.get_context("spawn")
    t0 = time.perf_counter()
    pipes, procs = [], []
    for _ in range(args.clusters):
        parent, child = mp.Pipe()
        proc = spawn.Process(target=emulator_process, args=(child, args.pods, args.namespaces), daemon=True)
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    aws_parent, aws_child = mp.Pipe()
    aws_proc = spawn.Process(target=aws_process, args=(aws_child,), daemon=True)
    aws_proc.start()
    urls = [p.recv() for p in pipes]
    aws_url = aws_parent.recv()
    print(f"{args.clusters} emulators seeded with {args.pods} pods each in {args.namespaces} namespaces, "
          f"and moto with the sandbox's AWS estate, in {time.perf_counter() - t0:.1f}s")
    try:
        tri = asyncio.run(run_triage(urls, aws_url, pipes, args))
        single = asyncio.run(run_console(urls[0], pipes[0], args))
    finally:
        for p in pipes:
            p.send("stop")
        aws_parent.send("stop")
        for proc in (*procs, aws_proc):
            proc.join(10)
    total = args.clusters * args.pods
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':34}{'Triage, ' + str(args.clusters) + ' clusters':>24}{'Clusters tab, 1 cluster':>26}")
    print(f"{'pods watched':34}{total:>24}{args.pods:>26}")
    print(f"{'time to the first complete table':34}{tri['first_table_s']:>22.2f} s{single['first_table_s']:>24.2f} s")
    print(f"{'rows in that table':34}{tri['problems']:>24.0f}{args.pods:>26}")
    print(f"{'watch events per second (total)':34}{tri['events_per_s']:>24.0f}{single['events_per_s']:>26.0f}")
    print(f"{'refreshes in ' + str(int(args.seconds)) + ' s (all contexts)':34}{tri['passes']:>24.0f}{single['refreshes']:>26.0f}")
    print(f"{'console CPU, % of one core':34}{tri['cpu_share_pct']:>24.0f}{single['cpu_share_pct']:>26.0f}")
    print(f"{'UI loop lag p50 / p95, ms':34}{tri['ui_lag_p50_ms']:>15.0f} / {tri['ui_lag_p95_ms']:<6.0f}"
          f"{single['ui_lag_p50_ms']:>17.0f} / {single['ui_lag_p95_ms']:<6.0f}")
    print(f"{'RSS after the events, MB':34}{tri['rss_after_events_mb']:>24.0f}{single['rss_after_events_mb']:>26.0f}")
    print(f"docker source: {tri['docker']}")


if __name__ == "__main__":
    main()
