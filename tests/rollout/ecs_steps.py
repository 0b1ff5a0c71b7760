"""ECS in moto: an estate to deploy to, and the scheduler's part played by the test.

moto keeps a service's deployment list as it was at creation; ``ecs_step`` writes what
ECS would report while a deployment runs (the test's equivalent of advancing a
Deployment's status in the Kubernetes emulator). Stopped tasks are real moto tasks
(run_task + stop_task with a reason), and their logs real CloudWatch Logs events.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import boto3

from console.config import Config

CLUSTER, SERVICE, FAMILY, LOG_GROUP = "shop", "web", "web", "/ecs/web"


def ecs_config(aws) -> Config:
    base = Config()
    return dataclasses.replace(base, aws=dataclasses.replace(base.aws, region=aws.region, endpoint_url=aws.url, timeout=5.0))


def client(aws, service: str = "ecs"):
    return boto3.client(service, region_name=aws.region, endpoint_url=aws.url)


def container(image: str) -> dict:
    return {"name": "web", "image": image, "memory": 256, "essential": True,
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": LOG_GROUP, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}


def seed_ecs(aws, images=("registry.local/web:1.0", "registry.local/web:1.1")) -> list[str]:
    """Cluster ``shop``, task definition family ``web`` (one revision per image), service ``web``
    on the last revision with 2 tasks; returns the revision ARNs."""
    ecs = client(aws)
    ecs.create_cluster(clusterName=CLUSTER)
    arns = [ecs.register_task_definition(family=FAMILY, containerDefinitions=[container(i)],
                                         networkMode="bridge",
                                         cpu="256", memory="512")["taskDefinition"]["taskDefinitionArn"]
            for i in images]
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=arns[-1], desiredCount=2,
                       deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 50,
                                                "deploymentCircuitBreaker": {"enable": True, "rollback": False}})
    client(aws, "logs").create_log_group(logGroupName=LOG_GROUP)
    return arns


def _moto_service():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    return ecs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].services[f"{CLUSTER}:{SERVICE}"]


def ecs_step(*, running: int, state: str = "IN_PROGRESS", reason: str = "", old: str | None = None,
             failed: int = 0, primary: str | None = None, event: str = "") -> None:
    """Write the deployments ECS would report: PRIMARY on the service's task definition
    (or ``primary``), plus an ACTIVE one on ``old`` while it drains."""
    svc = _moto_service()
    now = datetime.now(UTC)
    deps = [{"id": f"ecs-svc/{abs(hash((primary or svc.task_definition, state))) % 10**9}", "status": "PRIMARY",
             "taskDefinition": primary or svc.task_definition, "desiredCount": svc.desired_count,
             "runningCount": running, "pendingCount": max(0, svc.desired_count - running), "failedTasks": failed,
             "rolloutState": state, "rolloutStateReason": reason, "createdAt": now, "updatedAt": now}]
    if old:
        deps.append({"id": "ecs-svc/old", "status": "ACTIVE", "taskDefinition": old, "desiredCount": 0,
                     "runningCount": svc.desired_count - running, "pendingCount": 0, "failedTasks": 0,
                     "rolloutState": "COMPLETED", "createdAt": now, "updatedAt": now})
    svc.deployments = deps
    if event:
        svc.events.append({"id": f"ev-{len(svc.events)}", "createdAt": now, "message": event})


def stopped_task(aws, task_definition: str, reason: str, log: tuple[str, ...] = ()) -> str:
    """A task of the service that ECS stopped, with its container's log lines."""
    ecs = client(aws)
    task = ecs.run_task(cluster=CLUSTER, taskDefinition=task_definition, launchType="FARGATE",
                        group=f"service:{SERVICE}")["tasks"][0]
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason=reason)
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    if log:
        logs = client(aws, "logs")
        stream = f"ecs/web/{task_id}"
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        stamp = int(datetime.now(UTC).timestamp() * 1000)
        logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream,
                            logEvents=[{"timestamp": stamp + i, "message": m} for i, m in enumerate(log)])
    return task_id
