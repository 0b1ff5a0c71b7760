"""Containers tab refresh (list + stats) vs `docker stats --no-stream`, same engine, same run.

Starts a private dockerd (tests/fixtures/dockerd.py; root, docker.io and busybox-static
needed), runs N idle containers (default 50, ``--network none``), then times:

- ``docker stats --no-stream`` (the CLI, DOCKER_HOST set): CPU % and memory of every
  running container;
- opsconsole cold: a fresh adapter's list (inspecting every container for health,
  restarts, OOM, limits) + stats with ``wait_for_cpu`` (CPU % for all, like the CLI);
- opsconsole warm: the tab's periodic stats refresh (list + one-shot stats, CPU % from
  the previous sample; inspects cached while the events stream is live, as in the tab);
- opsconsole event refresh: what a Docker event triggers (list + inspect of what changed,
  the last samples kept), how fast a started or stopped container shows.

Prints medians and the ratios to the CLI (aim: <= 1.0x).

    python benchmarks/containers.py [--containers 50] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.backends.docker import DockerBackend  # noqa: E402
from console.config import Config, DockerConfig  # noqa: E402
from console.models.docker import STATE_EVENTS  # noqa: E402
from tests.fixtures.dockerd import EngineUnavailable, start_engine  # noqa: E402


def timed(fn) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process's threads plus finished children)."""
    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    start, cpu_start = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - start, cpu() - cpu_start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cli = shutil.which("docker") or "/usr/local/bin/docker"
    if not os.path.exists(cli):
        print(f"docker CLI not found ({cli})", file=sys.stderr)
        return 2
    try:
        engine = start_engine()
    except EngineUnavailable as exc:
        print(f"cannot start a private dockerd: {exc}", file=sys.stderr)
        return 2
    try:
        t0 = time.perf_counter()
        ids = [engine.run(name=f"bench-{i:03d}")["id"] for i in range(args.containers)]
        print(f"engine {engine.host}: {len(ids)} running containers started in {time.perf_counter() - t0:.1f}s")
        env = {**os.environ, "DOCKER_HOST": engine.host}
        config = Config(docker=DockerConfig(host=engine.host, timeout=60))

        def cli_stats() -> None:
            out = subprocess.run([cli, "stats", "--no-stream"], env=env, capture_output=True, text=True, check=True)
            rows = len(out.stdout.splitlines()) - 1
            if rows != len(ids):
                raise SystemExit(f"docker stats showed {rows} containers, expected {len(ids)}")

        def cold() -> None:
            backend = DockerBackend(config)
            backend.connect()
            data = backend.snapshot(all=True, wait_for_cpu=True)
            stats = data.stats
            assert len(stats) == len(ids) and all(s.cpu_percent is not None for s in stats.values())
            backend.close()

        warm_backend = DockerBackend(config)
        warm_backend.connect()
        # as in the tab: a live events stream keeps the inspect cache valid between refreshes
        events = warm_backend.events(filters={"type": ["container"], "event": list(STATE_EVENTS)})
        threading.Thread(target=lambda: sum(1 for _ in events), daemon=True).start()

        def warm() -> None:
            stats = warm_backend.snapshot(all=True).stats
            assert len(stats) == len(ids) and all(s.cpu_percent is not None for s in stats.values())

        def event_refresh() -> None:
            assert len(warm_backend.snapshot(all=True, stats=False).containers) == len(ids)

        warm_backend.stats_many(ids)  # the tab's first refresh: one-shot samples, CPU % from the next one
        results: dict[str, list[tuple[float, float]]] = {
            "docker stats --no-stream": [], "opsconsole cold (list+stats, CPU%)": [],
            "opsconsole warm refresh (poll)": [], "opsconsole event refresh (list only)": []}
        fns = list(zip(results, (cli_stats, cold, warm, event_refresh), strict=True))
        for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
            for name, fn in fns:
                results[name].append(timed(fn))
        events.close()
        warm_backend.close()
        base = statistics.median(w for w, _c in results["docker stats --no-stream"])
        print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; client CPU excludes dockerd")
        print(f"{'':36} {'median':>9} {'min':>9} {'max':>9} {'ratio':>7} {'client CPU':>11}"
              f"   ({args.runs} runs, {len(ids)} containers)")
        for name, values in results.items():
            walls = [w for w, _c in values]
            med = statistics.median(walls)
            cpu = statistics.median(c for _w, c in values)
            print(f"{name:36} {med:8.3f}s {min(walls):8.3f}s {max(walls):8.3f}s {med / base:6.2f}x {cpu:10.3f}s")
    finally:
        engine.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
