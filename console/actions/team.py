"""What the runner does around each target so that a team can work side by side.

:class:`TeamHooks` is the runner's one hook object (``runner.execute(..., hooks=)``):

- :meth:`with_lock_notes` adds to every target's preview who holds its lock, or that
  none can be taken ("no lock (permission: …)"), so the confirmation says it;
- :meth:`begin` takes the lock after the confirmation and before executing (a held lock
  refuses: "alice@bastion-2 is rolling back web since 03:12 — INC-42"), and runs the
  executor and verifier inside :func:`console.actor.acting_as`, so a deploy's
  ``kubernetes.io/change-cause`` names the operator and the reason;
- :meth:`Step.end` releases the lock and, for a Kubernetes target, records an Event on
  it (``reason: OpsconsoleScale`` …, message with operator, reason and outcome).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from console.actions.locks import LockBroker, Taken, build_broker, kube_http_for
from console.actions.records import Operator
from console.actions.scrub import scrub
from console.actions.spec import ActionSpec, Outcome, Preview, Progress, Target
from console.actor import ActingAs, acting_as
from console.errors import OpsError, Unconfigured

log = logging.getLogger(__name__)
EventSink = Callable[[Target, str, bool, str, str], None]  # (target, verb, ok, message, host)


def holder_of(operator: Operator) -> str:
    return f"{operator.user}@{operator.host}"


@dataclass
class Step:
    """One target's pass: ``refusal`` set → do not execute; else run ``spec`` and call :meth:`end`."""

    spec: ActionSpec
    target: Target
    taken: Taken
    hooks: TeamHooks | None = None
    who: ActingAs | None = None
    progress: Progress | None = None

    @property
    def refusal(self) -> str | None:
        return self.taken.refusal

    def end(self, outcome: Outcome | None, detail: str) -> str:
        """Release the lock, record the Event; returns ``detail`` with any note about either."""
        notes = [n for n in (self.taken.release(),) if n]
        if self.taken.note.startswith("no lock (permission"):
            notes.append(self.taken.note)
        if outcome is not None and self.hooks is not None and self.who is not None:
            notes += self.hooks.record_event(self.spec, self.target, outcome, detail, self.who)
        return "; ".join([detail, *notes]) if detail else "; ".join(notes)


class TeamHooks:
    """Locks and Kubernetes Events around each target (see the module docstring)."""

    def __init__(self, broker: LockBroker, events: EventSink | None = None) -> None:
        self.broker = broker
        self.events = events

    # -- before the confirmation ---------------------------------------------------------------
    def with_lock_notes(self, spec: ActionSpec) -> ActionSpec:
        """``spec`` whose preview also says who holds each target's lock (THREAD: it reads the lock)."""
        preview = spec.preview

        def noted(target: Target) -> Preview:
            base = preview(target) if preview is not None else Preview()
            note = self.broker.status(target)
            return dataclasses.replace(base, notes=(*base.notes, note)) if note else base

        return dataclasses.replace(spec, preview=noted)

    # -- around the execution --------------------------------------------------------------------
    def begin(self, spec: ActionSpec, target: Target, operator: Operator, action_id: str, reason: str,
              progress: Progress) -> Step:
        holder = holder_of(operator)
        taken = self.broker.take(spec, target, holder, reason, action_id, progress)
        who = ActingAs(operator=holder, reason=reason, action_id=action_id, verb=spec.verb)
        if taken.refusal:
            return Step(spec, target, taken)
        execute, verify = spec.execute, spec.verify

        def acting_execute(t: Target, timeout: float) -> str | None:
            with acting_as(who):
                return execute(t, timeout)

        acting_verify = None
        if verify is not None:
            def acting_verify(t: Target, p: Progress, deadline: float) -> None:
                with acting_as(who):
                    verify(t, p, deadline)

        wrapped = dataclasses.replace(spec, execute=acting_execute, verify=acting_verify)
        return Step(wrapped, target, taken, self, who, progress)

    def record_event(self, spec: ActionSpec, target: Target, outcome: Outcome, detail: str, who: ActingAs) -> list[str]:
        """An Event on a Kubernetes target; a failure is a note on the result, never raised."""
        if self.events is None or target.backend != "kubernetes":
            return []
        message = scrub(f"{who.operator}: {spec.title} — {outcome.value}"
                        f"{': ' + detail if detail else ''}; reason: {who.reason or '(none given)'}"
                        f" [opsconsole action {who.action_id}]")
        try:
            self.events(target, spec.verb, outcome is Outcome.SUCCEEDED, message, who.operator.partition("@")[2])
        except Unconfigured as exc:  # no cluster configured for this console: no teammate could see it
            log.info("event for %s not recorded: %s", target.label, exc)
            return []
        except OpsError as exc:
            log.warning("event for %s not recorded: %s", target.label, exc)
            return [f"no Event recorded on {target.kind} {target.name} ({exc.title}: {exc.body})"]
        return []


def null_step(spec: ActionSpec, target: Target) -> Step:
    """What the runner uses without hooks: no lock, no Event."""
    return Step(spec, target, Taken())


def build_hooks(config: Any, services: Any) -> TeamHooks:
    """The hooks of one console, from its config and its Services (SDKs imported lazily)."""
    def kube_event(target: Target, verb: str, ok: bool, message: str, host: str) -> None:
        from console.backends.kube_events import record_action

        record_action(kube_http_for(services, target), target, verb, ok, message, host,
                      timeout=config.kubernetes.timeout)

    return TeamHooks(build_broker(config, services), kube_event)
