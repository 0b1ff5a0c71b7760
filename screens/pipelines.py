"""Pipelines tab: CodePipeline pipelines and CodeBuild projects of the connected AWS account.

Rows with a failure in the last 24 h stand out; each row shows its trend (last runs,
oldest left). The detail panes show stages, the last execution (trigger, revision,
commit message, start, duration), the failed action's error and a console link, and a
build's phases. Every change goes through the guarded path (``self.run_guarded``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from console import clock
from console.actions import aws as actions
from console.models.aws import Build, BuildProject, Pipeline, PipelinesView, status_glyph
from console.text import safe_text
from screens.base import BackendTab, age_text
from screens.log_view import LogScreen
from screens.pipelines_logs import BuildLogSource, build_of_pipeline
from screens.pipelines_prompt import ReasonPrompt
from screens.pipelines_switch import AwsContextCommands
from screens.table_notes import count_text
from screens.widgets import Column, ResourceTable, Row

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.aws import AwsBackend
    from console.services import Services

RECENT = timedelta(hours=24)
TREND_RUNS = 10


def ago(when: datetime | None) -> str:
    if when is None:
        return "—"
    return age_text(clock.now() - when.timestamp()) + " ago"


def took(delta: timedelta | None) -> str:
    return "—" if delta is None else age_text(delta.total_seconds())


class PipelinesTab(AwsContextCommands, BackendTab):
    BACKEND = "aws"
    POLL_SECONDS = 30.0
    MUTATING_ACTIONS = frozenset({"start", "retry_stage", "stop", "abandon", "approve", "reject"})

    BINDINGS = [
        Binding("s", "start", "Start", tooltip="Start a pipeline execution / a build"),
        Binding("R", "retry_stage", "Retry stage", tooltip="Retry the failed stage of the last execution"),
        Binding("x", "stop", "Stop", tooltip="Stop the execution (in-progress actions finish) / the build"),
        Binding("X", "abandon", "Abandon", show=False, tooltip="Stop the execution and abandon in-progress actions"),
        Binding("a", "approve", "Approve", show=False, tooltip="Approve the waiting manual approval"),
        Binding("n", "reject", "Reject", show=False, tooltip="Reject the waiting manual approval"),
        Binding("l", "logs", "Logs", tooltip="Build log from CloudWatch Logs"),
        Binding("u", "copy_url", "Console URL", show=False, tooltip="Copy the AWS console link"),
    ]

    DEFAULT_CSS = """
    PipelinesTab #pl-header { height: auto; padding: 0 1; }
    PipelinesTab #pipelines { height: 1fr; min-height: 5; }
    PipelinesTab #pl-detail { height: auto; max-height: 12; padding: 0 1; border-top: solid $panel; }
    PipelinesTab #builds { height: 1fr; min-height: 4; }
    PipelinesTab #build-detail { height: auto; max-height: 4; padding: 0 1; border-top: solid $panel; }
    PipelinesTab.-compact #pl-detail { max-height: 5; }
    PipelinesTab.-compact #build-detail { max-height: 2; }
    """

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.view: PipelinesView | None = None
        self.narrow = False  # set at compose (80 columns): the commit column shows the short id only
        self.failing: list[Pipeline] = []  # failed in the last 24 h

    # -- layout ---------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield Static(id="pl-header")
        self.narrow = self.app.size.width < 110  # the message stays in the detail below the table
        yield ResourceTable([Column("name", "Pipeline"), Column("status", "Status"), Column("trend", "Trend"),
                             Column("started", "Last run"), Column("took", "Took"), Column("trigger", "Trigger"),
                             Column("revision", "Commit" if self.narrow else "Revision / commit")], id="pipelines")
        yield Static(id="pl-detail")
        yield ResourceTable([Column("name", "Build project"), Column("number", "Last build"), Column("status", "Status"),
                             Column("phase", "Phase"), Column("started", "Started"), Column("took", "Took"),
                             Column("trend", "Trend")], id="builds")
        yield Static(id="build-detail")

    def on_resize(self) -> None:
        self.set_class(self.size.height < 30, "-compact")  # 80x24 terminals: smaller detail panes

    # -- data -----------------------------------------------------------------------------
    def fetch(self, adapter: AwsBackend) -> PipelinesView:
        return adapter.pipelines_view()

    def show(self, data: PipelinesView) -> None:
        self.view = data
        now = datetime.fromtimestamp(clock.now(), UTC)
        failing = [p for p in data.pipelines if p.failed_since(now - RECENT)]
        error = self._theme("error")
        self.query_one("#pipelines", ResourceTable).sync(
            self._pipeline_row(p, error if p in failing else "") for p in data.pipelines)
        self.query_one("#builds", ResourceTable).sync(self._project_row(p, error, now) for p in data.projects)
        self.failing = failing
        self.filter_applied()
        self._show_pipeline_detail()
        self._show_build_detail()

    def filter_applied(self) -> None:
        """The header: what is shown of what there is (``1 of 3 pipelines`` under a filter), failures."""
        data, failing, error = self.view, self.failing, self._theme("error")
        if data is None:
            return
        counts = []
        for table_id, noun in (("pipelines", "pipelines"), ("builds", "build projects")):
            table = self.query_one(f"#{table_id}", ResourceTable)
            table.describe_empty(noun, f"in {data.region}")
            counts.append(count_text(table.row_count, len(table.all_keys), noun, bool(table.filter_text)))
        header = Text(f"{', '.join(counts)} ({data.region})")
        if failing:
            header.append(" · failed in the last 24 h: ", style=f"bold {error}")
            header.append_text(safe_text(", ".join(p.name for p in failing), style=error))
        if data.degraded:
            header.append("\n")
            header.append_text(safe_text(data.degraded, style="dim"))
        self.query_one("#pl-header", Static).update(header)

    def _theme(self, name: str) -> str:
        return (self.app.theme_variables.get(name, "") or "").removeprefix("ansi_")

    def _pipeline_row(self, p: Pipeline, style: str) -> Row:
        last = p.last_execution
        revision = ""
        if last is not None and self.narrow:
            revision = last.source_revision[:7]
        elif last is not None:
            revision = " ".join(x for x in (last.source_revision, last.commit_message.splitlines()[0]
                                            if last.commit_message else "") if x)
        return Row(
            key=p.name,
            cells=(p.name, f"{status_glyph(p.status)} {p.status}", p.trend(TREND_RUNS),
                   ago(last.started if last else None), took(last.duration if last else None),
                   last.trigger if last else "", revision or "—"),
            raw=(p.name, p.status, p.trend(), last.started.timestamp() if last and last.started else None,
                 last.duration.total_seconds() if last and last.duration else None, "", revision),
            labels=(("status", p.status.lower()),), style=style, rank=-2 if style else 0,
        )

    def _project_row(self, project: BuildProject, error: str, now: datetime) -> Row:
        b = project.builds[0] if project.builds else None
        recent_failure = any(x.status in ("FAILED", "FAULT", "TIMED_OUT") and x.started and x.started >= now - RECENT
                             for x in project.builds)
        return Row(
            key=project.name,
            cells=(project.name, f"#{b.number}" if b else "—", f"{status_glyph(b.status)} {b.status}" if b else "never built",
                   b.current_phase if b else "", ago(b.started if b else None), took(b.duration if b else None),
                   project.trend(TREND_RUNS)),
            labels=(("status", (b.status if b else "none").lower()),), style=error if recent_failure else "",
            rank=-2 if recent_failure else 0,
        )

    # -- detail panes ------------------------------------------------------------------------
    def selected_pipeline(self) -> Pipeline | None:
        key = self.query_one("#pipelines", ResourceTable).current_key
        return next((p for p in self.view.pipelines if p.name == key), None) if self.view and key else None

    def selected_project(self) -> BuildProject | None:
        key = self.query_one("#builds", ResourceTable).current_key
        return next((p for p in self.view.projects if p.name == key), None) if self.view and key else None

    def on_data_table_row_highlighted(self, event: ResourceTable.RowHighlighted) -> None:
        if event.data_table.id == "pipelines":
            self._show_pipeline_detail()
        elif event.data_table.id == "builds":
            self._show_build_detail()

    def _show_pipeline_detail(self) -> None:
        p = self.selected_pipeline()
        pane = self.query_one("#pl-detail", Static)
        if p is None:
            pane.update("")
            return
        out = Text()
        out.append("Stages: ", style="bold")
        for s in p.stages:
            out.append_text(safe_text(f"{status_glyph(s.status)} {s.name}  "))
        if p.state_source == "executions":
            out.append("(stage status from execution history)", style="dim")
        last = p.last_execution
        if last is not None:
            out.append("\nLast: ", style="bold")
            started = last.started.strftime("%Y-%m-%d %H:%MZ") if last.started else "?"
            out.append_text(safe_text(f"{last.id[:8]} {last.status} · started {started} · took {took(last.duration)}"
                                      f" · trigger {last.trigger or '?'} {last.trigger_detail}".rstrip()))
            if last.source_revision or last.commit_message:
                out.append_text(safe_text(f"\n  revision {last.source_revision or '?'}: {last.commit_message or ''}"))
            if last.summary:
                out.append_text(safe_text(f"\n  {last.summary}", style=self._theme("error")))
        failed = p.failed_stage.failed_action if p.failed_stage else None
        if failed is not None and not (last is not None and failed.error == last.summary):
            out.append_text(safe_text(f"\n  failed action {failed.name}: {failed.error}", style=self._theme("error")))
        waiting = next((s for s in p.stages if s.pending_approval), None)
        if waiting is not None:
            out.append_text(safe_text(f"\n  approval waiting in {waiting.name} (a: approve, n: reject)",
                                      style=self._theme("warning")))
        history = "  ".join(f"{status_glyph(e.status)}{ago(e.started)}" for e in p.executions[1:6])
        if history:
            out.append_text(safe_text(f"\nHistory: {history}", style="dim"))
        url = failed.external_url if failed and failed.external_url else p.console_url
        out.append_text(safe_text(f"\nConsole (u copies): {url}", style="dim"))
        pane.update(out)

    def _show_build_detail(self) -> None:
        project = self.selected_project()
        pane = self.query_one("#build-detail", Static)
        if project is None or not project.builds:
            pane.update("" if project is None else safe_text(f"{project.name}: no builds yet"))
            return
        b = project.builds[0]
        phases = "  ".join(f"{status_glyph(ph.status)}{ph.name.lower()}" + (f" {ph.seconds}s" if ph.seconds is not None else "")
                           for ph in b.phases)
        pane.update(safe_text(f"#{b.number} {b.source_version} by {b.initiator or '?'} · l: logs\n{phases}"))

    def _focused_table(self) -> str:
        focused = self.app.focused
        return focused.id if isinstance(focused, ResourceTable) and focused.id else "pipelines"

    # -- actions (guarded) ----------------------------------------------------------------------
    def action_start(self) -> None:
        if self._focused_table() == "builds":
            project = self.selected_project()
            if project is not None:
                self.run_guarded(actions.start_build(self.adapter, project, self.info))
            return
        p = self.selected_pipeline()
        if p is not None:
            self.run_guarded(actions.start_execution(self.adapter, p, self.info))

    def action_retry_stage(self) -> None:
        p = self.selected_pipeline()
        if p is None:
            self.notify("select a pipeline row to retry its failed stage", severity="warning")
            return
        stage = p.failed_stage
        if p.state_source == "executions":
            named = f"stage {stage.name} failed per the execution summary, but " if stage else ""
            self.notify(f"{p.name}: cannot retry — {named}this endpoint lacks get_pipeline_state, so which "
                        "actions failed is unknown; retry needs the full CodePipeline API", severity="warning",
                        timeout=8)
            return
        if stage is None:
            self.notify(f"{p.name}: no failed stage in the last execution; nothing to retry", severity="warning")
            return
        self.run_guarded(actions.retry_stage(self.adapter, p, stage, self.info))

    def action_stop(self) -> None:
        if self._focused_table() == "builds":
            build = self._latest_build()
            if build is not None:
                self.run_guarded(actions.stop_build(self.adapter, build, self.info))
            return
        self._stop_execution(abandon=False)

    def action_abandon(self) -> None:
        self._stop_execution(abandon=True)

    def _stop_execution(self, abandon: bool) -> None:
        p = self.selected_pipeline()
        if p is None or p.last_execution is None:
            return
        self.run_guarded(actions.stop_execution(self.adapter, p, self.info, abandon))

    def _latest_build(self) -> Build | None:
        project = self.selected_project()
        return project.builds[0] if project and project.builds else None

    def action_approve(self) -> None:
        self._answer_approval(True)

    def action_reject(self) -> None:
        self._answer_approval(False)

    def _answer_approval(self, approved: bool) -> None:
        p = self.selected_pipeline()
        stage = next((s for s in p.stages if s.pending_approval), None) if p else None
        if p is None or stage is None:
            why = " (this endpoint cannot report approvals: no get_pipeline_state)" \
                if p is not None and p.state_source == "executions" else ""
            self.notify(f"no manual approval is waiting in this pipeline{why}", severity="warning")
            return
        verb = "Approve" if approved else "Reject"

        def answered(reason: str | None) -> None:
            if reason:
                self.run_guarded(actions.approval(self.adapter, p, stage, self.info, approved, reason))

        self.app.push_screen(ReasonPrompt(f"{verb} {p.name} / {stage.name}: reason (sent to CodePipeline)"), answered)

    def action_logs(self) -> None:
        """`l`: on a pipeline, the build of its last execution (failed stage first); on a
        build project, its latest build."""
        if self._focused_table() == "pipelines":
            pipeline = self.selected_pipeline()
            build = build_of_pipeline(pipeline, self.view.projects) if pipeline and self.view else None
            if pipeline is not None and build is None:
                self.notify(f"pipeline {pipeline.name} runs no CodeBuild project with a build to show",
                            severity="warning")
                return
        else:
            build = self._latest_build()
        if build is None or self.adapter is None:
            self.notify("no build selected", severity="warning")
            return
        self.app.push_screen(LogScreen(BuildLogSource(self.adapter, build), tail=500,
                                       follow=build.status == "IN_PROGRESS"))

    def action_copy_url(self) -> None:
        if self._focused_table() == "builds":
            build = self._latest_build()
            url = build.console_url if build else ""
        else:
            p = self.selected_pipeline()
            url = p.console_url if p else ""
        if url:
            self.app.copy_to_clipboard(url)
            self.notify(url, title="Console link copied", timeout=6)

    def jump(self, arg: str) -> bool:
        if self.aws_jump(arg):
            return True
        name = arg.strip()
        for table_id, items in (("pipelines", self.view.pipelines if self.view else ()),
                                ("builds", self.view.projects if self.view else ())):
            table = self.query_one(f"#{table_id}", ResourceTable)
            if any(i.name == name for i in items) and name in table.visible_keys:
                table.move_cursor(row=table.visible_keys.index(name))
                table.focus()
                return True
        return False
