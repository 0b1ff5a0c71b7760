"""Helpers shared by the Terraform packs: the decorator, policy parsing, CIDR checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from checks.model import Hit, Rule, Severity
from checks.registry import rule
from checks.tf_eval import TfModule, TfResource, is_unknown, truthy

__all__ = ["Hit", "Severity", "TfModule", "TfResource", "is_unknown", "truthy", "tf_rule", "statements",
           "as_list", "world_open", "AWS_DOCS", "ports_overlap", "is_set_true", "document_statement"]

AWS_DOCS = "https://docs.aws.amazon.com"
WORLD = {"0.0.0.0/0", "::/0"}
_JSONENCODE = re.compile(r"^\$\{jsonencode\((.*)\)\}$", re.DOTALL)


def tf_rule(id: str, title: str, severity: Severity, category: str, types: str | tuple[str, ...],
            remediation: str, reference: str) -> Callable[[Callable[[TfResource, TfModule], Iterable[Hit]]], Rule]:
    names = (types,) if isinstance(types, str) else types
    return rule(id, title, severity, category, tuple(f"terraform:{t}" for t in names), remediation, reference)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def is_set_true(value: Any) -> bool:
    return truthy(value) is True


def world_open(cidrs: Any) -> bool:
    return any(isinstance(c, str) and c.strip() in WORLD for c in as_list(cidrs))


def ports_overlap(from_port: Any, to_port: Any, port: int) -> bool:
    try:
        lo, hi = int(from_port), int(to_port)
    except (TypeError, ValueError):
        return False
    if lo == 0 and hi == 0:  # protocol -1 uses 0/0 for "all ports"
        return True
    return lo <= port <= hi


def _policy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _JSONENCODE.match(text)
    if m:
        text = m.group(1)
    try:
        return json.loads(text)
    except ValueError:
        return None


def statements(value: Any, module: TfModule | None = None) -> list[dict[str, Any]]:
    """Statements of a policy given as JSON text, jsonencode(), a dict, or a
    ``data.aws_iam_policy_document.X.json`` reference resolved in ``module``."""
    if isinstance(value, str) and module is not None:
        m = re.search(r"data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json", value)
        if m:
            for doc in module.data_of_type("aws_iam_policy_document"):
                if doc.name == m.group(1):
                    return [document_statement(s) for s in doc.blocks("statement")]
            return []
    doc = _policy_json(value)
    if not isinstance(doc, dict):
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, dict)]


def document_statement(block: dict[str, Any]) -> dict[str, Any]:
    """An aws_iam_policy_document statement block in policy-JSON shape."""
    out: dict[str, Any] = {"Effect": block.get("effect", "Allow")}
    if "actions" in block:
        out["Action"] = block["actions"]
    if "not_actions" in block:
        out["NotAction"] = block["not_actions"]
    if "resources" in block:
        out["Resource"] = block["resources"]
    principals = [p for p in as_list(block.get("principals")) if isinstance(p, dict)]
    if principals:
        out["Principal"] = {str(p.get("type")): p.get("identifiers") for p in principals}
    return out
