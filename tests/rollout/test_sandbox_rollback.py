"""`make sandbox`'s night page, end to end on the emulator with its deployment controller:
the crash-looping checkout is rolled back, verified, recorded as succeeded, and the
history shows the revision rolled back to as current and ready."""

from __future__ import annotations

from screens.revisions import RevisionTable
from screens.rollback_wizard import open_rollback_wizard
from tests.rollout.harness import SIZE, WizardApp, changelog, outcomes, wait_for
from tests.rollout.test_wizards_kube import confirm, to_confirm


async def test_crash_looping_deployment_rollback_is_verified_and_the_revision_healthy(kube):
    kube.seed()
    kube.emu.enable_controllers(True)  # what `opsconsole --sandbox` runs
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = open_rollback_wizard(app, app.services, "shop", "checkout", watch_interval=0.1)
        await wait_for(pilot, lambda: wizard.history and wizard.highlighted_number in wizard.plans, what="plan")
        assert wizard.highlighted_number == 2  # the previous revision, not the crash-looping one
        await pilot.press("enter")
        await to_confirm(app, pilot)
        run = await confirm(app, pilot, reason="PAGE-1")
        assert [r.outcome.value for r in run.results] == ["succeeded"], run.lines
    assert outcomes(kube.config) == ["requested", "succeeded"]
    (entry,) = changelog(kube.config)
    assert entry.fields["result"].startswith("succeeded")
    app = WizardApp(kube.config)
    async with app.run_test(size=SIZE) as pilot:
        wizard = open_rollback_wizard(app, app.services, "shop", "checkout", watch_interval=0.1)
        await wait_for(pilot, lambda: wizard.history and wizard.highlighted_number in wizard.plans, what="plan")
        row = wizard.query_one(RevisionTable).row_for("4")
        assert row.cells[0] == "●" and row.cells[5] == "2/2" and "checkout:2.1.0" in row.cells[3]
