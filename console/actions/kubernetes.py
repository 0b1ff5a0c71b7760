"""Action specs for the Clusters tab: the tab describes each change, the runner performs it.

Pure functions (no widgets): each takes the adapter, the row (a KubeRow) and the
connection's BackendInfo, and returns a ``console.actions.ActionSpec``. Executors call
the adapter's mutating methods with the runner's timeout; verifiers read back until the
change converged (console.backends.kube_verify through the adapter's ``verify_*``):
scale waits for the ready replicas, a restart for the new pods ready and the old gone,
cordon/suspend read the field back.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from console.actions import ActionSpec, Change, Preview, Risk, Target, target_from_record
from console.actions.undo import UndoFactory
from console.capabilities import Cordonable, CronJobControl, PodDeleter, Restartable, Scalable, SecretReader
from console.errors import InvalidInput, NotFound, TimedOut
from console.models.kubernetes import KubeRow

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.kubernetes import KubernetesBackend

SCALE_VERIFY_SECONDS = 120.0
RESTART_VERIFY_SECONDS = 300.0
SINGULAR = {"pods": "pod", "deployments": "deployment", "statefulsets": "statefulset", "daemonsets": "daemonset",
            "replicasets": "replicaset", "jobs": "job", "cronjobs": "cronjob", "services": "service",
            "nodes": "node", "secrets": "secret", "events": "event"}


def kube_target(row: KubeRow, info: Any) -> Target:
    extra = getattr(info, "extra", {}) or {}
    return Target(SINGULAR.get(row.kind, row.kind), row.name, "kubernetes", extra.get("context", "?"),
                  namespace=row.namespace, id=row.uid, production=bool(getattr(info, "production", False)))


def _poll(check: Callable[[], str | None], progress: Callable[[str], None], deadline: float, what: str) -> None:
    """``check`` returns None when done, else a note on what it still sees."""
    while True:
        try:
            note = check()
        except NotFound:
            note = "not found"
        if note is None:
            return
        progress(note)
        if time.monotonic() > deadline:
            raise TimedOut(f"{what}: {note}", source="verify")
        time.sleep(0.3)


def deleted_detail(target: Target, uid: str | None) -> str:
    """What a pod deletion did, for the result line and the records: "pod shop/web-1 deleted (uid 00c3aec1…)"."""
    uid = uid or ""
    short = f"{uid[:8]}…" if len(uid) > 8 else uid
    return f"pod {target.namespace}/{target.name} deleted" + (f" (uid {short})" if short else "")


def delete_pod(adapter: PodDeleter, row: KubeRow, info: Any) -> ActionSpec:
    owner = f"its controller {row.owner} will create a replacement" if row.owner else "no controller owns it: it will NOT come back"

    def verify(target: Target, progress, deadline: float) -> None:
        def check() -> str | None:
            try:
                obj = adapter.get("pods", target.namespace, target.name)
            except NotFound:
                return None
            uid = (obj.get("metadata") or {}).get("uid")
            return None if uid != target.id or (obj.get("metadata") or {}).get("deletionTimestamp") else "still running"
        _poll(check, progress, deadline, f"pod {target.name} still present")

    return ActionSpec(
        generation=adapter.generation,
        verb="delete", risk=Risk.DESTRUCTIVE if not row.owner else Risk.HIGH, summary=f"delete pod {row.name}",
        targets=(kube_target(row, info),),
        execute=lambda t, timeout: deleted_detail(t, adapter.delete_pod(t.namespace, t.name, timeout=timeout)),
        preview=lambda t: Preview((Change("pod", f"{row.cell('STATUS')} on {row.node or '?'}", "deleted"),), notes=(owner,)),
        verify=verify, verify_timeout=60.0,
        undo_hint="none: a controller recreates owned pods; a bare pod must be re-created from its manifest",
        details={"owner": row.owner},
    )


def scale(adapter: Scalable, row: KubeRow, info: Any, replicas: int) -> ActionSpec:
    before = row.replicas if row.replicas is not None else 0
    return scale_target(adapter, row.kind, kube_target(row, info), before, replicas)


def scale_target(adapter: Scalable, resource: str, target: Target, before: int, replicas: int) -> ActionSpec:
    """Scale ``target`` (a ``resource`` such as "deployments") from ``before`` to ``replicas``."""
    def preview(t: Target) -> Preview:
        was, after = adapter.scale_preview(resource, t.namespace, t.name, replicas, timeout=10.0)
        return Preview((Change("replicas", str(was), str(after)),),
                       dry_run=f"server dry run (dryRun=All): spec.replicas {was} → {after}", dry_run_ok=True)

    def verify(t: Target, progress, deadline: float) -> None:
        adapter.verify_scale(resource, t.namespace, t.name, replicas, progress, deadline)

    return ActionSpec(
        generation=adapter.generation,
        verb="scale", risk=Risk.HIGH, summary=f"scale {target.kind} {target.name} {before} → {replicas}",
        targets=(target,),
        execute=lambda t, timeout: (f"{t.kind} {t.namespace}/{t.name} scaled "
                                    f"{adapter.scale(resource, t.namespace, t.name, replicas, timeout=timeout)} → {replicas}"),
        preview=preview, verify=verify, verify_timeout=SCALE_VERIFY_SECONDS,
        undo=lambda t: scale_target(adapter, resource, t, replicas, before), undo_hint=f"scale back to {before} replicas",
        details={"resource": resource, "replicas_before": str(before), "replicas_after": str(replicas)},
        undo_kind="kube.scale",
    )


def rollout_restart(adapter: Restartable, row: KubeRow, info: Any) -> ActionSpec:
    stamp: dict[str, str] = {}

    def execute(t: Target, timeout: float) -> str:
        stamp["at"] = adapter.rollout_restart(row.kind, t.namespace, t.name, timeout=timeout)
        return f"restartedAt={stamp['at']}"

    def verify(target: Target, progress, deadline: float) -> None:
        adapter.verify_restart(row.kind, target.namespace, target.name, stamp["at"], progress, deadline)

    return ActionSpec(
        generation=adapter.generation,
        verb="rollout restart", risk=Risk.HIGH, summary=f"rollout restart {SINGULAR[row.kind]} {row.name}",
        targets=(kube_target(row, info),), execute=execute,
        preview=lambda t: Preview((Change("pods", f"{row.cells[0]} ready", "replaced one by one (rolling)"),),
                                  notes=("patches spec.template annotation kubectl.kubernetes.io/restartedAt",
                                         "verified when the new pods are ready and the old ones gone")),
        verify=verify, verify_timeout=RESTART_VERIFY_SECONDS,
        undo_hint="none needed: a restart keeps the spec; roll back from the deploy view if the new pods fail",
    )


def cordon(adapter: Cordonable, row: KubeRow, info: Any, on: bool) -> ActionSpec:
    return cordon_target(adapter, kube_target(row, info), on, was_unschedulable=row.unschedulable)


def cordon_target(adapter: Cordonable, target: Target, on: bool, was_unschedulable: bool) -> ActionSpec:
    """Cordon (``on``) or uncordon the node ``target``."""
    verb = "cordon" if on else "uncordon"

    def verify(t: Target, progress, deadline: float) -> None:
        adapter.verify_field("nodes", None, t.name, "unschedulable", on, progress, deadline)

    return ActionSpec(
        generation=adapter.generation,
        verb=verb, risk=Risk.LOW, summary=f"{verb} node {target.name}", targets=(target,),
        execute=lambda t, timeout: (adapter.cordon if on else adapter.uncordon)(t.name, timeout=timeout),
        preview=lambda t: Preview((Change("schedulable", str(not was_unschedulable).lower(), str(not on).lower()),),
                                  notes=("running pods stay; only new scheduling changes",)),
        verify=verify, verify_timeout=30.0,
        undo=lambda t: cordon_target(adapter, t, not on, was_unschedulable=on),
        undo_hint=f"{'uncordon' if on else 'cordon'} node {target.name}",
        details={"unschedulable_before": str(bool(was_unschedulable)).lower(), "unschedulable_after": str(on).lower()},
        undo_kind="kube.cordon",
    )


def trigger_cronjob(adapter: CronJobControl, row: KubeRow, info: Any) -> ActionSpec:
    created: dict[str, str] = {}

    def execute(t: Target, timeout: float) -> str:
        created["job"] = adapter.trigger_cronjob(t.namespace, t.name, timeout=timeout)
        return f"job {created['job']}"

    def verify(target: Target, progress, deadline: float) -> None:
        _poll(lambda: None if adapter.get("jobs", target.namespace, created["job"]) else "no job yet",
              progress, deadline, f"job of {target.name} not created")

    return ActionSpec(
        generation=adapter.generation,
        verb="trigger", risk=Risk.HIGH, summary=f"run cronjob {row.name} now", targets=(kube_target(row, info),),
        execute=execute, verify=verify, verify_timeout=30.0,
        preview=lambda t: Preview((Change("jobs", f"{row.cell('ACTIVE')} active", "+1 job from the cronjob's template"),)),
        undo_hint="delete the created job (and its pods) if it should not run",
    )


def suspend_cronjob(adapter: CronJobControl, row: KubeRow, info: Any, suspend: bool) -> ActionSpec:
    return suspend_target(adapter, kube_target(row, info), suspend, was_suspended=bool(row.suspended))


def suspend_target(adapter: CronJobControl, target: Target, suspend: bool, was_suspended: bool) -> ActionSpec:
    """Suspend (``suspend``) or resume the cronjob ``target``."""
    verb = "suspend" if suspend else "resume"

    def verify(t: Target, progress, deadline: float) -> None:
        adapter.verify_field("cronjobs", t.namespace, t.name, "suspend", suspend, progress, deadline)

    return ActionSpec(
        generation=adapter.generation,
        verb=verb, risk=Risk.LOW if suspend is False else Risk.HIGH, summary=f"{verb} cronjob {target.name}",
        targets=(target,),
        execute=lambda t, timeout: (adapter.suspend_cronjob if suspend else adapter.resume_cronjob)(
            t.namespace, t.name, timeout=timeout),
        preview=lambda t: Preview((Change("suspend", str(was_suspended).lower(), str(suspend).lower()),)),
        verify=verify, verify_timeout=30.0,
        undo=lambda t: suspend_target(adapter, t, not suspend, was_suspended=suspend),
        undo_hint=f"{'resume' if suspend else 'suspend'} cronjob {target.name}",
        details={"suspend_before": str(was_suspended).lower(), "suspend_after": str(suspend).lower()},
        undo_kind="kube.suspend",
    )


def reveal_secret(adapter: SecretReader, row: KubeRow, info: Any, show: Callable[[dict], None]) -> ActionSpec:
    """Audited read: the secret's values are shown on screen, never written to the records."""

    shown: list[Target] = []

    def execute(t: Target, timeout: float) -> str:
        show(adapter.masked_object("secrets", t.namespace, t.name, reveal=True))
        shown.append(t)
        return "values shown on screen (not recorded)"

    def verify(t: Target, progress: Callable[[str], None], deadline: float) -> None:
        if t not in shown:  # the read is the whole action: verified when its answer reached the screen
            raise InvalidInput(f"secret {t.name}: the values were not shown", source="clusters.reveal")
        progress(f"secret {t.name}: values on screen")

    return ActionSpec(
        generation=adapter.generation,
        verb="reveal-secret", risk=Risk.LOW, summary=f"reveal secret {row.name}", targets=(kube_target(row, info),),
        execute=execute, verify=verify, verify_timeout=5.0, timeout=15.0,
        preview=lambda t: Preview((Change("secret data", "masked", "shown in clear on this screen"),),
                                  notes=("the reveal is audited: who, when, which secret",)),
        undo_hint="none: rotate the secret if it was exposed",
    )


# -- undo from the changelog (console.actions.undo) -------------------------------------------
def _undo_adapter(record: Mapping[str, Any], services: Any) -> tuple[Any, Target]:
    """The Kubernetes adapter and the record's target; refused when the adapter is on another context."""
    target = target_from_record(record)
    adapter = services.kubernetes()
    _check_context(adapter, target, record)
    return adapter, target


def _check_context(adapter: KubernetesBackend, target: Target, record: Mapping[str, Any]) -> None:
    current = adapter.context or ""
    if target.context and current and current != target.context:
        raise InvalidInput(f"audit record {record.get('action_id', '?')}: it was done in context {target.context}, "
                           f"the console is on {current}: switch context first", source="clusters.undo")


def _connecting(spec: ActionSpec, adapter: KubernetesBackend, record: Mapping[str, Any]) -> ActionSpec:
    """``spec`` whose preview and execution first connect the adapter (THREAD) when the Clusters
    tab has not yet done it (undo from the changelog before the tab was opened), then re-check
    the context it connected to."""
    def ready(target: Target) -> None:
        adapter.connected_http()
        _check_context(adapter, target, record)

    preview, execute = spec.preview, spec.execute

    def checked_preview(t: Target) -> Preview:
        ready(t)
        return preview(t) if preview is not None else Preview()

    def checked_execute(t: Target, timeout: float) -> str | None:
        ready(t)
        return execute(t, timeout)

    return dataclasses.replace(spec, preview=checked_preview, execute=checked_execute)


def _params(record: Mapping[str, Any], *names: str) -> list[str]:
    params = record.get("undo_params") or {}
    missing = [n for n in names if not str(params.get(n, ""))]
    if missing:
        raise InvalidInput(f"audit record {record.get('action_id', '?')}: undo_params lack {', '.join(missing)}",
                           source="clusters.undo")
    return [str(params[n]) for n in names]


def undo_scale(record: Mapping[str, Any], services: Any) -> ActionSpec:
    resource, before, after = _params(record, "resource", "replicas_before", "replicas_after")
    if not (before.isdigit() and after.isdigit()):
        raise InvalidInput(f"audit record {record.get('action_id', '?')}: replica counts {before!r}/{after!r} "
                           "are not numbers", source="clusters.undo")
    adapter, target = _undo_adapter(record, services)
    return _connecting(scale_target(adapter, resource, target, int(after), int(before)), adapter, record)


def undo_cordon(record: Mapping[str, Any], services: Any) -> ActionSpec:
    before, after = _params(record, "unschedulable_before", "unschedulable_after")
    adapter, target = _undo_adapter(record, services)
    return _connecting(cordon_target(adapter, target, on=before == "true", was_unschedulable=after == "true"),
                       adapter, record)


def undo_suspend(record: Mapping[str, Any], services: Any) -> ActionSpec:
    before, after = _params(record, "suspend_before", "suspend_after")
    adapter, target = _undo_adapter(record, services)
    return _connecting(suspend_target(adapter, target, suspend=before == "true", was_suspended=after == "true"),
                       adapter, record)


# registered by console.actions.registry.register_all() at start-up
UNDO_FACTORIES: dict[str, UndoFactory] = {"kube.scale": undo_scale, "kube.cordon": undo_cordon, "kube.suspend": undo_suspend}
