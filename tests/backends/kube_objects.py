"""Manifests for the Kubernetes contract tests (both backends)."""

from __future__ import annotations

from typing import Any


def deployment(name: str, image: str = "registry.local/web:1.0", replicas: int = 1,
               env: list[dict[str, Any]] | None = None, annotations: dict[str, str] | None = None,
               progress_deadline: int | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": image}
    if env:
        container["env"] = env
    spec: dict[str, Any] = {
        "replicas": replicas, "selector": {"matchLabels": {"app": name}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [container], "terminationGracePeriodSeconds": 0}}}
    if progress_deadline is not None:
        spec["progressDeadlineSeconds"] = progress_deadline
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name}, "annotations": annotations or {}}, "spec": spec}


def quota(name: str, pods: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name},
            "spec": {"hard": {"pods": str(pods)}}}


def cronjob(name: str, suspend: bool = False) -> dict[str, Any]:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": "*/5 * * * *", "suspend": suspend, "jobTemplate": {"spec": {"template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "job", "image": "registry.local/job:1"}]}}}}}}
