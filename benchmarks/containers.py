"""Containers tab with 50 idle containers, in a real pty: steady-state CPU vs `docker stats` and lazydocker.

A private dockerd (tests/fixtures/dockerd.py; root, docker.io and busybox-static) runs N
idle containers (``--network none``). Measured in the same run:

- cold: opsconsole from process start, ``2``, until the table shows all N rows with a
  CPU % each; vs ``docker stats --no-stream`` (wall from its start, CPU of the process);
- steady state: the Containers tab left open for ``--seconds`` (after a settle): CPU % of
  a core (user+sys of the process tree) and RSS; vs ``docker stats`` streaming in a pty
  and lazydocker (``.bench/peers/bin/lazydocker``, when installed) over the same window.

    python benchmarks/containers.py [--containers 50] [--seconds 60] [--floor-seconds 20] [--runs 3] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import harness as h

sys.path.insert(0, str(h.ROOT))
from tests.fixtures.dockerd import EngineUnavailable, start_engine  # noqa: E402

ROW = re.compile(r"^\s*bench-\d{3}\s+running\s+\S+\s+\S+\s+\d+(\.\d+)?\s")
LAZYDOCKER = h.PEERS_BIN / "lazydocker"
ROWS = 70  # all 50 rows on one screen


def rows_with_cpu(t: h.Term) -> int:
    return sum(bool(ROW.match(line)) for line in t.lines())


def ours_cold(engine, n: int) -> tuple[float, float]:
    home = tempfile.mkdtemp(prefix="bench-containers-")
    with h.Term(h.console_argv("--docker-host", engine.host), h.clean_env(home=home), rows=ROWS) as t:
        t.wait_for(h.contains("q Quit"), 60, "the first frame")
        t.send("2")
        done = t.wait_for(lambda t: rows_with_cpu(t) >= n, 120, f"{n} rows with CPU %")
        return done - t.started, t.cpu()


def cli_cold(cli: str, host: str, n: int) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([cli, "-H", host, "stats", "--no-stream"], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if len(out.stdout.splitlines()) - 1 != n:
        raise SystemExit(f"docker stats showed {len(out.stdout.splitlines()) - 1} containers, expected {n}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def steady(argv: list[str], env: dict[str, str], ready, seconds: float, settle: float, feed: bool = True
           ) -> tuple[float, float]:
    with h.Term(argv, env, rows=ROWS, feed=feed) as t:
        ready(t)
        end = time.perf_counter() + settle
        while time.perf_counter() < end:
            t.pump(0.1)
        sampler = h.Sampler(t.pid).start()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t.pump(0.1)
            sampler.sample()
        return sampler.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--containers", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--floor-seconds", type=float, default=20.0, help="window for docker stats (a steady floor)")
    ap.add_argument("--runs", type=int, default=3, help="cold runs")
    ap.add_argument("--quick", action="store_true", help="20 containers, 10 s steady state, 1 cold run")
    ap.add_argument("--json")
    args = ap.parse_args()
    seconds, runs, n = (10.0, 1, 20) if args.quick else (args.seconds, args.runs, args.containers)
    cli = shutil.which("docker") or "/usr/local/bin/docker"
    h.header("containers", args)
    report = h.Report("containers")
    try:
        engine = start_engine()
    except EngineUnavailable as exc:
        print(f"cannot start a private dockerd: {exc}", file=sys.stderr)
        return 2
    try:
        t0 = time.perf_counter()
        for i in range(n):
            engine.run(name=f"bench-{i:03d}")
        print(f"  {n} idle containers started in {time.perf_counter() - t0:.1f} s", flush=True)
        cold, cold_cli = [], []
        for _ in range(runs):  # interleaved
            cold.append(ours_cold(engine, n))
            cold_cli.append(cli_cold(cli, engine.host, n))
        ow, pw = [w for w, _ in cold], [w for w, _ in cold_cli]
        report.add(f"containers {n}: cold list + stats (from process start)", h.spread(ow, 1000, " ms"),
                   f"docker stats --no-stream {h.spread(pw, 1000, ' ms')}",
                   h.ratio(statistics.median(ow), statistics.median(pw)))
        report.add(f"containers {n}: cold, CPU", f"{statistics.median(c for _, c in cold):.2f} s",
                   f"docker stats --no-stream {statistics.median(c for _, c in cold_cli):.2f} s")

        home = tempfile.mkdtemp(prefix="bench-containers-")

        def our_ready(t: h.Term) -> None:
            t.wait_for(h.contains("q Quit"), 60, "the first frame")
            t.send("2")
            t.wait_for(lambda t: rows_with_cpu(t) >= n, 120, f"{n} rows with CPU %")

        ours_cpu, ours_rss = steady(h.console_argv("--docker-host", engine.host), h.clean_env(home=home),
                                    our_ready, seconds, 5.0)
        stats_cpu, stats_rss = steady([cli, "-H", engine.host, "stats"], h.clean_env(), lambda t: t.pump(2.0),
                                      args.floor_seconds if not args.quick else 5.0, 3.0, feed=False)
        peer = f"docker stats {stats_cpu:.1f}% ({stats_rss:.0f} MB)"
        lz_cpu = None
        if LAZYDOCKER.exists():
            lz_home = tempfile.mkdtemp(prefix="bench-lazydocker-")
            try:
                lz_cpu, lz_rss = steady([str(LAZYDOCKER)], h.clean_env({"DOCKER_HOST": engine.host}, home=lz_home),
                                        lambda t: t.wait_for(h.contains("bench-000"), 60, "lazydocker's list"),
                                        seconds, 5.0)
                peer += f", lazydocker {lz_cpu:.1f}% ({lz_rss:.0f} MB)"
            except (TimeoutError, RuntimeError) as exc:
                peer += f", lazydocker failed: {str(exc).splitlines()[0]}"
        report.add(f"containers {n}: Containers tab idle, CPU over {seconds:.0f} s",
                   f"{ours_cpu:.1f}% of a core ({ours_rss:.0f} MB)", peer,
                   h.ratio(ours_cpu, lz_cpu) + " of lazydocker" if lz_cpu else h.ratio(ours_cpu, stats_cpu),
                   "<= lazydocker")
    finally:
        engine.cleanup()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
