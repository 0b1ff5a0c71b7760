"""What ``kubectl rollout undo`` does to a Deployment's annotations, and the plan's words for it.

kubectl sets the Deployment's annotations to the revision's ReplicaSet annotations, except
the controller's own bookkeeping (``SKIPPED_ANNOTATIONS``), which keep the Deployment's
values. The rollback plan lists each annotation that changes.
"""

from __future__ import annotations

from typing import Any

from console.models.rollout import Revision

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
# annotations kubectl rollout undo never copies from the ReplicaSet to the Deployment
SKIPPED_ANNOTATIONS = frozenset({REVISION, "deployment.kubernetes.io/revision-history",
                                 "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
                                 "kubectl.kubernetes.io/last-applied-configuration",
                                 "deprecated.deployment.rollback.to"})


def rollback_annotations(deployment: dict[str, Any], revision: Revision) -> dict[str, str]:
    """The Deployment's annotations after ``kubectl rollout undo``: the revision's ReplicaSet
    annotations, except the controller's own (SKIPPED_ANNOTATIONS), which keep the Deployment's."""
    current = (deployment.get("metadata") or {}).get("annotations") or {}
    annotations = {k: str(v) for k, v in current.items() if k in SKIPPED_ANNOTATIONS}
    annotations.update({k: v for k, v in revision.annotations.items() if k not in SKIPPED_ANNOTATIONS})
    if not revision.annotations and revision.change_cause:  # a Revision built without its annotations
        annotations[CHANGE_CAUSE] = revision.change_cause
    return annotations


def annotation_changes(deployment: dict[str, Any], revision: Revision) -> tuple[str, ...]:
    """What a rollback does to the Deployment's annotations, in words, for the plan."""
    before = {k: str(v) for k, v in ((deployment.get("metadata") or {}).get("annotations") or {}).items()}
    after = rollback_annotations(deployment, revision)
    out = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            out.append(f"annotation {key}: {before.get(key, '(none)')} → {after.get(key, '(removed)')}")
    return tuple(out)
