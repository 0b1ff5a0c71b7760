"""A separate writer process for the concurrency and crash tests.

    python -m tests.actions.journal_writer CHANGELOG AUDIT COUNT TAG [PAD]

appends COUNT records (audit line + changelog entry each) tagged TAG; PAD makes each
record's reason PAD characters long (bigger writes widen the window for a SIGKILL).
COUNT 0 means "forever" (until killed).
"""

from __future__ import annotations

import itertools
import sys
import uuid

from console.actions.journal import Journal
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Change, Outcome, Risk, Target


def main(argv: list[str]) -> None:
    changelog, audit, count, tag = argv[0], argv[1], int(argv[2]), argv[3]
    pad = int(argv[4]) if len(argv) > 4 else 0
    journal = Journal(changelog, audit)
    operator = Operator("tester", "host")
    spec = ActionSpec("restart", (Target("container", "web", "docker", "local"),), Risk.HIGH, lambda t, timeout: None)
    numbers = itertools.count() if count == 0 else range(count)
    for n in numbers:
        record = make_record(spec, spec.targets[0], Outcome.SUCCEEDED, operator=operator,
                             action_id=str(uuid.uuid4()), reason=f"{tag} {n} " + "x" * pad,
                             changes=(Change("seq", str(n), tag),))
        journal.write(record)
        if n == 0:
            print("started", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
