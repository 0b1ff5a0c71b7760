"""The team audit sink on CloudWatch Logs: one stream per operator in a shared log group.

The group (``[team] log_group``) is created by whoever sets the team up (README: "On call
as a team"); the stream ``<user>@<host>`` is created on first use. Each audit record is
one log event whose message is the record's JSON. CloudWatch Logs has no conditional
write, so a record re-delivered after a crash between "sent" and "dequeued" can appear
twice in the stream: readers (the changelog view) keep one per record id.
"""

from __future__ import annotations

import json
import time
from typing import Any

from console.actions.sink_queue import record_id
from console.errors import Conflict


class CloudWatchSink:
    kind = "cloudwatch"

    def __init__(self, backend: Any, group: str, stream: str, timeout: float = 10.0, days: int = 7) -> None:
        self.backend = backend  # a console.backends.aws.AwsBackend
        self.group = group
        self.stream = stream
        self.timeout = timeout
        self.days = days  # how far back read() goes
        self._stream_ready = False

    @property
    def where(self) -> str:
        return f"CloudWatch Logs {self.group}/{self.stream}"

    def deliver(self, record: dict[str, Any]) -> None:
        if not self._stream_ready:
            try:
                self.backend.call("logs", "create_log_stream", timeout=self.timeout, logGroupName=self.group,
                                  logStreamName=self.stream)
            except Conflict:
                pass  # ResourceAlreadyExistsException: created by an earlier run
            self._stream_ready = True
        message = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
        # the delivery time, not the record's: a record queued for days would be refused as too old
        self.backend.call("logs", "put_log_events", timeout=self.timeout, logGroupName=self.group,
                          logStreamName=self.stream,
                          logEvents=[{"timestamp": int(time.time() * 1000), "message": message}])

    def read(self) -> tuple[list[dict[str, Any]], int]:
        records: dict[str, dict[str, Any]] = {}
        unreadable = 0
        since = int((time.time() - self.days * 86400) * 1000)
        for event in self.backend.pages("logs", "filter_log_events", "events", logGroupName=self.group, startTime=since):
            try:
                record = json.loads(event.get("message", ""))
            except ValueError:
                unreadable += 1
                continue
            if isinstance(record, dict) and "action_id" in record:
                records.setdefault(record_id(record), record)
            else:
                unreadable += 1
        return sorted(records.values(), key=lambda r: str(r.get("time", ""))), unreadable
