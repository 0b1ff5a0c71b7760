"""How many keystrokes from the Clusters tab to a confirmed rollback of a failing deployment.

The real App on the kmock emulator: switch to the Clusters tab, jump to deployments,
highlight the crash-looping ``checkout``, press ``b`` (the rollback wizard), accept the
default (previous) revision, confirm.
"""

from __future__ import annotations

from console.app import OpsConsole
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from screens.rollback_wizard import RollbackWizard
from tests.rollout.harness import outcomes, wait_for
from tests.rollout.kube_steps import step_when_image

CHECKOUT_PREVIOUS = "registry.local/checkout:2.1.0"


async def test_keystrokes_from_clusters_tab_to_confirmed_rollback(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    keys: list[str] = []

    async def press(*names: str) -> None:
        keys.extend(names)
        await pilot.press(*names)

    async with app.run_test(size=(160, 40)) as pilot:
        await press("3")
        tab = app.tab("clusters")
        await wait_for(pilot, lambda: tab.kind == "pods" and tab.rows, what="clusters tab")
        await press("colon", *"deploy", "enter")
        await wait_for(pilot, lambda: tab.kind == "deployments" and "shop/checkout" in tab.rows, what="deployments")
        await wait_for(pilot, lambda: app.focused is tab.table(), what="focus on the deployments table")
        navigation = 0
        while tab.current_row() is None or tab.current_row().name != "checkout":
            await press("j")
            navigation += 1
            assert navigation < 10, (f"checkout not found: focus {app.focused}, row {tab.current_row()}, "
                                     f"keys {tab.table().visible_keys}")
        row = tab.current_row()
        assert row.problem  # the failing deployment is highlighted

        await press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, RollbackWizard), what="rollback wizard")
        wizard = app.screen
        await wait_for(pilot, lambda: 2 in wizard.plans, what="rollback plan")
        assert isinstance(app.screen, RollbackWizard) and wizard.highlighted_number == 2
        await press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        await pilot.pause()
        step_when_image(kube.emu, "shop", "checkout", CHECKOUT_PREVIOUS)
        await press("tab", "enter")  # Cancel has the focus: tab to Confirm, enter
        await wait_for(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen.results is not None,
                       tries=600, what="result")
        assert [r.outcome.value for r in app.screen.results] == ["succeeded"]
    image = kube.emu.get("deployments", "shop", "checkout")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == CHECKOUT_PREVIOUS
    assert outcomes(kube.config) == ["requested", "succeeded"]
    from_highlight = keys[keys.index("b"):]
    print(f"\nkeystrokes from the Clusters tab to a confirmed rollback: {len(keys)} "
          f"({' '.join(keys)}); from the highlighted failing deployment: {len(from_highlight)}")
    assert len(from_highlight) == 4
    assert len(keys) <= 16
