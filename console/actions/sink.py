"""The team's shared audit trail: every audit record locally *and* in a team sink.

``[team] sink = "s3"`` (one object per record, conditional create) or ``"cloudwatch"``
(a stream per operator); see sink_s3.py and sink_logs.py. :func:`team_journal` gives the
console's Journal: a :class:`SinkingJournal` when a sink is configured, whose ``audit``
appends locally first (as before: the local file is the source of truth and what works
offline), then queues the record in the outbox (sink_queue.py), which delivers it in the
background — a sink that is down only delays delivery, never the action.

:func:`merged_audit` is what the changelog view (``6``) shows: the local records plus the
team's, one per record id, the team's marked ``"_team": True`` when they came from
someone else's console; when the sink cannot be read the local records are shown with a
note saying why.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from console.actions.journal import AuditLog, Journal
from console.actions.records import current_operator
from console.actions.sink_queue import Outbox, record_id
from console.errors import OpsError

log = logging.getLogger(__name__)


class TeamSink(Protocol):
    kind: str

    @property
    def where(self) -> str: ...

    def deliver(self, record: dict[str, Any]) -> None: ...

    def read(self) -> tuple[list[dict[str, Any]], int]: ...


class SinkingJournal(Journal):
    """A Journal that also hands every audit record to the team sink (through the outbox)."""

    def __init__(self, changelog_path: Any, audit_path: Any, sink: TeamSink, outbox: Outbox) -> None:
        super().__init__(changelog_path, audit_path)
        self.sink = sink
        self.outbox = outbox
        self.queue_error = ""

    def __repr__(self) -> str:
        return f"SinkingJournal(changelog={self.changelog_path}, audit={self.audit_path}, sink={self.sink.where})"

    def audit(self, record: Mapping[str, Any]) -> None:
        super().audit(record)  # local first: an unwritable local log refuses the action, as before
        try:
            self.outbox.put(dict(record))
            self.queue_error = ""
        except OSError as exc:  # the local copy is written; the team copy waits for a writable queue
            self.queue_error = f"cannot queue for the team sink in {self.outbox.directory}: {exc.strerror or exc}"
            log.warning("%s (record %s)", self.queue_error, record_id(record))

    def status(self) -> str:
        """One line for the changelog view: where the team trail is and what is still queued."""
        pending = len(self.outbox.pending())
        text = f"team sink {self.sink.where}"
        if pending:
            text += f": {pending} record(s) queued"
        error = self.queue_error or self.outbox.last_error
        return f"{text} ({error})" if error else text


class LazyAws:
    """The sink's own AwsBackend (the sink never waits on a tab's calls), created on first use:
    boto3 is imported in the worker that first delivers or reads, never on the UI thread."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self._backend: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._backend is None:
                from console.backends.aws import AwsBackend

                self._backend = AwsBackend(self.config)
            return self._backend

    def call(self, service: str, operation: str, **params: Any) -> dict:
        return self._get().call(service, operation, **params)

    def pages(self, service: str, operation: str, key: str, **params: Any) -> Any:
        return self._get().pages(service, operation, key, **params)


def make_sink(config: Any) -> TeamSink | None:
    team = config.team
    if not team.sink:
        return None
    backend = LazyAws(config)
    if team.sink == "s3":
        from console.actions.sink_s3 import S3Sink

        return S3Sink(backend, team.bucket, team.prefix, timeout=team.timeout, days=team.days)
    from console.actions.sink_logs import CloudWatchSink

    operator = current_operator()
    return CloudWatchSink(backend, team.log_group, f"{operator.user}@{operator.host}", timeout=team.timeout,
                          days=team.days)


def team_journal(config: Any) -> Journal:
    """The console's journal: local only, or local + the configured team sink."""
    sink = make_sink(config)
    if sink is None:
        return Journal(config.changelog_path, config.audit_path)
    outbox = Outbox(config.state_dir / "team-queue", sink.deliver)
    journal = SinkingJournal(config.changelog_path, config.audit_path, sink, outbox)
    if outbox.pending():
        outbox.start()  # records queued by an earlier run go out now
    return journal


def merge(local: list[dict[str, Any]], team: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Local and team records, one per record id, oldest first; team-only ones marked ``_team``."""
    seen = {record_id(r) for r in local}
    merged = list(local)
    for record in team:
        rid = record_id(record)
        if rid not in seen:
            seen.add(rid)
            merged.append({**record, "_team": True})
    return sorted(merged, key=lambda r: (str(r.get("time", "")), r.get("outcome") != "requested"))


def merged_audit(journal: Journal) -> tuple[AuditLog, str]:
    """What the changelog view shows, and a note about the team trail ("" without a sink)."""
    local = journal.read_audit()
    if not isinstance(journal, SinkingJournal):
        return local, ""
    try:
        team, unreadable = journal.sink.read()
    except OpsError as exc:
        return local, f"{journal.status()} — unreachable, showing local records only: {exc.title}: {exc.body}"
    note = journal.status() + f": {len(team)} team record(s)"
    if unreadable:
        note += f", {unreadable} unreadable"
    return AuditLog(merge(local.records, team), local.torn), note
