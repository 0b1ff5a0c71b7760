"""The runner's lock is renewed while the action verifies, and released at the end."""

from __future__ import annotations

import time

from console.actions import runner
from console.actions.journal import Journal
from console.actions.records import Operator
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.actions.team import build_hooks
from console.backends.kube_http import resource_path
from console.backends.kube_lease import parse_time
from console.errors import TimedOut
from console.services import Services

WEB = Target("deployment", "web", "kubernetes", "sandbox-dev", "shop")


def test_lease_renewed_while_verifying_then_released(kube_api, tmp_path):
    kube_api.seed()
    services = Services(kube_api.config)
    services.kubernetes().connect()
    http = kube_api.http()
    path = resource_path("leases", "shop", "opsconsole-deployment-web")
    seen: dict[str, object] = {}

    def verify(target: Target, progress, deadline: float) -> None:
        while time.monotonic() < deadline:  # poll until a renewal shows, never a fixed sleep
            spec = http.json("GET", path)["spec"]
            seen["duration"] = spec["leaseDurationSeconds"]
            if parse_time(spec["renewTime"]) > parse_time(spec["acquireTime"]):
                seen["renewed"] = True
                return
            time.sleep(0.1)
        raise TimedOut("the lease was never renewed", source="test")

    spec = ActionSpec(verb="scale", targets=(WEB,), risk=Risk.HIGH, execute=lambda t, timeout: "ok",
                      verify=verify, timeout=1.0, verify_timeout=30.0)
    [result] = runner.execute(spec, "INC-1", Journal(tmp_path / "c.md", tmp_path / "a.jsonl"), lambda _: None,
                              Operator("alice", "bastion-2"), hooks=build_hooks(kube_api.config, services))
    assert result.outcome is Outcome.SUCCEEDED, result.detail
    assert seen == {"duration": 31, "renewed": True}  # the action's deadline: execution + verification
    assert "holderIdentity" not in http.json("GET", path)["spec"]
    services.close()
