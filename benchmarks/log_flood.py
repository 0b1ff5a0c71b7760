"""Key → screen latency of the log viewer while it follows a flood of 65,000-character lines.

A source yields lines of 65,000 characters (every tenth carries a secret to mask, every
hundredth a 64 KB pathological "password" run) as fast as the follow worker takes them.
While the flood runs, the benchmark presses cursor and search keys and measures the time
from the key press until the App has processed it and repainted (``pilot.press`` +
``pilot.pause``). Prints the median / p95 / max latency, the lines taken in, the bytes
held by the viewer against its cap, the lines dropped by the pending queue, and the RSS.
A baseline run without the flood comes first, on the same machine at the same moment
(a loaded machine slows both). Measured, not asserted (the aim: a key within 100 ms).

    python benchmarks/log_flood.py [--seconds 10] [--max-mib 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402

from console.logbuffer import prepare_line  # noqa: E402
from screens.log_view import LogScreen, LogView  # noqa: E402

LINE = 65_000


class FloodSource:
    title = "flood"

    def __init__(self, quiet: bool = False) -> None:
        self.sent = 0
        self.quiet = quiet  # the baseline: 60 lines, then nothing (same machine, same moment)

    def fetch(self, tail: int, since: float | None, timestamps: bool) -> list[str]:
        return []

    def follow(self, tail: int, since: float | None, timestamps: bool) -> _Flood:
        return _Flood(self)


class _Flood:
    def __init__(self, source: FloodSource) -> None:
        self.source = source
        self.closed = threading.Event()

    def __iter__(self):
        body = "x" * (LINE - 40)
        while not self.closed.is_set():
            if self.source.quiet and self.source.sent >= 60:
                self.closed.wait(0.1)
                continue
            n = self.source.sent
            self.source.sent += 1
            if n % 100 == 0:
                yield ("password" * (LINE // 8))[:LINE]
            elif n % 10 == 0:
                yield f"{n:08d} {body} password=hunter2"
            else:
                yield f"{n:08d} {body}"

    def close(self) -> None:
        self.closed.set()


class FloodApp(App):
    def __init__(self, source: FloodSource, max_bytes: int) -> None:
        super().__init__()
        self.source, self.max_bytes = source, max_bytes

    def on_mount(self) -> None:
        self.push_screen(LogScreen(self.source, follow=True, tail=0, max_bytes=self.max_bytes))


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(seconds: float, max_bytes: int, quiet: bool = False) -> None:
    source = FloodSource(quiet)
    app = FloodApp(source, max_bytes)
    latencies: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.screen.query_one(LogView)
        while source.sent < 50:
            await pilot.pause(0.05)
        end = time.monotonic() + seconds
        keys = ["k", "j", "g", "G", "k", "k", "j", "w", "w"]
        i = 0
        while time.monotonic() < end:
            key = keys[i % len(keys)]
            i += 1
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            latencies.append(time.perf_counter() - start)
            await pilot.pause(0.05)
        w = view.lines_widget
        held, lines, dropped = w.bytes, len(w.lines), view._pending.dropped
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if len(latencies) >= 20 else latencies[-1]
    print("baseline (no flood):" if quiet else "flood:")
    print(f"  {source.sent} lines of {LINE:,} characters followed in {seconds:g}s "
          f"({source.sent * LINE / seconds / 2**20:.1f} MiB/s offered)")
    print(f"  key → screen: {len(latencies)} keys, median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms (aim: < 100 ms)")
    print(f"  viewer: {lines} lines, {held / 2**20:.1f} MiB held (cap {max_bytes / 2**20:.0f} MiB), "
          f"{dropped} lines dropped by the pending queue; peak RSS {rss_mib():.0f} MiB")


def masking_figures() -> None:
    samples = {"plain": "x" * LINE, "secret at the end": "x" * LINE + " password=hunter2",
               "64 KB 'password' run": "password" * (LINE // 8), "--pass flags": "--pass " * (LINE // 7)}
    for name, line in samples.items():
        start = time.perf_counter()
        prepare_line(line)
        print(f"prepare_line ({name}, {len(line):,} chars): {(time.perf_counter() - start) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-mib", type=int, default=32)
    args = parser.parse_args()
    masking_figures()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    asyncio.run(run(args.seconds, args.max_mib * 2**20, quiet=True))
    asyncio.run(run(args.seconds, args.max_mib * 2**20))


if __name__ == "__main__":
    main()
