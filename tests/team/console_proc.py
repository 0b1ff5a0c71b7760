"""One console process for the two-consoles tests: the real runner, hooks, adapter and journal.

    python -m tests.team.console_proc KUBECONFIG STATE_DIR USER HOST REASON MODE REPLICAS

It connects first, then waits for ``STATE_DIR/go`` (so both consoles are ready before
the race starts), then scales deployment shop/web through ``runner.execute`` with the
team hooks. MODE "hold": the executor blocks (the lock stays held until the process is
killed or the 20 s execution timeout passes). MODE "retry": after a refusal it prints the
result, waits for ``STATE_DIR/go2`` and tries again every half second until it runs.
Every result is one JSON line on stdout.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
from pathlib import Path

from console.actions import runner
from console.actions.journal import Journal
from console.actions.kubernetes import scale_target
from console.actions.records import Operator
from console.actions.spec import Outcome, Target
from console.actions.team import build_hooks
from console.config import ChangelogConfig, Config, KubernetesConfig
from console.services import Services


def wait_file(path: Path, deadline_s: float = 120.0) -> None:
    deadline = time.monotonic() + deadline_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} never appeared")
        time.sleep(0.05)


def main(kubeconfig: str, state: str, user: str, host: str, reason: str, mode: str, replicas: str) -> int:
    state_dir = Path(state)
    config = Config(kubernetes=KubernetesConfig(kubeconfig=kubeconfig, context="sandbox-dev", timeout=5.0),
                    changelog=ChangelogConfig(path=str(state_dir / "changelog.md"), audit_path=str(state_dir / "audit.jsonl")))
    services = Services(config)
    adapter = services.kubernetes()
    adapter.connect()
    hooks = build_hooks(config, services)
    journal = Journal(config.changelog_path, config.audit_path)
    operator = Operator(user=user, host=host)
    target = Target("deployment", "web", "kubernetes", "sandbox-dev", "shop")
    spec = scale_target(adapter, "deployments", target, 3, int(replicas))
    if mode == "hold":
        never = threading.Event()
        spec = dataclasses.replace(spec, execute=lambda t, timeout: never.wait(60) and None, verify=None, timeout=20.0)
    else:
        spec = dataclasses.replace(spec, timeout=5.0, verify_timeout=20.0)
    print(json.dumps({"event": "ready"}), flush=True)
    wait_file(state_dir / "go")
    deadline = time.monotonic() + 120
    waited = False
    while True:
        result = runner.execute(spec, reason, journal, lambda line: None, operator, hooks=hooks)[0]
        print(json.dumps({"event": "result", "outcome": result.outcome.value, "detail": result.detail}), flush=True)
        if result.outcome is not Outcome.REFUSED or mode != "retry" or time.monotonic() > deadline:
            return 0
        if not waited:
            wait_file(state_dir / "go2")
            waited = True
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:8]))
