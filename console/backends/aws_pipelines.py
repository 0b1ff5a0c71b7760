"""CodePipeline and CodeBuild (and their CloudWatch logs) for AwsBackend.

``get_pipeline_state`` is the real source of stage status; an endpoint that does not
implement it (moto) is detected by code/status once, and the stages then fall back to
what ``list_pipeline_executions`` says.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import quote

from console.errors import NotFound
from console.models.aws import (
    Build,
    BuildPhase,
    BuildProject,
    LogLine,
    Pipeline,
    PipelineAction,
    PipelineExecution,
    PipelineStage,
    PipelinesView,
)

HISTORY = 20  # executions kept per pipeline
BUILDS = 10  # builds kept per project
COMPLETED_CACHE = 2000  # completed builds remembered by id (a finished build never changes)
BUILD_RUNNING = frozenset({"IN_PROGRESS", ""})
STATE_CALL = "codepipeline.get_pipeline_state"


def _ts(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def commit_message(summary: str) -> str:
    """revisionSummary is plain text, or JSON with CommitMessage for CodeStar sources."""
    if summary.startswith("{"):
        try:
            data = json.loads(summary)
        except ValueError:
            return summary
        if isinstance(data, dict):
            return str(data.get("CommitMessage") or data.get("commitMessage") or summary)
    return summary


def execution_from(pipeline: str, raw: dict) -> PipelineExecution:
    revisions = raw.get("sourceRevisions") or []
    first = revisions[0] if revisions else {}
    trigger = raw.get("trigger") or {}
    summary = raw.get("statusSummary") or ""
    return PipelineExecution(
        id=raw.get("pipelineExecutionId", ""),
        pipeline=pipeline,
        status=raw.get("status", ""),
        started=_ts(raw.get("startTime")),
        updated=_ts(raw.get("lastUpdateTime")),
        trigger=trigger.get("triggerType", ""),
        trigger_detail=trigger.get("triggerDetail", ""),
        source_revision=(first.get("revisionId") or "")[:12],
        commit_message=commit_message(first.get("revisionSummary") or ""),
        summary=summary if isinstance(summary, str) else "",
    )


def phases_from(raw: list[dict]) -> tuple[BuildPhase, ...]:
    """Phases in order, one per type (the last report of a type wins)."""
    seen: dict[str, BuildPhase] = {}
    for p in raw:
        name = p.get("phaseType", "")
        seen[name] = BuildPhase(name, p.get("phaseStatus", ""), p.get("durationInSeconds"))
    return tuple(seen.values())


def named_in_failure(definition: dict, execution: PipelineExecution | None) -> tuple[str, str] | None:
    """(stage, action) a failed execution's summary names, e.g. "Deploy: ECS service … did not
    stabilize" -> ("Deploy", ""); None when the execution did not fail or names no stage.
    The action is "" unless the summary names one of the stage's actions."""
    if execution is None or execution.status != "Failed" or not execution.summary:
        return None
    head = execution.summary.split(":", 1)[0].strip() if ":" in execution.summary else ""
    stage_name, _, action_name = head.partition("/")  # "Deploy" or "Deploy/EcsDeploy"
    stages = {s["name"]: [a["name"] for a in s.get("actions", [])] for s in definition.get("stages", [])}
    if stage_name in stages:
        return stage_name, action_name if action_name in stages[stage_name] else ""
    owners = [name for name, actions in stages.items() if head in actions]
    return (owners[0], head) if len(owners) == 1 else None


class PipelinesMixin:
    """Needs ``call``, ``pages``, ``region``, ``unsupported`` and ``parallel`` from AwsBackend.

    Completed builds are cached by id: CodeBuild never changes a finished build, so each
    refresh asks ``batch_get_builds`` only for builds not yet seen finished."""

    def __init__(self) -> None:
        self._completed_builds: dict[str, Build] = {}  # insertion order: oldest first
        self._builds_lock = threading.Lock()

    # -- reads -------------------------------------------------------------------------
    def pipelines_view(self) -> PipelinesView:
        names = [p["name"] for p in self.pages("codepipeline", "list_pipelines", "pipelines")]
        if names and STATE_CALL not in self.unsupported:
            first = [self.pipeline(names[0])]  # learns once whether the endpoint has get_pipeline_state
            names = names[1:]
        else:
            first = []
        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="aws-pipelines") as pool:
            pipelines = tuple(first + list(pool.map(self.pipeline, names)))
        degraded = ""
        if STATE_CALL in self.unsupported:
            degraded = "stage status read from the execution history"
        return PipelinesView(pipelines=pipelines, projects=self.build_projects(), degraded=degraded, region=self.region)

    def pipeline(self, name: str) -> Pipeline:
        definition = self.call("codepipeline", "get_pipeline", name=name)["pipeline"]
        raw_execs = self.call("codepipeline", "list_pipeline_executions", pipelineName=name,
                              maxResults=HISTORY).get("pipelineExecutionSummaries", [])
        executions = tuple(execution_from(name, e) for e in raw_execs)
        state = self._pipeline_state(name)
        if state is not None:
            stages, source = self._stages_from_state(definition, state), "state"
        else:
            stages, source = self._stages_from_executions(definition, executions), "executions"
        region = self.region
        return Pipeline(
            name=name, region=region, version=int(definition.get("version") or 0), stages=stages,
            executions=executions, state_source=source,
            console_url=f"https://{region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
                        f"{quote(name)}/view?region={region}",
        )

    def _pipeline_state(self, name: str) -> dict | None:
        if STATE_CALL in self.unsupported:
            return None
        try:
            return self.call("codepipeline", "get_pipeline_state", name=name)
        except Exception:
            if STATE_CALL in self.unsupported:  # set by ``call`` on a not-implemented answer
                return None
            raise

    @staticmethod
    def _stages_from_state(definition: dict, state: dict) -> tuple[PipelineStage, ...]:
        categories = {(s["name"], a["name"]): a.get("actionTypeId", {}).get("category", "")
                      for s in definition.get("stages", []) for a in s.get("actions", [])}
        projects = {(s["name"], a["name"]): build_project_of(a)
                    for s in definition.get("stages", []) for a in s.get("actions", [])}
        stages = []
        for st in state.get("stageStates", []):
            latest = st.get("latestExecution") or {}
            actions = []
            for a in st.get("actionStates", []):
                ex = a.get("latestExecution") or {}
                actions.append(PipelineAction(
                    name=a.get("actionName", ""),
                    category=categories.get((st.get("stageName"), a.get("actionName")), ""),
                    status=ex.get("status", ""),
                    error=(ex.get("errorDetails") or {}).get("message", ""),
                    external_url=ex.get("externalExecutionUrl", "") or a.get("entityUrl", ""),
                    approval_token=ex.get("token", "") if ex.get("status") == "InProgress" else "",
                    project=projects.get((st.get("stageName"), a.get("actionName")), ""),
                ))
            stages.append(PipelineStage(name=st.get("stageName", ""), status=latest.get("status", ""),
                                        actions=tuple(actions), execution_id=latest.get("pipelineExecutionId", "")))
        return tuple(stages)

    @staticmethod
    def _stages_from_executions(definition: dict, executions: tuple[PipelineExecution, ...]) -> tuple[PipelineStage, ...]:
        last = executions[0] if executions else None
        # Without stage states only a succeeded execution says something about every stage,
        # and a failed one about the stage (and action) its summary names.
        status = last.status if last is not None and last.status == "Succeeded" else ""
        failed = named_in_failure(definition, last)
        stages = []
        for s in definition.get("stages", []):
            stage_failed = failed is not None and failed[0] == s["name"]
            actions = []
            for a in s.get("actions", []):
                action_failed = stage_failed and failed[1] in ("", a["name"]) and (
                    failed[1] or len(s.get("actions", [])) == 1)
                actions.append(PipelineAction(a["name"], a.get("actionTypeId", {}).get("category", ""),
                                              "Failed" if action_failed else status,
                                              error=last.summary if action_failed and last else "",
                                              project=build_project_of(a)))
            stages.append(PipelineStage(s["name"], "Failed" if stage_failed else status, tuple(actions),
                                        last.id if last else ""))
        return tuple(stages)

    def execution(self, pipeline: str, execution_id: str) -> PipelineExecution:
        raw = self.call("codepipeline", "get_pipeline_execution", pipelineName=pipeline,
                        pipelineExecutionId=execution_id)["pipelineExecution"]
        for summary in self.call("codepipeline", "list_pipeline_executions", pipelineName=pipeline,
                                 maxResults=HISTORY).get("pipelineExecutionSummaries", []):
            if summary.get("pipelineExecutionId") == execution_id:
                return execution_from(pipeline, summary)
        return execution_from(pipeline, raw)

    def build_projects(self) -> tuple[BuildProject, ...]:
        names = list(self.pages("codebuild", "list_projects", "projects"))
        projects = []
        for i in range(0, len(names), 100):
            for p in self.call("codebuild", "batch_get_projects", names=names[i:i + 100]).get("projects", []):
                projects.append(p)
        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="aws-builds") as pool:
            builds = list(pool.map(lambda p: self.builds(p.get("name", "")), projects))
        return tuple(sorted((BuildProject(
            name=p.get("name", ""), description=p.get("description", ""),
            source=(p.get("source") or {}).get("location", "") or (p.get("source") or {}).get("type", ""),
            builds=b) for p, b in zip(projects, builds, strict=True)), key=lambda p: p.name))

    def builds(self, project: str, limit: int = BUILDS) -> tuple[Build, ...]:
        ids = self.call("codebuild", "list_builds_for_project", projectName=project,
                        sortOrder="DESCENDING").get("ids", [])[:25]
        if not ids:
            return ()
        builds = self._builds_by_id(ids)
        epoch = datetime.min.replace(tzinfo=self.clock().tzinfo)
        builds.sort(key=lambda b: b.started or epoch, reverse=True)
        return tuple(builds[:limit])

    def build(self, build_id: str) -> Build:
        found = self._builds_by_id([build_id])
        if not found:
            raise NotFound(f"no build {build_id}", source="codebuild.batch_get_builds")
        return found[0]

    def _builds_by_id(self, ids: list[str]) -> list[Build]:
        """The builds with these ids: completed ones from the cache, the rest from CodeBuild."""
        with self._builds_lock:
            known = {i: self._completed_builds[i] for i in ids if i in self._completed_builds}
        missing = [i for i in ids if i not in known]
        if missing:
            for raw in self.call("codebuild", "batch_get_builds", ids=missing).get("builds", []):
                build = self._build_from(raw)
                known[build.id] = build
                if build.status not in BUILD_RUNNING and build.ended is not None:
                    self._remember_completed(build)
        return [known[i] for i in ids if i in known]

    def _remember_completed(self, build: Build) -> None:
        with self._builds_lock:
            self._completed_builds[build.id] = build
            while len(self._completed_builds) > COMPLETED_CACHE:
                self._completed_builds.pop(next(iter(self._completed_builds)))

    @property
    def cached_builds(self) -> int:
        """How many completed builds are answered from memory."""
        with self._builds_lock:
            return len(self._completed_builds)

    def _build_from(self, b: dict) -> Build:
        build_id = b.get("id", "")
        project = b.get("projectName", "")
        logs = b.get("logs") or {}
        group = logs.get("groupName") or ""
        stream = logs.get("streamName") or ""
        if not group or group == "null":  # CodeBuild's default log location
            group = f"/aws/codebuild/{project}"
        if not stream or stream == "null":
            stream = build_id.partition(":")[2]
        region = self.region
        return Build(
            id=build_id, project=project, number=int(b.get("buildNumber") or 0),
            status=b.get("buildStatus", ""), current_phase=b.get("currentPhase", ""),
            started=_ts(b.get("startTime")), ended=_ts(b.get("endTime")),
            source_version=b.get("resolvedSourceVersion") or b.get("sourceVersion") or "",
            initiator=b.get("initiator", ""), phases=phases_from(b.get("phases") or []),
            log_group=group, log_stream=stream,
            console_url=f"https://{region}.console.aws.amazon.com/codesuite/codebuild/projects/"
                        f"{quote(project)}/build/{quote(build_id)}/?region={region}",
        )

    def build_log(self, build: Build, limit: int = 500, since: float | None = None) -> tuple[LogLine, ...]:
        """The last ``limit`` lines of a build's CloudWatch log stream (``limit`` < 0: up to 10,000),
        or, with ``since`` (epoch seconds), the lines from then on."""
        params: dict[str, Any] = {"logGroupName": build.log_group, "logStreamName": build.log_stream,
                                  "limit": 10000 if limit < 0 else min(limit, 10000)}
        if since is not None:
            params.update(startTime=int(since * 1000), startFromHead=True)
        else:
            params["startFromHead"] = False
        raw = self.call("logs", "get_log_events", **params).get("events", [])
        tz = self.clock().tzinfo
        return tuple(LogLine(datetime.fromtimestamp(e["timestamp"] / 1000, tz) if "timestamp" in e else None,
                             str(e.get("message", "")).rstrip("\n")) for e in raw)

    # -- mutations (each takes an explicit timeout; called only by the guarded runner) ---
    def start_pipeline_execution(self, name: str, *, timeout: float) -> str:
        return self.call("codepipeline", "start_pipeline_execution", timeout=timeout, name=name)["pipelineExecutionId"]

    def retry_stage_execution(self, name: str, stage: str, execution_id: str, *, timeout: float) -> str:
        return self.call("codepipeline", "retry_stage_execution", timeout=timeout, pipelineName=name,
                         stageName=stage, pipelineExecutionId=execution_id,
                         retryMode="FAILED_ACTIONS")["pipelineExecutionId"]

    def stop_pipeline_execution(self, name: str, execution_id: str, *, abandon: bool, reason: str,
                                timeout: float) -> str:
        return self.call("codepipeline", "stop_pipeline_execution", timeout=timeout, pipelineName=name,
                         pipelineExecutionId=execution_id, abandon=abandon,
                         reason=reason[:200])["pipelineExecutionId"]

    def put_approval_result(self, name: str, stage: str, action: str, token: str, *, approved: bool,
                            summary: str, timeout: float) -> None:
        self.call("codepipeline", "put_approval_result", timeout=timeout, pipelineName=name, stageName=stage,
                  actionName=action, token=token,
                  result={"summary": summary[:512], "status": "Approved" if approved else "Rejected"})

    def start_build(self, project: str, *, timeout: float) -> str:
        return self.call("codebuild", "start_build", timeout=timeout, projectName=project)["build"]["id"]

    def stop_build(self, build_id: str, *, timeout: float) -> str:
        return self.call("codebuild", "stop_build", timeout=timeout, id=build_id)["build"].get("buildStatus", "")


def build_project_of(action: dict) -> str:
    """The CodeBuild project a pipeline action runs, from its definition ("" for others)."""
    if action.get("actionTypeId", {}).get("provider") != "CodeBuild":
        return ""
    return str((action.get("configuration") or {}).get("ProjectName", ""))
