"""EcsDeployBackend against moto server: history, diff, plan, deploy, watch, rollback."""

from __future__ import annotations

import threading
import time

import pytest

from console.backends.ecs_deploy import EcsDeployBackend
from console.errors import Conflict, InvalidInput
from console.models.rollout import Phase
from tests.rollout.ecs_steps import CLUSTER, SERVICE, client, ecs_config, ecs_step, seed_ecs, stopped_task


@pytest.fixture
def ecs(aws):
    arns = seed_ecs(aws)
    backend = EcsDeployBackend(ecs_config(aws))
    yield backend, arns
    backend.close()


def later(seconds, fn, *args, **kwargs):
    def run():
        time.sleep(seconds)
        fn(*args, **kwargs)
    threading.Thread(target=run, daemon=True).start()


def test_services_and_task_definition_history(ecs):
    backend, arns = ecs
    assert backend.clusters() == (CLUSTER,)
    (svc,) = backend.services(CLUSTER)
    assert (svc.name, svc.desired, svc.family_revision) == (SERVICE, 2, "web:2")
    history = backend.history(CLUSTER, SERVICE)
    assert [(r.number, r.current) for r in history] == [(2, True), (1, False)]
    assert history[1].images == (("web", "registry.local/web:1.0"),)


def test_plan_deploy_names_before_after_and_strategy(ecs):
    backend, _ = ecs
    plan = backend.plan_deploy(CLUSTER, SERVICE, {"web": "registry.local/web:1.2"})
    assert plan.images_before == "web=registry.local/web:1.1" and plan.images_after == "web=registry.local/web:1.2"
    # moto keeps no deploymentConfiguration: the plan shows ECS's defaults (100/200)
    assert plan.strategy == "ECS rolling update (minimumHealthyPercent 100, maximumPercent 200)"
    assert (plan.max_surge, plan.max_unavailable, plan.revision_before) == (2, 0, 2)
    assert [d.text for d in plan.diff] == ["~ containerDefinitions[web].image: registry.local/web:1.1 → registry.local/web:1.2"]
    assert any("no server-side dry run" in n for n in plan.notes)
    assert backend.dry_run(plan).ok
    with pytest.raises(InvalidInput, match="no container named api"):
        backend.plan_deploy(CLUSTER, SERVICE, {"api": "x:1"})


def test_dry_run_refuses_a_stale_plan(ecs, aws):
    backend, arns = ecs
    plan = backend.plan_deploy(CLUSTER, SERVICE, {"web": "registry.local/web:1.2"})
    client(aws).update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=arns[0])
    result = backend.dry_run(plan)
    assert not result.ok and "changed since the plan" in result.message


def test_deploy_registers_a_revision_and_watch_reaches_steady_state(ecs):
    backend, arns = ecs
    target = backend.deploy(CLUSTER, SERVICE, new_images={"web": "registry.local/web:1.2"}, timeout=5)
    assert target.endswith(":3")
    assert backend.history(CLUSTER, SERVICE)[0].images == (("web", "registry.local/web:1.2"),)
    ecs_step(running=0, old=arns[1])
    later(0.2, ecs_step, running=1, old=arns[1], event="(service web) has started 1 tasks")
    later(0.4, ecs_step, running=2, state="COMPLETED", event="(service web) has reached a steady state.")
    snaps = list(backend.watch_deployment(CLUSTER, SERVICE, target, timeout=10, interval=0.05))
    assert snaps[0].phase is Phase.PROGRESSING and "0 of 2" in snaps[0].message
    assert snaps[-1].phase is Phase.COMPLETE and snaps[-1].available == 2 and snaps[-1].revision == 3
    assert any("steady state" in w for s in snaps for w in s.warnings)


def test_failed_deployment_shows_stopped_tasks_and_logs_then_rolls_back(ecs, aws):
    backend, arns = ecs
    target = backend.deploy(CLUSTER, SERVICE, new_images={"web": "registry.local/web:1.3"}, timeout=5)
    stopped_task(aws, target, "Essential container in task exited", log=("boot web 1.3", "panic: no DB_URL"))
    ecs_step(running=0, state="FAILED", reason="circuit breaker: 3 tasks failed", old=arns[1], failed=3)
    final = list(backend.watch_deployment(CLUSTER, SERVICE, target, timeout=10, interval=0.05))[-1]
    assert final.phase is Phase.FAILED and "circuit breaker" in final.message
    text = final.failure_text()
    assert "Essential container in task exited" in text and "panic: no DB_URL" in text
    plan = backend.plan_rollback(CLUSTER, SERVICE)
    assert plan.revision_after == 2 and plan.images_after == "web=registry.local/web:1.1"
    assert backend.rollback(CLUSTER, SERVICE, timeout=5) == arns[1]
    assert backend.service(CLUSTER, SERVICE)["taskDefinition"] == arns[1]


def test_circuit_breaker_rollback_counts_as_failure(ecs):
    backend, arns = ecs
    target = backend.deploy(CLUSTER, SERVICE, new_images={"web": "registry.local/web:1.4"}, timeout=5)
    ecs_step(running=0, old=arns[1])
    later(0.2, ecs_step, running=2, state="COMPLETED", primary=arns[1])
    final = list(backend.watch_deployment(CLUSTER, SERVICE, target, timeout=10, interval=0.05))[-1]
    assert final.phase is Phase.FAILED and "rolled the service back to web:2" in final.message


def test_watch_times_out(ecs):
    backend, arns = ecs
    target = backend.deploy(CLUSTER, SERVICE, task_definition=arns[0], timeout=5)
    ecs_step(running=1, old=arns[1])
    final = list(backend.watch_deployment(CLUSTER, SERVICE, target, timeout=0.2, interval=0.05))[-1]
    assert final.phase is Phase.TIMED_OUT


def test_rollback_to_current_is_refused(ecs):
    backend, arns = ecs
    with pytest.raises(Conflict, match="already the current"):
        backend.rollback(CLUSTER, SERVICE, arns[1], timeout=5)
