"""What the screen says is true: `:ns` to a namespace that does not exist stays put."""

from __future__ import annotations

from console.app import OpsConsole
from console.services import Services
from screens.registry import TABS


async def wait_for(pilot, condition, tries: int = 600, step: float = 0.05):
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError("condition not met in time")


def tab_key(tab_id: str) -> str:
    return str([t.id for t in TABS].index(tab_id) + 1)


async def open_clusters(app, pilot):
    await wait_for(pilot, lambda: bool(app.query("#clusters-tab")))
    await pilot.press(tab_key("clusters"))
    tab = app.tab("clusters")
    await wait_for(pilot, lambda: tab.adapter is not None and len(tab.rows) > 0)
    return tab


async def test_ns_to_a_missing_namespace_says_so_and_stays(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        before = app.services.config.kubernetes.namespace
        tab.jump("ns nope-not-here")
        await wait_for(pilot, lambda: any("does not exist" in str(n.message) for n in app._notifications))
        assert app.services.config.kubernetes.namespace == before
        tab.jump("ns payments")
        await wait_for(pilot, lambda: app.services.config.kubernetes.namespace == "payments")


async def test_keys_reach_the_table_again_after_a_context_switch(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_clusters(app, pilot)
        tab.jump("ctx sandbox-prod")
        await wait_for(pilot, lambda: tab.adapter is not None and tab.rows
                       and all(k.startswith("payments/") for k in tab.rows))
        # the body was hidden while connecting, which drops the focus: it comes back by itself
        await wait_for(pilot, lambda: app.focused is not None and tab in app.focused.ancestors)
