"""The team audit sink on moto server: S3 (conditional create) and CloudWatch Logs; outbox when down."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from console.actions.journal import Journal
from console.actions.records import Operator, make_record
from console.actions.sink import SinkingJournal, merge, merged_audit, team_journal
from console.actions.sink_logs import CloudWatchSink
from console.actions.sink_queue import record_id
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.backends.aws import AwsBackend
from console.config import AwsConfig, ChangelogConfig, Config
from console.config_team import TeamConfig

ROOT = Path(__file__).resolve().parents[2]
SPEC = ActionSpec(verb="scale", targets=(), risk=Risk.HIGH, execute=lambda t, timeout: None, summary="scale")


def record(user: str = "alice", outcome: Outcome = Outcome.SUCCEEDED, name: str = "web", action_id: str = "") -> dict:
    target = Target("deployment", name, "kubernetes", "prod-eu", "shop")
    return make_record(SPEC, target, outcome, operator=Operator(user=user, host="bastion-2"),
                       action_id=action_id or str(uuid.uuid4()), reason="INC-42")


def config_for(tmp_path: Path, endpoint: str, **team) -> Config:
    return Config(aws=AwsConfig(endpoint_url=endpoint, region="us-east-1", timeout=10.0),
                  changelog=ChangelogConfig(path=str(tmp_path / "changelog.md"), audit_path=str(tmp_path / "audit.jsonl")),
                  team=TeamConfig(**{"sink": "s3", "bucket": "team-audit", **team}))


def keys(endpoint: str, bucket: str = "team-audit") -> list[str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def wait_for(check, deadline_s: float, what: str):
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def bucket(aws):
    boto3.client("s3", endpoint_url=aws.url, region_name=aws.region).create_bucket(Bucket="team-audit")
    return aws


def test_s3_one_object_per_record_and_a_redelivery_overwrites_nothing(bucket, tmp_path):
    journal = team_journal(config_for(tmp_path, bucket.url))
    assert isinstance(journal, SinkingJournal)
    first = record()
    journal.sink.deliver(first)
    changed = {**first, "detail": "forged later"}
    journal.sink.deliver(changed)  # same record id: 412 from S3, counted as delivered
    [key] = keys(bucket.url)
    assert key.endswith(f"{record_id(first)}.json") and key.startswith("opsconsole/audit/")
    body = boto3.client("s3", endpoint_url=bucket.url, region_name="us-east-1").get_object(
        Bucket="team-audit", Key=key)["Body"].read()
    assert json.loads(body)["detail"] == ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sink_down_records_queued_then_flushed_exactly_once(aws, tmp_path):
    from moto.server import ThreadedMotoServer

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="team-audit")
    server.stop()  # the sink is down
    journal = team_journal(config_for(tmp_path, endpoint))
    journal.outbox.retry_seconds = 0.5
    records = [record(name=f"svc-{i}") for i in range(3)]
    try:
        for r in records:
            journal.audit(r)
        assert len(journal.read_audit().records) == 3  # the local copy is there at once
        wait_for(lambda: journal.outbox.last_error, 60, "the outbox to notice the sink is down")
        assert len(journal.outbox.pending()) == 3 and "queued" in journal.status()
        local, note = merged_audit(journal)
        assert len(local.records) == 3 and "unreachable, showing local records only" in note

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()  # the sink is back (moto keeps its state in-process)
        wait_for(lambda: not journal.outbox.pending(), 60, "the outbox to flush")
        delivered = keys(endpoint)
        assert len(delivered) == 3
        assert all(any(k.endswith(f"-{record_id(r)}.json") for k in delivered) for r in records)
        journal.outbox.put(records[0])  # a crash between "sent" and "dequeued": delivered again
        wait_for(lambda: not journal.outbox.pending(), 60, "the re-delivery")
        assert len(keys(endpoint)) == 3
        merged, _ = merged_audit(journal)
        assert len(merged.records) == 3  # one per record id, local and team together
    finally:
        journal.outbox.stop()
        server.stop()


@pytest.mark.parametrize("machines", ["two machines", "one host"])
def test_two_processes_500_records_each_to_one_bucket(bucket, tmp_path, machines):
    """Two machines: each console delivers its own 500. One host: the consoles share one outbox and
    its flush lock, so whichever flushes delivers each record once — still 1,000 objects."""
    def state(user: str) -> str:
        return str(tmp_path / (user if machines == "two machines" else "host") / "state")

    procs = [subprocess.Popen([sys.executable, "-m", "tests.team.sink_proc", bucket.url, "team-audit",
                               str(tmp_path / user), user, "500"], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": state(user)})
             for user in ("alice", "bob")]
    outputs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    delivered = [o.get("delivered") for o in outputs]
    assert (delivered == [500, 500]) if machines == "two machines" else (sum(delivered) == 1000), outputs
    assert len(keys(bucket.url)) == 1000

    mine = team_journal(config_for(tmp_path / "carol", bucket.url))
    merged, note = merged_audit(mine)
    assert "unreachable" not in note, note
    assert len(merged.records) == 1000 and "1000 team record(s)" in note and "unreadable" not in note
    assert {r["operator"]["user"] for r in merged.records} == {"alice", "bob"}
    assert all(r["_team"] for r in merged.records)


def test_cloudwatch_stream_per_operator_and_duplicates_read_once(aws, tmp_path):
    boto3.client("logs", endpoint_url=aws.url, region_name=aws.region).create_log_group(logGroupName="team-audit")
    config = config_for(tmp_path, aws.url, sink="cloudwatch", bucket="", log_group="team-audit")
    backend = AwsBackend(config)
    alice = CloudWatchSink(backend, "team-audit", "alice@bastion-2")
    bob = CloudWatchSink(backend, "team-audit", "bob@bastion-1")
    a, b = record("alice"), record("bob")
    alice.deliver(a)
    alice.deliver(a)  # re-delivered after a crash: readers keep one
    bob.deliver(b)
    streams = boto3.client("logs", endpoint_url=aws.url, region_name=aws.region).describe_log_streams(
        logGroupName="team-audit")["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == ["alice@bastion-2", "bob@bastion-1"]
    records, unreadable = alice.read()
    assert unreadable == 0 and sorted(r["operator"]["user"] for r in records) == ["alice", "bob"]
    backend.close()


def test_merge_marks_team_records_and_keeps_one_per_record_id(tmp_path):
    mine, theirs = record("alice"), record("bob")
    merged = merge([mine], [mine, theirs, theirs])
    assert [r["operator"]["user"] for r in merged if r.get("_team")] == ["bob"]
    assert len(merged) == 2
    assert merged_audit(Journal(tmp_path / "c.md", tmp_path / "a.jsonl")) [1] == ""
