"""Action locks for AWS targets: one item per target in a DynamoDB table, written conditionally.

The table (``[locks] dynamodb_table``) has a string partition key ``lock_id``; items are
``{lock_id, holder, reason, verb, action_id, target, acquired_at, expires_at}`` (epoch
seconds). Taking a lock is one ``PutItem`` with ``attribute_not_exists(lock_id) OR
expires_at < :now`` (free or expired: a console that died is taken over); renewing and
releasing are conditional on ``action_id`` being ours, so a lock taken over is never
released by its old owner. ``AccessDenied`` answers :class:`NoLock` ("permission");
other failures raise the typed errors of console.backends.aws (the action is refused).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from console.backends.aws import translate
from console.errors import Denied
from console.models.locks import Held, Lock, NoLock

CONDITION_FAILED = "ConditionalCheckFailedException"


def lock_id(target: Any) -> str:
    return f"{target.backend}:{target.context}:{target.namespace}:{target.kind}:{target.name}"


class DynamoDbLocks:
    """The LockProvider for AWS targets (see console/actions/locks.py)."""

    name = "dynamodb"

    def __init__(self, client: Callable[[], Any], table: str, clock: Callable[[], float] = time.time) -> None:
        self._client = client  # a boto3 DynamoDB client with the AWS adapter's timeouts
        self.table = table
        self.clock = clock

    def _call(self, operation: str, **params: Any) -> tuple[dict[str, Any] | None, bool]:
        """(answer, True) or (None, False) when the condition failed; other errors are typed."""
        try:
            return getattr(self._client(), operation)(TableName=self.table, **params), True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == CONDITION_FAILED:
                return None, False
            raise translate(exc, f"dynamodb.{operation} {self.table}") from exc
        except BotoCoreError as exc:
            raise translate(exc, f"dynamodb.{operation} {self.table}") from exc

    def _held(self, item: dict[str, Any], target: Any) -> Held | None:
        if not item or float(item.get("expires_at", {}).get("N", "0")) < self.clock():
            return None
        text = {k: v.get("S", "") for k, v in item.items() if isinstance(v, dict)}
        return Held(who=text.get("holder", "?"), since=float(item.get("acquired_at", {}).get("N", "0")),
                    why=text.get("reason", ""), verb=text.get("verb", ""), target=target.name,
                    where=f"DynamoDB {self.table} {lock_id(target)}")

    def peek(self, target: Any) -> Held | NoLock | None:
        try:
            answer, _ = self._call("get_item", Key={"lock_id": {"S": lock_id(target)}}, ConsistentRead=True)
        except Denied as exc:
            return NoLock(f"permission: cannot read the lock table {self.table}: {exc.body}")
        return self._held((answer or {}).get("Item") or {}, target)

    def acquire(self, target: Any, holder: str, reason: str, action_id: str, duration: float,
                verb: str = "") -> Lock | Held | NoLock:
        now = self.clock()
        key = lock_id(target)
        item = {"lock_id": {"S": key}, "holder": {"S": holder}, "reason": {"S": reason}, "verb": {"S": verb},
                "action_id": {"S": action_id}, "target": {"S": f"{target.kind} {target.name}"},
                "acquired_at": {"N": f"{now:.3f}"}, "expires_at": {"N": f"{now + duration:.3f}"}}
        try:
            for _ in range(3):
                _, ok = self._call("put_item", Item=item,
                                   ConditionExpression="attribute_not_exists(lock_id) OR expires_at < :now",
                                   ExpressionAttributeValues={":now": {"N": f"{self.clock():.3f}"}})
                if ok:
                    return Lock(self.name, f"DynamoDB {self.table} {key}", action_id, holder, duration, {"lock_id": key})
                held = self.peek(target)
                if held is not None:
                    return held
        except Denied as exc:
            return NoLock(f"permission: cannot write the lock table {self.table}: {exc.body}")
        return NoLock(f"the lock item {key} in {self.table} kept changing; not taken")

    def renew(self, lock: Lock) -> bool:
        _, ok = self._call("update_item", Key={"lock_id": {"S": lock.token["lock_id"]}},
                           UpdateExpression="SET expires_at = :exp", ConditionExpression="action_id = :me",
                           ExpressionAttributeValues={":exp": {"N": f"{self.clock() + lock.duration:.3f}"},
                                                      ":me": {"S": lock.action_id}})
        return ok

    def release(self, lock: Lock) -> None:
        self._call("delete_item", Key={"lock_id": {"S": lock.token["lock_id"]}}, ConditionExpression="action_id = :me",
                   ExpressionAttributeValues={":me": {"S": lock.action_id}})
