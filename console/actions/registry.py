"""Explicit start-up registration of every backend's undo factories.

Nothing registers on import: the App calls :func:`register_all` once at start-up (tests
and scripts that undo from records call it too). Each ``console.actions.<backend>``
module lists its factories in ``UNDO_FACTORIES``; adding a module means adding it here.
"""

from __future__ import annotations

from console.actions import aws_ecs, docker, kubernetes, kubernetes_rollout
from console.actions.undo import UndoFactory, register_undo

MODULES = (docker, kubernetes, kubernetes_rollout, aws_ecs)


def all_factories() -> dict[str, UndoFactory]:
    out: dict[str, UndoFactory] = {}
    for module in MODULES:
        out.update(module.UNDO_FACTORIES)
    return out


def register_all() -> tuple[str, ...]:
    """Register every undo kind; idempotent. Returns the kinds registered."""
    factories = all_factories()
    for kind, factory in factories.items():
        register_undo(kind, factory)
    return tuple(sorted(factories))
