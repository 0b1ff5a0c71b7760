"""One console writing N audit records to the team's S3 sink, for the two-process sink test.

    python -m tests.team.sink_proc ENDPOINT BUCKET STATE_DIR USER COUNT

Writes COUNT records through the console's own journal (team_journal: local audit log +
outbox), then waits until the outbox is empty and prints {"delivered": n}.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

from console.actions.records import Operator, make_record
from console.actions.sink import SinkingJournal, team_journal
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.config import AwsConfig, ChangelogConfig, Config
from console.config_team import TeamConfig


def main(endpoint: str, bucket: str, state: str, user: str, count: str) -> int:
    state_dir = Path(state)
    config = Config(aws=AwsConfig(endpoint_url=endpoint, region="us-east-1", timeout=10.0),
                    changelog=ChangelogConfig(path=str(state_dir / "changelog.md"),
                                              audit_path=str(state_dir / "audit.jsonl")),
                    team=TeamConfig(sink="s3", bucket=bucket))
    journal = team_journal(config)
    assert isinstance(journal, SinkingJournal)
    operator = Operator(user=user, host="bastion-2")
    spec = ActionSpec(verb="scale", targets=(), risk=Risk.HIGH, execute=lambda t, timeout: None, summary="scale")
    for i in range(int(count)):
        target = Target("deployment", f"svc-{i}", "kubernetes", "prod-eu", "shop")
        journal.audit(make_record(spec, target, Outcome.SUCCEEDED, operator=operator, action_id=str(uuid.uuid4()),
                                  reason=f"load {user} {i}"))
    deadline = time.monotonic() + 300
    while journal.outbox.pending():
        if time.monotonic() > deadline:
            print(json.dumps({"error": journal.status()}), flush=True)
            return 1
        time.sleep(0.2)
    journal.outbox.stop()
    print(json.dumps({"delivered": journal.outbox.delivered}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
