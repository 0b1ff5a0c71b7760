"""Frozen dataclasses the Pipelines and Costs tabs render (no SDK objects past the adapter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

FAILED_STATES = frozenset({"Failed", "FAILED", "FAULT", "TIMED_OUT", "Stopped", "STOPPED", "Superseded"})
RUNNING_STATES = frozenset({"InProgress", "IN_PROGRESS", "Stopping", "QUEUED"})
SUCCEEDED_STATES = frozenset({"Succeeded", "SUCCEEDED"})


def status_glyph(status: str) -> str:
    """✓ succeeded, ✗ failed/stopped, ▶ running, · anything else."""
    if status in SUCCEEDED_STATES:
        return "✓"
    if status in ("Failed", "FAILED", "FAULT", "TIMED_OUT"):
        return "✗"
    if status in ("Stopped", "STOPPED", "Superseded"):
        return "■"
    if status in RUNNING_STATES:
        return "▶"
    return "·"


# -- CodePipeline ------------------------------------------------------------------------
@dataclass(frozen=True)
class PipelineAction:
    name: str
    category: str  # Source | Build | Deploy | Approval | Test | Invoke
    status: str = ""  # from get_pipeline_state; "" when the endpoint cannot say
    error: str = ""  # latest execution error message, for a failed action
    external_url: str = ""  # link-out from the action's latest execution
    approval_token: str = ""  # set while a manual approval waits
    project: str = ""  # the CodeBuild project a Build/Test action runs (configuration.ProjectName)


@dataclass(frozen=True)
class PipelineStage:
    name: str
    status: str = ""  # latest status; "" when unknown (degraded mode)
    actions: tuple[PipelineAction, ...] = ()
    execution_id: str = ""

    @property
    def failed_action(self) -> PipelineAction | None:
        return next((a for a in self.actions if a.status == "Failed"), None)

    @property
    def build_projects(self) -> tuple[str, ...]:
        """CodeBuild projects of this stage, the failed action's first."""
        failed = self.failed_action
        ordered = ([failed] if failed else []) + [a for a in self.actions if a is not failed]
        return tuple(a.project for a in ordered if a.project)

    @property
    def pending_approval(self) -> PipelineAction | None:
        return next((a for a in self.actions if a.category == "Approval" and a.approval_token), None)


@dataclass(frozen=True)
class PipelineExecution:
    id: str
    pipeline: str
    status: str
    started: datetime | None
    updated: datetime | None
    trigger: str = ""
    trigger_detail: str = ""
    source_revision: str = ""
    commit_message: str = ""
    summary: str = ""  # statusSummary, e.g. why it failed

    @property
    def duration(self) -> timedelta | None:
        if self.started is None or self.updated is None:
            return None
        return self.updated - self.started


@dataclass(frozen=True)
class Pipeline:
    name: str
    region: str
    version: int = 0
    stages: tuple[PipelineStage, ...] = ()
    executions: tuple[PipelineExecution, ...] = ()  # newest first
    state_source: str = "state"  # "state": get_pipeline_state; "executions": degraded
    console_url: str = ""

    @property
    def last_execution(self) -> PipelineExecution | None:
        return self.executions[0] if self.executions else None

    @property
    def status(self) -> str:
        last = self.last_execution
        return last.status if last else "never run"

    def trend(self, runs: int = 10) -> str:
        """Glyphs of the last ``runs`` executions, oldest on the left."""
        return "".join(status_glyph(e.status) for e in reversed(self.executions[:runs]))

    def failed_since(self, since: datetime) -> bool:
        return any(e.status in FAILED_STATES and e.started is not None and e.started >= since
                   for e in self.executions)

    @property
    def failed_stage(self) -> PipelineStage | None:
        return next((s for s in self.stages if s.status == "Failed"), None)


# -- CodeBuild ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildPhase:
    name: str
    status: str
    seconds: int | None


@dataclass(frozen=True)
class Build:
    id: str
    project: str
    number: int
    status: str
    current_phase: str
    started: datetime | None
    ended: datetime | None
    source_version: str = ""
    initiator: str = ""
    phases: tuple[BuildPhase, ...] = ()
    log_group: str = ""
    log_stream: str = ""
    console_url: str = ""

    @property
    def duration(self) -> timedelta | None:
        if self.started is None or self.ended is None:
            return None
        return self.ended - self.started


@dataclass(frozen=True)
class BuildProject:
    name: str
    description: str = ""
    source: str = ""
    builds: tuple[Build, ...] = ()  # newest first

    def trend(self, runs: int = 10) -> str:
        return "".join(status_glyph(b.status) for b in reversed(self.builds[:runs]))


@dataclass(frozen=True)
class LogLine:
    timestamp: datetime | None
    message: str


@dataclass(frozen=True)
class PipelinesView:
    """Everything the Pipelines tab shows, fetched in one worker pass."""

    pipelines: tuple[Pipeline, ...]
    projects: tuple[BuildProject, ...]
    degraded: str = ""  # why stage states come from execution data, when they do
    region: str = ""


# -- Cost Explorer -----------------------------------------------------------------------
@dataclass(frozen=True)
class CostLine:
    key: str  # service, account id, tag value or record type
    amount: float
    previous: float = 0.0  # same-length previous period, for movers

    @property
    def change(self) -> float:
        return self.amount - self.previous


@dataclass(frozen=True)
class DailyCost:
    day: date
    amount: float  # usage only (RECORD_TYPE = Usage)


@dataclass(frozen=True)
class Forecast:
    amount: float  # the whole month's expected total
    method: str  # "Cost Explorer forecast" | "linear projection"
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class CostReport:
    today: date
    currency: str
    month_to_date: tuple[CostLine, ...]  # by service, usage only
    last_month: tuple[CostLine, ...]  # by service, usage only
    daily: tuple[DailyCost, ...]
    movers: tuple[CostLine, ...]  # last 7 days vs the 7 before, biggest change first
    by_account: tuple[CostLine, ...]  # month to date, usage only
    by_tag: tuple[CostLine, ...]  # month to date, usage only, grouped by ``tag_key``
    tag_key: str
    non_usage: tuple[CostLine, ...]  # Credit, Refund, Tax, ... month to date, never mixed in
    forecast: Forecast | None
    fetched_at: float  # wall clock when Cost Explorer answered
    from_cache: bool = False
    last_month_same_days: tuple[CostLine, ...] = ()  # last month's days 1..today.day, by service

    @property
    def mtd_total(self) -> float:
        return sum(line.amount for line in self.month_to_date)

    @property
    def last_month_total(self) -> float:
        return sum(line.amount for line in self.last_month)

    @property
    def non_usage_total(self) -> float:
        return sum(line.amount for line in self.non_usage)


# -- waste finder ------------------------------------------------------------------------
@dataclass(frozen=True)
class WasteItem:
    kind: str  # "volume" | "address" | "stopped-instance" | "snapshot"
    id: str
    name: str
    region: str
    detail: str
    monthly_cost: float
    age_days: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WasteReport:
    items: tuple[WasteItem, ...]
    price_source: str
    price_date: str
    region: str

    @property
    def monthly_total(self) -> float:
        return sum(i.monthly_cost for i in self.items)


@dataclass(frozen=True)
class CostsView:
    report: CostReport | None
    waste: WasteReport | None
    cost_error: str = ""  # Cost Explorer failed; waste may still be shown
    waste_error: str = ""
    calls: int = 0  # Cost Explorer calls this session
