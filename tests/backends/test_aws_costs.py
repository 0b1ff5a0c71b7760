"""Cost Explorer through the adapter: report shape, on-disk cache, call counting, export."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime

import pytest

from console import clock
from console.backends.aws import AwsBackend
from console.backends.aws_costs import cost_queries, export_report, report_rows
from console.config import AwsConfig, Config, CostsConfig
from console.errors import InvalidInput
from console.sandbox.aws import COST_DAYS, cost_results, daily_amount, inject_costs

pytestmark = pytest.mark.aws
TODAY = date(2026, 11, 18)


def make_backend(aws, ttl: int = 3600) -> AwsBackend:
    cfg = Config(aws=AwsConfig(region=aws.region, endpoint_url=aws.url), costs=CostsConfig(cache_ttl_seconds=ttl))
    b = AwsBackend(cfg, clock=lambda: datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC))
    b.connect()
    return b


@pytest.fixture
def costs(aws):
    inject_costs(aws.url, TODAY)
    return aws


def test_report_splits_usage_from_credits_refunds_and_taxes(costs):
    report = make_backend(costs).cost_report()
    assert report.today == TODAY
    assert len(report.daily) == COST_DAYS + 1
    assert report.daily[-1].day == TODAY
    expected_today = sum(daily_amount(s, TODAY) for s in
                         ("Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service",
                          "Amazon Simple Storage Service", "Amazon Elastic Container Service", "AWS Lambda",
                          "Amazon CloudWatch"))
    assert report.daily[-1].amount == pytest.approx(expected_today, abs=0.01)
    assert report.month_to_date[0].key == "Amazon Elastic Compute Cloud - Compute"  # biggest first
    assert report.last_month_total > report.mtd_total > 0
    non_usage = {line.key: line.amount for line in report.non_usage}
    assert set(non_usage) == {"Credit", "Refund", "Tax"}
    assert non_usage["Credit"] < 0 and non_usage["Tax"] > 0
    # usage totals never include the credits
    assert report.mtd_total == pytest.approx(sum(a.amount for a in report.by_account), abs=0.05)
    assert {line.key for line in report.by_account} == {"123456789012", "210987654321"}
    assert "(no team tag)" in {line.key for line in report.by_tag}
    assert report.movers and abs(report.movers[0].change) >= abs(report.movers[-1].change)
    # moto has no get_cost_forecast: a labelled linear projection instead
    assert report.forecast.method == "linear projection"
    assert report.forecast.amount == pytest.approx(report.mtd_total / 18 * 30, abs=0.05)


def test_cache_hits_and_misses_are_counted(costs):
    backend = make_backend(costs)
    first = backend.cost_report()
    queries = len(cost_queries(TODAY, COST_DAYS, "team"))
    assert not first.from_cache
    assert backend.cache_misses == queries + 1  # + the forecast attempt
    assert backend.ce_calls == queries + 1
    second = backend.cost_report()
    assert second.from_cache
    assert backend.cache_hits == queries
    assert backend.ce_calls == queries + 1  # no new call
    assert second.mtd_total == first.mtd_total
    # a new adapter (another console, or after a restart) reads the same disk cache
    other = make_backend(costs)
    assert other.cost_report().from_cache and other.ce_calls == 0
    # the refresh key forces new calls
    forced = backend.cost_report(force=True)
    assert not forced.from_cache
    assert backend.ce_calls == 2 * queries + 1  # the unsupported forecast is not retried


def test_expired_cache_calls_again(costs):
    backend = make_backend(costs, ttl=60)
    clock.freeze(1_800_000_000.0)
    try:
        backend.cost_report()
        clock.freeze(1_800_000_000.0 + 61)
        backend.cost_report()
    finally:
        clock.freeze(None)
    assert backend.cache_hits == 0
    assert backend.ce_calls > len(cost_queries(TODAY, COST_DAYS, "team")) * 2 - 1


def test_damaged_cache_entry_is_a_miss(costs):
    backend = make_backend(costs)
    backend.cost_report()
    for path in backend.cost_cache_dir.glob("*.json"):
        path.write_text("{not json")
    assert not backend.cost_report().from_cache


def test_export_csv_and_json(costs, tmp_path):
    report = make_backend(costs).cost_report()
    out = export_report(report, "services", tmp_path / "costs.csv")
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["service"] == report.month_to_date[0].key
    assert float(rows[0]["month_to_date"]) == report.month_to_date[0].amount
    data = json.loads(export_report(report, "daily", tmp_path / "daily.json").read_text())
    assert data["view"] == "daily" and len(data["rows"]) == len(report.daily)
    assert report_rows(report, "credits")[0]["record_type"] in ("Credit", "Refund", "Tax")
    with pytest.raises(InvalidInput):
        export_report(report, "services", tmp_path / "costs.xlsx")


def test_sandbox_results_follow_the_query_order():
    results = cost_results(TODAY)
    queries = cost_queries(TODAY, COST_DAYS, "team")
    assert len(results) == len(queries)
    for result, (_, params) in zip(results, queries, strict=True):
        assert result["ResultsByTime"][0]["TimePeriod"]["Start"] == params["TimePeriod"]["Start"]


def test_tag_key_comes_from_the_config(costs):
    cfg = Config(aws=AwsConfig(region=costs.region, endpoint_url=costs.url), costs=CostsConfig(tag_key="env"))
    b = AwsBackend(cfg, clock=lambda: datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC))
    b.connect()
    try:
        assert b.cost_report().tag_key == "env"
        assert b.cost_report(tag_key="owner").tag_key == "owner"
    finally:
        b.close()


def test_on_day_one_the_comparison_is_one_day_against_one_day(aws):
    first = date(2026, 12, 1)
    inject_costs(aws.url, first)
    cfg = Config(aws=AwsConfig(region=aws.region, endpoint_url=aws.url))
    backend = AwsBackend(cfg, clock=lambda: datetime(2026, 12, 1, 9, tzinfo=UTC))
    backend.connect()
    report = backend.cost_report()
    ec2 = "Amazon Elastic Compute Cloud - Compute"
    same = {line.key: line.amount for line in report.last_month_same_days}
    assert same[ec2] == pytest.approx(daily_amount(ec2, date(2026, 11, 1)), abs=0.01)
    whole = {line.key: line.amount for line in report.last_month}
    assert whole[ec2] > 20 * same[ec2]  # the whole month stays available for the header


def test_a_report_partly_from_the_cache_says_cached_with_the_oldest_age(costs):
    backend = make_backend(costs)
    first = backend.cost_report()
    entries = sorted(backend.cost_cache_dir.glob("*.json"))
    assert len(entries) >= 2
    entries[0].unlink()  # one answer must be fetched again, the others come from the cache
    inject_costs(costs.url, TODAY)
    kept = [json.loads(e.read_text())["fetched_at"] for e in entries[1:]]
    mixed = make_backend(costs).cost_report()
    assert mixed.from_cache  # not "fresh": most of what is shown is the cached answers
    assert mixed.fetched_at == min(kept) and first.fetched_at <= mixed.fetched_at  # the oldest answer's age
