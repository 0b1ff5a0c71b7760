"""AWS rows (pipelines, builds, ECS services, cached costs) → triage problems and changes.

Pure functions. Cost anomalies are computed only from a Cost Explorer answer the Costs
tab already cached (``daily`` rows as ``console.backends.aws_costs.grouped`` returns
them): the Triage view never makes a paid call of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from console.models.aws import Build, Pipeline, PipelinesView
from console.triage.model import FEED_HOURS, Change, Level, LogTarget, Problem

ANOMALY_RATIO = 0.5  # +50% day over day …
ANOMALY_MIN = 5.0  # … and at least this much more spend, in the report's currency
FAILED = ("Failed", "FAILED", "FAULT", "TIMED_OUT", "STOPPED", "Stopped")


def _stage(p: Pipeline) -> str:
    failed = p.failed_stage
    if failed is not None:
        return failed.name
    last = p.last_execution
    if last is not None and ":" in last.summary:
        return last.summary.split(":", 1)[0].strip()
    return ""


def pipeline_problems(view: PipelinesView, where: str, source: str) -> list[Problem]:
    out = []
    for p in view.pipelines:
        last = p.last_execution
        if last is None or last.status not in FAILED:
            continue
        stage = _stage(p)
        reason = f"pipeline {p.name} failed" + (f" at {stage}" if stage else "")
        if last.summary:
            reason += f": {last.summary.split(':', 1)[-1].strip()}" if stage else f": {last.summary}"
        out.append(Problem(source, "aws", Level.ERROR, "pipeline", p.name, where, reason, last.updated or last.started,
                           service=p.name, object_id=p.name, tab="pipelines", jump=f"pipelines {p.name}"))
    for proj in view.projects:
        b = proj.builds[0] if proj.builds else None
        if b is not None and b.status in FAILED:
            out.append(build_problem(b, where, source))
    return out


def build_problem(b: Build, where: str, source: str) -> Problem:
    phase = f" in {b.current_phase}" if b.current_phase else ""
    return Problem(source, "aws", Level.ERROR, "build", f"{b.project}#{b.number}", where,
                   f"build {b.status.lower()}{phase}", b.ended or b.started, service=b.project, object_id=b.id,
                   tab="pipelines", jump=f"builds {b.project}", logs=LogTarget("aws", "build", name=b.id))


def pipeline_changes(view: PipelinesView, where: str, source: str, now: datetime) -> list[Change]:
    since = now - timedelta(hours=FEED_HOURS)
    out = []
    for p in view.pipelines:
        for e in p.executions:
            if e.started is None or e.started < since:
                continue
            what = f" ({e.commit_message})" if e.commit_message else ""
            out.append(Change(e.started, source, "aws", "pipeline", f"pipeline/{p.name}", f"execution {e.status}{what}",
                              where=where, service=p.name, warning=e.status in FAILED))
    return out


def ecs_problems(services: Iterable[Mapping[str, Any]], where: str, source: str) -> list[Problem]:
    out = []
    for svc in services:
        desired, running = int(svc.get("desiredCount") or 0), int(svc.get("runningCount") or 0)
        if svc.get("status") != "ACTIVE" or running >= desired:
            continue
        cluster = str(svc.get("clusterArn", "")).rsplit("/", 1)[-1]
        name = str(svc.get("serviceName", ""))
        deployments = svc.get("deployments") or []
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
        failed = f", rollout {primary['rolloutState']}" if primary.get("rolloutState") == "FAILED" else ""
        out.append(Problem(source, "aws", Level.CRITICAL if running == 0 else Level.ERROR, "ecs service", name,
                           f"{where} {cluster}", f"below desired: {running}/{desired} running{failed}",
                           _when(primary.get("updatedAt") or primary.get("createdAt")), service=name,
                           object_id=f"{cluster}/{name}", tab="pipelines", jump=""))
    return out


def ecs_changes(services: Iterable[Mapping[str, Any]], where: str, source: str, now: datetime) -> list[Change]:
    since = now - timedelta(hours=FEED_HOURS)
    out = []
    for svc in services:
        name = str(svc.get("serviceName", ""))
        for d in svc.get("deployments") or []:
            at = _when(d.get("createdAt"))
            if at is None or at < since:
                continue
            td = str(d.get("taskDefinition", "")).rsplit("/", 1)[-1]
            state = d.get("rolloutState") or d.get("status") or ""
            out.append(Change(at, source, "aws", "ecs", f"ecs service/{name}", f"deployment of {td}: {state}",
                              where=where, service=name, warning=state == "FAILED"))
    return out


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    return None


def cost_anomalies(daily: Iterable[tuple[date, str, float, str]], today: date, where: str,
                   source: str) -> list[Problem]:
    """Day over day by service on the last complete day (yesterday vs the day before)."""
    per: dict[str, dict[date, float]] = defaultdict(dict)
    currency = "USD"
    for day, key, amount, unit in daily:
        per[key][day] = per[key].get(day, 0.0) + amount
        currency = unit or currency
    last, before = today - timedelta(days=1), today - timedelta(days=2)
    out = []
    for service, days in per.items():
        now, then = days.get(last, 0.0), days.get(before, 0.0)
        if then <= 0 or now - then < ANOMALY_MIN or (now - then) / then < ANOMALY_RATIO:
            continue
        pct = round((now - then) / then * 100)
        out.append(Problem(source, "aws", Level.WARNING, "cost", service, where,
                           f"cost +{pct}% day over day: {short_service(service)} ({then:.2f} → {now:.2f} {currency})",
                           datetime.combine(last, time(), UTC), service=service, tab="costs", jump="costs"))
    return out


def short_service(name: str) -> str:
    """Cost Explorer's long names: "Amazon Elastic Compute Cloud - Compute" → "EC2"."""
    known = {"Amazon Elastic Compute Cloud - Compute": "EC2", "EC2 - Other": "EC2 other",
             "Amazon Relational Database Service": "RDS", "Amazon Simple Storage Service": "S3",
             "AWS Lambda": "Lambda", "Amazon Elastic Container Service": "ECS", "Amazon CloudFront": "CloudFront",
             "Amazon DynamoDB": "DynamoDB", "Amazon Elastic Load Balancing": "ELB", "AmazonCloudWatch": "CloudWatch"}
    return known.get(name, name)
