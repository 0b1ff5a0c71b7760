"""Deploy and roll back ECS services (sync; call from workers).

Task definition revisions of a service's family are its revision history (images per
container, the current one marked, a diff between any two); a deploy registers a new
revision with the chosen images (or picks an existing one) and points the service at
it; ``watch_deployment`` follows the service's deployments until steady state, failure
(rollout state FAILED, the circuit breaker rolling back, tasks stopping) or timeout.
Every AWS call goes through ``AwsBackend.call`` (one session, timeouts, typed errors).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from console.backends.aws import AwsBackend, translate
from console.backends.rollout import check_image
from console.config import Config
from console.errors import Conflict, InvalidInput, NotFound, OpsError
from console.models.rollout import (
    DryRun,
    EcsService,
    ImageChange,
    Phase,
    PodState,
    Revision,
    RolloutPlan,
    RolloutSnapshot,
    follow_rollout,
    template_diff,
)

HISTORY_LIMIT = 10
# fields of describe_task_definition that register_task_definition accepts back
REGISTRABLE = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
               "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
               "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform")


def _images(td: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(c.get("name", "")), str(c.get("image", ""))) for c in td.get("containerDefinitions") or [])


def _when(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def service_row(cluster: str, svc: dict[str, Any]) -> EcsService:
    deployments = svc.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    return EcsService(cluster=cluster, name=str(svc.get("serviceName", "")), arn=str(svc.get("serviceArn", "")),
                      task_definition=str(svc.get("taskDefinition", "")), desired=int(svc.get("desiredCount") or 0),
                      running=int(svc.get("runningCount") or 0), pending=int(svc.get("pendingCount") or 0),
                      status=str(svc.get("status", "")), deployments=len(deployments),
                      rollout_state=str(primary.get("rolloutState", "")))


def judge_service(svc: dict[str, Any], target: str, seen_target: bool) -> tuple[Phase, str, dict[str, Any]]:
    """Phase of a deployment towards ``target`` and the deployment it is judged on."""
    deployments = svc.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    ours = next((d for d in deployments if d.get("taskDefinition") == target), {})
    if ours.get("rolloutState") == "FAILED":
        return Phase.FAILED, f"deployment failed: {ours.get('rolloutStateReason') or 'rollout state FAILED'}", ours
    if primary.get("taskDefinition") != target:
        if seen_target:
            return Phase.FAILED, ("ECS rolled the service back to "
                                  f"{str(primary.get('taskDefinition', '?')).rsplit('/', 1)[-1]}"), primary
        return Phase.PROGRESSING, "waiting for ECS to start the new deployment", ours or primary
    running, desired = int(primary.get("runningCount") or 0), int(primary.get("desiredCount") or 0)
    if primary.get("rolloutState") in ("COMPLETED", None) and len(deployments) == 1 and running >= desired:
        return Phase.COMPLETE, f"steady state: {running}/{desired} tasks running", primary
    others = len(deployments) - 1
    tail = f", {others} older deployment(s) draining" if others else ""
    return Phase.PROGRESSING, f"{running} of {desired} new tasks running{tail}", primary


class EcsDeployBackend:
    """ECS services, their task definition history, deploys and rollbacks."""

    MUTATIONS = frozenset({"deploy", "rollback", "register_revision"})

    def __init__(self, config: Config, aws: AwsBackend | None = None) -> None:
        """Standalone: its own session. As ``aws.ecs``: the owner's session, nothing else."""
        self.config = config
        self._owned = aws is None
        self.aws = aws or AwsBackend(config)
        self.generation = self.aws.generation

    def close(self) -> None:  # a part leaves the owner's session to the owner
        if self._owned:
            self.aws.close()

    def call(self, operation: str, timeout: float | None = None, **params: Any) -> dict[str, Any]:
        """One ECS operation; typed errors only (ECS names a parameter ``service``, so
        AwsBackend.call's own ``service`` argument cannot carry it)."""
        try:
            response = getattr(self.aws.client("ecs", timeout), operation)(**params)
        except OpsError:
            raise
        except Exception as exc:  # noqa: BLE001 - every SDK failure is translated here, once
            raise translate(exc, f"ecs.{operation}") from exc
        response.pop("ResponseMetadata", None)
        return response

    @property
    def where(self) -> str:
        return f"{self.aws.profile or 'default'}/{self.aws.region}"

    @property
    def production(self) -> bool:
        return self.config.is_production_profile(self.aws.profile)

    # -- reads ---------------------------------------------------------------------------
    def clusters(self) -> tuple[str, ...]:
        arns = list(self.aws.pages("ecs", "list_clusters", "clusterArns"))
        return tuple(sorted(a.rsplit("/", 1)[-1] for a in arns))

    def _describe(self, cluster: str, names: list[str]) -> list[dict[str, Any]]:
        out = []
        for i in range(0, len(names), 10):
            out += self.call("describe_services", cluster=cluster, services=names[i:i + 10]).get("services") or []
        return out

    def services(self, cluster: str) -> tuple[EcsService, ...]:
        arns = list(self.aws.pages("ecs", "list_services", "serviceArns", cluster=cluster))
        return tuple(service_row(cluster, s) for s in self._describe(cluster, arns))

    def service(self, cluster: str, name: str) -> dict[str, Any]:
        found = [s for s in self._describe(cluster, [name]) if s.get("status") != "INACTIVE"]
        if not found:
            raise NotFound(f"service {name} not found in cluster {cluster}", source="ecs.describe_services")
        return found[0]

    def task_definition(self, arn: str) -> dict[str, Any]:
        return self.call("describe_task_definition", taskDefinition=arn)["taskDefinition"]

    def history(self, cluster: str, name: str, limit: int = HISTORY_LIMIT) -> tuple[Revision, ...]:
        """The family's revisions, newest first; the service's current one marked."""
        current = self.task_definition(self.service(cluster, name)["taskDefinition"])
        family = current["family"]
        arns = self.call("list_task_definitions", familyPrefix=family, sort="DESC").get("taskDefinitionArns") or []
        arns = [a for a in arns if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family][:limit]
        out = []
        for arn in arns:
            td = current if arn == current["taskDefinitionArn"] else self.task_definition(arn)
            who = f"registered by {td['registeredBy']}" if td.get("registeredBy") else ""
            out.append(Revision(number=int(td.get("revision") or 0), name=arn, created=_when(td.get("registeredAt")),
                                images=_images(td), change_cause=who,
                                current=arn == current["taskDefinitionArn"],
                                template={"containerDefinitions": td.get("containerDefinitions") or [],
                                          "cpu": td.get("cpu"), "memory": td.get("memory")}))
        return tuple(sorted(out, key=lambda r: r.number, reverse=True))

    # -- plans ---------------------------------------------------------------------------
    def _plan(self, svc: dict[str, Any], verb: str, before: dict[str, Any], after_images: dict[str, str],
              after_template: dict[str, Any], revision_after: int = 0, after_ref: str = "") -> RolloutPlan:
        conf = svc.get("deploymentConfiguration") or {}
        breaker = conf.get("deploymentCircuitBreaker") or {}
        low, high = conf.get("minimumHealthyPercent", 100), conf.get("maximumPercent", 200)
        desired = int(svc.get("desiredCount") or 0)
        notes = ["ECS has no server-side dry run: the plan is checked against the service and task definitions"]
        if breaker.get("enable"):
            notes.append("deployment circuit breaker on" + (" with automatic rollback" if breaker.get("rollback") else ""))
        changes = tuple(ImageChange(n, i, after_images.get(n, i)) for n, i in _images(before))
        return RolloutPlan(
            verb=verb, context=self.where, namespace=str(svc.get("clusterArn", "")).rsplit("/", 1)[-1],
            name=str(svc.get("serviceName", "")), changes=changes, replicas=desired,
            strategy=f"ECS rolling update (minimumHealthyPercent {low}, maximumPercent {high})",
            max_surge=max(0, desired * int(high) // 100 - desired),
            max_unavailable=max(0, desired - math.ceil(desired * int(low) / 100)),
            revision_before=int(before.get("revision") or 0), revision_after=revision_after,
            production=self.production,
            diff=template_diff({"containerDefinitions": before.get("containerDefinitions") or []}, after_template),
            notes=tuple(notes), before_ref=str(before.get("taskDefinitionArn", "")), after_ref=after_ref)

    def plan_deploy(self, cluster: str, name: str, new_images: dict[str, str]) -> RolloutPlan:
        svc = self.service(cluster, name)
        before = self.task_definition(svc["taskDefinition"])
        self._check_images(before, new_images)
        after = [{**c, "image": new_images.get(c.get("name"), c.get("image"))} for c in before["containerDefinitions"]]
        return self._plan(svc, "set image", before, new_images, {"containerDefinitions": after})

    def plan_rollback(self, cluster: str, name: str, to_arn: str = "") -> RolloutPlan:
        svc = self.service(cluster, name)
        before = self.task_definition(svc["taskDefinition"])
        target = self._rollback_target(cluster, name, to_arn)
        return self._plan(svc, "rollback", before, dict(target.images), target.template, target.number, target.name)

    def dry_run(self, plan: RolloutPlan) -> DryRun:
        """What can be checked without changing anything (ECS has no dry run)."""
        try:
            svc = self.service(plan.namespace, plan.name)
        except OpsError as exc:
            return DryRun(False, f"{exc.title}: {exc}")
        if svc.get("status") != "ACTIVE":
            return DryRun(False, f"service {plan.name} is {svc.get('status')}, not ACTIVE")
        if int((self.task_definition(svc["taskDefinition"])).get("revision") or 0) != plan.revision_before:
            return DryRun(False, "the service changed since the plan was made: make the plan again")
        return DryRun(True, "checked: service ACTIVE, task definition unchanged since the plan (ECS has no dry run)")

    @staticmethod
    def _check_images(td: dict[str, Any], new_images: dict[str, str]) -> None:
        names = [n for n, _ in _images(td)]
        unknown = sorted(set(new_images) - set(names))
        if unknown:
            raise InvalidInput(f"no container named {', '.join(unknown)} in {td.get('family')} (containers: "
                               f"{', '.join(names)})", source="ecs.plan_deploy")
        for image in new_images.values():
            if problem := check_image(image):
                raise InvalidInput(problem, source="ecs.plan_deploy")

    def _rollback_target(self, cluster: str, name: str, to_arn: str) -> Revision:
        history = self.history(cluster, name)
        current = next((r for r in history if r.current), None)
        if to_arn:
            found = next((r for r in history if r.name == to_arn), None)
            if found is None:
                raise NotFound(f"{to_arn} is not among the last {len(history)} revisions", source="ecs.rollback")
            if found.current:
                raise Conflict(f"{to_arn.rsplit('/', 1)[-1]} is already the current task definition", source="ecs.rollback")
            return found
        older = [r for r in history if current is None or r.number < current.number]
        if not older:
            raise NotFound("no earlier task definition revision to roll back to", source="ecs.rollback")
        return older[0]

    # -- mutations -----------------------------------------------------------------------
    def register_revision(self, base_arn: str, new_images: dict[str, str], *, timeout: float) -> str:
        """A new revision of ``base_arn``'s family with some container images replaced."""
        td = self.task_definition(base_arn)
        self._check_images(td, new_images)
        params = {k: td[k] for k in REGISTRABLE if td.get(k) not in (None, [], {})}
        params["containerDefinitions"] = [{**c, "image": new_images.get(c.get("name"), c.get("image"))}
                                          for c in td["containerDefinitions"]]
        return self.call("register_task_definition", timeout=timeout, **params)["taskDefinition"]["taskDefinitionArn"]

    def deploy(self, cluster: str, name: str, *, new_images: dict[str, str] | None = None, task_definition: str = "",
               timeout: float) -> str:
        """Point the service at ``task_definition`` (or a new revision with ``new_images``); its ARN."""
        if not task_definition:
            if not new_images:
                raise InvalidInput("deploy needs new images or a task definition", source="ecs.deploy")
            task_definition = self.register_revision(self.service(cluster, name)["taskDefinition"], new_images,
                                                     timeout=timeout)
        self.call("update_service", timeout=timeout, cluster=cluster, service=name, taskDefinition=task_definition)
        return task_definition

    def rollback(self, cluster: str, name: str, to_arn: str = "", *, timeout: float) -> str:
        target = self._rollback_target(cluster, name, to_arn)
        return self.deploy(cluster, name, task_definition=target.name, timeout=timeout)

    # -- watching -----------------------------------------------------------------------
    def _stopped_tasks(self, cluster: str, name: str, target: str, log_lines: int) -> tuple[PodState, ...]:
        arns = self.call("list_tasks", cluster=cluster, serviceName=name, desiredStatus="STOPPED").get("taskArns") or []
        if not arns:
            return ()
        tasks = self.call("describe_tasks", cluster=cluster, tasks=arns[:20]).get("tasks") or []
        out = []
        for task in tasks:
            if task.get("taskDefinitionArn") != target or task.get("group") not in (None, f"service:{name}"):
                continue
            reasons = "; ".join(f"{c.get('name')}: {c.get('reason') or 'exit ' + str(c.get('exitCode', '?'))}"
                                for c in task.get("containers") or [] if c.get("reason") or c.get("exitCode"))
            task_id = str(task.get("taskArn", "")).rsplit("/", 1)[-1]
            out.append(PodState(name=f"task {task_id}", phase=str(task.get("lastStatus", "")),
                                reason=str(task.get("stoppedReason") or "stopped"), message=reasons,
                                last_log=self._task_logs(target, task_id, log_lines)))
        return tuple(out)

    def _task_logs(self, td_arn: str, task_id: str, lines: int) -> tuple[str, ...]:
        """Last lines of the awslogs streams of the task's containers (none when not configured)."""
        out: list[str] = []
        for c in self.task_definition(td_arn).get("containerDefinitions") or []:
            opts = (c.get("logConfiguration") or {}).get("options") or {}
            if (c.get("logConfiguration") or {}).get("logDriver") != "awslogs" or "awslogs-group" not in opts:
                continue
            stream = f"{opts.get('awslogs-stream-prefix', 'ecs')}/{c.get('name')}/{task_id}"
            try:
                events = self.aws.call("logs", "get_log_events", logGroupName=opts["awslogs-group"], logStreamName=stream,
                                       limit=lines, startFromHead=False).get("events") or []
            except OpsError:
                continue
            out += [str(e.get("message", "")) for e in events]
        return tuple(out[-lines:]) if lines else ()

    def watch_deployment(self, cluster: str, name: str, target: str, *, timeout: float, interval: float = 2.0,
                         log_lines: int = 5) -> Iterator[RolloutSnapshot]:
        """Snapshots every ``interval`` s until steady state, failure or ``timeout`` s."""
        started = time.monotonic()
        seen: dict[str, Any] = {"events": None, "target": False}
        revision = target.rsplit(":", 1)[-1]

        def look(timed_out: bool) -> RolloutSnapshot:
            svc = self.service(cluster, name)
            phase, message, dep = judge_service(svc, target, seen["target"])
            seen["target"] = seen["target"] or any(d.get("taskDefinition") == target and d.get("status") == "PRIMARY"
                                                   for d in svc.get("deployments") or [])
            events = svc.get("events") or []
            warnings: tuple[str, ...] = ()
            if seen["events"] is not None:
                warnings = tuple(str(e.get("message", "")) for e in events if e.get("id") not in seen["events"])
            seen["events"] = (seen["events"] or set()) | {e.get("id") for e in events}
            if phase is Phase.PROGRESSING and timed_out:
                phase, message = Phase.TIMED_OUT, f"still progressing when the watch timed out: {message}"
            failed = int(dep.get("failedTasks") or 0)
            tasks = self._stopped_tasks(cluster, name, target, log_lines) \
                if phase in (Phase.FAILED, Phase.TIMED_OUT) or failed else ()
            if failed and phase is Phase.PROGRESSING:
                message = f"{message}; {failed} task(s) failed to start"
            running = int(dep.get("runningCount") or 0)
            return RolloutSnapshot(
                phase=phase, desired=int(dep.get("desiredCount") or svc.get("desiredCount") or 0),
                updated=running + int(dep.get("pendingCount") or 0), ready=running, available=running,
                message=message, revision=int(revision) if revision.isdigit() else 0, pods=tasks, warnings=warnings,
                elapsed=time.monotonic() - started)

        return follow_rollout(look, timeout=timeout, interval=interval)
