"""Undo from the changelog: rebuild the inverse action of a past record.

A live spec carries its inverse as ``spec.undo`` (a function of the target). A record in
the audit log cannot carry a function, so it carries a name and parameters instead:

1. the tab registers, once at import time, how to build the inverse from a record::

       register_undo("kube.scale", lambda record, services: scale_spec(
           services.kubernetes(), target_from_record(record),
           replicas=int(record["undo_params"]["previous_replicas"])))

2. the specs it builds say ``undo_kind="kube.scale"`` and put what the inverse needs
   into ``details`` (e.g. ``{"previous_replicas": "3"}``); the runner records both
   (``undo_kind`` and ``undo_params``);
3. the changelog viewer calls :func:`undo_from_record`, and runs the result through the
   same guarded path (preview, confirmation, audit) as any other action.

The registry is a module-level dict keyed by kind; registering a kind again replaces it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from console.actions.spec import EXECUTED, LEGACY_OUTCOMES, ActionSpec, Change, Preview, Target
from console.errors import InvalidInput

UndoFactory = Callable[[Mapping[str, Any], Any], ActionSpec]

_FACTORIES: dict[str, UndoFactory] = {}

# outcomes after which the target may have changed, so undoing can make sense
UNDOABLE_OUTCOMES = frozenset(o.value for o in EXECUTED) | frozenset(LEGACY_OUTCOMES)


def register_undo(kind: str, factory: UndoFactory) -> None:
    """Register how to rebuild the inverse action for records with ``undo_kind == kind``."""
    if not kind or not isinstance(kind, str):
        raise InvalidInput(f"register_undo: kind must be a non-empty string, got {kind!r}", source="actions.undo")
    _FACTORIES[kind] = factory


def unregister_undo(kind: str) -> None:
    _FACTORIES.pop(kind, None)


def can_undo(record: Mapping[str, Any]) -> bool:
    """True when the record's action changed something and its undo kind is registered."""
    return record.get("outcome") in UNDOABLE_OUTCOMES and record.get("undo_kind") in _FACTORIES


def target_from_record(record: Mapping[str, Any]) -> Target:
    """The Target a record names, for undo factories."""
    target = record.get("target")
    if not isinstance(target, Mapping) or not target.get("name") or not record.get("backend"):
        raise InvalidInput(
            f"audit record {record.get('action_id', '?')}: no target name/backend to undo", source="actions.undo"
        )
    return Target(
        kind=str(target.get("kind", "")),
        name=str(target["name"]),
        backend=str(record["backend"]),
        context=str(record.get("context", "")),
        namespace=str(record.get("namespace", "")),
        id=str(target.get("id", "")),
        production=bool(record.get("production", False)),
    )


def undo_from_record(record: Mapping[str, Any], services: Any) -> ActionSpec:
    """The inverse action of ``record``; raises InvalidInput when there is none."""
    kind = record.get("undo_kind") or ""
    where = f"audit record {record.get('action_id', '?')}"
    if record.get("outcome") not in UNDOABLE_OUTCOMES:
        raise InvalidInput(f"{where}: outcome {record.get('outcome')!r} changed nothing to undo", source="actions.undo")
    factory = _FACTORIES.get(kind)
    if factory is None:
        why = "records no undo" if not kind else f"undo kind {kind!r} is not registered in this build"
        raise InvalidInput(f"{where}: {why}", source="actions.undo")
    spec = factory(record, services)
    if not isinstance(spec, ActionSpec):
        raise InvalidInput(f"{where}: undo factory {kind!r} returned {type(spec).__name__}, not an ActionSpec",
                           source="actions.undo")
    if not spec.recorded:
        spec = dataclasses.replace(spec, recorded=recorded_inverse(record))
    return spec


def recorded_inverse(record: Mapping[str, Any]) -> tuple[Change, ...]:
    """What undoing ``record`` should do, from its changes: each field from its after back to its before."""
    out = []
    for change in record.get("changes") or []:
        if isinstance(change, Mapping) and change.get("field"):
            out.append(Change(str(change["field"]), str(change.get("after", "")), str(change.get("before", ""))))
    return tuple(out)


def preview_mismatches(recorded: tuple[Change, ...], preview: Preview | None) -> list[str]:
    """Where the live preview of an undo differs from what its record implies, in words.

    E.g. the record says "replicas 3 → 5", so the undo should be "5 → 3"; a preview of
    "4 → 3" means someone changed it since, and the operator must know before confirming.
    """
    if not recorded or preview is None:
        return []
    live = {c.field: c for c in preview.changes}
    out = []
    for want in recorded:
        got = live.get(want.field)
        if got is None:
            continue
        if got.before != want.before:
            out.append(f"{want.field} is {got.before or '(empty)'} now, the record left it at {want.before or '(empty)'}: "
                       "it was changed since")
        if got.after != want.after:
            out.append(f"{want.field} would become {got.after or '(empty)'}, the record had {want.after or '(empty)'} "
                       "before the action")
    return out
