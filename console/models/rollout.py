"""What the deploy/rollback screens show: revisions, diffs, plans, rollout progress.

Frozen dataclasses built by console.backends.rollout (Kubernetes Deployments) and
console.backends.ecs_deploy (ECS services). Raw pod templates ride along as plain JSON
dicts (``compare=False``) so a diff between any two revisions needs no second call.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.errors import OpsError, Throttled, TimedOut, Unavailable

Images = tuple[tuple[str, str], ...]  # (container, image) in template order
HASH_LABEL = "pod-template-hash"


def image_change_text(before: str, after: str) -> str:
    """"repo:1.4 → 1.5" when only the tag changes, else both images in full."""
    repo_b, _, tag_b = before.rpartition(":")
    repo_a, _, tag_a = after.rpartition(":")
    if repo_b and repo_b == repo_a and "/" not in tag_b and "/" not in tag_a:
        return f"{before} → {tag_a}"
    return f"{before} → {after}"


def images_text(images: Images) -> str:
    return ", ".join(f"{name}={image}" for name, image in images) or "-"


@dataclass(frozen=True)
class Revision:
    """One revision of a Deployment (its ReplicaSet) or of an ECS task definition family."""

    number: int
    name: str  # ReplicaSet name | task definition ARN
    created: datetime | None
    images: Images
    change_cause: str = ""
    replicas: int = 0
    ready: int = 0
    current: bool = False
    template: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    annotations: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # the ReplicaSet's

    @property
    def label(self) -> str:
        return f"revision {self.number}"


@dataclass(frozen=True)
class DiffLine:
    """One changed leaf of a pod template (or task definition): ``path`` before → after."""

    path: str
    before: str  # "" when added
    after: str  # "" when removed

    @property
    def text(self) -> str:
        if not self.before:
            return f"+ {self.path}: {self.after}"
        if not self.after:
            return f"- {self.path}: {self.before}"
        return f"~ {self.path}: {self.before} → {self.after}"


@dataclass(frozen=True)
class ImageChange:
    container: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class RolloutPlan:
    """What a set-image or rollback will do, shown before the confirmation."""

    verb: str  # "set image" | "rollback"
    context: str  # kube context | AWS profile/region
    namespace: str  # kube namespace | ECS cluster
    name: str  # Deployment | ECS service
    changes: tuple[ImageChange, ...]
    replicas: int
    strategy: str  # "RollingUpdate (maxSurge 1, maxUnavailable 0)" | "Recreate" | ECS min/max percent
    max_surge: int = 0
    max_unavailable: int = 0
    pdb: str = ""  # PodDisruptionBudget headroom in words
    revision_before: int = 0
    revision_after: int = 0  # the revision rolled back to; 0 for a new one
    production: bool = False
    diff: tuple[DiffLine, ...] = ()
    notes: tuple[str, ...] = ()
    generation: int = 0  # Kubernetes: metadata.generation the plan was made from
    before_ref: str = ""  # ECS: the task definition ARN in service now
    after_ref: str = ""  # ECS: the ARN rolled back to ("" for a new revision)

    @property
    def images_before(self) -> str:
        return ", ".join(f"{c.container}={c.before}" for c in self.changes)

    @property
    def images_after(self) -> str:
        return ", ".join(f"{c.container}={c.after}" for c in self.changes)

    @property
    def summary(self) -> str:
        moved = [c for c in self.changes if c.changed] or list(self.changes)
        what = ", ".join(f"{c.container} {image_change_text(c.before, c.after)}" for c in moved)
        if self.verb == "rollback":
            return f"roll back {self.name} to revision {self.revision_after}: {what}"
        return f"set image {self.name}: {what}"


@dataclass(frozen=True)
class DryRun:
    ok: bool
    message: str  # what the server said (or why we did not ask it)


class Phase(enum.Enum):
    PROGRESSING = "progressing"
    COMPLETE = "complete"
    FAILED = "failed"  # progress deadline exceeded / circuit breaker / pods failing
    TIMED_OUT = "timed out"  # our own deadline passed
    PAUSED = "paused"


@dataclass(frozen=True)
class PodState:
    name: str
    phase: str
    reason: str  # waiting/terminated reason or "" when running fine
    message: str = ""
    restarts: int = 0
    ready: bool = False
    last_log: tuple[str, ...] = ()

    @property
    def failing(self) -> bool:
        return bool(self.reason) and self.reason not in ("ContainerCreating", "PodInitializing")

    @property
    def text(self) -> str:
        state = self.reason or self.phase
        ready = "ready" if self.ready else "not ready"
        extra = f", {self.restarts} restarts" if self.restarts else ""
        return f"{self.name}: {state} ({ready}{extra})"


@dataclass(frozen=True)
class RolloutSnapshot:
    """One look at a rollout in progress (Kubernetes Deployment or ECS service)."""

    phase: Phase
    desired: int
    updated: int
    ready: int
    available: int
    message: str = ""
    revision: int = 0
    pods: tuple[PodState, ...] = ()
    warnings: tuple[str, ...] = ()  # new warning events (or ECS service events) since the watch began
    elapsed: float = 0.0

    @property
    def done(self) -> bool:
        return self.phase is not Phase.PROGRESSING

    @property
    def progress_text(self) -> str:
        head = (f"{self.phase.value}: {self.updated} updated / {self.ready} ready / "
                f"{self.available} available of {self.desired}")
        return f"{head} — {self.message}" if self.message else head

    def failure_text(self) -> str:
        """Why a rollout failed: the message, failing pods' reasons and last log lines."""
        lines = [self.message or self.phase.value]
        for pod in self.pods:
            if pod.failing or not pod.ready:
                detail = f" — {pod.message}" if pod.message else ""
                lines.append(f"pod {pod.text}{detail}")
                lines.extend(f"    | {line}" for line in pod.last_log)
        lines.extend(f"event: {w}" for w in self.warnings[-5:])
        return "\n".join(lines)


@dataclass(frozen=True)
class EcsService:
    cluster: str
    name: str
    arn: str
    task_definition: str  # ARN
    desired: int
    running: int
    pending: int
    status: str
    deployments: int = 1
    rollout_state: str = ""

    @property
    def family_revision(self) -> str:
        return self.task_definition.rsplit("/", 1)[-1]


class RolloutFailed(OpsError):
    """The watch saw the rollout fail (deadline exceeded, pods failing, ECS rolled back)."""

    title = "Rollout failed"


# -- diffs (pure, on plain JSON dicts) ----------------------------------------------------
def strip_hash(template: dict[str, Any]) -> dict[str, Any]:
    """The template without the pod-template-hash label (what the Deployment carries)."""
    out = copy.deepcopy(template or {})
    labels = (out.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return out


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key in sorted(value):
            _flatten(value[key], f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(i, dict) and "name" in i for i in value):
        for item in value:
            _flatten({k: v for k, v in item.items() if k != "name"}, f"{path}[{item['name']}]", out)
    elif isinstance(value, list):
        out[path] = ", ".join(str(v) for v in value) if value else "[]"
    else:
        out[path] = str(value)


def template_diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[DiffLine, ...]:
    """Changed leaves between two pod templates (hash label ignored), in path order."""
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    _flatten(strip_hash(before), "", a)
    _flatten(strip_hash(after), "", b)
    return tuple(DiffLine(p, a.get(p, ""), b.get(p, "")) for p in sorted(a.keys() | b.keys()) if a.get(p) != b.get(p))




# -- following a rollout (pure: the caller passes how to look) --------------------------------
TRANSIENT = (Unavailable, TimedOut, Throttled)


def follow_rollout(look: Callable[[bool], RolloutSnapshot], *, timeout: float, interval: float,
                   sleep: Callable[[float], None] = time.sleep) -> Iterator[RolloutSnapshot]:
    """Snapshots from ``look(timed_out)`` every ``interval`` s until one is done.

    A look that fails on the way (API unreachable, throttled, slow) does not end the
    watch: the last snapshot is repeated with why it could not look, until ``timeout``.
    """
    started = time.monotonic()
    deadline = started + timeout
    last = RolloutSnapshot(Phase.PROGRESSING, 0, 0, 0, 0)
    while True:
        timed_out = time.monotonic() >= deadline
        try:
            snap = last = look(timed_out)
        except TRANSIENT as exc:
            phase = Phase.TIMED_OUT if timed_out else Phase.PROGRESSING
            snap = dataclasses.replace(last, phase=phase, warnings=(), elapsed=time.monotonic() - started,
                                       message=f"cannot see the rollout ({exc.title}: {exc}); retrying")
        yield snap
        if snap.done:
            return
        sleep(min(interval, max(0.0, deadline - time.monotonic())))
