"""Pipelines on an endpoint without get_pipeline_state (moto): the failed stage named by the
execution summary is marked, R says in one notification why it cannot retry, and every
mutating key is dimmed in read-only mode."""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets._footer import FooterKey

from console.app import OpsConsole
from console.config import GeneralConfig
from console.sandbox.aws import seed_builds, seed_pipelines
from console.services import Services
from tests.fixtures.workers import workers_done
from tests.ui.test_pipelines import aws_config, open_pipelines, wait_for

pytestmark = pytest.mark.aws


@pytest.fixture
def seeded(aws):
    seed_pipelines(aws.url)
    seed_builds(aws.url)
    return aws


async def test_failed_stage_is_marked_from_the_execution_summary(seeded):
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        web = next(p for p in tab.view.pipelines if p.name == "web-deploy")
        assert web.state_source == "executions"
        assert [s.name for s in web.stages if s.status == "Failed"] == ["Deploy"]
        assert web.failed_stage.failed_action.name == "Deploy"
        assert tab.jump("web-deploy")
        await wait_for(pilot, lambda: "✗ Deploy" in str(tab.query_one("#pl-detail").render()))
        detail = str(tab.query_one("#pl-detail").render())
        assert "✗ Deploy" in detail and "· Source" in detail
        assert detail.count("did not stabilize") == 1  # the summary once, not again as the action error
        # a succeeded pipeline is not touched
        api = next(p for p in tab.view.pipelines if p.name == "api-deploy")
        assert all(s.status == "Succeeded" for s in api.stages)


async def test_retry_stage_says_why_it_cannot_in_one_notification(seeded):
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        assert tab.jump("web-deploy")
        await wait_for(pilot, lambda: "✗ Deploy" in str(tab.query_one("#pl-detail").render()))
        app.clear_notifications()
        await pilot.press("R")
        await wait_for(pilot, lambda: len(app._notifications) > 0)
        await workers_done(app)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1, messages
        assert "cannot retry" in messages[0] and "get_pipeline_state" in messages[0]
        assert "Deploy" in messages[0]


MUTATING_KEYS = {"s": "start", "R": "retry_stage", "x": "stop", "X": "abandon", "a": "approve", "n": "reject"}


async def test_read_only_dims_every_mutating_key(seeded):
    cfg = dataclasses.replace(aws_config(seeded.url), general=GeneralConfig(read_only=True))
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        assert set(MUTATING_KEYS.values()) <= tab.MUTATING_ACTIONS
        active = app.screen.active_bindings
        for key, action in MUTATING_KEYS.items():
            assert active[key].binding.action == action
            assert active[key].enabled is False, key
        assert active["l"].enabled  # reading logs stays available
        footer = {k.key: k for k in app.screen.query(FooterKey)}
        for key in ("s", "R", "x"):
            assert footer[key].has_class("-disabled"), key  # drawn dimmed in the footer
        assert not footer["l"].has_class("-disabled")
