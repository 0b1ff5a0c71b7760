"""DynamoDB locks for AWS targets on moto server: conditional writes, expiry, ownership."""

from __future__ import annotations

import dataclasses
import time

import boto3
import pytest

from console.actions.locks import build_broker
from console.actions.spec import Target
from console.backends.aws import AwsBackend
from console.backends.aws_locks import DynamoDbLocks
from console.config import AwsConfig, Config
from console.config_team import LocksConfig
from console.errors import NotFound
from console.models.locks import Held, Lock, NoLock

SERVICE = Target("ecs-service", "checkout", "aws", "123456789012", "us-east-1")


@pytest.fixture
def table(aws):
    ddb = boto3.client("dynamodb", endpoint_url=aws.url, region_name=aws.region)
    ddb.create_table(TableName="ops-locks", KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    config = Config(aws=AwsConfig(endpoint_url=aws.url, region=aws.region, timeout=5.0),
                    locks=LocksConfig(dynamodb_table="ops-locks"))
    backend = AwsBackend(config)
    yield config, backend
    backend.close()


def locks(backend, clock=time.time, table_name="ops-locks") -> DynamoDbLocks:
    return DynamoDbLocks(lambda: backend.client("dynamodb"), table_name, clock=clock)


def test_taken_then_refused_with_the_holder_then_released(table):
    _, backend = table
    alice, bob = locks(backend), locks(backend)
    lock = alice.acquire(SERVICE, "alice@bastion-2", "INC-42", "a-1", 60, verb="rollback")
    assert isinstance(lock, Lock)
    held = bob.acquire(SERVICE, "bob@bastion-1", "", "b-1", 60, verb="scale")
    assert isinstance(held, Held) and held.who == "alice@bastion-2"
    assert held.message.startswith("alice@bastion-2 is rolling back checkout since ") and held.message.endswith("— INC-42")
    assert alice.renew(lock)
    alice.release(lock)
    assert bob.peek(SERVICE) is None
    assert isinstance(bob.acquire(SERVICE, "bob@bastion-1", "", "b-1", 60, verb="scale"), Lock)


def test_expired_item_is_taken_over_and_the_old_owner_cannot_renew_or_release_it(table):
    _, backend = table
    alice = locks(backend)
    lock = alice.acquire(SERVICE, "alice@bastion-2", "INC-42", "a-1", 30, verb="rollback")
    later = locks(backend, clock=lambda: time.time() + 31)
    taken = later.acquire(SERVICE, "bob@bastion-1", "", "b-1", 30, verb="scale")
    assert isinstance(taken, Lock)
    assert alice.renew(lock) is False
    alice.release(lock)  # not hers any more: the condition refuses it
    assert isinstance(locks(backend).peek(SERVICE), Held)


def test_missing_table_is_a_clear_error_and_no_table_configured_is_a_visible_no_lock(table):
    config, backend = table
    with pytest.raises(NotFound) as err:
        locks(backend, table_name="no-such-table").acquire(SERVICE, "a@h", "", "a-1", 30)
    assert "no-such-table" in str(err.value)
    unconfigured = dataclasses.replace(config, locks=LocksConfig())
    broker = build_broker(unconfigured, services=None)
    assert broker.status(SERVICE) == "no lock (not configured: set [locks] dynamodb_table to lock AWS targets)"
    assert isinstance(broker.provider(SERVICE), NoLock)


def test_runner_refuses_a_second_console_on_an_aws_target(table, tmp_path):
    from console.actions import runner
    from console.actions.journal import Journal
    from console.actions.records import Operator
    from console.actions.spec import ActionSpec, Outcome, Risk
    from console.actions.team import build_hooks
    from console.services import Services

    config, _ = table
    services = Services(config)
    hooks = build_hooks(config, services)
    alice = build_broker(config, services).take(
        ActionSpec(verb="rollback", targets=(SERVICE,), risk=Risk.HIGH, execute=lambda t, timeout: None),
        SERVICE, "alice@bastion-2", "INC-42", "a-1", lambda _: None)
    assert alice.refusal is None and alice.lock is not None
    calls: list[str] = []
    spec = ActionSpec(verb="scale", targets=(SERVICE,), risk=Risk.HIGH, execute=lambda t, timeout: calls.append(t.name))
    [result] = runner.execute(spec, "", Journal(tmp_path / "c.md", tmp_path / "a.jsonl"), lambda _: None,
                              Operator("bob", "bastion-1"), hooks=hooks)
    assert result.outcome is Outcome.REFUSED and calls == []
    assert result.detail.startswith("refused: alice@bastion-2 is rolling back checkout since ")
    alice.release()
    [result] = runner.execute(spec, "", Journal(tmp_path / "c.md", tmp_path / "a.jsonl"), lambda _: None,
                              Operator("bob", "bastion-1"), hooks=hooks)
    # executed once the lock is free; this spec has no verification, so never "succeeded"
    assert result.outcome is Outcome.APPLIED and calls == ["checkout"]
    services.close()
