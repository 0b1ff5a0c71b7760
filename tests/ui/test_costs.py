"""Costs tab on the moto server: chart, views, separate credits, cache counter, waste, export."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from console import clock
from console.app import OpsConsole
from console.backends.base import BackendState
from console.sandbox.aws import inject_costs, seed_ec2
from console.services import Services
from screens.costs_chart import DailyChart
from screens.status_bar import StatusBar
from screens.widgets import ResourceTable
from tests.backends.test_aws_errors import ErrorEndpoint
from tests.ui.test_pipelines import aws_config, wait_for

pytestmark = pytest.mark.aws


@pytest.fixture
def estate(aws):
    today = datetime.fromtimestamp(clock.now(), UTC).date()
    inject_costs(aws.url, today)
    seed_ec2(aws.url)
    return aws


async def open_costs(app, pilot):
    await pilot.press("5")
    tab = app.tab("costs")
    await wait_for(pilot, lambda: tab.report is not None and tab.waste is not None)
    await pilot.pause()
    return tab


async def test_costs_tab_shows_chart_views_and_waste(estate):
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_costs(app, pilot)
        header = str(tab.query_one("#cost-header").render())
        assert "MTD $" in header and "last month $" in header
        assert "linear projection" in header  # moto cannot forecast: labelled as a projection
        assert "Credits/refunds/taxes apart" in header
        chart = str(tab.query_one(DailyChart).render())
        assert "█" in chart and "┤" in chart
        table = tab.query_one("#cost-table", ResourceTable)
        assert table.visible_keys[0] == "Amazon Elastic Compute Cloud - Compute"
        assert "Credit" not in table.visible_keys  # usage view never mixes credits in
        for view, expected in (("movers", None), ("accounts", "210987654321"), ("tags", "web"),
                               ("credits", "Credit")):
            await pilot.press("v")
            assert tab.view_name == view
            if expected:
                assert expected in table.visible_keys
        waste = tab.query_one("#waste", ResourceTable)
        kinds = {waste.row_for(k).cells[0] for k in waste.visible_keys}
        assert kinds == {"volume", "address", "stopped-instance", "snapshot"}
        title = str(tab.query_one("#waste-title").render())
        assert "prices: AWS list prices, 2024-06-01" in title


async def test_cache_hits_counted_and_refresh_forces_a_call(estate):
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_costs(app, pilot)
        adapter = tab.adapter
        first_calls = adapter.ce_calls
        assert first_calls > 0 and adapter.cache_misses == first_calls
        assert app.query_one(StatusBar).extra["ce"] == f"{first_calls} paid calls (${first_calls * 0.01:.2f})"
        assert f"Cost Explorer: {first_calls} paid calls" in str(tab.query_one("#cost-header").render())
        tab.request_refresh()  # a poll: answered from the cache
        await wait_for(pilot, lambda: "cached, " in str(tab.query_one("#cost-header").render()))
        assert adapter.cache_hits > 0
        assert adapter.ce_calls == first_calls
        await pilot.press("r")  # forces new calls
        await wait_for(pilot, lambda: adapter.ce_calls > first_calls)
        await wait_for(pilot, lambda: app.query_one(StatusBar).extra["ce"].startswith(f"{adapter.ce_calls} paid"))


async def test_export_current_view(estate, tmp_path):
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_costs(app, pilot)
        target = tmp_path / "services.csv"
        assert tab.jump(f"export {target}")
        await wait_for(pilot, lambda: any("exported" in str(n.message) for n in app._notifications))
        rows = list(csv.DictReader(target.open()))
        assert rows[0]["service"] == "Amazon Elastic Compute Cloud - Compute"
        bad = tmp_path / "costs.txt"
        assert tab.jump(f"export {bad}")
        await pilot.pause(0.3)
        assert not bad.exists()


async def test_throttled_cost_explorer_is_a_clear_state(aws):
    with ErrorEndpoint("ThrottlingException", 400) as endpoint:
        cfg = aws_config(endpoint.url)
        app = OpsConsole(cfg, services=Services(cfg))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("5")
            tab = app.tab("costs")
            await wait_for(pilot, lambda: tab.state is BackendState.UNAVAILABLE)
            assert "Throttled" in str(tab.query_one("#state-banner").render())


async def test_region_switch_reconnects_aws_tabs(estate):
    cfg = aws_config(estate.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_costs(app, pilot)
        assert tab.jump("region eu-west-1")
        await wait_for(pilot, lambda: tab.info is not None and tab.info.target == "default/eu-west-1")
        assert app.services.config.aws.region == "eu-west-1"
        pipelines = app.tab("pipelines")
        await wait_for(pilot, lambda: pipelines.info is not None and pipelines.info.target.endswith("eu-west-1"))


class ThrottlingProxy:
    """Forwards every call to moto, except Cost Explorer while ``throttle`` is on (real HTTP)."""

    def __init__(self, upstream: str) -> None:
        import threading
        import urllib.error
        import urllib.request
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.throttle = False
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.throttle and self.headers.get("X-Amz-Target", "").startswith("AWSInsightsIndexService"):
                    self._answer(400, {"Content-Type": "application/x-amz-json-1.1"},
                                 b'{"__type": "ThrottlingException", "message": "Rate exceeded"}')
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(upstream + self.path, data=body, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback moto
                        self._answer(resp.status, dict(resp.headers), resp.read())
                except urllib.error.HTTPError as err:
                    self._answer(err.code, dict(err.headers), err.read())

            def _answer(self, status: int, headers: dict, data: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_cost_explorer_failure_keeps_the_last_report_and_the_waste_finder(estate):
    proxy = ThrottlingProxy(estate.url)
    try:
        cfg = aws_config(proxy.url)
        app = OpsConsole(cfg, services=Services(cfg))
        async with app.run_test(size=(120, 40)) as pilot:
            tab = await open_costs(app, pilot)
            mtd = tab.report.mtd_total
            proxy.throttle = True
            await pilot.press("r")  # forces Cost Explorer calls: now throttled
            error = tab.query_one("#cost-error")
            await wait_for(pilot, lambda: error.has_class("-shown"))
            assert "Throttled" in str(error.render()) and "last good data" in str(error.render())
            assert tab.report.mtd_total == mtd  # still on screen
            assert tab.query_one("#waste", ResourceTable).row_count == len(tab.waste.items) > 0
            assert tab.state is BackendState.READY  # EC2 answered: the tab itself is fine
    finally:
        proxy.close()
