"""The Clusters tab on the real API server: RBAC answers the emulator cannot give."""

from __future__ import annotations

from console.backends.base import BackendState
from screens.pipelines_prompt import ChoicePrompt, ReasonPrompt
from tests.backends.kube_objects import deployment
from tests.fixtures.kube_real import poll
from tests.ui.test_clusters import make_app, wait_for


async def test_item4_a_forbidden_context_is_denied_at_once_without_the_previous_rows_or_retries(kube_real):
    kube_real.create("deployments", deployment("web"))
    poll(lambda: kube_real.request("GET", f"/api/v1/namespaces/{kube_real.namespace}/pods").get("items"))
    app = make_app(kube_real.config)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")  # Clusters
        tab = app.tab("clusters")
        await wait_for(pilot, lambda: len(tab.rows) > 0)
        tab.switch_context("real-outside")  # a user who may not list pods in this namespace
        await wait_for(pilot, lambda: tab.state is BackendState.DENIED)
        assert tab.rows == {} and tab.table().visible_keys == []
        assert "forbidden" in tab.reason and "HTTP 403" in tab.reason
        assert tab.retries == 0 and "retry after fixing access" in str(tab.query_one("StateBanner").render())
        assert "real-outside" in str(tab.query_one("#kube-header").render())


async def test_item5_namespace_picker_for_a_namespace_scoped_user(kube_real):
    app = make_app(kube_real.with_context("real-limited"))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")  # Clusters
        tab = app.tab("clusters")
        await wait_for(pilot, lambda: tab.state is BackendState.READY)
        tab.choose_namespace()
        await wait_for(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        assert app.screen.choices == ("limited", "type a namespace…")
        await pilot.press("down", "enter")  # "type a namespace…"
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonPrompt))
        await pilot.press(*"team-b", "enter")
        await wait_for(pilot, lambda: tab.info is not None and tab.info.extra.get("namespace") == "team-b")
        assert tab._recent_namespaces[0] == "team-b"
