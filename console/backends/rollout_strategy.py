"""A Deployment's rollout strategy and PodDisruptionBudget headroom, for the rollout plan
(pure functions on the API's JSON; no client)."""

from __future__ import annotations

import math
from typing import Any

from console.errors import InvalidInput


def resolve_count(value: Any, replicas: int, round_up: bool, default: str = "25%") -> int:
    """maxSurge / maxUnavailable: an int or a percentage of replicas (surge rounds up)."""
    value = default if value is None else value
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith("%") and text[:-1].isdigit():
        exact = int(text[:-1]) * replicas / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    if text.isdigit():
        return int(text)
    raise InvalidInput(f"strategy value {value!r} is neither a number nor a percentage", source="rollout.plan")


def strategy_of(deployment: dict[str, Any]) -> tuple[str, int, int]:
    spec = deployment.get("spec") or {}
    replicas = int(spec.get("replicas", 1) or 0)
    strategy = spec.get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return "Recreate (all pods replaced at once: downtime)", 0, replicas
    rolling = strategy.get("rollingUpdate") or {}
    surge = resolve_count(rolling.get("maxSurge"), replicas, True)
    unavailable = resolve_count(rolling.get("maxUnavailable"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # what the controller does when both round to zero
    return f"RollingUpdate (maxSurge {surge}, maxUnavailable {unavailable})", surge, unavailable


def _selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    match = selector.get("matchLabels") or {}
    if not selector or any(labels.get(k) != v for k, v in match.items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values) \
                or (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def pdb_headroom(pdbs: list[dict[str, Any]] | None, labels: dict[str, str]) -> str:
    """How many pods the PodDisruptionBudgets covering ``labels`` let go right now."""
    if pdbs is None:
        return "unknown (the PodDisruptionBudget API did not answer)"
    found = []
    for pdb in pdbs:
        spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
        if not _selector_matches(spec.get("selector") or {}, labels):
            continue
        rule = f"minAvailable {spec['minAvailable']}" if "minAvailable" in spec else \
            f"maxUnavailable {spec.get('maxUnavailable', '?')}"
        allowed = status.get("disruptionsAllowed")
        healthy = f"{status.get('currentHealthy', '?')}/{status.get('expectedPods', '?')} healthy"
        found.append(f"{pdb.get('metadata', {}).get('name', '?')}: {rule}, {healthy}, "
                     f"{'?' if allowed is None else allowed} disruption(s) allowed")
    return "; ".join(found) if found else "no PodDisruptionBudget covers these pods"
