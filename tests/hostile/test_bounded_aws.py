"""Every AWS call is bounded: against an endpoint that accepts the connection and never
answers (moto behind a frozen proxy), connect, lists, detail, logs and each action end with
a message naming the call; a credential_process that never returns times out naming the
profile (the tab says so instead of "connecting" forever)."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest

from console.app import OpsConsole
from console.backends.aws import AwsBackend
from console.backends.base import BackendState
from console.config import AwsConfig, Config
from console.errors import OpsError
from console.models.aws import Build
from console.services import Services
from tests.hostile.deadline import within
from tests.hostile.silent import FreezableProxy

BUILD = Build(id="p:1", project="p", number=1, status="SUCCEEDED", current_phase="COMPLETED",
              started=datetime(2026, 1, 1, tzinfo=UTC), ended=None, log_group="/aws/codebuild/p", log_stream="1")
ACTIONS = {
    "start_pipeline_execution": ("pipe",), "retry_stage_execution": ("pipe", "Build", "exec-1"),
    "stop_pipeline_execution": ("pipe", "exec-1"), "put_approval_result": ("pipe", "Approve", "Manual", "tok"),
    "start_build": ("proj",), "stop_build": ("proj:1",), "snapshot_and_delete_volume": ("vol-1",),
    "release_address": ("eipalloc-1",), "delete_snapshot": ("snap-1",),
}
EXTRA = {"stop_pipeline_execution": {"abandon": False, "reason": "test"},
         "put_approval_result": {"approved": True, "summary": "ok"}}


@pytest.fixture
def frozen_aws(aws):
    url = urlparse(aws.url)
    proxy = FreezableProxy.tcp(url.hostname, url.port)
    backend = AwsBackend(Config(aws=AwsConfig(endpoint_url=proxy.address, region=aws.region, timeout=1.5)))
    backend.connect()
    proxy.freeze()
    yield backend
    proxy.close()
    backend.close()


def expect_message(call, *args, **kwargs) -> OpsError:
    def run():
        try:
            call(*args, **kwargs)
        except OpsError as exc:
            return exc
        raise AssertionError(f"{call.__name__} answered although AWS is frozen")

    exc = within(90, run)
    assert exc.title and str(exc) and exc.source, exc
    return exc


def test_connect_reads_and_logs_time_out_with_a_message(frozen_aws):
    b = frozen_aws
    assert "sts.get_caller_identity" in expect_message(b.connect).source
    for call, args in ((b.pipelines_view, ()), (b.pipeline, ("pipe",)), (b.build, ("p:1",)),
                       (b.build_projects, ()), (b.waste_report, ()), (b.build_log, (BUILD,))):
        expect_message(call, *args)


@pytest.mark.parametrize("verb", sorted(AwsBackend.MUTATIONS))
def test_each_action_times_out_with_a_message(frozen_aws, verb):
    assert set(ACTIONS) == set(AwsBackend.MUTATIONS)
    exc = expect_message(getattr(frozen_aws, verb), *ACTIONS[verb], timeout=1.5, **EXTRA.get(verb, {}))
    assert exc.source.split(".")[0] in ("codepipeline", "codebuild", "ec2"), exc


def hanging_profile(tmp_path, name="helper-hang"):
    """An AWS config whose credential_process sleeps for an hour (an unseen MFA prompt)."""
    pid_file = tmp_path / "helper.pid"
    helper = tmp_path / "helper.py"
    helper.write_text(f"import os, sys, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                      "sys.stdin.read()\ntime.sleep(3600)\n", encoding="utf-8")
    config = tmp_path / "aws-config"
    config.write_text(f"[profile {name}]\nregion = us-east-1\ncredential_process = {sys.executable} {helper}\n",
                      encoding="utf-8")
    os.environ["AWS_CONFIG_FILE"] = str(config)
    return pid_file


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0]
    return state != "Z"


def test_credential_process_that_never_returns_times_out_naming_the_profile(aws, tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", "")
    pid_file = hanging_profile(tmp_path)
    backend = AwsBackend(Config(aws=AwsConfig(profile="helper-hang", endpoint_url=aws.url, timeout=2.0)))
    exc = expect_message(backend.connect)
    assert "helper-hang" in str(exc) and exc.title == "Timed out", exc
    pid = int(pid_file.read_text())
    end = time.monotonic() + 30
    while alive(pid):
        assert time.monotonic() < end, "the hung credential helper was left running"
        time.sleep(0.05)


async def test_tab_shows_the_credential_timeout_not_connecting(aws, tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", "")
    hanging_profile(tmp_path)
    config = Config(aws=AwsConfig(profile="helper-hang", endpoint_url=aws.url, timeout=2.0))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("3")
        tab = app.tab("pipelines")
        end = time.monotonic() + 60
        while tab.state is BackendState.CONNECTING:
            assert time.monotonic() < end, "the tab stayed on connecting"
            await pilot.pause(0.05)
        assert tab.state is BackendState.UNAVAILABLE and "helper-hang" in tab.reason
