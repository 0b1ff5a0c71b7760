"""Who is acting and why, for the thread that executes a guarded action.

The runner's team hooks (console/actions/team.py) run every executor inside
``acting_as(...)``; a backend that writes "who and why" into the target itself (the
Deployment's ``kubernetes.io/change-cause``) reads :func:`current` instead of needing
the operator and reason threaded through every executor's signature. Stdlib only: any
layer may import it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_local = threading.local()


@dataclass(frozen=True)
class ActingAs:
    operator: str  # "alice@bastion-2"
    reason: str  # the ticket / incident id given in the confirmation ("" when none)
    action_id: str
    verb: str


def current() -> ActingAs | None:
    """The action this thread executes, or None outside the guarded path."""
    return getattr(_local, "acting", None)


@contextmanager
def acting_as(who: ActingAs) -> Iterator[ActingAs]:
    previous = current()
    _local.acting = who
    try:
        yield who
    finally:
        _local.acting = previous


def change_cause(what: str) -> str:
    """``what`` plus who and why, for ``kubernetes.io/change-cause``:
    "opsconsole set image web=nginx:1.27 by alice@bastion-2: INC-42"."""
    who = current()
    if who is None:
        return what
    text = f"{what} by {who.operator}"
    return f"{text}: {who.reason}" if who.reason else text
