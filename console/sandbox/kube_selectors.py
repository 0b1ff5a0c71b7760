"""Kubernetes label and field selectors, as the API server evaluates them.

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k``, ``!k``, ``k in (a,b)``,
``k notin (a,b)``, comma-separated (all must hold). Field selectors: ``a.b=v``,
``a.b==v``, ``a.b!=v`` on dotted paths of the object (``metadata.name``,
``spec.nodeName``, ``involvedObject.uid``, ``status.phase`` ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SET_TERM = re.compile(r"^\s*(!?)([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ_TERM = re.compile(r"^\s*([\w./-]+)\s*(==|=|!=)\s*(.*?)\s*$")
_EXISTS_TERM = re.compile(r"^\s*(!?)([\w./-]+)\s*$")


class SelectorError(ValueError):
    """A selector the API server would reject (400 Bad Request)."""


def split_terms(selector: str) -> list[str]:
    """Split on commas that are not inside ``( )``."""
    terms, depth, current = [], 0, []
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(ch)
    terms.append("".join(current))
    return [t for t in (t.strip() for t in terms) if t]


def _term_holds(term: str, labels: Mapping[str, str]) -> bool:
    if m := _SET_TERM.match(term):
        if m.group(1):
            raise SelectorError(f"invalid label selector term {term!r}")
        values = {v.strip() for v in m.group(4).split(",") if v.strip()}
        key = m.group(2)
        return labels.get(key) in values if m.group(3) == "in" else labels.get(key) not in values
    if m := _EQ_TERM.match(term):
        key, op, value = m.groups()
        return labels.get(key) == value if op in ("=", "==") else labels.get(key) != value
    if m := _EXISTS_TERM.match(term):
        return (m.group(2) not in labels) if m.group(1) else (m.group(2) in labels)
    raise SelectorError(f"invalid label selector term {term!r}")


def matches_labels(obj: Mapping[str, Any], selector: str) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(_term_holds(term, labels) for term in split_terms(selector))


def _field(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else str(value)


def matches_fields(obj: Mapping[str, Any], selector: str) -> bool:
    for term in split_terms(selector):
        m = _EQ_TERM.match(term)
        if not m:
            raise SelectorError(f"invalid field selector term {term!r}")
        path, op, value = m.groups()
        if (_field(obj, path) == value) != (op in ("=", "==")):
            return False
    return True
