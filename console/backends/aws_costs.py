"""Cost Explorer for AwsBackend: a fixed set of queries, cached on disk, counted.

Cost Explorer charges per request, so every answer is cached under
``config.cache_dir/aws-costs`` for ``config.costs.cache_ttl_seconds``; ``force=True``
(the refresh key) bypasses the cache. ``ce_calls`` counts requests made this session,
``cache_hits``/``cache_misses`` count lookups. Usage is filtered with RECORD_TYPE=Usage;
credits, refunds and taxes are fetched apart (grouped by RECORD_TYPE), never mixed in.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
import threading
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from console import clock as wall_clock
from console.errors import InvalidInput, OpsError
from console.fsutil import private_dir, write_private
from console.models.aws import CostLine, CostReport, DailyCost, Forecast

METRIC = "UnblendedCost"
USAGE_ONLY = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}}
DEFAULT_TAG_KEY = "team"  # the sandbox seed's tag; the tab uses config.costs.tag_key
FORECAST_CALL = "ce.get_cost_forecast"
CE_REQUEST_USD = 0.01  # AWS's price per Cost Explorer API request (paginated requests count each)


def paid_calls_text(calls: int) -> str:
    """"6 paid calls ($0.06)": what the session's Cost Explorer requests cost."""
    return f"{calls} paid call{'' if calls == 1 else 's'} (${calls * CE_REQUEST_USD:.2f})"


def cost_queries(today: date, days: int, tag_key: str) -> list[tuple[str, dict[str, Any]]]:
    """The get_cost_and_usage requests of one report, in the order they are made."""
    end = (today + timedelta(days=1)).isoformat()
    month_start = today.replace(day=1)
    last_month_start = (month_start - timedelta(days=1)).replace(day=1)

    def q(start: date, granularity: str, group: dict, usage_only: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = {"TimePeriod": {"Start": start.isoformat(), "End": end},
                                  "Granularity": granularity, "Metrics": [METRIC], "GroupBy": [group]}
        if usage_only:
            params["Filter"] = USAGE_ONLY
        return params

    service = {"Type": "DIMENSION", "Key": "SERVICE"}
    return [
        # daily from the start of last month at least: "the same days of last month" come from it
        ("daily_by_service", q(min(today - timedelta(days=days), last_month_start), "DAILY", service)),
        ("monthly_by_service", q(last_month_start, "MONTHLY", service)),
        ("mtd_by_record_type", q(month_start, "MONTHLY", {"Type": "DIMENSION", "Key": "RECORD_TYPE"}, False)),
        ("mtd_by_account", q(month_start, "MONTHLY", {"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"})),
        ("mtd_by_tag", q(month_start, "MONTHLY", {"Type": "TAG", "Key": tag_key})),
    ]


def _amount(metrics: dict) -> tuple[float, str]:
    m = metrics.get(METRIC) or next(iter(metrics.values()), {})
    try:
        return float(m.get("Amount", 0) or 0), m.get("Unit", "USD") or "USD"
    except (TypeError, ValueError):
        raise InvalidInput(f"Cost Explorer answer: amount is not a number: {m.get('Amount')!r}",
                           source="ce.get_cost_and_usage") from None


def grouped(response: dict, strip_tag: str = "") -> list[tuple[date, str, float, str]]:
    """(period start, group key, amount, unit) for every group of every period."""
    out = []
    for period in response.get("ResultsByTime", []):
        start = date.fromisoformat(period["TimePeriod"]["Start"][:10])
        groups = period.get("Groups") or []
        if not groups and period.get("Total"):
            amount, unit = _amount(period["Total"])
            out.append((start, "total", amount, unit))
        for g in groups:
            key = (g.get("Keys") or ["?"])[0]
            if strip_tag and key.startswith(strip_tag + "$"):
                key = key[len(strip_tag) + 1:] or f"(no {strip_tag} tag)"
            amount, unit = _amount(g.get("Metrics", {}))
            out.append((start, key, amount, unit))
    return out


def _lines(totals: dict[str, float], previous: dict[str, float] | None = None) -> tuple[CostLine, ...]:
    previous = previous or {}
    keys = set(totals) | set(previous)
    lines = [CostLine(k, round(totals.get(k, 0.0), 2), round(previous.get(k, 0.0), 2)) for k in keys]
    return tuple(sorted(lines, key=lambda line: (-line.amount, line.key)))


def build_report(today: date, days: int, tag_key: str, answers: dict[str, dict], forecast_rest: float | None,
                 fetched_at: float, from_cache: bool) -> CostReport:
    month_start = today.replace(day=1)
    daily_rows = grouped(answers["daily_by_service"])
    currency = next((unit for *_, unit in daily_rows), "USD")
    per_day: dict[date, float] = defaultdict(float)
    recent: dict[str, float] = defaultdict(float)
    before: dict[str, float] = defaultdict(float)
    for day, key, amount, _ in daily_rows:
        per_day[day] += amount
        if today - timedelta(days=7) <= day < today:
            recent[key] += amount
        elif today - timedelta(days=14) <= day < today - timedelta(days=7):
            before[key] += amount
    daily = tuple(DailyCost(d, round(per_day.get(d, 0.0), 2))
                  for d in (today - timedelta(days=days - i) for i in range(days + 1)))
    mtd: dict[str, float] = defaultdict(float)
    last: dict[str, float] = defaultdict(float)
    for start, key, amount, _ in grouped(answers["monthly_by_service"]):
        (mtd if start >= month_start else last)[key] += amount
    movers = sorted(_lines(recent, before), key=lambda line: abs(line.change), reverse=True)[:8]
    same_days = _same_days_last_month(today, daily_rows)
    non_usage: dict[str, float] = defaultdict(float)
    for _, key, amount, _ in grouped(answers["mtd_by_record_type"]):
        if key != "Usage":
            non_usage[key] += amount
    accounts: dict[str, float] = defaultdict(float)
    for _, key, amount, _ in grouped(answers["mtd_by_account"]):
        accounts[key] += amount
    tags: dict[str, float] = defaultdict(float)
    for _, key, amount, _ in grouped(answers["mtd_by_tag"], strip_tag=tag_key):
        tags[key] += amount
    report = CostReport(
        today=today, currency=currency, month_to_date=_lines(mtd), last_month=_lines(last), daily=daily,
        last_month_same_days=_lines(same_days),
        movers=tuple(movers), by_account=_lines(accounts), by_tag=_lines(tags), tag_key=tag_key,
        non_usage=_lines(non_usage), forecast=None, fetched_at=fetched_at, from_cache=from_cache,
    )
    if forecast_rest is None:
        return _with_projection(report)
    return replace(report, forecast=Forecast(round(report.mtd_total + forecast_rest, 2), "Cost Explorer forecast"))


def _same_days_last_month(today: date, daily_rows: list[tuple[date, str, float, str]]) -> dict[str, float]:
    """Last month's spend per key over as many days as this month has had (day 1 → day 1,
    not day 1 → the whole of last month)."""
    month_start = today.replace(day=1)
    start = (month_start - timedelta(days=1)).replace(day=1)
    end = start + timedelta(days=min(today.day, calendar.monthrange(start.year, start.month)[1]))
    same: dict[str, float] = defaultdict(float)
    for day, key, amount, _ in daily_rows:
        if start <= day < end:
            same[key] += amount
    return same


def _with_projection(report: CostReport) -> CostReport:
    """Month-end estimate when Cost Explorer cannot forecast: a labelled linear projection."""
    today = report.today
    days_in_month = calendar.monthrange(today.year, today.month)[1]
    elapsed = today.day  # today's partial day is included in month-to-date
    amount = round(report.mtd_total / elapsed * days_in_month, 2) if elapsed else 0.0
    return replace(report, forecast=Forecast(amount, "linear projection"))


class CostsMixin:
    """Needs ``call``, ``config``, ``clock``, ``profile``, ``region``, ``account``, ``unsupported``."""

    def __init__(self) -> None:
        self.ce_calls = 0
        self.cache_hits = 0
        self.cache_misses = 0
        self._cost_lock = threading.Lock()

    # -- cache ---------------------------------------------------------------------------
    @property
    def cost_cache_dir(self) -> Path:
        return self.config.cache_dir / "aws-costs"

    def _cache_path(self, name: str, params: dict) -> Path:
        scope = [self.config.aws.endpoint_url or "aws", self.profile or "default", self.region, self.account]
        digest = hashlib.sha256(json.dumps([scope, name, params], sort_keys=True).encode()).hexdigest()[:24]
        return self.cost_cache_dir / f"{name}-{digest}.json"

    def _cached(self, path: Path, ttl: float) -> tuple[dict, float] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a damaged cache entry is a miss; the fresh answer overwrites it
        fetched = float(data.get("fetched_at", 0))
        if wall_clock.now() - fetched > ttl:
            return None
        return data.get("response", {}), fetched

    def _store(self, path: Path, response: dict, fetched: float) -> None:
        private_dir(self.config.cache_dir, tighten=True)
        private_dir(self.cost_cache_dir, tighten=True)
        write_private(path, json.dumps({"fetched_at": fetched, "response": response}, default=str))

    def _ce(self, name: str, operation: str, params: dict, force: bool,
            cache_only: bool = False) -> tuple[dict, float, bool] | None:
        """One Cost Explorer answer: (response, fetched_at, from_cache); with ``cache_only``
        None instead of a paid request when the cache has no fresh answer."""
        path = self._cache_path(name, params)
        if not force:
            hit = self._cached(path, float(self.config.costs.cache_ttl_seconds))
            if hit is not None:
                with self._cost_lock:
                    self.cache_hits += 1
                return hit[0], hit[1], True
        if cache_only:
            return None
        with self._cost_lock:
            self.cache_misses += 1
            self.ce_calls += 1
        response = self.call("ce", operation, **params)
        fetched = wall_clock.now()
        try:
            self._store(path, response, fetched)
        except OSError as exc:
            raise OpsError(f"cannot write the cost cache {path}: {exc.strerror}", source="costs.cache") from exc
        return response, fetched, False

    def cached_daily_by_service(self, max_age: float = 2 * 86400) -> tuple[list[tuple[date, str, float, str]], float] | None:
        """The daily-by-service rows of the last report the Costs tab fetched, and when it was
        fetched, straight from the cache: never a Cost Explorer call (None when nothing is cached)."""
        tag_key = self.config.costs.tag_key
        days = max(7, min(int(self.config.costs.days), 90))
        name, params = cost_queries(self.clock().date(), days, tag_key)[0]
        hit = self._cached(self._cache_path(name, params), max_age)
        if hit is None:
            return None
        with self._cost_lock:
            self.cache_hits += 1
        return grouped(hit[0]), hit[1]

    # -- the report ----------------------------------------------------------------------
    def cost_report(self, *, force: bool = False, tag_key: str | None = None,
                    cache_only: bool = False) -> CostReport | None:
        """``tag_key`` defaults to ``config.costs.tag_key``. Every request is paid, so only
        the Costs tab (opened by the operator) calls this without ``cache_only``; others
        (Triage's anomaly figure) pass ``cache_only=True`` and get None when not cached."""
        tag_key = tag_key or self.config.costs.tag_key
        today = self.clock().date()
        days = max(7, min(int(self.config.costs.days), 90))
        answers: dict[str, dict] = {}
        times: list[float] = []
        cached: list[bool] = []
        for name, params in cost_queries(today, days, tag_key):
            answer = self._ce(name, "get_cost_and_usage", params, force, cache_only)
            if answer is None:
                return None
            response, fetched, hit = answer
            answers[name] = response
            times.append(fetched)
            cached.append(hit)
        rest = self._forecast(today, force, cache_only)
        # cached as soon as one answer came from the cache: fetched_at is the oldest answer's time
        return build_report(today, days, tag_key, answers, rest, min(times), any(cached))

    def _forecast(self, today: date, force: bool, cache_only: bool = False) -> float | None:
        """Forecast spend from tomorrow to month end, or None when the endpoint cannot say."""
        days_in_month = calendar.monthrange(today.year, today.month)[1]
        if today.day >= days_in_month or FORECAST_CALL in self.unsupported:
            return None
        next_month = today.replace(day=days_in_month) + timedelta(days=1)
        params = {"TimePeriod": {"Start": (today + timedelta(days=1)).isoformat(), "End": next_month.isoformat()},
                  "Metric": "UNBLENDED_COST", "Granularity": "MONTHLY", "Filter": USAGE_ONLY}
        try:
            answer = self._ce("forecast", "get_cost_forecast", params, force, cache_only)
        except OpsError:
            if FORECAST_CALL not in self.unsupported:
                raise
            # the endpoint cannot forecast: remember it (for the TTL) and show a labelled projection
            self._store(self._cache_path("forecast", params), {"unsupported": True}, wall_clock.now())
            return None
        if answer is None:
            return None
        response = answer[0]
        if response.get("unsupported"):
            return None
        total = response.get("Total") or {}
        try:
            return float(total.get("Amount", 0) or 0)
        except (TypeError, ValueError):
            raise InvalidInput(f"Cost Explorer forecast: amount is not a number: {total.get('Amount')!r}",
                               source=FORECAST_CALL) from None


# -- export (pure: no SDK) ----------------------------------------------------------------
def report_rows(report: CostReport, view: str) -> list[dict[str, Any]]:
    """The rows of one cost view: services | accounts | tags | daily | movers | credits."""
    if view == "daily":
        return [{"date": d.day.isoformat(), "amount": d.amount, "currency": report.currency} for d in report.daily]
    lines = {"services": report.month_to_date, "accounts": report.by_account, "tags": report.by_tag,
             "movers": report.movers, "credits": report.non_usage}.get(view)
    if lines is None:
        raise InvalidInput(f"unknown cost view {view!r}", source="costs.export")
    if view == "services":
        last = {line.key: line.amount for line in report.last_month}
        return [{"service": line.key, "month_to_date": line.amount, "last_month": last.get(line.key, 0.0),
                 "currency": report.currency} for line in lines]
    key = {"accounts": "account", "tags": report.tag_key, "movers": "service", "credits": "record_type"}[view]
    return [{key: line.key, "amount": line.amount, "previous": line.previous, "change": round(line.change, 2),
             "currency": report.currency} for line in lines]


def export_report(report: CostReport, view: str, path: Path) -> Path:
    """Write the view as CSV or JSON (by the file's suffix), 0600 (spend by account and
    tag is not for every user of a shared host); returns the path written."""
    rows = report_rows(report, view)
    if path.suffix == ".json":
        meta = {"view": view, "today": report.today.isoformat(), "currency": report.currency,
                "fetched_at": report.fetched_at, "rows": rows}
        write_private(path, json.dumps(meta, indent=2))
    elif path.suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["empty"])
        writer.writeheader()
        writer.writerows(rows)
        write_private(path, buffer.getvalue())
    else:
        raise InvalidInput(f"{path}: export needs a .csv or .json file name", source="costs.export")
    return path
