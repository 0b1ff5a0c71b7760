"""Action specs for the Pipelines tab: the tab describes each change, the runner performs it.

Pure functions (no widgets): they take the adapter, the row's model and the AWS context,
and return a ``console.actions.ActionSpec``. Executors call the adapter's mutating
methods with the runner's timeout; verifiers poll read methods until the change shows.
"""

from __future__ import annotations

import time
from typing import Any

from console.actions import ActionSpec, Change, Preview, Risk, Target
from console.capabilities import PipelineControl
from console.errors import TimedOut
from console.models.aws import Build, BuildProject, Pipeline, PipelineStage


def aws_target(kind: str, name: str, info: Any, id: str = "") -> Target:
    """A target in the connected account/profile and region (from the tab's BackendInfo)."""
    extra = getattr(info, "extra", {}) or {}
    context = f"{extra.get('profile', 'default')} ({extra.get('account', '?')})"
    return Target(kind, name, "aws", context, namespace=extra.get("region", ""), id=id,
                  production=bool(getattr(info, "production", False)))


def _poll(check, progress, deadline: float, what: str, interval: float = 1.0) -> None:
    while True:
        done, note = check()
        progress(note)
        if done:
            return
        if time.monotonic() > deadline:
            raise TimedOut(f"{what}: {note}", source="verify")
        time.sleep(interval)


def start_execution(adapter: PipelineControl, pipeline: Pipeline, info: Any) -> ActionSpec:
    before = len(pipeline.executions)
    last = pipeline.last_execution

    def verify(target: Target, progress, deadline: float) -> None:
        def check():
            now = adapter.pipeline(target.name)
            return len(now.executions) > before, f"{len(now.executions)} executions, latest {now.status}"
        _poll(check, progress, deadline, f"no new execution of {target.name}")

    return ActionSpec(
        generation=adapter.generation,
        verb="start execution", risk=Risk.HIGH, summary=f"start pipeline {pipeline.name}",
        targets=(aws_target("pipeline", pipeline.name, info),),
        execute=lambda t, timeout: adapter.start_pipeline_execution(t.name, timeout=timeout),
        preview=lambda t: Preview((Change("latest execution", f"{last.status} {last.id[:8]}" if last else "none",
                                          "a new execution of the latest source revision"),)),
        verify=verify, verify_timeout=60.0,
        undo_hint="stop the new execution from the Pipelines tab (x) if it was started by mistake",
    )


def _execution_status(pipeline: Pipeline, execution_id: str) -> str:
    found = next((e for e in pipeline.executions if e.id == execution_id), None)
    return found.status if found is not None else "unknown"


def execution_changed(adapter: PipelineControl, execution_id: str, before: str, what: str,
                      done: frozenset[str] = frozenset()):
    """A Verifier that reads the execution back until its status left ``before`` (or is in
    ``done``): "the API answered" is not proof that anything changed."""
    def verify(target: Target, progress, deadline: float) -> None:
        def check():
            now = _execution_status(adapter.pipeline(target.name), execution_id)
            return (now != before or now in done), f"execution {execution_id[:8]}: {before} → {now}"
        _poll(check, progress, deadline, what)
    return verify


def approval_answered(adapter: PipelineControl, stage: str, action: str, what: str):
    """A Verifier that reads the pipeline back until the approval no longer waits."""
    def verify(target: Target, progress, deadline: float) -> None:
        def check():
            now = next((s for s in adapter.pipeline(target.name).stages if s.name == stage), None)
            pending = now.pending_approval if now is not None else None
            waiting = pending is not None and pending.name == action
            return not waiting, f"approval {stage}/{action}: {'still waiting' if waiting else 'answered'}"
        _poll(check, progress, deadline, what)
    return verify


def retry_stage(adapter: PipelineControl, pipeline: Pipeline, stage: PipelineStage, info: Any) -> ActionSpec:
    execution_id = stage.execution_id or (pipeline.last_execution.id if pipeline.last_execution else "")
    failed = stage.failed_action
    return ActionSpec(
        generation=adapter.generation,
        verb="retry stage", risk=Risk.HIGH, summary=f"retry stage {stage.name} of {pipeline.name}",
        targets=(aws_target("pipeline", pipeline.name, info, id=execution_id),),
        execute=lambda t, timeout: adapter.retry_stage_execution(t.name, stage.name, t.id, timeout=timeout),
        preview=lambda t: Preview((Change(f"stage {stage.name}", stage.status or "unknown", "retry failed actions"),),
                                  notes=(f"failed action {failed.name}: {failed.error}",) if failed else ()),
        verify=execution_changed(adapter, execution_id, _execution_status(pipeline, execution_id),
                                 f"execution {execution_id[:8]} of {pipeline.name} did not resume"),
        verify_timeout=60.0,
        undo_hint="none: a retry re-runs the failed actions of the same execution",
        details={"stage": stage.name, "execution": execution_id},
    )


def stop_execution(adapter: PipelineControl, pipeline: Pipeline, info: Any, abandon: bool) -> ActionSpec:
    last = pipeline.last_execution
    execution_id = last.id if last else ""
    mode = "stop and abandon" if abandon else "stop (finish in-progress actions)"
    return ActionSpec(
        generation=adapter.generation,
        verb="abandon execution" if abandon else "stop execution",
        risk=Risk.DESTRUCTIVE if abandon else Risk.HIGH,
        summary=f"{mode}: {pipeline.name} {execution_id[:8]}",
        targets=(aws_target("pipeline", pipeline.name, info, id=execution_id),),
        execute=lambda t, timeout: adapter.stop_pipeline_execution(
            t.name, t.id, abandon=abandon, reason="stopped from opsconsole", timeout=timeout),
        preview=lambda t: Preview((Change("execution", last.status if last else "none", "Stopping → Stopped"),),
                                  notes=("abandon: in-progress actions are not waited for",) if abandon else ()),
        verify=execution_changed(adapter, execution_id, last.status if last else "unknown",
                                 f"execution {execution_id[:8]} of {pipeline.name} did not stop",
                                 done=frozenset({"Stopping", "Stopped"})),
        verify_timeout=60.0,
        undo_hint="start a new execution (s) once the cause is fixed",
        details={"execution": execution_id, "abandon": str(abandon).lower()},
    )


def approval(adapter: PipelineControl, pipeline: Pipeline, stage: PipelineStage, info: Any, approved: bool,
             reason: str) -> ActionSpec:
    action = stage.pending_approval
    verb = "approve" if approved else "reject"
    return ActionSpec(
        generation=adapter.generation,
        verb=verb, risk=Risk.HIGH, summary=f"{verb} {pipeline.name}/{stage.name}: {reason}",
        targets=(aws_target("pipeline", pipeline.name, info),),
        execute=lambda t, timeout: adapter.put_approval_result(
            t.name, stage.name, action.name, action.approval_token, approved=approved, summary=reason,
            timeout=timeout),
        preview=lambda t: Preview((Change(f"approval {action.name}", "waiting", "Approved" if approved else "Rejected"),),
                                  notes=(f"reason sent to CodePipeline: {reason}",)),
        verify=approval_answered(adapter, stage.name, action.name,
                                 f"approval {stage.name}/{action.name} of {pipeline.name} still waits"),
        verify_timeout=60.0,
        undo_hint="none: an approval answer is final; start a new execution to deploy again",
        details={"stage": stage.name, "action": action.name, "approval_reason": reason},
    )


def start_build(adapter: PipelineControl, project: BuildProject, info: Any) -> ActionSpec:
    def verify(target: Target, progress, deadline: float) -> None:
        def check():
            builds = adapter.builds(target.name)
            return len(builds) > len(project.builds), f"{len(builds)} builds"
        _poll(check, progress, deadline, f"no new build of {target.name}")

    return ActionSpec(
        generation=adapter.generation,
        verb="start build", risk=Risk.LOW, summary=f"start build of {project.name}",
        targets=(aws_target("build project", project.name, info),),
        execute=lambda t, timeout: adapter.start_build(t.name, timeout=timeout),
        preview=lambda t: Preview((Change("builds", str(len(project.builds)), str(len(project.builds) + 1)),)),
        verify=verify, verify_timeout=60.0, undo_hint="stop the build (x) if it was started by mistake",
    )


def stop_build(adapter: PipelineControl, build: Build, info: Any) -> ActionSpec:
    def verify(target: Target, progress, deadline: float) -> None:
        def check():
            status = adapter.build(target.id).status
            return status != "IN_PROGRESS", f"build {status}"
        _poll(check, progress, deadline, f"build {target.id} still running")

    return ActionSpec(
        generation=adapter.generation,
        verb="stop build", risk=Risk.HIGH, summary=f"stop build {build.project} #{build.number}",
        targets=(aws_target("build", f"{build.project}#{build.number}", info, id=build.id),),
        execute=lambda t, timeout: adapter.stop_build(t.id, timeout=timeout),
        preview=lambda t: Preview((Change("status", build.status, "STOPPED"),)),
        verify=verify, verify_timeout=60.0, undo_hint="start a new build (s)",
    )
