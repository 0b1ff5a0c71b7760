"""Deploy, rollback and pause/resume of a Deployment as guarded actions, verified by
watching the rollout (the live watch screen is screens/rollout_watch.py).

``KubeRolloutFlow`` wraps a RolloutBackend (or any object with its
methods) for one Deployment, and builds the ActionSpecs the wizards hand to
``app.run_guarded``. Each spec's verification is the rollout watch: progress lines go to
the runner's live log; a failure raises ``RolloutFailed`` whose text names the failing
pods' reasons and last log lines, and the spec's ``undo`` is the one-step rollback.
``details`` carry before → after images and revisions into the audit record and changelog.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from console.actions import ActionSpec, Change, Preview, Risk, Target
from console.actions.undo import UndoFactory, target_from_record
from console.errors import OpsError, TimedOut
from console.models.rollout import (
    DryRun,
    Phase,
    Revision,
    RolloutFailed,
    RolloutPlan,
    RolloutSnapshot,
    images_text,
)

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.rollout import RolloutBackend
    from console.services import Services

Watch = Callable[[float], Iterator[RolloutSnapshot]]  # timeout -> snapshots


def watch_verifier(watch: Watch, what: str) -> Callable[[Target, Callable[[str], None], float], None]:
    """A Verifier that follows ``watch`` until the rollout completes; raises on anything else."""

    def verify(target: Target, progress: Callable[[str], None], deadline: float) -> None:
        last: RolloutSnapshot | None = None
        shown = ""
        pods: dict[str, str] = {}
        for snap in watch(max(0.0, deadline - time.monotonic() - 0.5)):
            last = snap
            if snap.progress_text != shown:
                shown = snap.progress_text
                progress(f"{what}: {shown}")
            for pod in snap.pods:  # new pods' states, when they change
                if pods.get(pod.name) != pod.text:
                    pods[pod.name] = pod.text
                    progress(f"  pod {pod.text}")
            for warning in snap.warnings:
                progress(f"warning: {warning}")
        if last is None:
            raise RolloutFailed("the watch returned nothing", source="rollout.watch")
        if last.phase is Phase.COMPLETE:
            progress(f"{what}: healthy after {last.elapsed:.1f}s")
            return
        why = last.failure_text()
        for line in why.splitlines()[1:]:
            progress(line)
        if last.phase is Phase.TIMED_OUT:
            raise TimedOut(why, source="rollout.watch")
        raise RolloutFailed(why, source="rollout.watch")

    return verify


FAILED_OUTCOMES = frozenset({"failed", "timed out"})
ROLLOUT_VERBS = frozenset({"set image", "deploy", "rollback"})


def failed_images(audit_path: Any, target: Target) -> frozenset[str]:
    """THREAD: the image sets ("name=image, …") whose rollout on ``target`` failed before,
    from the audit log (an unreadable log means none are known)."""
    from console.actions.journal import read_audit

    try:
        records = read_audit(audit_path).records
    except (OSError, OpsError):
        return frozenset()
    return frozenset(
        str((r.get("undo_params") or {}).get("images_after", "")) for r in records
        if r.get("outcome") in FAILED_OUTCOMES and r.get("verb") in ROLLOUT_VERBS
        and (r.get("backend"), r.get("context"), r.get("namespace"), (r.get("target") or {}).get("name"))
        == (target.backend, target.context, target.namespace, target.name)) - {""}


def failed_revisions(history: tuple[Revision, ...], audit_path: Any, target: Target) -> frozenset[int]:
    """THREAD: revisions whose images failed to roll out here before (skipped by default)."""
    bad = failed_images(audit_path, target)
    return frozenset(r.number for r in history if images_text(r.images) in bad)


def default_rollback(history: tuple[Revision, ...], failed: frozenset[int] = frozenset()) -> Revision | None:
    """The previous healthy revision: the newest non-current one not known to have failed
    (else the newest non-current one, like ``kubectl rollout undo``)."""
    older = [r for r in history if not r.current]
    healthy = [r for r in older if r.number not in failed]
    return (healthy or older or [None])[0]


def plan_changes(plan: RolloutPlan, after_revision: str) -> tuple[Change, ...]:
    moved = [c for c in plan.changes if c.changed] or list(plan.changes)
    changes = tuple(Change(f"image {c.container}", c.before, c.after) for c in moved)
    return changes + (Change("revision", str(plan.revision_before), after_revision),)


def plan_notes(plan: RolloutPlan) -> tuple[str, ...]:
    notes = [f"strategy: {plan.strategy}", f"replicas: {plan.replicas}"]
    if plan.pdb:
        notes.append(f"PodDisruptionBudget: {plan.pdb}")
    return (*notes, *plan.notes)


def plan_details(plan: RolloutPlan, **extra: str) -> dict[str, str]:
    return {"images_before": plan.images_before, "images_after": plan.images_after,
            "revision_before": str(plan.revision_before), "revision_after": str(plan.revision_after or "new"),
            **extra}


class KubeRolloutFlow:
    """One Deployment's deploy/rollback/pause actions (methods marked THREAD do I/O)."""

    kind = "deployment"
    can_pause = True

    def __init__(self, backend: RolloutBackend, namespace: str, name: str, watch_interval: float | None = None,
                 verify_timeout: float | None = None) -> None:
        """Unset ``watch_interval``/``verify_timeout`` come from ``config.kubernetes``
        (``rollout_poll_seconds`` / ``rollout_timeout``)."""
        self.backend, self.namespace, self.name = backend, namespace, name
        kube = backend.config.kubernetes
        self.watch_interval = float(watch_interval if watch_interval is not None else kube.rollout_poll_seconds)
        self.verify_timeout = float(verify_timeout if verify_timeout is not None else kube.rollout_timeout)

    @property
    def target(self) -> Target:
        context = self.backend.context or "?"
        return Target("deployment", self.name, "kubernetes", context, self.namespace,
                      production=self.backend.config.is_production_context(context))

    @property
    def label(self) -> str:
        return f"deployment {self.namespace}/{self.name} @ {self.backend.context or '?'}"

    # -- reads (THREAD) --------------------------------------------------------------------
    def history(self) -> tuple[Revision, ...]:
        return self.backend.history(self.namespace, self.name)

    def containers(self) -> tuple[tuple[str, str], ...]:
        current = next((r for r in self.history() if r.current), None)
        return current.images if current else ()

    def failed_revisions(self, history: tuple[Revision, ...]) -> frozenset[int]:
        return failed_revisions(history, self.backend.config.audit_path, self.target)

    def plan_deploy(self, images: dict[str, str]) -> tuple[RolloutPlan, DryRun]:
        plan = self.backend.plan_set_image(self.namespace, self.name, images)
        return plan, self.backend.dry_run_set_image(self.namespace, self.name, images,
                                                    expect_generation=plan.generation)

    def plan_rollback(self, revision: Revision | None) -> tuple[RolloutPlan, DryRun]:
        number = revision.number if revision else 0
        plan = self.backend.plan_rollback(self.namespace, self.name, number)
        return plan, self.backend.dry_run_rollback(self.namespace, self.name, plan.revision_after,
                                                   expect_generation=plan.generation)

    # -- specs (no I/O: safe on the main thread) ---------------------------------------------
    def watch(self, timeout: float) -> Iterator[RolloutSnapshot]:
        """THREAD: snapshots of the Deployment's rollout until done or ``timeout``."""
        return self.backend.watch_rollout(self.namespace, self.name, timeout=timeout, interval=self.watch_interval)

    def _verify(self) -> Callable[[Target, Callable[[str], None], float], None]:
        return watch_verifier(self.watch, f"{self.namespace}/{self.name}")

    def deploy_spec(self, plan: RolloutPlan, images: dict[str, str]) -> ActionSpec:
        """Set ``images`` as planned; refused when the spec changed since ``plan`` was made."""
        def preview(t: Target) -> Preview:
            dry = self.backend.dry_run_set_image(t.namespace, t.name, images, expect_generation=plan.generation)
            return Preview(plan_changes(plan, "new revision"), dry_run=dry.message, dry_run_ok=dry.ok,
                           notes=plan_notes(plan))

        return ActionSpec(
        generation=self.backend.generation,
            verb="set image", targets=(self.target,), risk=Risk.HIGH, summary=plan.summary,
            execute=lambda t, timeout: self.backend.set_image(t.namespace, t.name, images, timeout=timeout,
                                                              expect_generation=plan.generation),
            preview=preview, verify=self._verify(), verify_timeout=self.verify_timeout, timeout=30.0,
            undo=lambda t: self.rollback_spec(plan.revision_before, plan.images_after, plan.images_before),
            undo_hint=f"roll back to revision {plan.revision_before} ({plan.images_before})",
            details=plan_details(plan, to_revision=str(plan.revision_before)), undo_kind="rollout.rollback")

    def rollback_spec(self, to_revision: int, images_before: str = "", images_after: str = "",
                      revision_before: int = 0, expect_generation: int | None = None, summary: str = "") -> ActionSpec:
        def preview(t: Target) -> Preview:
            fresh = self.backend.plan_rollback(t.namespace, t.name, to_revision)
            dry = self.backend.dry_run_rollback(t.namespace, t.name, to_revision, expect_generation=expect_generation)
            return Preview(plan_changes(fresh, str(to_revision)), dry_run=dry.message, dry_run_ok=dry.ok,
                           notes=plan_notes(fresh) + tuple(d.text for d in fresh.diff if not d.path.endswith(".image")))

        what = f": {images_before} → {images_after}" if images_before and images_after else ""
        return ActionSpec(
        generation=self.backend.generation,
            verb="rollback", targets=(self.target,), risk=Risk.HIGH,
            summary=summary or f"roll back {self.name} to revision {to_revision}{what}",
            execute=lambda t, timeout: self.backend.rollback(t.namespace, t.name, to_revision, timeout=timeout,
                                                             expect_generation=expect_generation),
            preview=preview, verify=self._verify(), verify_timeout=self.verify_timeout, timeout=30.0,
            undo=(lambda t: self.rollback_spec(revision_before, images_after, images_before)) if revision_before else None,
            undo_hint=f"roll back to revision {revision_before}" if revision_before else "roll back again to the revision wanted",
            details={"images_before": images_before, "images_after": images_after, "to_revision": str(to_revision),
                     "revision_before": str(revision_before or "")},
            undo_kind="rollout.rollback" if revision_before else "")

    def rollback_plan_spec(self, plan: RolloutPlan) -> ActionSpec:
        return self.rollback_spec(plan.revision_after, plan.images_before, plan.images_after, plan.revision_before,
                                  expect_generation=plan.generation, summary=plan.summary)

    def pause_spec(self, pause: bool) -> ActionSpec:
        verb = "pause" if pause else "resume"

        def verify(t: Target, progress: Callable[[str], None], deadline: float) -> None:
            paused = bool(self.backend.deployment(t.namespace, t.name).get("spec", {}).get("paused"))
            if paused != pause:
                raise RolloutFailed(f"the Deployment is {'not ' if pause else 'still '}paused", source="rollout.pause")
            progress(f"{t.name}: {'paused' if pause else 'resumed'}")

        return ActionSpec(
        generation=self.backend.generation,
            verb=verb, targets=(self.target,), risk=Risk.LOW, summary=f"{verb} rollout of {self.name}",
            execute=lambda t, timeout: getattr(self.backend, verb)(t.namespace, t.name, timeout=timeout),
            preview=lambda t: Preview((Change("spec.paused", str(not pause).lower(), str(pause).lower()),)),
            verify=verify, verify_timeout=15.0, undo=lambda t: self.pause_spec(not pause),
            undo_hint=f"{'resume' if pause else 'pause'} the rollout", undo_kind="rollout.pause",
            details={"paused_before": str(not pause).lower()})


def rollout_backend(services: Services) -> RolloutBackend:
    """THREAD: the rollout part of the current Kubernetes backend (same client and context)."""
    return services.kubernetes().rollout


def _same_context(services: Any, record: Any) -> Any:
    """The rollout part of the current context; refused when the record names another."""
    backend = rollout_backend(services)
    context = target_from_record(record).context
    if context and backend.context and backend.context != context:
        raise OpsError(f"audit record {record.get('action_id', '?')}: it was done in context {context}, "
                       f"the console is on {backend.context}: switch context first", source="rollout.undo")
    return backend


def _undo_rollback(record: Any, services: Any) -> ActionSpec:
    target = target_from_record(record)
    params = record.get("undo_params") or {}
    revision = params.get("revision_before") or params.get("to_revision") or ""
    if not str(revision).isdigit():
        raise OpsError(f"record {record.get('action_id', '?')} names no revision to go back to", source="rollout.undo")
    flow = KubeRolloutFlow(_same_context(services, record), target.namespace, target.name)
    return flow.rollback_spec(int(revision), params.get("images_after", ""), params.get("images_before", ""))


def _undo_pause(record: Any, services: Any) -> ActionSpec:
    target = target_from_record(record)
    paused_before = (record.get("undo_params") or {}).get("paused_before") == "true"
    return KubeRolloutFlow(_same_context(services, record), target.namespace, target.name).pause_spec(paused_before)


# registered by console.actions.registry.register_all() at start-up
UNDO_FACTORIES: dict[str, UndoFactory] = {"rollout.rollback": _undo_rollback, "rollout.pause": _undo_pause}


