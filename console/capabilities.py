"""What a backend (or a rollout flow) can do, as small Protocols screens and specs are typed on.

k9s-style capabilities instead of ``Any`` adapters and ``hasattr`` checks: an action spec
builder says which capability it needs (``Scalable``, ``Restartable``, ...), the concrete
backends in ``console/backends`` provide them structurally, and an editor jumps from a key
binding through the spec builder to the SDK call. Every backend object carries the
``generation`` of ``Services`` it was created in (see console.services).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from console.actions.spec import ActionSpec, Target
    from console.backends.base import BackendInfo
    from console.models.aws import Build, Pipeline, PipelineExecution, WasteReport
    from console.models.rollout import DryRun, Revision, RolloutPlan, RolloutSnapshot


class Backend(Protocol):
    """One backend object owned by Services."""

    generation: int

    def connect(self) -> BackendInfo: ...

    def close(self) -> None: ...


class ObjectReader(Protocol):
    generation: int

    def get(self, kind: str, namespace: str | None, name: str) -> dict[str, Any]: ...


class Scalable(ObjectReader, Protocol):
    def scale_preview(self, kind: str, namespace: str, name: str, replicas: int, *,
                      timeout: float) -> tuple[int, int]: ...

    def scale(self, kind: str, namespace: str, name: str, replicas: int, *, timeout: float) -> int: ...

    def verify_scale(self, kind: str, namespace: str, name: str, replicas: int, progress: Callable[[str], None],
                     deadline: float) -> None: ...


class Restartable(ObjectReader, Protocol):
    def rollout_restart(self, kind: str, namespace: str, name: str, *, timeout: float) -> str: ...

    def verify_restart(self, kind: str, namespace: str, name: str, stamp: str, progress: Callable[[str], None],
                       deadline: float) -> None: ...


class PodDeleter(ObjectReader, Protocol):
    def delete_pod(self, namespace: str, name: str, *, timeout: float) -> str: ...


class Cordonable(ObjectReader, Protocol):
    def cordon(self, node: str, *, timeout: float) -> None: ...

    def uncordon(self, node: str, *, timeout: float) -> None: ...

    def verify_field(self, kind: str, namespace: str | None, name: str, field: str, want: bool,
                     progress: Callable[[str], None], deadline: float) -> None: ...


class CronJobControl(ObjectReader, Protocol):
    def trigger_cronjob(self, namespace: str, name: str, *, timeout: float) -> str: ...

    def suspend_cronjob(self, namespace: str, name: str, *, timeout: float) -> None: ...

    def resume_cronjob(self, namespace: str, name: str, *, timeout: float) -> None: ...

    def verify_field(self, kind: str, namespace: str | None, name: str, field: str, want: bool,
                     progress: Callable[[str], None], deadline: float) -> None: ...


class SecretReader(Protocol):
    generation: int

    def masked_object(self, kind: str, namespace: str | None, name: str, reveal: bool = False) -> dict[str, Any]: ...


class ContainerControl(Protocol):
    """Start/stop/restart/kill/pause/unpause/remove containers and wait for their state."""

    generation: int

    def wait_for(self, container_id: str, states: Iterable[str], deadline: float,
                 progress: Callable[[str], None] | None = None, gone: bool = False) -> Any: ...

    def start(self, container_id: str, *, timeout: float) -> None: ...

    def stop(self, container_id: str, *, timeout: float) -> None: ...

    def restart(self, container_id: str, *, timeout: float) -> None: ...

    def kill(self, container_id: str, *, timeout: float, signal: str = "SIGKILL") -> None: ...

    def pause(self, container_id: str, *, timeout: float) -> None: ...

    def unpause(self, container_id: str, *, timeout: float) -> None: ...

    def remove(self, container_id: str, *, timeout: float, force: bool = False) -> None: ...


class PipelineControl(Protocol):
    generation: int

    def pipeline(self, name: str) -> Pipeline: ...

    def execution(self, pipeline: str, execution_id: str) -> PipelineExecution: ...

    def builds(self, project: str, limit: int = ...) -> tuple[Build, ...]: ...

    def build(self, build_id: str) -> Build: ...

    def start_pipeline_execution(self, name: str, *, timeout: float) -> str: ...

    def retry_stage_execution(self, name: str, stage: str, execution_id: str, *, timeout: float) -> str: ...

    def stop_pipeline_execution(self, name: str, execution_id: str, *, abandon: bool, reason: str,
                                timeout: float) -> str: ...

    def put_approval_result(self, name: str, stage: str, action: str, token: str, *, approved: bool,
                            summary: str, timeout: float) -> None: ...

    def start_build(self, project: str, *, timeout: float) -> str: ...

    def stop_build(self, build_id: str, *, timeout: float) -> str: ...


class WasteControl(Protocol):
    generation: int

    def waste_report(self) -> WasteReport: ...

    def snapshot_and_delete_volume(self, volume_id: str, *, timeout: float) -> str: ...

    def release_address(self, allocation_id: str, *, timeout: float) -> None: ...

    def delete_snapshot(self, snapshot_id: str, *, timeout: float) -> None: ...


class RolloutTarget(Protocol):
    """A Deployment or an ECS service the deploy/rollback wizards and the watch drive
    (console.actions.kubernetes_rollout.KubeRolloutFlow, console.actions.aws_ecs.EcsRolloutFlow)."""

    kind: str
    can_pause: bool
    verify_timeout: float

    @property
    def target(self) -> Target: ...

    @property
    def label(self) -> str: ...

    def history(self) -> tuple[Revision, ...]: ...

    def containers(self) -> tuple[tuple[str, str], ...]: ...

    def failed_revisions(self, history: tuple[Revision, ...]) -> frozenset[int]: ...

    def plan_deploy(self, images: dict[str, str]) -> tuple[RolloutPlan, DryRun]: ...

    def plan_rollback(self, revision: Revision | None) -> tuple[RolloutPlan, DryRun]: ...

    def watch(self, timeout: float) -> Iterator[RolloutSnapshot]: ...

    def deploy_spec(self, plan: RolloutPlan, images: dict[str, str]) -> ActionSpec: ...

    def rollback_plan_spec(self, plan: RolloutPlan) -> ActionSpec: ...

    def pause_spec(self, pause: bool) -> ActionSpec: ...


FlowLoader = Callable[[], RolloutTarget]  # THREAD: builds the flow (it may do I/O)
