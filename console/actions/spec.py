"""What a guarded action is: the data a tab hands to the runner.

A tab describes a change; it never performs it. The runner (console.actions.runner and
its Textual glue in screens/guarded.py) previews, confirms, executes with a timeout,
verifies, and writes the audit record and changelog entry.

Example, a container restart in a few lines::

    spec = ActionSpec(
        verb="restart",
        targets=(Target("container", row.name, "docker", host, id=row.id),),
        risk=Risk.HIGH,
        execute=lambda t, timeout: docker.restart(t.id, timeout=timeout),
        preview=lambda t: Preview((Change("state", row.state, "running (restarted)"),)),
        verify=lambda t, progress, deadline: wait_running(docker, t.id, progress, deadline),
        undo_hint="none needed: a restart keeps the container's configuration",
    )
    self.app.run_guarded(spec, origin=self)
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field


class Risk(enum.Enum):
    LOW = "low"  # reversible, no interruption (cordon, pause a rollout)
    HIGH = "high"  # interrupts service or changes state (restart, scale, deploy)
    DESTRUCTIVE = "destructive"  # loses data or objects (remove, delete volume): typed confirmation


class Outcome(enum.Enum):
    """One vocabulary, the same words in the dialogs, the changelog and the audit log.

    ``requested`` is the intent (written before anything runs); every intent ends in
    exactly one of the others. ``follow-up`` is not an outcome: a later record of the same
    action id saying whether a timed-out action happened after all.
    """

    REQUESTED = "requested"
    SUCCEEDED = "succeeded"  # executed and verified converged; nothing else is called this
    APPLIED = "applied, not verified"  # executed; verification timed out or there is none (last state in detail)
    FAILED = "failed"  # with the server's reason
    DECLINED = "declined"  # the operator said no: nothing ran
    REFUSED = "refused"  # read-only, or the audit/changelog could not be written: nothing ran
    ABANDONED = "abandoned"  # the console quit while it ran: outcome unknown, what was executed in detail
    RECONCILED = "reconciled at next start"  # found without an outcome after a crash: what the target showed
    # not an outcome: what was learnt later about a timed-out intent (console.actions.followup)
    FOLLOW_UP = "follow-up"

    @property
    def executed(self) -> bool:
        """The target may have changed (the changelog gets an entry, undo may make sense)."""
        return self in EXECUTED


EXECUTED = frozenset({Outcome.SUCCEEDED, Outcome.APPLIED, Outcome.FAILED, Outcome.ABANDONED, Outcome.RECONCILED})
# what older versions wrote, read back as today's words
LEGACY_OUTCOMES = {"timed out": Outcome.APPLIED.value}


@dataclass(frozen=True)
class Target:
    """One object an action changes, with its full context."""

    kind: str  # "container", "pod", "deployment", "node", "pipeline", "volume", ...
    name: str  # the human name; typed confirmations ask for exactly this
    backend: str  # "docker" | "kubernetes" | "aws" | "local"
    context: str  # Docker host | kube context | AWS account/profile
    namespace: str = ""  # kube namespace | AWS region
    id: str = ""  # backend id when it differs from the name
    production: bool = False

    @property
    def where(self) -> str:
        return f"{self.context}/{self.namespace}" if self.namespace else self.context

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name} @ {self.where}"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Preview:
    """What will change. ``dry_run`` holds the server's dry-run answer where there is one."""

    changes: tuple[Change, ...] = ()
    dry_run: str | None = None
    dry_run_ok: bool = True
    notes: tuple[str, ...] = ()


Progress = Callable[[str], None]

# execute(target, timeout) -> optional detail text; raises console.errors.OpsError on failure
Executor = Callable[[Target, float], "str | None"]
# verify(target, progress, deadline_monotonic) -> None; raises OpsError/TimedOut on failure
Verifier = Callable[[Target, Progress, float], None]


@dataclass(frozen=True)
class ActionSpec:
    verb: str  # "restart", "scale", "rollback", "delete", ...
    targets: tuple[Target, ...]
    risk: Risk
    execute: Executor
    preview: Callable[[Target], Preview] | None = None  # runs in a worker before confirmation
    verify: Verifier | None = None
    undo: Callable[[Target], "ActionSpec"] | None = None  # the inverse action, through the same path
    undo_hint: str = ""  # how to undo, in words, for the changelog
    timeout: float = 30.0  # for execute, per target
    verify_timeout: float = 120.0
    summary: str = ""  # one line for the confirmation title, e.g. "scale web 3 → 5"
    details: dict[str, str] = field(default_factory=dict)  # extra fields for the records (no secrets)
    # the name a tab registered with console.actions.undo.register_undo; the records keep it
    # with ``details`` so the changelog viewer can rebuild the inverse action later
    undo_kind: str = ""
    # the Services generation of the backend the spec was built on (console.services); the
    # runner refuses it after a switch, so nothing acts on the old context. None: local.
    generation: int | None = None

    @property
    def backend(self) -> str:
        return self.targets[0].backend if self.targets else ""

    # set by the tab when the data the action was chosen from is stale (the backend did not
    # answer the last refresh): the confirmation warns with it, e.g. "data from 12:03:04Z (2m ago)"
    stale_warning: str = ""
    # an undo rebuilt from a record: the before → after that record implies (its after → its
    # before); the confirmation says so when the live preview differs (someone changed it since)
    recorded: tuple[Change, ...] = ()

    @property
    def production(self) -> bool:
        return any(t.production for t in self.targets)

    @property
    def needs_typed_confirmation(self) -> bool:
        return self.risk is Risk.DESTRUCTIVE or self.production

    @property
    def title(self) -> str:
        if self.summary:
            return self.summary
        if len(self.targets) == 1:
            return f"{self.verb} {self.targets[0].kind} {self.targets[0].name}"
        return f"{self.verb} {len(self.targets)} {self.targets[0].kind}s"
