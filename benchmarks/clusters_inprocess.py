"""Clusters tab at scale, in-process (a Textual pilot, not a pty): 5,000 pods in 50 namespaces on kmock.

The helpers benchmarks/triage.py builds on; benchmarks/clusters.py is the pty benchmark.

Prints: time to the first full table, filter keystroke latency (p50/p95), RSS of the
console process, and the cost of 100 watch events per second on the UI (CPU share of
the console process, refreshes, UI-loop lag). The emulator runs in a child process so
the console's RSS and CPU are its own.

    /tmp/venv0/bin/python benchmarks/clusters_inprocess.py [--pods 5000] [--namespaces 50] [--rate 100] [--seconds 10]
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def emulator_process(conn, pods: int, namespaces: int) -> None:
    """Child: run and seed the emulator; answer 'churn RATE SECONDS' and 'stop'."""
    from console.sandbox.kube import start_kube_emulator
    from console.sandbox.kube_seed import pod

    emu = start_kube_emulator(seed=False)
    now = datetime.now(UTC)
    per_ns = pods // namespaces
    batch = []
    for n in range(namespaces):
        for i in range(per_ns):
            crashing = i % 17 == 0
            batch.append(pod(f"team-{n:02d}", f"app-{i % 10}-{n:02d}{i:04d}", f"registry.local/app-{i % 10}:1.{i % 7}", now,
                             timedelta(hours=i % 48 + 1), labels={"app": f"app-{i % 10}", "team": f"team-{n:02d}"},
                             ready=not crashing, restarts=7 if crashing else 0,
                             waiting="CrashLoopBackOff" if crashing else None, last_terminated="Error" if crashing else None,
                             node=f"node-{i % 20}"))
        if len(batch) >= 1000:
            emu.apply_many(batch)
            batch = []
    if batch:
        emu.apply_many(batch)
    names = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in emu.list("pods")]
    conn.send(emu.url)
    while True:
        cmd = conn.recv().split()
        if cmd[0] == "stop":
            break
        rate, seconds = int(cmd[1]), float(cmd[2])
        sent, start = 0, time.monotonic()
        while time.monotonic() - start < seconds:
            ns, name = names[sent % len(names)]
            emu.patch("pods", ns, name, {"status": {"containerStatuses": [
                {"name": name.split("-")[0] + "-" + name.split("-")[1], "image": "x", "imageID": "", "ready": True,
                 "restartCount": sent, "state": {"running": {"startedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ")}}}]}})
            sent += 1
            delay = start + sent / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        conn.send(sent)
    emu.stop()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def run_console(url: str, conn, args) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from console.config import Config, KubernetesConfig
    from console.sandbox.kube import write_kubeconfig
    from console.services import Services
    from screens.clusters import ClustersTab

    workdir = Path(tempfile.mkdtemp(prefix="bench-clusters-"))
    kubeconfig = write_kubeconfig(workdir / "kubeconfig", url)
    config = dataclasses.replace(Config(), kubernetes=KubernetesConfig(kubeconfig=str(kubeconfig),
                                                                       context="sandbox-dev", namespace="*"))

    class Bench(App):
        def compose(self) -> ComposeResult:
            self.services = Services(config)
            yield ClustersTab(self.services, id="clusters-tab")

    figures: dict[str, float] = {}
    started = time.perf_counter()
    app = Bench()
    async with app.run_test(size=(160, 50)) as pilot:
        tab = app.query_one(ClustersTab)
        while tab.adapter is None:
            await pilot.pause(0.01)
        figures["connected_s"] = time.perf_counter() - started
        while len(tab.table().visible_keys) < args.pods:
            await pilot.pause(0.01)
        figures["first_table_s"] = time.perf_counter() - started

        latencies, compute = [], []
        for text in ("a", "ap", "app", "app-", "app-3", "app-3-", "app-3-1", "crash", "team=team-07", ""):
            t0 = time.perf_counter()
            tab.apply_filter(text)
            compute.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
            latencies.append((time.perf_counter() - t0) * 1000)
        figures["filter_p50_ms"], figures["filter_p95_ms"] = pct(latencies, 0.5), pct(latencies, 0.95)
        figures["filter_cpu_p50_ms"], figures["filter_cpu_p95_ms"] = pct(compute, 0.5), pct(compute, 0.95)
        figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        shows = 0
        original = tab.show

        def counting_show(data):
            nonlocal shows
            shows += 1
            original(data)

        tab.show = counting_show
        lags: list[float] = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        conn.send(f"churn {args.rate} {args.seconds}")
        deadline = time.perf_counter() + args.seconds
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            await asyncio.sleep(0.05)
            lags.append((time.perf_counter() - t0 - 0.05) * 1000)
        sent = conn.recv()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        figures["events_sent"] = sent
        figures["events_per_s"] = sent / wall
        figures["refreshes"] = shows
        figures["cpu_share_pct"] = 100 * cpu / wall
        figures["ui_lag_p50_ms"], figures["ui_lag_p95_ms"] = pct(lags, 0.5), pct(lags, 0.95)
        figures["rss_after_events_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        app.services.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=5000)
    parser.add_argument("--namespaces", type=int, default=50)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=emulator_process, args=(child, args.pods, args.namespaces), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    url = parent.recv()
    print(f"emulator seeded with {args.pods} pods in {args.namespaces} namespaces in {time.perf_counter() - t0:.1f}s")
    try:
        figures = asyncio.run(run_console(url, parent, args))
    finally:
        parent.send("stop")
        proc.join(10)
    print(f"time to first full table ({args.pods} rows, all namespaces): {figures['first_table_s']:.2f} s "
          f"(connected, SDK imported, after {figures['connected_s']:.2f} s)")
    print(f"filter keystroke latency to screen: p50 {figures['filter_p50_ms']:.0f} ms, p95 {figures['filter_p95_ms']:.0f} ms"
          f" (filter + table rebuild alone: p50 {figures['filter_cpu_p50_ms']:.0f} ms, p95 {figures['filter_cpu_p95_ms']:.0f} ms)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"RSS of the console process: {figures['rss_mb']:.0f} MB")
    print(f"watch events: {figures['events_sent']} sent at {figures['events_per_s']:.0f}/s for {args.seconds:.0f}s -> "
          f"{figures['refreshes']} table refreshes, console CPU {figures['cpu_share_pct']:.0f}% of one core, "
          f"UI loop lag p50 {figures['ui_lag_p50_ms']:.0f} ms / p95 {figures['ui_lag_p95_ms']:.0f} ms, "
          f"RSS {figures['rss_after_events_mb']:.0f} MB")


if __name__ == "__main__":
    main()
