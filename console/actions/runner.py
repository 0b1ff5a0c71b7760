"""The guarded-action flow as plain functions, callable from a worker thread.

The Textual glue (screens/guarded.py) calls, in order:

1. :func:`gate` on the main thread: a refusal reason (read-only) or None;
   :func:`refuse` records a refusal;
2. :func:`previews` in a worker: each target's preview (before → after, dry run);
3. after the confirmation modal, :func:`decline` or :func:`execute` in a worker.

:func:`execute` refuses the whole action when the journal is not writable; otherwise,
per target: audit "requested" *before* executing, run the executor in a thread joined
with the spec's timeout (still running after it → "timed out"), run the verification
with progress until its deadline, then write the outcome record and the changelog entry.
A bulk action is one confirmation and one record per target.

What goes where: the audit log gets every record (requested, succeeded, failed, timed
out, declined, refused); the changelog gets one entry per executed target, with its
final outcome (succeeded, failed, timed out) — declined and refused actions changed
nothing, so they stay out of the human changelog.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from console.actions.journal import Journal, JournalUnwritable
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Change, Outcome, Preview, Progress, Risk, Target
from console.actions.team import TeamHooks, null_step
from console.errors import OpsError, TimedOut

JOIN_GRACE = 0.5  # seconds the runner waits beyond a timeout before giving up on a thread


@dataclass(frozen=True)
class TargetResult:
    target: Target
    outcome: Outcome
    detail: str = ""
    duration: float = 0.0
    action_id: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCEEDED

    @property
    def executed(self) -> bool:
        """The executor ran (the target may have changed)."""
        return self.outcome in (Outcome.SUCCEEDED, Outcome.FAILED, Outcome.TIMED_OUT) and bool(self.action_id)


@dataclass(frozen=True)
class PreviewResult:
    preview: Preview | None
    error: str = ""


def describe(exc: BaseException) -> str:
    if isinstance(exc, OpsError):
        return f"{exc.title}: {exc}"
    return f"{type(exc).__name__}: {exc}"


# -- 1. gate ----------------------------------------------------------------------------
def gate(spec: ActionSpec, read_only: bool, context_read_only: Callable[[str], bool] | bool = False) -> str | None:
    """Why the action may not run now, or None.

    ``read_only`` is the global switch (``--read-only``); ``context_read_only`` tells
    whether a context is read-only (``Config.is_read_only_context``, applied to every
    target's context, as the tabs apply it to theirs), or is a plain bool for "the
    origin's context is read-only".
    """
    if not spec.targets:
        return f"{spec.verb}: no target selected"
    if read_only:
        return "read-only mode is on (--read-only or general.read_only)"
    if isinstance(context_read_only, bool):
        return "this context is read-only" if context_read_only else None
    for target in spec.targets:
        if target.context and context_read_only(target.context):
            return f"context {target.context} is read-only (config kubernetes.read_only_contexts)"
    return None


def refuse(spec: ActionSpec, why: str, journal: Journal, operator: Operator) -> list[TargetResult]:
    """Record a refusal for every target (best effort: an unwritable journal is the usual why)."""
    batch = str(uuid.uuid4())
    results = []
    for target in spec.targets:
        action_id = str(uuid.uuid4())
        try:
            journal.audit(make_record(spec, target, Outcome.REFUSED, operator=operator, action_id=action_id,
                                      batch_id=batch, detail=why))
        except JournalUnwritable:
            action_id = ""
        results.append(TargetResult(target, Outcome.REFUSED, why, action_id=action_id))
    return results


# -- 2. preview -------------------------------------------------------------------------
def previews(spec: ActionSpec) -> dict[Target, PreviewResult]:
    """Each target's preview, each bounded by the spec's timeout; a failure is reported, not raised."""
    preview = spec.preview
    if preview is None:
        return {target: PreviewResult(None) for target in spec.targets}
    out: dict[Target, PreviewResult] = {}
    for target in spec.targets:
        try:
            out[target] = PreviewResult(_run_with_timeout(lambda t=target: preview(t), spec.timeout,
                                                          f"preview of {target.label}"))
        except Exception as exc:  # noqa: BLE001 - any failure is shown in the confirmation
            out[target] = PreviewResult(None, describe(exc))
    return out


# -- 3. decline / execute -----------------------------------------------------------------
def decline(spec: ActionSpec, journal: Journal, operator: Operator, reason: str = "") -> list[TargetResult]:
    """The operator said no: audit "declined" for every target; nothing runs."""
    batch = str(uuid.uuid4())
    results = []
    for target in spec.targets:
        action_id = str(uuid.uuid4())
        journal.audit(make_record(spec, target, Outcome.DECLINED, operator=operator, action_id=action_id,
                                  batch_id=batch, reason=reason))
        results.append(TargetResult(target, Outcome.DECLINED, "declined by the operator", action_id=action_id))
    return results


def _run_with_timeout(fn: Callable[[], Any], timeout: float, what: str) -> Any:
    """Run ``fn`` in a daemon thread; raise TimedOut when it is still running after ``timeout``.

    The thread is joined a little longer (JOIN_GRACE) so that a call honouring its own
    timeout reports its own, more precise error first.
    """
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            box["error"] = exc

    thread = threading.Thread(target=body, name=f"guarded: {what}", daemon=True)
    thread.start()
    thread.join(max(0.0, timeout) + JOIN_GRACE)
    if thread.is_alive():
        raise TimedOut(f"{what} did not finish within {timeout:g}s; it may still complete: check the target")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _changes(previewed: Mapping[Target, PreviewResult] | None, target: Target) -> tuple[Change, ...]:
    result = (previewed or {}).get(target)
    return result.preview.changes if result is not None and result.preview is not None else ()


def _run_one(spec: ActionSpec, target: Target, progress: Progress) -> tuple[Outcome, str]:
    progress(f"{spec.verb} {target.label}: executing (timeout {spec.timeout:g}s)")
    try:
        detail = _run_with_timeout(lambda: spec.execute(target, spec.timeout), spec.timeout, f"{spec.verb} {target.label}")
    except TimedOut as exc:
        return Outcome.TIMED_OUT, exc.body
    except Exception as exc:  # noqa: BLE001 - every failure becomes a "failed" record
        return Outcome.FAILED, describe(exc)
    detail = str(detail) if detail else ""
    if spec.verify is None:
        return Outcome.SUCCEEDED, detail
    progress(f"{spec.verb} {target.label}: verifying (up to {spec.verify_timeout:g}s)")
    deadline = time.monotonic() + spec.verify_timeout
    try:
        _run_with_timeout(lambda: spec.verify(target, progress, deadline), spec.verify_timeout,
                          f"verifying {target.label}")
    except TimedOut as exc:
        return Outcome.TIMED_OUT, f"executed, but not verified: {exc.body}"
    except Exception as exc:  # noqa: BLE001
        return Outcome.FAILED, f"executed, but verification failed: {describe(exc)}"
    return Outcome.SUCCEEDED, detail or "verified"


def execute(
    spec: ActionSpec,
    reason: str,
    journal: Journal,
    progress: Progress,
    operator: Operator,
    previewed: Mapping[Target, PreviewResult] | None = None,
    hooks: TeamHooks | None = None,
) -> list[TargetResult]:
    """Run a confirmed action, one target after another; see the module docstring.

    ``hooks`` (console/actions/team.py) take each target's lock before executing (a held
    lock refuses that target), release it after, and record a Kubernetes Event."""
    try:
        journal.check_writable()
    except JournalUnwritable as exc:
        progress(f"refused: {exc.body}")
        return [TargetResult(t, Outcome.REFUSED, f"refused before execution: {exc.body}") for t in spec.targets]
    batch = str(uuid.uuid4())
    results: list[TargetResult] = []
    for index, target in enumerate(spec.targets):
        action_id = str(uuid.uuid4())
        changes = _changes(previewed, target)
        common = dict(operator=operator, batch_id=batch, reason=reason, changes=changes)
        step = hooks.begin(spec, target, operator, action_id, reason, progress) if hooks else null_step(spec, target)
        if step.refusal:
            progress(f"{spec.verb} {target.label}: {step.refusal}")
            results += refuse(dataclasses.replace(spec, targets=(target,)), step.refusal, journal, operator)
            continue
        try:
            journal.audit(make_record(spec, target, Outcome.REQUESTED, action_id=action_id, **common))
        except JournalUnwritable as exc:
            step.end(None, "")
            why = f"refused before execution: {exc.body}"
            progress(why)
            results += [TargetResult(t, Outcome.REFUSED, why) for t in spec.targets[index:]]
            break
        started = time.monotonic()
        outcome, detail = _run_one(step.spec, target, progress)
        detail = step.end(outcome, detail)
        duration = time.monotonic() - started
        progress(f"{spec.verb} {target.label}: {outcome.value}" + (f": {detail}" if detail else ""))
        try:
            journal.write(make_record(spec, target, outcome, action_id=action_id, detail=detail,
                                      duration=duration, **common))
        except JournalUnwritable as exc:
            detail = f"{detail}; the outcome could not be recorded: {exc.body}".lstrip("; ")
            progress(detail)
        results.append(TargetResult(target, outcome, detail, duration, action_id))
    return results


# -- undo -------------------------------------------------------------------------------
def undo_spec(spec: ActionSpec, results: list[TargetResult]) -> ActionSpec | None:
    """One inverse action covering every target that was executed but did not succeed."""
    if spec.undo is None:
        return None
    failed = [r.target for r in results if r.executed and not r.ok]
    if not failed:
        return None
    inverses = {target: spec.undo(target) for target in failed}
    if len(inverses) == 1:
        return next(iter(inverses.values()))
    first = next(iter(inverses.values()))
    risks = [s.risk for s in inverses.values()]
    risk = Risk.DESTRUCTIVE if Risk.DESTRUCTIVE in risks else Risk.HIGH if Risk.HIGH in risks else Risk.LOW
    with_preview = all(s.preview is not None for s in inverses.values())
    with_verify = all(s.verify is not None for s in inverses.values())
    return ActionSpec(
        verb=first.verb,
        targets=tuple(t for s in inverses.values() for t in s.targets),
        risk=risk,
        execute=lambda t, timeout: _owner(inverses, t).execute(t, timeout),
        preview=(lambda t: _owner(inverses, t).preview(t)) if with_preview else None,
        verify=(lambda t, p, d: _owner(inverses, t).verify(t, p, d)) if with_verify else None,
        undo_hint=first.undo_hint,
        timeout=max(s.timeout for s in inverses.values()),
        verify_timeout=max(s.verify_timeout for s in inverses.values()),
        summary=f"undo {spec.verb} on {len(failed)} targets",
        details=dict(first.details),
        undo_kind=first.undo_kind,
    )


def _owner(inverses: Mapping[Target, ActionSpec], target: Target) -> ActionSpec:
    for inverse in inverses.values():
        if target in inverse.targets:
            return inverse
    raise KeyError(target)
