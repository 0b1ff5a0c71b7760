"""Container verification reads convergence: the state, the health, and a real restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from console.actions import runner
from console.actions.docker import container_action
from console.actions.journal import Journal
from console.actions.records import Operator
from console.actions.spec import Outcome
from console.backends.docker import DockerBackend
from console.config import Config, DockerConfig
from console.errors import Conflict, TimedOut

pytestmark = pytest.mark.docker

SECOND = 1_000_000_000
HEALTHY = {"test": ["CMD", "/bin/true"], "interval": SECOND, "timeout": SECOND, "retries": 1}
# the first probe runs after the interval: "starting" for ten minutes
STARTING = {"test": ["CMD", "/bin/true"], "interval": 600 * SECOND, "timeout": SECOND, "retries": 1}
OPERATOR = Operator("ann", "bastion")


@pytest.fixture
def backend(docker_engine):
    b = DockerBackend(Config(docker=DockerConfig(host=docker_engine.host, timeout=20)))
    b.connect()
    yield b
    b.close()


def summary(backend, container_id):
    return next(c for c in backend.list_containers() if c.id == container_id)


def test_restart_is_verified_after_a_new_start_and_healthy(backend, docker_engine):
    c = docker_engine.run(healthcheck=HEALTHY)
    docker_engine.wait_health(c["id"], "healthy")
    before = summary(backend, c["id"])
    backend.restart(c["id"], timeout=15)
    row = backend.wait_for(c["id"], ("running",), time.monotonic() + 30, healthy=True, started_after=before.started_at)
    assert row.health == "healthy" and row.started_at > before.started_at


def test_a_restart_that_did_not_happen_is_not_verified(backend, docker_engine):
    c = docker_engine.run()
    docker_engine.wait_state(c["id"], "running")
    before = summary(backend, c["id"])
    with pytest.raises(TimedOut, match="expected running"):  # running, but not started anew
        backend.wait_for(c["id"], ("running",), time.monotonic() + 1, started_after=before.started_at)


def test_unhealthy_after_restart_fails_early(backend, docker_engine):
    c = docker_engine.run(image=docker_engine.unhealthy_image)
    docker_engine.wait_health(c["id"], "unhealthy")
    before = summary(backend, c["id"])
    backend.restart(c["id"], timeout=15)
    with pytest.raises(Conflict, match="unhealthy"):
        backend.wait_for(c["id"], ("running",), time.monotonic() + 60, healthy=True, started_after=before.started_at)


def test_restart_through_the_runner_reports_each_outcome(backend, docker_engine, tmp_path: Path):
    journal = Journal(tmp_path / "CHANGELOG.md", tmp_path / "audit.jsonl")
    healthy = docker_engine.run(healthcheck=HEALTHY)
    starting = docker_engine.run(healthcheck=STARTING)
    sick = docker_engine.run(image=docker_engine.unhealthy_image)
    docker_engine.wait_health(healthy["id"], "healthy")
    docker_engine.wait_health(sick["id"], "unhealthy")
    docker_engine.wait_state(starting["id"], "running")
    expected = {healthy["id"]: Outcome.SUCCEEDED, starting["id"]: Outcome.APPLIED, sick["id"]: Outcome.FAILED}
    for container_id, outcome in expected.items():
        spec = container_action(backend, "restart", [summary(backend, container_id)], docker_engine.host)
        spec = type(spec)(**{**spec.__dict__, "verify_timeout": 8.0})
        [result] = runner.execute(spec, "INC-1", journal, lambda line: None, OPERATOR)
        assert result.outcome is outcome, result
        if outcome is Outcome.APPLIED:
            assert "last observed" in result.detail and "starting" in result.detail
        if outcome is Outcome.FAILED:
            assert "unhealthy" in result.detail
    assert [r["outcome"] for r in journal.read_audit().records] == [
        "requested", "succeeded", "requested", "applied, not verified", "requested", "failed"]
