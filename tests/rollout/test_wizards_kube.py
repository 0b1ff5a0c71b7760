"""Pilot tests of the deploy/rollback wizards on the kmock emulator, through the real guarded path."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Button, Input, Static

from screens.confirm import ConfirmScreen
from screens.deploy_wizard import DeployWizard, open_deploy_wizard, resolve_image
from screens.guarded import ActionRunScreen
from screens.revisions import RevisionsScreen, RevisionTable, open_revisions
from screens.rollback_wizard import RollbackWizard, open_rollback_wizard
from screens.rollout_watch import RolloutWatchScreen
from tests.rollout.harness import SIZE, WizardApp, changelog, outcomes, wait_for
from tests.rollout.kube_steps import deadline_exceeded, step_when_image

WEB_OLD, WEB_NEW, WEB_BAD = "registry.local/web:1.4.2", "registry.local/web:1.5.0", "registry.local/web:1.6.0"


def image_of(kube, name="web"):
    return kube.emu.get("deployments", "shop", name)["spec"]["template"]["spec"]["containers"][0]["image"]


def text_of(screen, selector) -> str:
    """The plain text of a Static's content (a Rich renderable or text)."""
    found = screen.query(selector)
    if not found:
        return ""  # not composed yet
    content = found.first(Static).content
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def plan_deploy(app, pilot, tag: str) -> DeployWizard:
    wizard = open_deploy_wizard(app, app.services, "shop", "web", watch_interval=0.05)
    await wait_for(pilot, lambda: wizard.images, what="containers loaded")
    wizard.query_one("#wizard-image", Input).value = tag
    wizard.query_one("#wizard-image", Input).focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: wizard.plan is not None or "REJECTED" in text_of(wizard, "#wizard-plan")
                   or "Invalid input" in text_of(wizard, "#wizard-plan"), what="plan")
    return wizard


async def to_confirm(app, pilot) -> ConfirmScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
    await pilot.pause()
    return app.screen


async def confirm(app, pilot, reason: str = "") -> ActionRunScreen:
    screen = app.screen
    if reason:
        screen.query_one("#confirm-reason", Input).value = reason
    screen.query_one("#confirm", Button).press()
    await wait_for(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen.results is not None,
                   tries=600, what="action result")
    return app.screen


async def test_deploy_plan_confirm_watch_success_and_changelog(kube):
    kube.seed()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await plan_deploy(app, pilot, "1.5.0")
        plan = text_of(wizard, "#wizard-plan")
        assert WEB_OLD in plan and WEB_NEW in plan and "maxSurge 1, maxUnavailable 0" in plan
        assert "dry run: accepted by the API server (dryRun=All)" in plan
        assert not wizard.query_one("#deploy", Button).disabled
        await pilot.press("ctrl+d")
        screen = await to_confirm(app, pilot)
        targets = text_of(screen, "#confirm-targets")
        assert "deployment web" in targets and "sandbox-dev" in targets and "shop" in targets
        assert "accepted by the API server" in text_of(screen, "#confirm-preview")
        step_when_image(kube.emu, "shop", "web", WEB_NEW)
        run = await confirm(app, pilot, reason="CHG-101")
        assert [r.outcome.value for r in run.results] == ["succeeded"]
        assert any("healthy after" in line for line in run.lines)
        assert any("3 updated / 3 ready / 3 available of 3" in line for line in run.lines)
    assert image_of(kube) == WEB_NEW
    assert outcomes(kube.config) == ["requested", "succeeded"]
    (entry,) = changelog(kube.config)
    assert entry.fields["change"] == f"image web: {WEB_OLD} → {WEB_NEW}; revision: 1 → new revision"
    assert entry.fields["reason"] == "CHG-101" and "duration" in entry.fields
    assert entry.fields["undo"] == f"roll back to revision 1 (web={WEB_OLD})"


async def test_deploy_failure_shows_why_and_rolls_back_in_one_step(kube):
    kube.seed()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        await plan_deploy(app, pilot, "1.6.0")
        await pilot.press("ctrl+d")
        await to_confirm(app, pilot)
        step_when_image(kube.emu, "shop", "web", WEB_BAD, ready=False, waiting="CrashLoopBackOff", restarts=1,
                        log=("starting web 1.6.0", "\x1b[31m[bold]FATAL[/bold]: missing WEB_SECRET_KEY\x1b[0m"),
                        then=lambda emu: deadline_exceeded(emu, "shop", "web"))
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["failed"]
        lines = "\n".join(run.lines)
        assert "progress deadline exceeded" in lines and "CrashLoopBackOff" in lines
        assert "[bold]FATAL[/bold]: missing WEB_SECRET_KEY" in lines  # literal: no markup, no escapes
        assert "\x1b" not in lines
        assert run.has_class("-undoable")
        await pilot.press("u")  # the one-step rollback: the undo goes through the same guarded path
        screen = await to_confirm(app, pilot)
        assert "roll back web to revision 1" in text_of(screen, "#confirm-title")
        step_when_image(kube.emu, "shop", "web", WEB_OLD)
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["succeeded"]
    assert image_of(kube) == WEB_OLD
    assert outcomes(kube.config) == ["requested", "failed", "requested", "succeeded"]
    failed, undone = changelog(kube.config)
    assert failed.fields["change"] == f"image web: {WEB_OLD} → {WEB_BAD}; revision: 1 → new revision"
    assert "verification failed" in failed.fields["result"] and "CrashLoopBackOff" in failed.fields["result"]
    assert undone.fields["change"] == f"image web: {WEB_BAD} → {WEB_OLD}; revision: 2 → 1"


async def test_decline_at_each_confirmation_changes_nothing(kube):
    kube.seed()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        await plan_deploy(app, pilot, "1.5.0")
        await pilot.press("ctrl+d")
        await to_confirm(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: outcomes(kube.config) == ["declined"], what="declined audited")
        assert image_of(kube) == WEB_OLD

        wizard = open_rollback_wizard(app, app.services, "shop", "checkout", watch_interval=0.05)
        await wait_for(pilot, lambda: 2 in wizard.plans, what="rollback plan")
        await pilot.press("enter")
        await to_confirm(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: outcomes(kube.config) == ["declined"] * 2,
                       what=f"second decline {outcomes(kube.config)}")
        assert image_of(kube, "checkout") == "registry.local/checkout:2.2.0"

        await plan_deploy(app, pilot, "1.6.0")
        await pilot.press("ctrl+d")
        await to_confirm(app, pilot)
        step_when_image(kube.emu, "shop", "web", WEB_BAD, ready=False, waiting="ImagePullBackOff")
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["failed"]
        await pilot.press("u")
        await to_confirm(app, pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: outcomes(kube.config)[-1] == "declined", what="undo declined")
    assert outcomes(kube.config) == ["declined", "declined", "requested", "failed", "declined"]
    assert image_of(kube) == WEB_BAD  # the declined undo left the failed image in place


async def test_dry_run_rejections_are_shown(kube):
    kube.seed()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = await plan_deploy(app, pilot, "Bad Image!")
        assert "not a valid image reference" in text_of(wizard, "#wizard-plan") or "spaces" in text_of(wizard, "#wizard-plan")
        assert wizard.query_one("#deploy", Button).disabled
        wizard.query_one("#wizard-image", Input).value = "1.5.0"
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None, what="plan")
        kube.emu.patch("deployments", "shop", "web", {"spec": {"replicas": 5}})  # a colleague scales meanwhile
        await pilot.press("ctrl+d")
        screen = await to_confirm(app, pilot)
        preview = text_of(screen, "#confirm-preview")
        assert "dry run FAILED" in preview and "changed since the plan" in preview
        run = await confirm(app, pilot)  # even when confirmed, the apply is refused the same way
        assert [r.outcome.value for r in run.results] == ["failed"]
        assert "changed since the plan" in run.results[0].detail
        await pilot.press("escape")
        await pilot.pause()

        rollback = open_rollback_wizard(app, app.services, "shop", "cart")
        await wait_for(pilot, lambda: "no earlier revision" in text_of(rollback, "#wizard-plan"),
                       what=f"no revision {text_of(rollback, '#wizard-plan')}")
        assert rollback.query_one("#rollback", Button).disabled
    assert image_of(kube) == WEB_OLD


async def test_revisions_screen_diff_between_any_two_and_pause_resume(kube):
    kube.seed()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        screen = open_revisions(app, app.services, "shop", "checkout", watch_interval=0.05)
        await wait_for(pilot, lambda: screen.history, what="history")
        table = screen.query_one(RevisionTable)
        assert table.visible_keys == ["3", "2", "1"] and table.row_for("3").cells[0] == "●"
        await pilot.press("j")  # revision 2 against the current one
        await pilot.pause()
        diff = text_of(screen, "#revisions-diff-text")
        assert "revision 3 → revision 2" in diff and "checkout:2.2.0 → registry.local/checkout:2.1.0" in diff
        await pilot.press("space")  # mark revision 2 as the base; the cursor moves on to 1
        await pilot.pause()
        assert "revision 2 → revision 1" in text_of(screen, "#revisions-diff-text")
        await pilot.press("p")
        confirm_screen = await to_confirm(app, pilot)
        assert "pause rollout of checkout" in text_of(confirm_screen, "#confirm-title")
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["succeeded"]
        assert kube.emu.get("deployments", "shop", "checkout")["spec"]["paused"] is True
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RevisionsScreen), what="back to revisions")
        await pilot.press("b")  # roll back to the highlighted revision 1
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackWizard), what="rollback wizard")
        wizard = app.screen
        await wait_for(pilot, lambda: 1 in wizard.plans, what="plan of revision 1")
        assert wizard.highlighted_number == 1
        assert "the Deployment is paused" in text_of(wizard, "#wizard-plan")


def test_a_bare_tag_keeps_the_repository():
    assert resolve_image("registry.local:5000/web:1.4.2", "1.5.0") == "registry.local:5000/web:1.5.0"
    assert resolve_image("web", "2") == "web:2"
    assert resolve_image("web:1", "other/web:3") == "other/web:3"


async def test_production_context_is_marked_and_needs_the_typed_name(kube):
    kube.seed()
    config = kube.with_context("sandbox-prod")
    app = WizardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = open_deploy_wizard(app, app.services, "payments", "payments-api", watch_interval=0.05)
        await wait_for(pilot, lambda: wizard.images, what="containers")
        assert wizard.has_class("-production") and "PRODUCTION" in text_of(wizard, "#wizard-title")
        wizard.query_one("#wizard-image", Input).value = "5.3.0"
        wizard.query_one("#wizard-image", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None, what="plan")
        await pilot.press("ctrl+d")
        screen = await to_confirm(app, pilot)
        assert "sandbox-prod" in text_of(screen, "#confirm-targets") and "PRODUCTION" in text_of(screen, "#confirm-targets")
        assert not screen.confirm_enabled
        screen.query_one("#confirm-typed", Input).value = "payments-api"
        await pilot.pause()
        assert screen.confirm_enabled
        await pilot.press("escape")
        await wait_for(pilot, lambda: outcomes(config) == ["declined"], what="declined")
    image = kube.emu.get("deployments", "payments", "payments-api")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.local/payments-api:5.2.0"


async def test_watch_screen_follows_a_rollout_started_elsewhere(kube):
    kube.seed()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        kube.emu.patch("deployments", "shop", "web", {"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": WEB_NEW}]}}}})  # someone deployed with kubectl
        screen = open_revisions(app, app.services, "shop", "web", watch_interval=0.05)
        await wait_for(pilot, lambda: screen.history, what="history")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, RolloutWatchScreen), what="watch screen")
        watch = app.screen
        await wait_for(pilot, lambda: watch.last is not None, what="first snapshot")
        assert "waiting for the controller" in text_of(watch, "#watch-progress")
        step_when_image(kube.emu, "shop", "web", WEB_NEW)
        await wait_for(pilot, lambda: watch.has_class("-complete"), what="complete")
        assert "3 updated / 3 ready / 3 available of 3" in text_of(watch, "#watch-progress")
        assert "ready" in text_of(watch, "#watch-pods") and "-new0" in text_of(watch, "#watch-pods")
        await pilot.press("escape")
        await pilot.pause()


async def test_rollback_defaults_to_the_previous_healthy_revision(kube):
    from console.actions.journal import Journal
    from console.actions.kubernetes_rollout import KubeRolloutFlow
    from console.actions.records import current_operator, make_record
    from console.actions.spec import Outcome
    from console.backends.rollout import RolloutBackend
    from tests.rollout.kube_steps import controller_step

    kube.seed()
    backend = RolloutBackend(kube.config)
    flow = KubeRolloutFlow(backend, "shop", "web")
    backend.set_image("shop", "web", {"web": WEB_NEW}, timeout=5)
    controller_step(kube.emu, "shop", "web")  # revision 2: 1.5.0, healthy
    plan, _ = flow.plan_deploy({"web": WEB_BAD})
    backend.set_image("shop", "web", {"web": WEB_BAD}, timeout=5)
    controller_step(kube.emu, "shop", "web", ready=False, waiting="CrashLoopBackOff", restarts=5)  # revision 3
    journal = Journal(kube.config.changelog_path, kube.config.audit_path)
    journal.audit(make_record(flow.deploy_spec(plan, {"web": WEB_BAD}), flow.target, Outcome.FAILED,
                              operator=current_operator(""), action_id="a1"))
    backend.rollback("shop", "web", 2, timeout=5)
    controller_step(kube.emu, "shop", "web")  # revision 4: 1.5.0 again
    backend.close()
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = open_rollback_wizard(app, app.services, "shop", "web", watch_interval=0.05)
        await wait_for(pilot, lambda: wizard.history and wizard.highlighted_number in wizard.plans, what="plan")
        table = wizard.query_one(RevisionTable)
        assert table.visible_keys == ["4", "3", "1"]
        assert wizard.highlighted_number == 1  # kubectl's "previous" (3) failed here before: skipped
        assert table.row_for("3").cells[0] == "✗" and table.row_for("3").cells[4].startswith("failed here before")
        assert WEB_OLD in text_of(wizard, "#wizard-plan")


async def test_read_only_mode_refuses_before_any_change(kube):
    import dataclasses

    kube.seed()
    config = dataclasses.replace(kube.config, general=dataclasses.replace(kube.config.general, read_only=True))
    app = WizardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await plan_deploy(app, pilot, "1.5.0")  # reading and planning are fine
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: outcomes(config) == ["refused"], what="refused audited")
        assert not isinstance(app.screen, ConfirmScreen)
    assert image_of(kube) == WEB_OLD


def test_wanted_images_for_one_or_several_containers():
    import pytest

    from console.errors import InvalidInput
    from screens.deploy_wizard import wanted_images

    images = (("web", "registry.local/web:1.4.2"), ("sidecar", "envoy:1.29"))
    assert wanted_images(images, "web", "1.5.0") == {"web": "registry.local/web:1.5.0"}
    assert wanted_images(images, "web", "web=1.5.0, sidecar=envoyproxy/envoy:1.30") == {
        "web": "registry.local/web:1.5.0", "sidecar": "envoyproxy/envoy:1.30"}
    with pytest.raises(InvalidInput, match="no container named 'api'"):
        wanted_images(images, "web", "api=1")
    with pytest.raises(InvalidInput, match="no image given"):
        wanted_images(images, "web", " ")
