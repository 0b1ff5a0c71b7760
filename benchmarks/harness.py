"""Shared by the benchmarks: a real console in a pty, what its screen shows, and honest figures.

``Term(argv)`` forks the program on a pseudo-terminal of a fixed size (the clock starts
before the fork: "from process start"), feeds everything it writes into a ``pyte``
terminal emulator, and answers what the screen shows now (``text()``, ``lines()``,
``highlighted()``). ``wait_for(pred)`` drains the pty until ``pred(term)`` holds and
returns the time it first held; ``press(key, pred)`` is key -> screen latency.
``cpu()`` is user+sys seconds of the whole process tree (/proc, children that exited
included through cutime/cstime), ``rss_mb()`` the tree's resident set now.

The figures print as min / median / max with the load average; ``Result`` rows are what
``benchmarks/run_all.py`` gathers into one table (``--json FILE`` on every script).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
PEERS_BIN = BENCH / "peers" / "bin"

try:
    import pyte
except ImportError:  # `make bench` installs it (the `bench` extra, or .bench/pylib)
    sys.path.insert(0, str(BENCH / "pylib"))
    import pyte

CLK = os.sysconf("SC_CLK_TCK")
KEYS = {"enter": b"\r", "esc": b"\x1b", "down": b"\x1b[B", "up": b"\x1b[A", "tab": b"\t", "backspace": b"\x7f"}


# -- the process tree -------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree(pid: int) -> list[int]:
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def tree_cpu(pid: int) -> float:
    """user+sys seconds of ``pid`` and its live descendants, plus the children they reaped."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / CLK


def tree_rss_mb(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1])
        except OSError:
            continue
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sampler:
    """CPU and RSS of a process tree over a window: ``start()``, then ``stop()`` -> (cpu %, rss max)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.rss_max, self.rss_first = pid, 0.0, 0.0

    def start(self) -> Sampler:
        self.cpu0, self.wall0 = tree_cpu(self.pid), time.perf_counter()
        self.rss_first = self.rss_max = tree_rss_mb(self.pid)
        return self

    def sample(self) -> None:
        self.rss_max = max(self.rss_max, tree_rss_mb(self.pid))

    def stop(self) -> tuple[float, float]:
        self.sample()
        wall = time.perf_counter() - self.wall0
        return 100 * (tree_cpu(self.pid) - self.cpu0) / wall, self.rss_max


# -- the terminal ------------------------------------------------------------------------------
class Term:
    def __init__(self, argv: Sequence[str], env: dict[str, str] | None = None, cols: int = 160, rows: int = 50,
                 cwd: Path = ROOT, feed: bool = True) -> None:
        self.cols, self.rows, self.feed = cols, rows, feed
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        env = {**(env if env is not None else os.environ), "TERM": "xterm-256color",
               "COLUMNS": str(cols), "LINES": str(rows)}
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: a new session on the pty
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.chdir(cwd)
                os.execvpe(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.exit_status: int | None = None

    # reading
    def pump(self, timeout: float = 0.01) -> int:
        """Read what the program wrote within ``timeout`` into the emulator; bytes read."""
        got, end = 0, time.perf_counter() + max(timeout, 0.2)
        while True:
            if time.perf_counter() > end:  # a program that never stops writing
                return got
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return got
            try:
                data = os.read(self.fd, 1 << 20)
            except OSError:
                data = b""
            if not data:
                self._reap()
                if self.exit_status is not None:
                    raise RuntimeError(f"program exited ({self.exit_status}); screen:\n{self.text()}")
                return got
            got += len(data)
            self.bytes_read += len(data)
            if self.feed:  # feed=False: drain only (a peer whose screen is not read)
                self.stream.feed(data)
            timeout = 0  # drain what is there, then answer

    def _reap(self) -> None:
        if self.exit_status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = status

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def highlighted(self, min_cells: int = 20) -> list[int]:
        """Rows where a run of ``min_cells`` cells shares a background no other row uses there
        (a table's cursor row)."""
        mid = self.cols // 3
        bgs = [self.screen.buffer[y][mid].bg for y in range(self.rows)]
        counts = {bg: bgs.count(bg) for bg in bgs}
        rows = []
        for y, bg in enumerate(bgs):
            if counts[bg] <= 2 and bg != "default":
                line = self.screen.buffer[y]
                if all(line[x].bg == bg for x in range(mid - min_cells // 2, mid + min_cells // 2)):
                    rows.append(y)
        return rows

    def wait_for(self, pred: Callable[[Term], object], timeout: float = 60.0, what: str = "") -> float:
        """Drain until ``pred(self)``; the perf_counter time it first held (TimeoutError after ``timeout``)."""
        deadline = time.perf_counter() + timeout
        while True:
            if pred(self):
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what or pred}; screen:\n{self.text()}")
            self.pump(0.005)

    def settle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Drain until nothing was written for ``quiet`` seconds (or ``timeout``)."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end and self.pump(quiet):
            pass

    # writing
    def send(self, keys: str | bytes) -> None:
        data = KEYS.get(keys, keys) if isinstance(keys, str) else keys
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def press(self, key: str | bytes, pred: Callable[[Term], object], timeout: float = 60.0) -> float:
        """Key -> screen: seconds from writing ``key`` until ``pred`` holds."""
        self.pump(0)
        t0 = time.perf_counter()
        self.send(key)
        return self.wait_for(pred, timeout, f"the answer to {key!r}") - t0

    # the process
    def cpu(self) -> float:
        return tree_cpu(self.pid)

    def rss_mb(self) -> float:
        return tree_rss_mb(self.pid)

    def close(self) -> None:
        self._reap()
        if self.exit_status is None:
            for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.pid, sig)
                except ProcessLookupError:
                    break
                end = time.monotonic() + wait
                while time.monotonic() < end and self.exit_status is None:
                    try:
                        os.read(self.fd, 1 << 20)
                    except OSError:
                        pass
                    self._reap()
                    time.sleep(0.02)
                if self.exit_status is not None:
                    break
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __enter__(self) -> Term:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- figures ------------------------------------------------------------------------------------
def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def spread(values: Sequence[float], scale: float = 1.0, unit: str = "") -> str:
    """'min / median / max' of ``values`` (times ``scale``)."""
    if not values:
        return "n/a"
    v = [x * scale for x in values]
    return f"{min(v):.0f} / {statistics.median(v):.0f} / {max(v):.0f}{unit}"


def latency(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    ms = [v * 1000 for v in values]
    return f"p50 {pct(ms, .5):.0f} ms, p95 {pct(ms, .95):.0f} ms, max {max(ms):.0f} ms ({len(ms)} keys)"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f}/{five:.1f}/{fifteen:.1f}"


@dataclass
class Result:
    """One line of the `make bench` table."""

    what: str
    ours: str
    peer: str = ""
    ratio: str = ""
    goal: str = ""
    load: str = field(default_factory=load)


class Report:
    """Collects ``Result`` rows; prints them and writes them with ``--json FILE``."""

    def __init__(self, name: str) -> None:
        self.name, self.rows = name, []

    def add(self, what: str, ours: str, peer: str = "", ratio: str = "", goal: str = "") -> None:
        row = Result(what, ours, peer, ratio, goal)
        self.rows.append(row)
        print(f"  {what}: {ours}" + (f" | peer {peer}" if peer else "") + (f" | {ratio}" if ratio else "")
              + (f" | goal {goal}" if goal else "") + f" | load {row.load}", flush=True)

    def write(self, path: str | None) -> None:
        if path:
            Path(path).write_text(json.dumps([asdict(r) for r in self.rows], indent=1))


def ratio(ours: float, peer: float) -> str:
    return f"{ours / peer:.2f}x" if peer > 0 else "n/a"


def clean_env(extra: dict[str, str] | None = None, home: str | None = None) -> dict[str, str]:
    """The environment for a measured program: no developer backends, private HOME/XDG dirs, .pyc written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBECONFIG", "AWS_", "DOCKER_", "OPSCONSOLE_"))
           and k != "PYTHONDONTWRITEBYTECODE"}  # as installed: bytecode cached, not recompiled every start
    env.update(DOCKER_HOST="unix:///nonexistent.sock", KUBECONFIG="/nonexistent", AWS_CONFIG_FILE="/nonexistent",
               AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_EC2_METADATA_DISABLED="true",
               TEXTUAL_ANIMATIONS="none", PYTHONPATH=str(ROOT))
    if home:
        env.update(HOME=home, XDG_STATE_HOME=f"{home}/state", XDG_CONFIG_HOME=f"{home}/config",
                   XDG_CACHE_HOME=f"{home}/cache", XDG_DATA_HOME=f"{home}/data")
    env.update(extra or {})
    return env


def console_argv(*flags: str) -> list[str]:
    return [sys.executable, "-m", "console", *flags]


def contains(*needles: str) -> Callable[[Term], bool]:
    return lambda t: all(n in t.text() for n in needles)


def lacks(*needles: str) -> Callable[[Term], bool]:
    return lambda t: not any(n in t.text() for n in needles)


def header(title: str, args: object) -> None:
    print(f"== {title} (load {load()} on {os.cpu_count()} CPUs; {vars(args) if hasattr(args, '__dict__') else args})",
          flush=True)
