"""The guarded-action flow as plain functions, callable from a worker thread.

The Textual glue (screens/guarded.py) calls, in order:

1. :func:`gate` on the main thread: a refusal reason (read-only) or None;
   :func:`refuse` records a refusal;
2. :func:`previews` in a worker: each target's preview (before → after, dry run);
3. after the confirmation modal, :func:`decline` or :func:`execute` in a worker.

:func:`execute` refuses the whole action when the journal cannot prove the writes
(``Journal.check_writable`` reserves the space); otherwise, per target: audit
"requested" *before* executing (the intent), run the executor in a thread joined with
the spec's timeout, run the verification with progress until its deadline, then write
the one outcome record and the changelog entry (console.actions.intent.Intent).
A bulk action is one confirmation and one record per target.

The outcomes (spec.Outcome, the same words everywhere): ``succeeded`` only when the
verification saw the target converge; ``applied, not verified`` when it was executed but
the verification timed out (with the last observed state) or the spec has none;
``failed`` with the server's reason (a call without an answer in time is failed too: it
may still complete); ``declined``; ``refused``; ``abandoned`` when the console quit
while it ran; ``reconciled at next start`` after a crash (console.actions.reconcile).

What goes where: the audit log gets every record; the changelog gets one entry per
executed target with its final outcome — declined and refused actions changed nothing,
so they stay out of the human changelog. A changelog entry that cannot be written stays
in the audit log and is retried (``Journal.retry_pending``, and at the next start).
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from console import clock
from console.actions import followup
from console.actions.intent import JOIN_GRACE, ActionRun, Intent, Stopped, run_with_timeout, writer_stamp
from console.actions.journal import Journal, JournalUnwritable
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Change, Outcome, Preview, Progress, Risk, Target
from console.actions.team import TeamHooks, null_step
from console.errors import OpsError, TimedOut


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
        return self.outcome.executed and bool(self.action_id)


@dataclass(frozen=True)
class PreviewResult:
    preview: Preview | None
    error: str = ""


def describe(exc: BaseException) -> str:
    if isinstance(exc, OpsError):
        return f"{exc.title}: {exc}"
    return f"{type(exc).__name__}: {exc}"


# -- 1. gate ----------------------------------------------------------------------------
def gate(spec: ActionSpec, read_only: bool, context_read_only: Callable[[str], bool] | bool = False,
         generations: Mapping[str, int] | None = None) -> str | None:
    """Why the action may not run now, or None.

    ``read_only`` is the global switch (``--read-only``); ``context_read_only`` tells
    whether a context is read-only (``Config.is_read_only_context``, applied to every
    target's context, as the tabs apply it to theirs), or is a plain bool for "the
    origin's context is read-only". ``generations`` (``Services.generations()``): a spec
    built before its backend was switched is refused (see :func:`stale_reason`).
    """
    if not spec.targets:
        return f"{spec.verb}: no target selected"
    stale = stale_reason(spec, generations)
    if stale:
        return stale
    if isinstance(context_read_only, bool):
        if read_only:
            return read_only_reason(True, lambda _: False, None)
        return "this context is read-only" if context_read_only else None
    for target in spec.targets:
        why = read_only_reason(read_only, context_read_only, target.context)
        if why:
            return why
    return None


def read_only_reason(read_only: bool, context_read_only: Callable[[str], bool], context: str | None) -> str | None:
    """The one read-only decision: the runner refuses with it and tabs dim their keys with it."""
    if read_only:
        return "read-only mode is on (--read-only or general.read_only)"
    if context and context_read_only(context):
        return f"context {context} is read-only (config kubernetes.read_only_contexts)"
    return None


def stale_reason(spec: ActionSpec, generations: Mapping[str, int] | None) -> str | None:
    """Why a spec built on an older generation of its backend may not run, or None."""
    if spec.generation is None or generations is None or spec.backend not in generations:
        return None
    now = generations[spec.backend]
    if spec.generation == now:
        return None
    target = spec.targets[0]
    return (f"{spec.title}: built for {spec.backend} {target.context or '?'} before a switch "
            f"(generation {spec.generation}, now {now}); nothing was done — open it again on the new target")


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
            out[target] = PreviewResult(run_with_timeout(lambda t=target: preview(t), spec.timeout,
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


def _changes(previewed: Mapping[Target, PreviewResult] | None, target: Target) -> tuple[Change, ...]:
    result = (previewed or {}).get(target)
    return result.preview.changes if result is not None and result.preview is not None else ()


def _run_one(spec: ActionSpec, intent: Intent, progress: Progress, stop: threading.Event) -> tuple[Outcome, str]:
    """Execute then verify one target; the outcome in the one vocabulary (spec.Outcome)."""
    target = intent.target
    progress(f"{spec.verb} {target.label}: executing (timeout {spec.timeout:g}s)")
    intent.enter("executing", spec.timeout)
    try:
        detail = run_with_timeout(lambda: spec.execute(target, spec.timeout), spec.timeout,
                                  f"{spec.verb} {target.label}", stop)
    except Stopped:
        return Outcome.ABANDONED, f"outcome unknown: {intent.executed_text()}"
    except TimedOut as exc:
        intent.timed_out = "execute"
        later = "; the console keeps checking whether it happened" if spec.verify is not None else ""
        return Outcome.FAILED, f"no answer in time: {exc.body}{later}"
    except Exception as exc:  # noqa: BLE001 - every failure becomes a "failed" record
        return Outcome.FAILED, describe(exc)
    detail = str(detail) if detail else ""
    if spec.verify is None:
        return Outcome.APPLIED, "; ".join(filter(None, [detail, "this action has no verification"]))
    progress(f"{spec.verb} {target.label}: verifying (up to {spec.verify_timeout:g}s)")
    intent.enter("verifying", spec.verify_timeout)
    deadline = time.monotonic() + spec.verify_timeout

    def observe(line: str) -> None:
        intent.last_observed = " ".join(str(line).split())[:300]
        progress(line)

    try:
        run_with_timeout(lambda: spec.verify(target, observe, deadline), spec.verify_timeout,
                         f"verifying {target.label}", stop)
    except Stopped:
        return Outcome.ABANDONED, f"outcome unknown: {intent.executed_text()}"
    except TimedOut as exc:
        intent.timed_out = "verify"
        seen = f"; last observed: {intent.last_observed}" if intent.last_observed else ""
        return Outcome.APPLIED, f"verification timed out: {exc.body}{seen}"
    except Exception as exc:  # noqa: BLE001
        return Outcome.FAILED, f"executed, but verification failed: {describe(exc)}"
    return Outcome.SUCCEEDED, detail or (f"verified: {intent.last_observed}" if intent.last_observed else "verified")


def execute(
    spec: ActionSpec,
    reason: str,
    journal: Journal,
    progress: Progress,
    operator: Operator,
    previewed: Mapping[Target, PreviewResult] | None = None,
    run: ActionRun | None = None,
    hooks: TeamHooks | None = None,
) -> list[TargetResult]:
    """Run a confirmed action, one target after another; see the module docstring.

    ``run`` (an :class:`ActionRun`) lets the caller watch the intents and stop at exit;
    a target not started when it stops gets no record (it was never requested).
    ``hooks`` (console/actions/team.py) take each target's lock before executing (a held
    lock refuses that target), release it after, and record a Kubernetes Event.
    """
    run = run or ActionRun(spec.title)
    try:
        return _execute(spec, reason, journal, progress, operator, previewed, run, hooks)
    finally:
        run.done.set()


def _execute(spec: ActionSpec, reason: str, journal: Journal, progress: Progress, operator: Operator,
             previewed: Mapping[Target, PreviewResult] | None, run: ActionRun,
             hooks: TeamHooks | None = None) -> list[TargetResult]:
    try:
        journal.check_writable(reserve=len(spec.targets))
    except JournalUnwritable as exc:
        progress(f"refused: {exc.body}")
        return refuse(spec, f"refused before execution: {exc.body}", journal, operator)
    batch = str(uuid.uuid4())
    results: list[TargetResult] = []
    for index, target in enumerate(spec.targets):
        if run.stop.is_set():
            results += [TargetResult(t, Outcome.ABANDONED, "not started: the console quit") for t in spec.targets[index:]]
            break
        action_id = str(uuid.uuid4())
        common = dict(operator=operator, batch_id=batch, reason=reason, changes=_changes(previewed, target))

        def make(outcome: Outcome, detail: str = "", duration: float | None = None,
                 _target: Target = target, _id: str = action_id, _common: dict = common) -> dict[str, Any]:
            record = make_record(spec, _target, outcome, action_id=_id, detail=detail, duration=duration, **_common)
            record["writer"] = writer_stamp()
            return record

        step = hooks.begin(spec, target, operator, action_id, reason, progress) if hooks else null_step(spec, target)
        if step.refusal:
            progress(f"{spec.verb} {target.label}: {step.refusal}")
            results += refuse(dataclasses.replace(spec, targets=(target,)), step.refusal, journal, operator)
            continue
        requested = make(Outcome.REQUESTED)
        requested["expected_by"] = round(clock.now() + spec.timeout + spec.verify_timeout + 2 * JOIN_GRACE, 3)
        try:
            journal.audit(requested)
        except JournalUnwritable as exc:
            step.end(None, "")
            why = f"refused before execution: {exc.body}"
            progress(why)
            results += [TargetResult(t, Outcome.REFUSED, why) for t in spec.targets[index:]]
            break
        intent = Intent(spec.verb, target, action_id, make)
        run.intents.append(intent)
        outcome, detail = _run_one(step.spec, intent, progress, run.stop)
        detail = step.end(outcome, detail)
        try:
            if not intent.close(journal, outcome, detail):
                outcome, detail = intent.outcome or outcome, intent.detail
        except JournalUnwritable as exc:
            detail = f"{detail}; the outcome could not be recorded ({exc.body}): the next start reconciles it"
        if intent.changelog_error:
            detail = f"{detail}; changelog entry pending ({intent.changelog_error}): kept in the audit log"
        if intent.outcome is outcome and followup.wanted(step.spec, outcome, intent.timed_out):
            run.followups.append(followup.watch(step.spec, target, make, journal, stop=run.stop))
        progress(f"{spec.verb} {target.label}: {outcome.value}" + (f": {detail}" if detail else ""))
        results.append(TargetResult(target, outcome, detail, time.monotonic() - intent.started, action_id))
    journal.retry_pending()
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
