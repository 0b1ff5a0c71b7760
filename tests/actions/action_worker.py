"""A console stand-in for the crash tests: runs guarded actions through the real runner.

    python -m tests.actions.action_worker CHANGELOG AUDIT SLOT COUNT

At start it reconciles the journal (like the console does), then runs actions on the
target named SLOT until the audit log holds COUNT intents for it, and exits 0. Each
action executes a no-op and verifies in a few polls, so a SIGKILL can land anywhere:
before, between or inside the journal writes.
"""

from __future__ import annotations

import random
import sys

from console.actions import runner
from console.actions.journal import Journal
from console.actions.reconcile import reconcile
from console.actions.records import Operator
from console.actions.spec import ActionSpec, Change, Preview, Risk, Target


def main(argv: list[str]) -> int:
    changelog, audit, slot, count = argv[0], argv[1], argv[2], int(argv[3])
    journal = Journal(changelog, audit)
    reconcile(journal)
    done = sum(1 for r in journal.read_audit().records
               if r.get("outcome") == "requested" and (r.get("target") or {}).get("name") == slot)
    operator = Operator("tester", "host")
    target = Target("deployment", slot, "kubernetes", "crash-test", "shop")

    def verify(t: Target, progress, deadline: float) -> None:
        for step in range(random.randint(0, 3)):
            progress(f"{t.name}: {step + 1} ready")

    spec = ActionSpec("scale", (target,), Risk.HIGH, execute=lambda t, timeout: None, verify=verify,
                      preview=lambda t: Preview((Change("replicas", "3", "5"),)), timeout=5.0, verify_timeout=5.0)
    while done < count:
        runner.execute(spec, f"stress {slot} {done}", journal, lambda line: None, operator)
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
