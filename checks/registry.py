"""Where rule packs register their rules: one registry, filled at import time."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from checks.model import Hit, Rule, Severity

_RULES: dict[str, Rule] = {}
_BY_TARGET: dict[str, tuple[Rule, ...]] = {}
_loaded = False

PACK_MODULES = (
    "checks.rules.terraform_s3",
    "checks.rules.terraform_network",
    "checks.rules.terraform_storage",
    "checks.rules.terraform_iam",
    "checks.rules.terraform_logging",
    "checks.rules.terraform_compute",
    "checks.rules.terraform_more",
    "checks.rules.terraform_rds_lambda",
    "checks.rules.dockerfile",
    "checks.rules.dockerfile_more",
    "checks.rules.kubernetes",
    "checks.rules.kubernetes_more",
    "checks.rules.docker_live",
    "checks.rules.aws_live",
    "checks.rules.repo",
)


def rule(
    id: str, title: str, severity: Severity, category: str, applies_to: str | tuple[str, ...],
    remediation: str, reference: str,
) -> Callable[[Callable[..., Iterable[Hit]]], Rule]:
    """Decorator: turn a check function into a registered Rule."""
    targets = (applies_to,) if isinstance(applies_to, str) else tuple(applies_to)

    def register(check: Callable[..., Iterable[Hit]]) -> Rule:
        if id in _RULES:
            raise ValueError(f"duplicate rule id {id}")
        made = Rule(id, title, severity, category, targets, remediation, reference, check)
        _RULES[id] = made
        _BY_TARGET.clear()
        return made

    return register


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    for name in PACK_MODULES:
        importlib.import_module(name)
    _loaded = True


def all_rules() -> tuple[Rule, ...]:
    load_all()
    return tuple(sorted(_RULES.values(), key=lambda r: r.id))


def rules_for(target: str) -> tuple[Rule, ...]:
    """Rules whose applies_to names ``target`` (e.g. "terraform:aws_s3_bucket")."""
    load_all()
    found = _BY_TARGET.get(target)
    if found is None:
        found = _BY_TARGET[target] = tuple(r for r in sorted(_RULES.values(), key=lambda r: r.id) if target in r.applies_to)
    return found


def rules_in_pack(pack: str) -> tuple[Rule, ...]:
    load_all()
    return tuple(r for r in sorted(_RULES.values(), key=lambda r: r.id) if r.pack == pack)


def get(rule_id: str) -> Rule | None:
    load_all()
    return _RULES.get(rule_id)
