"""The sandbox estate for the night-page snapshots, made deterministic.

What ``opsconsole --sandbox`` shows, on the test backends: the session's kmock emulator
seeded with the sandbox's Kubernetes estate and the session's moto seeded with its AWS
estate (both aged from the frozen clock, moto's ids and random values from a fixed seed),
the sandbox's config (every context watched by Triage, changelog kept apart), Docker from a
fixed stand-in adapter (a real engine's ids, digests and ages change every run), Compliance
over the tab's fixture (relative: no checkout path on screen) and a changelog with one
rollback by a fixed operator (never this machine's user and host name).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Change, Outcome, Risk, Target
from console.backends.aws import AwsBackend
from console.config import Config
from console.models.docker import ContainerDetail, HealthProbe
from console.sandbox.aws import seed_aws
from console.services import Services
from tests.ui.test_containers_snapshot import CONTAINERS, FixedDocker

REPO = Path(__file__).resolve().parents[2]
COMPLIANCE_FIXTURE = "tests/checks/fixtures/tab"  # relative to REPO


class _NoEvents:
    def __iter__(self):
        return iter(())

    def close(self) -> None:
        return None


class SandboxDocker(FixedDocker):
    """The Containers stand-in, answering Triage's reads too (list, inspect, past events)."""

    def list_containers(self, all: bool = True, filters=None):  # noqa: A002
        return tuple(c for c in CONTAINERS if all or c.running)

    def inspect(self, container_id: str) -> ContainerDetail:
        summary = next(c for c in CONTAINERS if c.id == container_id)
        probes = tuple(HealthProbe(f"2026-11-18T11:0{i}:00Z", f"2026-11-18T11:0{i}:01Z", 1, "connection refused")
                       for i in range(3)) if summary.health == "unhealthy" else ()
        return ContainerDetail(summary, health_log=probes)

    def events(self, since=None, until=None, filters=None, **_kw):
        if until is not None:  # Triage's feed: the past hours, none here
            return _NoEvents()
        return super().events()


def sandbox_config(kube_config: Config, aws_url: str, state: Path, theme: str) -> Config:
    """As console.sandbox.start_sandbox builds it, on the test backends."""
    cfg = kube_config
    return dataclasses.replace(
        cfg,
        general=dataclasses.replace(cfg.general, theme=theme),
        docker=dataclasses.replace(cfg.docker, host="unix:///snapshot/docker.sock"),
        kubernetes=dataclasses.replace(cfg.kubernetes, triage_contexts=("*",)),
        aws=dataclasses.replace(cfg.aws, endpoint_url=aws_url, region="us-east-1", profile=None),
        changelog=dataclasses.replace(cfg.changelog, path=str(state / "sandbox-changelog.md"),
                                      audit_path=str(state / "sandbox-audit.jsonl")),
        compliance=dataclasses.replace(cfg.compliance, paths=(COMPLIANCE_FIXTURE,)),
        sandbox=True,
    )


def sandbox_services(config: Config) -> Services:
    # one AWS read at a time: moto draws some values from its seeded random generator
    return Services(config, factories={"docker": SandboxDocker, "aws": lambda c: AwsBackend(c, parallel=1)})


def seed(kube, aws, frozen_at: float) -> None:
    now = datetime.fromtimestamp(frozen_at, UTC)
    kube.seed(now=now)
    aws.reset()
    aws.post("/moto-api/seed?a=42")  # moto's ids and random values become repeatable
    seed_aws(aws.url, now)


ROLLBACK = Target("deployment", "checkout", "kubernetes", "sandbox-dev", "shop")


def write_changelog(audit_path: Path, frozen_at: float) -> None:
    """One rollback with a reason, requested then succeeded, by a fixed operator."""
    spec = ActionSpec(verb="rollback", targets=(ROLLBACK,), risk=Risk.HIGH, execute=lambda t, timeout: None,
                      summary="roll back checkout to revision 2")
    op = Operator("ann", "bastion-1", "203.0.113.5:50022", "sandbox-user")
    change = Change("image checkout", "registry.local/checkout:2.2.0", "registry.local/checkout:2.1.0")
    audit_path.parent.mkdir(parents=True, exist_ok=True)
    with open(audit_path, "w", encoding="utf-8") as fh:
        for i, (outcome, detail, duration) in enumerate(
                ((Outcome.REQUESTED, "", None), (Outcome.SUCCEEDED, "rolled back to revision 2", 3.2))):
            record = make_record(spec, ROLLBACK, outcome, operator=op, action_id="00000000-0000-4000-8000-000000000042",
                                 reason="INC-42 bad deploy", changes=(change,), detail=detail, duration=duration,
                                 at=frozen_at - 300 + i * 4)
            fh.write(json.dumps(record) + "\n")
