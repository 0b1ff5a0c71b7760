"""Deploy, rollback and pause/resume as guarded actions, verified by watching the rollout;
and the live rollout watch screen.

``KubeRolloutFlow`` wraps a RolloutBackend (or any object with its
methods) for one Deployment, and builds the ActionSpecs the wizards hand to
``app.run_guarded``. Each spec's verification is the rollout watch: progress lines go to
the runner's live log; a failure raises ``RolloutFailed`` whose text names the failing
pods' reasons and last log lines, and the spec's ``undo`` is the one-step rollback.
``details`` carry before → after images and revisions into the audit record and changelog.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Log, Static

from console.actions import ActionSpec, Change, Preview, Risk, Target
from console.actions.undo import register_undo, target_from_record
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
from console.text import safe_text, strip_control
from screens.base import describe_error

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

    def __init__(self, backend: Any, namespace: str, name: str, watch_interval: float | None = None,
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
            verb=verb, targets=(self.target,), risk=Risk.LOW, summary=f"{verb} rollout of {self.name}",
            execute=lambda t, timeout: getattr(self.backend, verb)(t.namespace, t.name, timeout=timeout),
            preview=lambda t: Preview((Change("spec.paused", str(not pause).lower(), str(pause).lower()),)),
            verify=verify, verify_timeout=15.0, undo=lambda t: self.pause_spec(not pause),
            undo_hint=f"{'resume' if pause else 'pause'} the rollout", undo_kind="rollout.pause",
            details={"paused_before": str(not pause).lower()})


def rollout_backend(services: Any) -> Any:
    """THREAD: the rollout part of the current Kubernetes backend (same client and context)."""
    return services.kubernetes().rollout


def _undo_rollback(record: Any, services: Any) -> ActionSpec:
    target = target_from_record(record)
    params = record.get("undo_params") or {}
    revision = params.get("revision_before") or params.get("to_revision") or ""
    if not str(revision).isdigit():
        raise OpsError(f"record {record.get('action_id', '?')} names no revision to go back to", source="rollout.undo")
    flow = KubeRolloutFlow(rollout_backend(services), target.namespace, target.name)
    return flow.rollback_spec(int(revision), params.get("images_after", ""), params.get("images_before", ""))


def _undo_pause(record: Any, services: Any) -> ActionSpec:
    target = target_from_record(record)
    paused_before = (record.get("undo_params") or {}).get("paused_before") == "true"
    return KubeRolloutFlow(rollout_backend(services), target.namespace, target.name).pause_spec(paused_before)


register_undo("rollout.rollback", _undo_rollback)
register_undo("rollout.pause", _undo_pause)


class RolloutWatchScreen(ModalScreen[None]):
    """Live view of a rollout started anywhere: progress, new pods' states, new warnings.

    Read-only; p / P pause and resume the rollout through the guarded path (Kubernetes).
    The watch runs in a thread worker and stops when the screen closes.
    """

    DEFAULT_CSS = """
    RolloutWatchScreen { align: center middle; }
    RolloutWatchScreen > #watch { width: 90%; max-width: 120; height: 80%; border: thick $primary;
                                  background: $surface; padding: 0 1; }
    RolloutWatchScreen.-complete > #watch { border: thick $success; }
    RolloutWatchScreen.-failed > #watch { border: thick $error; }
    RolloutWatchScreen #watch-pods { height: auto; max-height: 12; margin-top: 1; }
    RolloutWatchScreen #watch-log { height: 1fr; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "close", "Close"), Binding("p", "pause", "Pause"), Binding("P", "resume", "Resume")]

    def __init__(self, load_flow: Callable[[], Any], origin: Any = None, timeout: float | None = None) -> None:
        """``timeout`` unset: the flow's ``verify_timeout`` (from the config)."""
        super().__init__()
        self._load_flow = load_flow
        self.flow: Any = None
        self.origin = origin
        self.timeout = timeout
        self.last: RolloutSnapshot | None = None
        self._watch_stopped = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="watch"):
            yield Static(Text("Watching: loading…", style="bold"), id="watch-title")
            yield Static("", id="watch-progress")
            yield Static("", id="watch-pods")
            yield Log(id="watch-log", auto_scroll=True)

    def on_mount(self) -> None:
        self.run_worker(self._watch, thread=True, exclusive=True, group="rollout-watch", exit_on_error=False)

    def on_unmount(self) -> None:
        self._watch_stopped.set()

    def _watch(self) -> None:
        try:
            flow = self._load_flow()
            self.app.call_from_thread(self._started, flow)
            timeout = self.timeout if self.timeout is not None else flow.verify_timeout
            for snap in flow.watch(timeout):
                if self._watch_stopped.is_set():
                    return
                self.app.call_from_thread(self._show, snap)
        except OpsError as exc:
            if not self._watch_stopped.is_set():
                self.app.call_from_thread(self._line, describe_error(exc, "watch"))

    def _started(self, flow: Any) -> None:
        self.flow = flow
        if self.is_attached:
            title = Text("Watching: ", style="bold")
            title.append_text(safe_text(flow.label, style="bold"))
            self.query_one("#watch-title", Static).update(title)

    def _line(self, line: str) -> None:
        if self.is_attached:
            self.query_one(Log).write_line(strip_control(line))

    def _show(self, snap: RolloutSnapshot) -> None:
        if not self.is_attached:
            return
        previous, self.last = self.last, snap
        style = {Phase.COMPLETE: "bold green", Phase.FAILED: "bold red", Phase.TIMED_OUT: "bold yellow"}
        self.query_one("#watch-progress", Static).update(safe_text(snap.progress_text, style=style.get(snap.phase, "")))
        pods = Text("\n").join(safe_text(f"pod {p.text}" + (f" — {p.message}" if p.message else ""),
                                         style="red" if p.failing else "") for p in snap.pods)
        self.query_one("#watch-pods", Static).update(pods)
        if previous is None or previous.progress_text != snap.progress_text:
            self._line(f"{snap.elapsed:6.1f}s {snap.progress_text}")
        for warning in snap.warnings:
            self._line(f"warning: {warning}")
        if snap.done and snap.phase is not Phase.COMPLETE:
            for line in snap.failure_text().splitlines()[1:]:
                self._line(line)
        self.set_class(snap.phase is Phase.COMPLETE, "-complete")
        self.set_class(snap.phase in (Phase.FAILED, Phase.TIMED_OUT), "-failed")

    def action_close(self) -> None:
        self.dismiss(None)

    def _pause(self, pause: bool) -> None:
        if self.flow is None or not hasattr(self.flow, "pause_spec"):
            self.notify("pause/resume applies to Kubernetes Deployments", severity="warning")
            return
        self.app.run_guarded(self.flow.pause_spec(pause), origin=self.origin)

    def action_pause(self) -> None:
        self._pause(True)

    def action_resume(self) -> None:
        self._pause(False)


def open_rollout_watch(app: Any, services: Any, namespace: str, deployment: str, origin: Any = None,
                       watch_interval: float | None = None, timeout: float | None = None) -> RolloutWatchScreen:
    """Watch a Deployment's rollout live (main thread)."""
    screen = RolloutWatchScreen(lambda: KubeRolloutFlow(rollout_backend(services), namespace, deployment,
                                                        watch_interval=watch_interval), origin, timeout)
    app.push_screen(screen)
    return screen
