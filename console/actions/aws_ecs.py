"""ECS deploy and rollback as guarded actions, verified by watching the service.

``EcsRolloutFlow`` wraps the ECS part of the AWS backend (``services.aws().ecs``) for one
service: task definition revisions are the history, a deploy registers a revision with
the new image(s) and points the service at it, a rollback points it at an older
revision; the verification watches the service's deployments until steady state, and
the undo goes back to the revision that was in service before. The wizards that drive
it are screens/ecs_deploy.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from console.actions import ActionSpec, Preview, Risk, Target
from console.actions.kubernetes_rollout import failed_revisions, plan_changes, plan_details, plan_notes, watch_verifier
from console.actions.undo import UndoFactory, target_from_record
from console.errors import InvalidInput, OpsError
from console.models.rollout import DryRun, Revision, RolloutPlan, RolloutSnapshot

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.ecs_deploy import EcsDeployBackend
    from console.services import Services


def short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


class EcsRolloutFlow:
    kind = "ecs service"
    can_pause = False  # ECS has no paused deployments

    def __init__(self, backend: EcsDeployBackend, cluster: str, service: str, watch_interval: float = 5.0,
                 verify_timeout: float | None = None) -> None:
        """``verify_timeout`` unset: ``config.aws.ecs_deploy_timeout``."""
        self.backend, self.cluster, self.service = backend, cluster, service
        self.watch_interval = watch_interval
        self.verify_timeout = float(verify_timeout if verify_timeout is not None
                                    else backend.config.aws.ecs_deploy_timeout)

    @property
    def target(self) -> Target:
        return Target("ecs service", self.service, "aws", self.backend.where, self.cluster,
                      production=self.backend.production)

    @property
    def label(self) -> str:
        return f"ECS service {self.cluster}/{self.service} @ {self.backend.where}"

    # -- reads (THREAD) --------------------------------------------------------------------
    def history(self) -> tuple[Revision, ...]:
        return self.backend.history(self.cluster, self.service)

    def containers(self) -> tuple[tuple[str, str], ...]:
        current = next((r for r in self.history() if r.current), None)
        return current.images if current else ()

    def failed_revisions(self, history: tuple[Revision, ...]) -> frozenset[int]:
        return failed_revisions(history, self.backend.config.audit_path, self.target)

    def plan_deploy(self, images: dict[str, str]) -> tuple[RolloutPlan, DryRun]:
        plan = self.backend.plan_deploy(self.cluster, self.service, images)
        return plan, self.backend.dry_run(plan)

    def plan_rollback(self, revision: Revision | None) -> tuple[RolloutPlan, DryRun]:
        plan = self.backend.plan_rollback(self.cluster, self.service, revision.name if revision else "")
        return plan, self.backend.dry_run(plan)

    # -- specs (no I/O) ---------------------------------------------------------------------
    def watch(self, timeout: float, target: str = "") -> Iterator[RolloutSnapshot]:
        """THREAD: snapshots of the service's deployment towards ``target`` (default: its
        current task definition) until steady state, failure or ``timeout``."""
        target = target or self.backend.service(self.cluster, self.service)["taskDefinition"]
        return self.backend.watch_deployment(self.cluster, self.service, target, timeout=timeout,
                                             interval=self.watch_interval)

    def _verify(self, state: dict[str, str]) -> Any:
        def watch(timeout: float) -> Iterator[RolloutSnapshot]:
            return self.backend.watch_deployment(self.cluster, self.service, state["target"], timeout=timeout,
                                                 interval=self.watch_interval)
        return watch_verifier(watch, f"{self.cluster}/{self.service}")

    def _spec(self, verb: str, plan: RolloutPlan, execute: Any, state: dict[str, str], after: str) -> ActionSpec:
        def preview(t: Target) -> Preview:
            fresh = self.backend.plan_rollback(self.cluster, self.service, plan.after_ref) if plan.after_ref \
                else self.backend.plan_deploy(self.cluster, self.service, {c.container: c.after for c in plan.changes})
            dry = self.backend.dry_run(fresh)
            return Preview(plan_changes(fresh, after), dry_run=dry.message, dry_run_ok=dry.ok, notes=plan_notes(fresh))

        return ActionSpec(
        generation=self.backend.generation,
            verb=verb, targets=(self.target,), risk=Risk.HIGH, summary=plan.summary, execute=execute, preview=preview,
            verify=self._verify(state), verify_timeout=self.verify_timeout, timeout=60.0,
            undo=lambda t: self.rollback_spec_to(plan.before_ref, plan.images_after, plan.images_before),
            undo_hint=f"point the service back at {short(plan.before_ref)} ({plan.images_before})",
            details=plan_details(plan, task_definition_before=plan.before_ref), undo_kind="ecs.rollback")

    def deploy_spec(self, plan: RolloutPlan, images: dict[str, str]) -> ActionSpec:
        state: dict[str, str] = {}

        def execute(t: Target, timeout: float) -> str:
            state["target"] = self.backend.deploy(self.cluster, self.service, new_images=images, timeout=timeout)
            return f"{plan.images_before} → {plan.images_after} as {short(state['target'])}"

        return self._spec("deploy", plan, execute, state, "new revision")

    def rollback_plan_spec(self, plan: RolloutPlan) -> ActionSpec:
        state = {"target": plan.after_ref}

        def execute(t: Target, timeout: float) -> str:
            self.backend.deploy(self.cluster, self.service, task_definition=plan.after_ref, timeout=timeout)
            return f"service on {short(plan.after_ref)}: {plan.images_after}"

        return self._spec("rollback", plan, execute, state, str(plan.revision_after))

    def rollback_spec_to(self, arn: str, images_before: str = "", images_after: str = "") -> ActionSpec:
        """Point the service at ``arn`` (the undo of a deploy or rollback)."""
        state = {"target": arn}
        target = self.target
        return ActionSpec(
        generation=self.backend.generation,
            verb="rollback", targets=(target,), risk=Risk.HIGH,
            summary=f"roll back {self.service} to {short(arn)}" + (f": {images_before} → {images_after}"
                                                                   if images_before else ""),
            execute=lambda t, timeout: self.backend.deploy(self.cluster, self.service, task_definition=arn,
                                                           timeout=timeout),
            preview=lambda t: self.plan_preview(arn), verify=self._verify(state), verify_timeout=self.verify_timeout,
            timeout=60.0, undo_hint="roll back again to the revision wanted",
            details={"images_before": images_before, "images_after": images_after, "task_definition_after": arn})

    def pause_spec(self, pause: bool) -> ActionSpec:
        raise InvalidInput("pause/resume applies to Kubernetes Deployments, not ECS services", source="ecs")

    def plan_preview(self, arn: str) -> Preview:
        plan = self.backend.plan_rollback(self.cluster, self.service, arn)
        dry = self.backend.dry_run(plan)
        return Preview(plan_changes(plan, str(plan.revision_after)), dry_run=dry.message, dry_run_ok=dry.ok,
                       notes=plan_notes(plan))


def ecs_backend(services: Services) -> EcsDeployBackend:
    """THREAD: the ECS part of the current AWS backend (same session, profile and region)."""
    return services.aws().ecs


def _undo_ecs(record: Any, services: Any) -> ActionSpec:
    target = target_from_record(record)
    params = record.get("undo_params") or {}
    arn = params.get("task_definition_before", "")
    if not arn:
        raise OpsError(f"record {record.get('action_id', '?')} names no task definition to go back to",
                       source="ecs.undo")
    backend = ecs_backend(services)
    if target.context and target.context != backend.where:
        raise OpsError(f"audit record {record.get('action_id', '?')}: it was done in {target.context}, the "
                       f"console is on {backend.where}: switch profile/region first", source="ecs.undo")
    flow = EcsRolloutFlow(backend, target.namespace, target.name)
    return flow.rollback_spec_to(arn, params.get("images_after", ""), params.get("images_before", ""))


# registered by console.actions.registry.register_all() at start-up
UNDO_FACTORIES: dict[str, UndoFactory] = {"ecs.rollback": _undo_ecs}
