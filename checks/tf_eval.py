"""Terraform evaluation: one module = the .tf files of one directory.

Variables' defaults (or the inputs a parent passes), locals and simple interpolations
are resolved where they are static; anything else stays as its ``${...}`` text and
rules treat it as unknown. Child modules called with a local ``source`` path are
evaluated with their inputs and their resources get a ``module.<name>.`` address prefix.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks.hcl_cache import Parsed

META = ("__start_line__", "__end_line__")
MAX_DEPTH = 8
_ONE_EXPR = re.compile(r"^\$\{([^{}]*)\}$")
_INTERP = re.compile(r"\$\{([^{}]*)\}")
_REF = re.compile(r"^(var|local)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"\.([A-Za-z0-9_-]+)|\[\s*\"?([^\]\"]+)\"?\s*\]")
UNKNOWN = object()


@dataclass
class TfResource:
    type: str
    name: str
    attrs: dict[str, Any]
    path: str
    line: int
    end_line: int
    module: str = ""  # "" for the root, else "module.a.module.b"
    kind: str = "resource"  # or "data"

    @property
    def address(self) -> str:
        base = f"{self.type}.{self.name}" if self.kind == "resource" else f"data.{self.type}.{self.name}"
        return f"{self.module}.{base}" if self.module else base

    def blocks(self, name: str, within: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        value = (self.attrs if within is None else within).get(name)
        if isinstance(value, dict):
            return [value]
        return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []

    def get(self, dotted: str, default: Any = None) -> Any:
        """``get("root_block_device.encrypted")``: first block at each step."""
        node: Any = self.attrs
        for part in dotted.split("."):
            if isinstance(node, list):
                node = node[0] if node and isinstance(node[0], dict) else None
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


@dataclass
class TfModule:
    directory: str
    address: str  # "" for a root module
    resources: list[TfResource] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)  # display path -> source lines

    def of_type(self, type_: str) -> list[TfResource]:
        return [r for r in self.resources if r.type == type_ and r.kind == "resource"]

    def data_of_type(self, type_: str) -> list[TfResource]:
        return [r for r in self.resources if r.type == type_ and r.kind == "data"]

    def related(self, type_: str, target: TfResource, attr: str | None = None) -> list[TfResource]:
        """Resources of ``type_`` that reference ``target`` (in ``attr``, or anywhere)."""
        needle = f"{target.type}.{target.name}"
        literal = target.attrs.get("bucket") if target.type == "aws_s3_bucket" else None
        out = []
        for other in self.of_type(type_):
            value = other.attrs.get(attr) if attr else other.attrs
            text = json.dumps(value, default=str)
            if needle + "." in text or needle + '"' in text or (isinstance(literal, str) and f'"{literal}"' in text):
                out.append(other)
        return out

    def line_of(self, res: TfResource, attribute: str) -> int:
        if not attribute:
            return res.line
        lines = self.lines.get(res.path, [])
        pattern = re.compile(r"^\s*\"?" + re.escape(attribute.split(".")[-1]) + r"\"?\s*(=|\{)")
        for number in range(max(res.line, 1), min(res.end_line, len(lines)) + 1):
            if pattern.match(lines[number - 1]):
                return number
        return res.line

    def snippet(self, path: str, line: int, count: int = 3) -> str:
        lines = self.lines.get(path, [])
        return "\n".join(s.rstrip() for s in lines[max(line - 1, 0):line - 1 + count])


def truthy(value: Any) -> bool | None:
    """True/False for static booleans (also "true"/"false" strings); None when unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


class _Scope:
    def __init__(self, variables: dict[str, Any], local_exprs: dict[str, Any]) -> None:
        self.variables = variables
        self.local_exprs = local_exprs
        self.local_values: dict[str, Any] = {}
        self.resolving: set[str] = set()

    def lookup(self, expr: str) -> Any:
        m = _REF.match(expr.strip())
        if not m:
            return UNKNOWN
        kind, name, rest = m.groups()
        if kind == "var":
            value = self.variables.get(name, UNKNOWN)
        else:
            value = self._local(name)
        for part in _PART.finditer(rest or ""):
            key = part.group(1) or part.group(2)
            if isinstance(value, dict) and key in value:
                value = value[key]
            elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                value = value[int(key)]
            else:
                return UNKNOWN
        return value

    def _local(self, name: str) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        if name not in self.local_exprs or name in self.resolving:
            return UNKNOWN
        self.resolving.add(name)
        value = self.resolve(self.local_exprs[name])
        self.resolving.discard(name)
        self.local_values[name] = value
        return value

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._resolve_str(value) if "${" in value else value
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in META else self.resolve(v)) for k, v in value.items()}
        return value

    def _resolve_str(self, text: str) -> Any:
        whole = _ONE_EXPR.match(text)
        if whole:
            found = self.lookup(whole.group(1))
            return text if found is UNKNOWN else found

        def substitute(m: re.Match[str]) -> str:
            found = self.lookup(m.group(1))
            if found is UNKNOWN or isinstance(found, (dict, list)) or (isinstance(found, str) and "${" in found):
                return m.group(0)
            return str(found).lower() if isinstance(found, bool) else str(found)

        return _INTERP.sub(substitute, text)


@dataclass
class ModuleSource:
    """The parsed files of one directory."""

    directory: Path
    files: dict[str, Parsed]  # display path -> parse
    lines: dict[str, list[str]]


def _merged(source: ModuleSource, section: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for display, parsed in source.files.items():
        for entry in (parsed.tree or {}).get(section, []) or []:
            if isinstance(entry, dict):
                yield display, entry


def local_source_dir(parent: Path, call: dict[str, Any]) -> Path | None:
    src = call.get("source")
    if isinstance(src, str) and (src.startswith("./") or src.startswith("../")):
        return Path(os.path.realpath(os.path.join(parent, src)))
    return None


def evaluate(source: ModuleSource, load: Callable[[Path], ModuleSource | None], inputs: dict[str, Any] | None = None,
             address: str = "", depth: int = 0, stack: tuple[Path, ...] = ()) -> Iterator[TfModule]:
    """Evaluate one module (and, recursively, its local child modules)."""
    variables: dict[str, Any] = {}
    for _, entry in _merged(source, "variable"):
        for name, body in entry.items():
            if isinstance(body, dict) and "default" in body:
                variables[name] = body["default"]
    variables.update(inputs or {})
    local_exprs: dict[str, Any] = {}
    for _, entry in _merged(source, "locals"):
        local_exprs.update({k: v for k, v in entry.items() if k not in META})
    scope = _Scope(variables, local_exprs)
    module = TfModule(str(source.directory), address, lines=source.lines)
    for kind in ("resource", "data"):
        for display, entry in _merged(source, kind):
            for type_, named in entry.items():
                for name, body in (named or {}).items():
                    if not isinstance(body, dict):
                        continue
                    attrs = scope.resolve(body)
                    if attrs.get("count") in (0, "0") or attrs.get("for_each") in ({}, []):
                        continue  # statically never created
                    module.resources.append(TfResource(type_, name, attrs, display, int(body.get("__start_line__", 0)),
                                                       int(body.get("__end_line__", 0)), address, kind))
    yield module
    if depth >= MAX_DEPTH:
        return
    for _, entry in _merged(source, "module"):
        for name, call in entry.items():
            if not isinstance(call, dict):
                continue
            child_dir = local_source_dir(source.directory, call)
            if child_dir is None or child_dir in stack:
                continue
            child = load(child_dir)
            if child is None:
                continue
            child_inputs = {k: scope.resolve(v) for k, v in call.items()
                            if k not in META and k not in ("source", "version", "count", "for_each", "providers", "depends_on")}
            prefix = f"{address}.module.{name}" if address else f"module.{name}"
            yield from evaluate(child, load, child_inputs, prefix, depth + 1, (*stack, source.directory))
