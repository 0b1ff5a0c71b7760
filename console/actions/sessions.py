"""Interactive sessions (``s``: a shell in a container) are operator actions too.

They need no confirmation (nothing changes by opening one), but they are audited like
any action: :func:`open_session` writes the "requested" audit record *before* the shell
starts (an unwritable journal refuses the session: never fail-open), and
:func:`close_session` writes the outcome with its duration to the audit log and the
changelog (who, where, when, how long, the exit code).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from console.actions.journal import Journal
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Outcome


@dataclass(frozen=True)
class Session:
    spec: ActionSpec
    action_id: str
    started: float  # time.monotonic()


def open_session(spec: ActionSpec, journal: Journal, operator: Operator) -> Session:
    """Audit "requested" for the session's target; raises JournalUnwritable (refuse then)."""
    journal.check_writable()
    action_id = str(uuid.uuid4())
    journal.audit(make_record(spec, spec.targets[0], Outcome.REQUESTED, operator=operator, action_id=action_id,
                              detail=f"interactive session: {spec.details.get('command', spec.verb)}"))
    return Session(spec, action_id, time.monotonic())


def close_session(session: Session, journal: Journal, operator: Operator, exit_code: int | None,
                  error: str = "") -> dict:
    """Audit and changelog the end of the session; returns the record written."""
    duration = time.monotonic() - session.started
    ok = exit_code == 0 and not error
    detail = error or f"session ended with exit code {exit_code} after {duration:.0f}s"
    record = make_record(session.spec, session.spec.targets[0], Outcome.SUCCEEDED if ok else Outcome.FAILED,
                         operator=operator, action_id=session.action_id, detail=detail, duration=duration)
    journal.write(record)
    return record
