"""Snapshots of the cost chart alone and of the Costs tab on a seeded moto (frozen clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from textual.app import App, ComposeResult

from console.config import AwsConfig, Config
from console.models.aws import DailyCost
from console.sandbox.aws import SERVICES, daily_amount, inject_costs, seed_ec2
from screens.costs import CostsTab
from screens.costs_chart import DailyChart
from tests.ui.test_pipelines_snapshot import AwsTabOnly, seeded_moto, until_loaded

END = date(2026, 11, 18)


class ChartOnly(App):
    def compose(self) -> ComposeResult:
        yield DailyChart(id="chart")

    def on_mount(self) -> None:
        days = [END - timedelta(days=45 - i) for i in range(46)]
        self.query_one(DailyChart).set_days([DailyCost(d, sum(daily_amount(s, d) for s in SERVICES)) for d in days])


def test_cost_chart(snap_compare):
    assert snap_compare(ChartOnly(), terminal_size=(100, 12))


@pytest.mark.aws
def test_costs_tab(snap_compare, frozen_clock, aws):
    seeded_moto(aws)
    now = datetime.fromtimestamp(frozen_clock, UTC)
    inject_costs(aws.url, now.date())
    seed_ec2(aws.url, now)
    app = AwsTabOnly(Config(aws=AwsConfig(region="us-east-1", endpoint_url=aws.url)), CostsTab)

    async def loaded(pilot) -> None:
        await until_loaded(pilot, "waste")

    assert snap_compare(app, terminal_size=(120, 40), run_before=loaded)
