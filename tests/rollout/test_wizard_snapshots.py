"""Snapshots of the wizards at 80x24 (the on-call terminal): sandbox estate, frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import Input

from screens.deploy_wizard import open_deploy_wizard
from screens.rollback_wizard import open_rollback_wizard
from tests.fixtures.isolation import FROZEN_AT
from tests.rollout.harness import WizardApp, wait_for

SIZE = (80, 24)


def seeded(kube) -> WizardApp:
    kube.seed(now=datetime.fromtimestamp(FROZEN_AT, UTC))
    return WizardApp(kube.config)


def test_rollback_wizard_on_a_failing_deployment(snap_compare, frozen_clock, kube):
    async def run_before(pilot) -> None:
        wizard = open_rollback_wizard(pilot.app, pilot.app.services, "shop", "checkout")
        await wait_for(pilot, lambda: 2 in wizard.plans, what="plan")
        await pilot.pause()
    assert snap_compare(seeded(kube), terminal_size=SIZE, run_before=run_before)


def test_deploy_wizard_plan_with_dry_run(snap_compare, frozen_clock, kube):
    async def run_before(pilot) -> None:
        wizard = open_deploy_wizard(pilot.app, pilot.app.services, "shop", "web")
        await wait_for(pilot, lambda: wizard.images, what="containers")
        wizard.query_one("#wizard-image", Input).value = "1.5.0"
        wizard.request_plan()
        await wait_for(pilot, lambda: wizard.plan is not None, what="plan")
        await pilot.pause()
    assert snap_compare(seeded(kube), terminal_size=SIZE, run_before=run_before)
