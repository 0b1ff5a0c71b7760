"""The Terraform functions the evaluator knows (checks.tf_expr); each raises on bad input and
never sees an unknown argument except try/coalesce/can/lookup/merge, which handle them."""

from __future__ import annotations

import json
from typing import Any


def _is_unknown(value: Any) -> bool:
    from checks.tf_expr import Unknown

    return isinstance(value, Unknown)


def _failed(value: Any) -> bool:
    return type(value).__name__ == "_Failed"


def _try(*args: Any) -> Any:
    for arg in args:
        if not _failed(arg):
            return arg  # an unknown first candidate stays unknown: it may or may not fail at apply
    raise ValueError("no argument of try() succeeded")


def _can(arg: Any) -> Any:
    return arg if _is_unknown(arg) else not _failed(arg)


def _coalesce(*args: Any) -> Any:
    for arg in args:
        if _is_unknown(arg):
            return arg
        if arg is not None and arg != "":
            return arg
    raise ValueError("no non-null argument")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if _is_unknown(key) or _is_unknown(mapping):
        return mapping if _is_unknown(mapping) else key
    if not isinstance(mapping, dict):
        raise TypeError("lookup() needs a map")
    if str(key) in mapping:
        return mapping[str(key)]
    if default:
        return default[0]
    raise KeyError(key)


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for m in maps:
        if _is_unknown(m):
            return m
        if m is None:
            continue
        if not isinstance(m, dict):
            raise TypeError("merge() needs maps")
        out.update(m)
    return out


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for item in lists:
        if not isinstance(item, list):
            raise TypeError("concat() needs lists")
        out.extend(item)
    return out


def _flatten(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _tostring(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise TypeError("tostring() of a collection")
    return "" if value is None else str(value)


def _tobool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value) in ("true", "false"):
        return str(value) == "true"
    raise ValueError("not a bool")


def _format(fmt: str, *args: Any) -> str:
    out, i, parts = [], 0, iter(args)
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            spec = fmt[i + 1]
            out.append("%" if spec == "%" else _tostring(next(parts)))
            i += 2
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


def _element(values: list[Any], index: int) -> Any:
    return values[int(index) % len(values)]


def _one(values: list[Any]) -> Any:
    if len(values) > 1:
        raise ValueError("one() of more than one element")
    return values[0] if values else None


FUNCTIONS: dict[str, Any] = {
    "try": _try, "can": _can, "coalesce": _coalesce, "lookup": _lookup, "merge": _merge, "concat": _concat,
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")), "jsondecode": lambda s: json.loads(s),
    "tostring": _tostring, "tonumber": lambda v: float(v) if "." in str(v) else int(v), "tobool": _tobool,
    "tolist": lambda v: list(v),
    "toset": lambda v: [json.loads(x) for x in dict.fromkeys(json.dumps(x, sort_keys=True) for x in v)],
    "tomap": lambda v: dict(v), "length": lambda v: len(v), "lower": lambda s: s.lower(), "upper": lambda s: s.upper(),
    "format": _format, "join": lambda sep, v: sep.join(_tostring(x) for x in v), "split": lambda sep, s: s.split(sep),
    "contains": lambda v, x: x in v, "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)],
    "element": _element, "flatten": _flatten, "distinct": lambda v: list({json.dumps(x): x for x in v}.values()),
    "compact": lambda v: [x for x in v if x not in (None, "")], "replace": lambda s, a, b: s.replace(a, b),
    "trimspace": lambda s: s.strip(), "coalescelist": lambda *ls: next((x for x in ls if x), []), "one": _one,
    "min": lambda *v: min(v), "max": lambda *v: max(v), "abs": lambda v: abs(v), "tolower": lambda s: s.lower(),
    "startswith": lambda s, p: s.startswith(p), "endswith": lambda s, p: s.endswith(p),
    "zipmap": lambda k, v: dict(zip(k, v, strict=True)), "range": lambda *a: list(range(*[int(x) for x in a])),
}
