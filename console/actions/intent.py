"""One intent from ``requested`` to its one outcome, and one confirmed run of an action.

The ``requested`` audit record is written *before* the executor runs: it is the intent.
:class:`Intent` then guarantees that exactly one outcome record follows it, whoever
writes first: the worker that ran the action, or the console quitting (``abandoned``).
A process that dies without either leaves an intent that the next start reconciles
(console.actions.reconcile), using the ``writer`` stamp to tell a dead writer from a
live one.

:class:`ActionRun` is what the UI holds while an action runs: the current intent's
phase, the verification deadline and the last observed state (for the countdown), and
a stop switch that ends the wait for a running call or verification at exit.
No Textual here.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from console import clock
from console.actions.journal import Journal, JournalUnwritable
from console.actions.spec import Outcome, Target
from console.errors import OpsError, TimedOut

JOIN_GRACE = 0.5  # seconds the runner waits beyond a timeout before giving up on a thread
POLL = 0.1  # how often a wait looks at the stop switch


class Stopped(OpsError):
    """The console is quitting: the wait for a running call or verification ended."""

    title = "Stopped at exit"


def _proc_start(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when unknown): with the boot id,
    it tells a live writer from a new process that reuses a dead one's pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def writer_stamp() -> dict[str, Any]:
    """Who writes this record: host, boot, pid and the pid's start time."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "boot": _boot_id(), "pid": pid, "start": _proc_start(pid)}


def writer_alive(writer: Mapping[str, Any] | None, expected_by: float | None = None) -> bool:
    """Whether the process that wrote a record may still write its outcome.

    Same host and boot: alive exactly when its pid runs with the same start time. Another
    host (a shared changelog): alive until its intent's deadline (``expected_by``, epoch
    seconds) has passed by a minute; without one it is assumed alive.
    """
    if not isinstance(writer, Mapping):
        return False  # written by a version without stamps: nobody will finish it
    if writer.get("host") != socket.gethostname() or writer.get("boot") != _boot_id():
        return expected_by is None or clock.now() < expected_by + 60
    try:
        pid = int(writer.get("pid") or 0)
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    start = _proc_start(pid)
    return bool(start) and start == str(writer.get("start") or "")


def run_with_timeout(fn: Callable[[], Any], timeout: float, what: str,
                     stop: threading.Event | None = None) -> Any:
    """Run ``fn`` in a daemon thread; raise TimedOut when it is still running after ``timeout``,
    Stopped as soon as ``stop`` is set.

    The thread is joined a little longer (JOIN_GRACE) so that a call honouring its own
    timeout reports its own, more precise error first.
    """
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            box["error"] = exc

    thread = threading.Thread(target=body, name=f"guarded: {what}", daemon=True)
    thread.start()
    ends = time.monotonic() + max(0.0, timeout) + JOIN_GRACE
    while thread.is_alive():
        left = ends - time.monotonic()
        if left <= 0:
            raise TimedOut(f"{what} did not finish within {timeout:g}s; it may still complete: check the target")
        if stop is not None and stop.is_set():
            raise Stopped(f"{what} was still running when the console quit")
        thread.join(min(POLL, left) if stop is not None else left)
    if "error" in box:
        raise box["error"]
    return box.get("value")


class Intent:
    """One target of a confirmed action: its phase, what was seen, and its single outcome."""

    def __init__(self, verb: str, target: Target, action_id: str, make: Callable[..., dict[str, Any]]) -> None:
        self.verb = verb
        self.target = target
        self.action_id = action_id
        self._make = make  # (outcome, detail=, duration=) -> record
        self.phase = "requested"  # requested → executing → verifying → done
        self.deadline = 0.0  # monotonic deadline of the current phase
        self.last_observed = ""  # the last progress line of the verification
        self.started = time.monotonic()
        self.outcome: Outcome | None = None
        self.detail = ""
        self.changelog_error = ""
        self.timed_out = ""  # "execute" or "verify" when that phase got no answer in time
        self._lock = threading.Lock()

    def enter(self, phase: str, seconds: float) -> None:
        self.phase = phase
        self.deadline = time.monotonic() + seconds

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def executed_text(self) -> str:
        """What had been done when the console stopped waiting."""
        if self.phase == "requested":
            return "not started"
        if self.phase == "executing":
            return f"the {self.verb} call was sent, its answer not received"
        seen = f"; last observed: {self.last_observed}" if self.last_observed else ""
        return f"{self.verb} executed, verification still running{seen}"

    def close(self, journal: Journal, outcome: Outcome, detail: str) -> bool:
        """Write the one outcome (audit, then changelog); False when another writer was first.

        The changelog failing (full disk) keeps the audit record and flags the entry as
        pending (``changelog_error``): :meth:`Journal.retry_pending` writes it later.
        """
        with self._lock:
            if self.outcome is not None:
                return False
            record = self._make(outcome, detail=detail, duration=time.monotonic() - self.started)
            with journal.reconcile_lock(shared=True):  # the audit line and its entry, as one
                journal.audit(record)  # raises JournalUnwritable: the intent stays open for reconciliation
                self.outcome, self.detail, self.phase = outcome, detail, "done"
                if outcome.executed:
                    try:
                        journal.changelog(record)
                    except JournalUnwritable as exc:
                        self.changelog_error = exc.body
                        journal.keep_pending(record, exc.body)
        return True


class ActionRun:
    """The intents of one confirmed action, for the progress display and for quitting."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.intents: list[Intent] = []
        self.followups: list[threading.Thread] = []  # console.actions.followup, after a timeout
        self.stop = threading.Event()
        self.done = threading.Event()

    @property
    def current(self) -> Intent | None:
        return next((i for i in reversed(self.intents) if i.outcome is None), None)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    def status_text(self) -> str:
        """One line: the phase, the countdown to its deadline and the last observed state."""
        intent = self.current
        if intent is None:
            return "finishing"
        text = f"{intent.phase} {intent.target.label}"
        if intent.phase in ("executing", "verifying"):
            text += f" — {intent.seconds_left():.0f}s left"
        if intent.last_observed:
            text += f" — last observed: {intent.last_observed}"
        return text

    def abandon(self, journal: Journal) -> list[Intent]:
        """The console quits without waiting: ``abandoned: outcome unknown`` for every open intent.

        Sets the stop switch first so the worker stops waiting; an intent whose worker
        wrote its outcome in the meantime keeps that one.
        """
        self.stop.set()
        closed = []
        for intent in list(self.intents):
            try:
                if intent.close(journal, Outcome.ABANDONED, f"outcome unknown: {intent.executed_text()}"):
                    closed.append(intent)
            except JournalUnwritable:
                continue  # the intent stays open: the next start reconciles it
        return closed
