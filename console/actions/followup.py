"""After a timeout: find out whether the action happened after all, and record it.

A call that got no answer in time (a frozen API server, a hung dockerd) is recorded
``failed: no answer in time`` — but the server may have received it and apply it when it
wakes up. A verification that timed out is ``applied, not verified`` — but the rollout may
converge a minute later. Either way the trail would say something the target no longer
shows, and an operator would retry (a second delete, a second rollback) or not look.

So, when the spec can verify, :func:`watch` keeps checking in a daemon thread for
``window`` seconds: each round runs the spec's own verification (bounded, never changing
anything). When it passes, a ``follow-up`` record goes to the audit log *and* the
changelog ("happened after the timeout: verified 42 s later"); when the window ends
without it, an audit-only ``follow-up`` says it was not seen. A ``follow-up`` is not an
outcome: the intent keeps its one outcome, the follow-up adds what was learnt later, with
the same action id. A console that stops during the window leaves it to the next start
(console.actions.reconcile reads the target through console.actions.probes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from console.actions.intent import Stopped, run_with_timeout
from console.actions.journal import Journal, JournalUnwritable
from console.actions.spec import ActionSpec, Outcome, Target

WINDOW = 300.0  # seconds after the timeout during which the target is watched
EVERY = 3.0  # seconds between two rounds
ROUND = 20.0  # the longest one verification round may take

HAPPENED = "happened after the timeout"
NOT_SEEN = "not seen after the timeout"

MakeRecord = Callable[..., dict[str, Any]]  # (outcome, detail=, duration=) -> record


def wanted(spec: ActionSpec, outcome: Outcome, timed_out: str) -> bool:
    """A timed-out execution (failed) or verification (applied, not verified) of a verifiable spec."""
    return spec.verify is not None and bool(timed_out) and outcome in (Outcome.FAILED, Outcome.APPLIED)


def watch(spec: ActionSpec, target: Target, make: MakeRecord, journal: Journal, *, stop: threading.Event | None = None,
          window: float = WINDOW, every: float = EVERY, on_record: Callable[[dict[str, Any]], None] | None = None,
          ) -> threading.Thread:
    """Start the follow-up thread for one target (see the module docstring); returns it."""
    stop = stop or threading.Event()
    thread = threading.Thread(target=_follow, args=(spec, target, make, journal, stop, window, every, on_record),
                              name=f"follow-up: {spec.verb} {target.label}", daemon=True)
    thread.start()
    return thread


def _follow(spec: ActionSpec, target: Target, make: MakeRecord, journal: Journal, stop: threading.Event,
            window: float, every: float, on_record: Callable[[dict[str, Any]], None] | None) -> None:
    began = time.monotonic()
    ends = began + window
    seen: list[str] = []
    verify = spec.verify
    assert verify is not None
    while not stop.wait(every):
        left = ends - time.monotonic()
        if left <= 0:
            break
        budget = min(ROUND, spec.verify_timeout, left)
        try:
            run_with_timeout(lambda b=budget: verify(target, seen.append, time.monotonic() + b), budget,
                             f"following up {target.label}", stop)
        except Stopped:
            return  # the console quits: the next start reads the target
        except Exception:  # noqa: BLE001 - not converged (yet), or unreadable: try again next round
            continue
        last = f"; last observed: {_line(seen[-1])}" if seen else ""
        _write(journal, make(Outcome.FOLLOW_UP, detail=f"{HAPPENED}: verified {time.monotonic() - began:.0f}s "
                             f"after the outcome was recorded{last}"), True, on_record)
        return
    if stop.is_set():
        return
    last = f"; last observed: {_line(seen[-1])}" if seen else ""
    _write(journal, make(Outcome.FOLLOW_UP, detail=f"{NOT_SEEN}: the target did not show the change within "
                         f"{window:g}s{last}"), False, on_record)


def _write(journal: Journal, record: dict[str, Any], changelog: bool,
           on_record: Callable[[dict[str, Any]], None] | None) -> None:
    record.pop("expected_by", None)
    try:
        with journal.reconcile_lock(shared=True):
            journal.audit(record)
            if changelog:
                try:
                    journal.changelog(record)
                except JournalUnwritable as exc:
                    journal.keep_pending(record, exc.body)
    except JournalUnwritable:
        return  # the disk is full: the next start's reconciliation reads the target again
    if on_record is not None:
        on_record(record)


def _line(value: object) -> str:
    return " ".join(str(value).split())[:300]
