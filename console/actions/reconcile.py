"""At start: every intent gets its one outcome, every executed outcome its changelog entry.

A console killed (SIGKILL, a crash, power) while an action ran leaves a ``requested``
record without an outcome. :func:`reconcile` finds those whose writer is gone
(console.actions.intent.writer_alive: same host → its pid is not running any more; another
host → its deadline has passed), reads the target's current state through the backend
adapters where it can (console.actions.probes, bounded by ``timeout``), and appends the
outcome ``reconciled at next start: <what it found>`` plus the changelog entry.

An action that timed out (``failed: no answer in time``, ``applied, not verified`` after
the verification's deadline) and whose console stopped before its follow-up
(console.actions.followup) could tell whether it happened gets one ``follow-up`` with
what the target shows now.

It also writes the changelog entries that an outcome has in the audit log but not in the
changelog (the process died between the two writes, or the disk was full): the audit
record holds everything the entry needs.

Two consoles starting at once do not both reconcile: the work happens under
``Journal.reconcile_lock``, and the audit log is read again under the lock before each
outcome is written. Run it in a worker thread (file I/O and backend calls).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.actions import probes
from console.actions.intent import run_with_timeout, writer_alive, writer_stamp
from console.actions.journal import Journal, JournalUnwritable
from console.actions.records import utc_stamp
from console.actions.spec import LEGACY_OUTCOMES, Outcome
from console.text import strip_control

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 10.0  # seconds per target read
BACKFILL_WINDOW = timedelta(days=1)  # missing changelog entries this much older than the newest are left alone
_EXECUTED = frozenset(o.value for o in Outcome if o.executed) | frozenset(LEGACY_OUTCOMES)


@dataclass
class ReconcileReport:
    reconciled: list[dict[str, Any]] = field(default_factory=list)  # the outcome records written
    backfilled: int = 0  # changelog entries written from the audit log
    followed_up: int = 0  # timed-out actions whose target was read again
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = []
        if self.reconciled:
            names = ", ".join(str(r.get("summary", "?")) for r in self.reconciled[:3])
            more = f" +{len(self.reconciled) - 3}" if len(self.reconciled) > 3 else ""
            parts.append(f"{len(self.reconciled)} action(s) without an outcome (the console stopped): "
                         f"reconciled at next start: {names}{more}; see the changelog (7)")
        if self.followed_up:
            parts.append(f"{self.followed_up} timed-out action(s) checked again: see the changelog (7)")
        if self.backfilled:
            parts.append(f"{self.backfilled} missing changelog entr{'y' if self.backfilled == 1 else 'ies'} written")
        parts += self.errors
        return "; ".join(parts)


def _parse_time(text: object) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def open_intents(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``requested`` records with no outcome after them, oldest first."""
    requested: dict[str, dict[str, Any]] = {}
    for record in records:
        action_id = str(record.get("action_id", ""))
        if record.get("outcome") == Outcome.REQUESTED.value:
            requested.setdefault(action_id, record)
        else:
            requested.pop(action_id, None)
            requested[action_id] = {}  # closed: a later duplicate "requested" is not an intent
    return [r for r in requested.values() if r]


def orphans(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open intents whose writer can no longer write their outcome."""
    return [r for r in open_intents(records) if not writer_alive(r.get("writer"), _expected_by(r))]


def _expected_by(record: Mapping[str, Any]) -> float | None:
    try:
        return float(record["expected_by"])
    except (KeyError, TypeError, ValueError):
        return None


def _found(record: Mapping[str, Any], services: Any, timeout: float) -> str:
    """What the target shows now, in one line (never raises)."""
    probe = probes.probe_for(record)
    target = record.get("target") if isinstance(record.get("target"), Mapping) else {}
    if probe is None or services is None:
        return f"current state not checked (no way to read a {target.get('kind', '?')} on {record.get('backend', '?')} " \
               "here): check the target"
    try:
        return str(run_with_timeout(lambda: probe(record, services), timeout, f"reading {target.get('name', '?')}"))
    except Exception as exc:  # noqa: BLE001 - an unreadable target is reported in the outcome, never fatal
        title = getattr(exc, "title", type(exc).__name__)
        return f"current state unknown ({title}: {' '.join(strip_control(exc).split())[:200]}): check the target"


def _outcome_record(intent: Mapping[str, Any], found: str) -> dict[str, Any]:
    record = dict(intent)
    record.pop("expected_by", None)
    record.update(time=utc_stamp(), outcome=Outcome.RECONCILED.value, writer=writer_stamp(), duration_s=None,
                  detail=f"{found} (the console stopped at {intent.get('time', '?')} before recording the outcome)")
    return record


def reconcile(journal: Journal, services: Any = None, timeout: float = PROBE_TIMEOUT) -> ReconcileReport:
    """Close every orphaned intent and write missing changelog entries; see the module docstring."""
    report = ReconcileReport()
    try:
        with journal.reconcile_lock():
            found = orphans(journal.read_audit().records)
        # the reads happen outside the lock (they can take seconds); the writes re-check under it
        states = {r["action_id"]: _found(r, services, timeout) for r in found}
        with journal.reconcile_lock():
            still_open = {r["action_id"]: r for r in orphans(journal.read_audit().records)}
            for action_id, state in states.items():
                intent = still_open.get(action_id)
                if intent is None:
                    continue
                record = _outcome_record(intent, state)
                journal.audit(record)
                report.reconciled.append(record)
                try:
                    journal.changelog(record)
                except JournalUnwritable as exc:
                    journal.keep_pending(record, exc.body)
                    report.errors.append(f"changelog entry pending: {exc.body}")
            report.backfilled = _backfill(journal)
        report.followed_up = _follow_up(journal, services, timeout)
    except JournalUnwritable as exc:
        report.errors.append(f"reconciliation stopped: {exc.body}")
    return report


def _backfill(journal: Journal) -> int:
    """Write the changelog entries missing for executed outcomes of writers that are gone."""
    entries, _torn = journal.read_changelog()
    have = {e.action_id for e in entries}
    newest = max((t for e in entries if (t := _parse_time(e.heading.split(" — ", 1)[0])) is not None), default=None)
    records = journal.read_audit().records
    since = (newest - BACKFILL_WINDOW) if newest is not None else None
    written = 0
    for record in records:
        outcome = record.get("outcome")
        if outcome not in _EXECUTED or record.get("action_id") in have:
            continue
        if writer_alive(record.get("writer")):
            continue  # its writer is about to write it (or keeps it pending itself)
        at = _parse_time(record.get("time"))
        if since is not None and (at is None or at < since):
            continue
        if newest is None and not isinstance(record.get("writer"), Mapping):
            continue  # a changelog started afresh: entries of older versions stay in the audit log only
        journal.changelog(record)
        have.add(str(record.get("action_id")))
        written += 1
    return written


def timed_out_without_follow_up(records: list[dict[str, Any]], now: datetime | None = None) -> list[dict[str, Any]]:
    """Timed-out outcomes (this day) with no ``follow-up`` whose writer is gone."""
    now = now or datetime.now(UTC)
    followed = {r.get("action_id") for r in records if r.get("outcome") == Outcome.FOLLOW_UP.value}
    out = []
    for record in records:
        detail = str(record.get("detail", ""))
        timed_out = (record.get("outcome") == Outcome.FAILED.value and detail.startswith("no answer in time")) or \
            (record.get("outcome") == Outcome.APPLIED.value and detail.startswith("verification timed out"))
        at = _parse_time(record.get("time"))
        if not timed_out or record.get("action_id") in followed or at is None or now - at > BACKFILL_WINDOW:
            continue
        if probes.probe_for(record) is None or writer_alive(record.get("writer")):
            continue  # nothing can read it here, or its console is still watching it
        out.append(record)
    return out


def _follow_up(journal: Journal, services: Any, timeout: float) -> int:
    if services is None:
        return 0
    with journal.reconcile_lock():
        found = timed_out_without_follow_up(journal.read_audit().records)
    states = {r["action_id"]: _found(r, services, timeout) for r in found}
    written = 0
    with journal.reconcile_lock():
        still = {r["action_id"]: r for r in timed_out_without_follow_up(journal.read_audit().records)}
        for action_id, state in states.items():
            if action_id not in still:
                continue
            record = dict(still[action_id])
            record.pop("expected_by", None)
            record.update(time=utc_stamp(), outcome=Outcome.FOLLOW_UP.value, writer=writer_stamp(), duration_s=None,
                          detail=f"at next start, after the timeout: {state} (the console stopped before it could "
                                 "tell whether the action happened)")
            journal.audit(record)
            try:
                journal.changelog(record)
            except JournalUnwritable as exc:
                journal.keep_pending(record, exc.body)
            written += 1
    return written
