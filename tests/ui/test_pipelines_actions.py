"""Every Pipelines action through the real guarded runner: confirmation, audit, changelog.

Approval, retry and stop need the full CodePipeline API, which moto lacks: they run
against the local ``PipelineDouble`` (real HTTP); start execution and builds run on moto.
"""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input

from console.actions.journal import read_audit
from console.app import OpsConsole
from console.config import AwsConfig, ChangelogConfig, Config
from console.sandbox.aws import seed_builds, seed_pipelines
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from screens.pipelines_prompt import ReasonPrompt
from tests.backends.test_aws_pipeline_state import EXECUTION, PipelineDouble
from tests.fixtures.workers import workers_done
from tests.ui.test_pipelines import wait_for


def make_app(tmp_path, url: str) -> OpsConsole:
    cfg = Config(aws=AwsConfig(region="us-east-1", endpoint_url=url),
                 changelog=ChangelogConfig(path=str(tmp_path / "CHANGELOG.md"), audit_path=str(tmp_path / "audit.jsonl")))
    return OpsConsole(cfg, services=Services(cfg))


async def settle(app, pilot) -> None:
    for _ in range(4):
        await workers_done(app)
        await pilot.pause()


async def open_tab(app, pilot, row: str):
    await pilot.press("4")
    tab = app.tab("pipelines")
    await wait_for(pilot, lambda: tab.view is not None)
    assert tab.jump(row)
    await pilot.pause()
    return tab


async def confirm(app, pilot, reason: str = "INC-42", typed: str | None = None) -> list[str]:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    screen = app.screen
    screen.query_one("#confirm-reason", Input).value = reason
    if typed is not None:
        assert not screen.confirm_enabled  # destructive: the name must be typed first
        screen.query_one("#confirm-typed", Input).value = typed
        await pilot.pause()
    screen.query_one("#confirm", Button).press()
    await wait_for(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen.results is not None)
    return [r.outcome.value for r in app.screen.results]


def outcomes(app) -> list[str]:
    return [r["outcome"] for r in read_audit(app.config.audit_path).records]


@pytest.fixture
def double(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with PipelineDouble() as d:
        yield d


async def test_approve_records_the_reason_everywhere(double, tmp_path):
    app = make_app(tmp_path, double.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(app, pilot, "checkout")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonPrompt))
        await pilot.press(*"CAB-7 ok", "enter")
        assert await confirm(app, pilot) == ["succeeded"]
        assert app.screen.spec.verb == "approve"
    sent = double.calls("PutApprovalResult")
    assert sent == [{"pipelineName": "checkout", "stageName": "Approve", "actionName": "Gate", "token": "tok-123",
                     "result": {"summary": "CAB-7 ok", "status": "Approved"}}]
    records = read_audit(app.config.audit_path).records
    assert [r["outcome"] for r in records] == ["requested", "succeeded"]
    assert "CAB-7 ok" in str(records[-1])
    assert "approve" in (tmp_path / "CHANGELOG.md").read_text()


async def test_reject_declined_sends_nothing(double, tmp_path):
    app = make_app(tmp_path, double.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(app, pilot, "checkout")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonPrompt))
        await pilot.press(*"not yet", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.verb == "reject"
        await pilot.press("escape")
        await settle(app, pilot)
    assert double.calls("PutApprovalResult") == []
    assert outcomes(app) == ["declined"]


async def test_retry_failed_stage(double, tmp_path):
    app = make_app(tmp_path, double.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(app, pilot, "checkout")
        await pilot.press("R")
        assert await confirm(app, pilot) == ["succeeded"]
    assert double.calls("RetryStageExecution") == [{"pipelineName": "checkout", "stageName": "Deploy",
                                                    "pipelineExecutionId": EXECUTION, "retryMode": "FAILED_ACTIONS"}]
    assert outcomes(app) == ["requested", "succeeded"]


async def test_abandon_needs_the_typed_name(double, tmp_path):
    app = make_app(tmp_path, double.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(app, pilot, "checkout")
        await pilot.press("X")
        assert await confirm(app, pilot, typed="checkout") == ["succeeded"]
    assert double.calls("StopPipelineExecution")[0]["abandon"] is True
    assert "abandon execution" in (tmp_path / "CHANGELOG.md").read_text()


@pytest.fixture
def seeded(aws):
    seed_pipelines(aws.url)
    seed_builds(aws.url)
    return aws


@pytest.mark.aws
async def test_start_execution_on_moto_is_verified(seeded, tmp_path):
    app = make_app(tmp_path, seeded.url)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot, "api-deploy")
        before = len(next(p for p in tab.view.pipelines if p.name == "api-deploy").executions)
        await pilot.press("s")
        assert await confirm(app, pilot) == ["succeeded"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(next(p for p in tab.view.pipelines if p.name == "api-deploy").executions)
                       == before + 1)
    assert outcomes(app) == ["requested", "succeeded"]


@pytest.mark.aws
async def test_stop_unsupported_by_endpoint_is_audited_as_failed(seeded, tmp_path):
    app = make_app(tmp_path, seeded.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_tab(app, pilot, "web-deploy")
        await pilot.press("x")
        assert await confirm(app, pilot) == ["failed"]
        assert "Not supported" in app.screen.results[0].detail
    assert outcomes(app) == ["requested", "failed"]


@pytest.mark.aws
async def test_start_and_stop_build(seeded, tmp_path):
    app = make_app(tmp_path, seeded.url)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot, "api-build")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.verb == "start build"
        assert await confirm(app, pilot) == ["succeeded"]
        await pilot.press("escape")
        await settle(app, pilot)
        tab.jump("api-build")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.verb == "stop build"
        assert await confirm(app, pilot) == ["succeeded"]
    assert outcomes(app) == ["requested", "succeeded", "requested", "succeeded"]


@pytest.fixture
def prod_profile(seeded, tmp_path, monkeypatch):
    config = tmp_path / "aws-config"
    config.write_text("[profile prod-admin]\nregion = us-east-1\n[profile dev]\nregion = us-east-1\n")
    creds = tmp_path / "aws-credentials"
    creds.write_text("[prod-admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
                     "[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    return seeded


@pytest.mark.aws
async def test_production_profile_needs_the_typed_name(prod_profile, tmp_path):
    import dataclasses

    app = make_app(tmp_path, prod_profile.url)
    app.config = dataclasses.replace(app.config, aws=dataclasses.replace(app.config.aws, profile="prod-admin"))
    app.services.config = app.config
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot, "api-deploy")
        assert tab.info.production and tab.info.target == "prod-admin/us-east-1"
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.spec.production
        assert await confirm(app, pilot, typed="api-deploy") == ["succeeded"]
    assert outcomes(app) == ["requested", "succeeded"]


@pytest.mark.aws
async def test_profile_list_and_switch(prod_profile, tmp_path):
    from screens.pipelines_prompt import ChoicePrompt

    app = make_app(tmp_path, prod_profile.url)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot, "api-deploy")
        assert tab.jump("profile")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        assert app.screen.choices == ("dev", "prod-admin")
        await pilot.press("enter")  # the first: dev
        await wait_for(pilot, lambda: tab.info is not None and tab.info.target == "dev/us-east-1")
        assert app.services.config.aws.profile == "dev"
