"""Cost Explorer is paid per request: launching with AWS configured makes no request
until the operator opens Costs; then the count and its cost are shown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console import clock
from console.app import OpsConsole
from console.backends.aws import AwsBackend
from console.sandbox.aws import inject_costs, seed_ec2
from console.services import Services
from screens.status_bar import StatusBar
from tests.ui.test_pipelines import aws_config, wait_for

pytestmark = pytest.mark.aws


async def test_no_cost_explorer_call_until_costs_opens(aws):
    inject_costs(aws.url, datetime.fromtimestamp(clock.now(), UTC).date())
    seed_ec2(aws.url)
    cfg = aws_config(aws.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.query("#costs-tab") and app.tab("costs").adapter is not None)
        costs = app.tab("costs")
        # connected and refreshed in the background: the free waste finder ran, Cost Explorer did not
        await wait_for(pilot, lambda: costs.waste is not None)
        for key in ("2", "3", "4", "6", "1"):  # the operator walks the other tabs (Costs is 5)
            await pilot.press(key)
            await pilot.pause()
        costs.request_refresh()  # a background refresh while still closed
        await wait_for(pilot, lambda: costs.waste_reads >= 2)
        adapter: AwsBackend = costs.adapter
        assert adapter.ce_calls == 0 and costs.report is None
        assert not adapter.cost_cache_dir.exists() or not any(adapter.cost_cache_dir.iterdir())
        assert "ce" not in app.query_one(StatusBar).extra
        await pilot.press("5")
        await wait_for(pilot, lambda: costs.report is not None)
        calls = adapter.ce_calls
        assert calls > 0
        header = str(costs.query_one("#cost-header").render())
        assert f"Cost Explorer: {calls} paid calls (${calls * 0.01:.2f}) this session" in header
        assert app.query_one(StatusBar).extra["ce"] == f"{calls} paid calls (${calls * 0.01:.2f})"


def test_cache_only_report_never_pays(aws):
    """What Triage uses for its anomaly figure: the cached report, or None, never a request."""
    today = datetime.fromtimestamp(clock.now(), UTC).date()
    inject_costs(aws.url, today)
    backend = AwsBackend(aws_config(aws.url))
    backend.connect()
    assert backend.cost_report(cache_only=True) is None and backend.ce_calls == 0
    fresh = backend.cost_report()
    paid = backend.ce_calls
    cached = backend.cost_report(cache_only=True)
    assert cached is not None and cached.from_cache and cached.mtd_total == fresh.mtd_total
    assert backend.ce_calls == paid
