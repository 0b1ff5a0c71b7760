"""Pilot tests of the ECS deploy/rollback wizards on moto server, through the real guarded path."""

from __future__ import annotations

import threading
import time

from textual.widgets import Input

from screens.deploy_wizard import DeployWizard
from screens.ecs_deploy import open_ecs_deploy_wizard, open_ecs_revisions, open_ecs_rollback_wizard, open_ecs_services
from screens.revisions import RevisionsScreen, RevisionTable
from screens.rollback_wizard import RollbackWizard
from screens.widgets import ResourceTable
from tests.rollout.ecs_steps import CLUSTER, SERVICE, client, ecs_config, ecs_step, seed_ecs, stopped_task
from tests.rollout.harness import SIZE, WizardApp, changelog, outcomes, wait_for
from tests.rollout.test_wizards_kube import confirm, text_of, to_confirm


def service_td(aws) -> str:
    return client(aws).describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["taskDefinition"]


def when_service_moves(aws, away_from: str, then) -> None:
    """In the background: once the service left ``away_from``, play ECS's part with ``then(new_arn)``."""
    def run() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = service_td(aws)
            if now != away_from:
                then(now)
                return
            time.sleep(0.1)
    threading.Thread(target=run, daemon=True).start()


async def open_deploy(app, pilot, tag: str) -> DeployWizard:
    wizard = open_ecs_deploy_wizard(app, app.services, CLUSTER, SERVICE, watch_interval=0.05)
    await wait_for(pilot, lambda: wizard.images, what="containers")
    wizard.query_one("#wizard-image", Input).value = tag
    wizard.query_one("#wizard-image", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: wizard.plan is not None, what="plan")
    return wizard


async def test_ecs_deploy_watch_to_steady_state(aws):
    arns = seed_ecs(aws)
    config = ecs_config(aws)
    app = WizardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await open_deploy(app, pilot, "1.2")
        plan = text_of(wizard, "#wizard-plan")
        assert "registry.local/web:1.1" in plan and "registry.local/web:1.2" in plan and "no server-side dry run" in plan
        await pilot.press("ctrl+d")
        screen = await to_confirm(app, pilot)
        assert "ecs service web" in text_of(screen, "#confirm-targets") and CLUSTER in text_of(screen, "#confirm-targets")
        when_service_moves(aws, arns[1], lambda new: ecs_step(running=2, state="COMPLETED",
                                                              event="(service web) has reached a steady state."))
        run = await confirm(app, pilot, reason="CHG-9")
        assert [r.outcome.value for r in run.results] == ["succeeded"]
        assert "web:3" in run.results[0].detail
    assert service_td(aws).endswith("task-definition/web:3")
    (entry,) = changelog(config)
    assert entry.fields["change"] == "image web: registry.local/web:1.1 → registry.local/web:1.2; revision: 2 → new revision"


async def test_ecs_failed_deploy_then_one_step_rollback(aws):
    arns = seed_ecs(aws)
    config = ecs_config(aws)
    app = WizardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await open_deploy(app, pilot, "1.3")
        await pilot.press("ctrl+d")
        await to_confirm(app, pilot)

        def fail(new_arn: str) -> None:
            stopped_task(aws, new_arn, "Essential container in task exited", log=("boot 1.3", "panic: no DB_URL"))
            ecs_step(running=0, state="FAILED", reason="circuit breaker: 3 tasks failed", old=arns[1], failed=3)
        when_service_moves(aws, arns[1], fail)
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["failed"]
        lines = "\n".join(run.lines)
        assert "circuit breaker" in lines and "Essential container in task exited" in lines and "panic: no DB_URL" in lines
        await pilot.press("u")
        screen = await to_confirm(app, pilot)
        assert "roll back web to web:2" in text_of(screen, "#confirm-title")
        when_service_moves(aws, service_td(aws), lambda new: ecs_step(running=2, state="COMPLETED"))
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["succeeded"]
    assert service_td(aws) == arns[1]
    assert outcomes(config) == ["requested", "failed", "requested", "succeeded"]


async def test_ecs_rollback_wizard_defaults_to_the_previous_revision_and_decline(aws):
    arns = seed_ecs(aws)
    config = ecs_config(aws)
    app = WizardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = open_ecs_rollback_wizard(app, app.services, CLUSTER, SERVICE, watch_interval=0.05)
        await wait_for(pilot, lambda: 1 in wizard.plans, what="plan of revision 1")
        assert isinstance(app.screen, RollbackWizard) and wizard.highlighted_number == 1
        assert "registry.local/web:1.0" in text_of(wizard, "#wizard-plan")
        await pilot.press("enter")
        await to_confirm(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: outcomes(config) == ["declined"], what="declined")
    assert service_td(aws) == arns[1]


async def test_ecs_revisions_show_the_image_diff(aws):
    seed_ecs(aws)
    app = WizardApp(ecs_config(aws))
    async with app.run_test(size=SIZE) as pilot:
        screen = open_ecs_revisions(app, app.services, CLUSTER, SERVICE, watch_interval=0.05)
        await wait_for(pilot, lambda: screen.history, what="history")
        table = screen.query_one(RevisionTable)
        assert table.visible_keys == ["2", "1"] and table.row_for("2").cells[0] == "●"
        await pilot.press("j")
        await pilot.pause()
        diff = text_of(screen, "#revisions-diff-text")
        assert "revision 2 → revision 1" in diff
        assert "containerDefinitions[web].image: registry.local/web:1.1 → registry.local/web:1.0" in diff


async def test_ecs_services_screen_opens_the_wizards(aws):
    seed_ecs(aws)
    app = WizardApp(ecs_config(aws))
    async with app.run_test(size=SIZE) as pilot:
        screen = open_ecs_services(app, app.services, watch_interval=0.05)
        await wait_for(pilot, lambda: screen.rows, what="services")
        table = screen.query_one(ResourceTable)
        assert table.visible_keys == ["shop/web"] and table.row_for("shop/web").cells[2] == "web:2"
        assert "ECS services @ default/us-east-1: 1" in text_of(screen, "#ecs-title")
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionsScreen), what="history")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackWizard), what="rollback wizard")
