"""Terraform evaluation: one module = the .tf files of one directory.

Variables (defaults, tfvars for root modules, the inputs a parent passes), locals, module
outputs, ``count``/``for_each`` instances, ``dynamic`` blocks, conditionals and the usual
functions are evaluated by checks.tf_expr / checks.tf_scope. What stays unknown keeps its
``${...}`` text (an UnknownStr) so references link and rules can say "could not evaluate".
Child modules called with a local ``source`` path are evaluated once per instance, their
resources addressed ``module.<name>[key].``.
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
from checks.tf_expr import Unknown
from checks.tf_scope import MAX_INSTANCES, META, Scope

MAX_DEPTH = 8


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
    index: str = ""  # '[0]' or '["key"]' for count/for_each instances

    @property
    def code_address(self) -> str:
        """The address of the code location: module and instance keys dropped (module.a.aws_x.y)."""
        mod = re.sub(r"\[[^\]]*\]", "", self.module)
        base = self._base()
        return f"{mod}.{base}" if mod else base

    def _base(self) -> str:
        if self.kind == "module":
            return f"module.{self.name}"
        return f"{self.type}.{self.name}" if self.kind == "resource" else f"data.{self.type}.{self.name}"

    @property
    def address(self) -> str:
        base = self._base()
        return f"{self.module}.{base}{self.index}" if self.module else base + self.index

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
        literal = dict.get(target.attrs, "bucket") if target.type == "aws_s3_bucket" else None
        out = []
        for other in self.of_type(type_):
            value = dict.get(other.attrs, attr) if attr else other.attrs
            text = json.dumps(value, default=str)
            if not any(needle + end in text for end in (".", '"', "[", ")", ",", "}")) \
                    and not (isinstance(literal, str) and "${" not in literal and f'"{literal}"' in text):
                continue
            if target.index and f"{needle}[" in text and not _same_instance(text, needle, target, other):
                continue  # b["logs"] is not b["data"]
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


def _same_instance(text: str, needle: str, target: TfResource, other: TfResource) -> bool:
    if needle + json.dumps(target.index)[1:-1] in text:
        return True
    iterated = f"{needle}[count.index]" in text or f"{needle}[each.key]" in text
    return iterated and other.index == target.index


def truthy(value: Any) -> bool | None:
    """True/False for static booleans (also "true"/"false" strings); None when unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


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


def _variables(source: ModuleSource, inputs: dict[str, Any]) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for _, entry in _merged(source, "variable"):
        for name, body in entry.items():
            if isinstance(body, dict) and "default" in body:
                variables[name] = body["default"]
    variables.update(inputs)
    return variables


def _instances(scope: Scope, body: dict[str, Any]) -> list[tuple[str, Scope]]:
    """(address suffix, scope) per instance: ``[0]`` for count, ``["key"]`` for for_each."""
    if "count" in body:
        count = scope.value(body["count"])
        if isinstance(count, Unknown):
            return [("", scope.with_iterator("count", {"index": Unknown("count.index", count.undecidable)}))]
        try:
            n = int(count)
        except (TypeError, ValueError):
            return [("", scope)]
        return [(f"[{i}]", scope.with_iterator("count", {"index": i})) for i in range(min(n, MAX_INSTANCES))]
    if "for_each" in body:
        each = scope.value(body["for_each"])
        if isinstance(each, Unknown):
            unknown = Unknown("each", each.undecidable)
            return [("", scope.with_iterator("each", {"key": unknown, "value": unknown}))]
        items = list(each.items()) if isinstance(each, dict) else [(v, v) for v in each] if isinstance(each, list) else []
        return [(f'["{k}"]', scope.with_iterator("each", {"key": k, "value": v})) for k, v in items[:MAX_INSTANCES]]
    return [("", scope)]


def expand_body(scope: Scope, body: dict[str, Any]) -> dict[str, Any]:
    """Attributes of one instance: evaluated, ``dynamic`` blocks expanded into ordinary blocks."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in META:
            out[key] = value
        elif key == "dynamic":
            for entry in value if isinstance(value, list) else [value]:
                for name, dyn in (entry or {}).items() if isinstance(entry, dict) else ():
                    blocks = _dynamic(scope, name, dyn) if isinstance(dyn, dict) else []
                    existing = out.get(name)
                    existing = [existing] if isinstance(existing, dict) else list(existing or [])
                    out[name] = existing + blocks
        elif key not in ("count", "for_each", "depends_on", "lifecycle", "provider"):
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                blocks = [expand_body(scope, v) for v in value]
                existing = out.get(key)
                out[key] = ([existing] if isinstance(existing, dict) else list(existing or [])) + blocks \
                    if existing else blocks
            else:
                out[key] = scope.resolve(value)
    return out


def _dynamic(scope: Scope, label: str, dyn: dict[str, Any]) -> list[dict[str, Any]]:
    """``dynamic "label" { for_each = ...; iterator = it; content { ... } }`` as ordinary blocks."""
    iterator = str(dyn.get("iterator") or "").strip("${}") or label
    contents = dyn.get("content") or [{}]
    content = contents[0] if isinstance(contents, list) and contents else contents
    if not isinstance(content, dict):
        return []
    each = scope.value(dyn.get("for_each"))
    if isinstance(each, Unknown):  # present or not is unknown: checked once with unknown values
        unknown = Unknown(f"{iterator}.value", each.undecidable)
        items: list[tuple[Any, Any]] = [(unknown, unknown)]
    else:
        items = list(each.items()) if isinstance(each, dict) else list(enumerate(each)) if isinstance(each, list) else []
    return [expand_body(scope.with_iterator(iterator, {"key": key, "value": value}), content)
            for key, value in items[:MAX_INSTANCES]]


def evaluate(source: ModuleSource, load: Callable[[Path], ModuleSource | None], inputs: dict[str, Any] | None = None,
             address: str = "", depth: int = 0, stack: tuple[Path, ...] = (),
             outputs: dict[str, Any] | None = None) -> Iterator[TfModule]:
    """Evaluate one module instance (children first, so their outputs are known here)."""
    local_exprs: dict[str, Any] = {}
    for _, entry in _merged(source, "locals"):
        local_exprs.update({k: v for k, v in entry.items() if k not in META})
    scope = Scope(_variables(source, inputs or {}), local_exprs, str(source.directory))
    children: list[TfModule] = []
    if depth < MAX_DEPTH:
        for _, entry in _merged(source, "module"):
            for name, call in entry.items():
                if not isinstance(call, dict):
                    continue
                child_dir = local_source_dir(source.directory, call)
                child = load(child_dir) if child_dir is not None and child_dir not in stack else None
                if child is None:
                    continue
                prefix = f"{address}.module.{name}" if address else f"module.{name}"
                outs: dict[str, Any] = {}
                instances = _instances(scope, call)
                for suffix, inst_scope in instances:
                    child_inputs = {k: inst_scope.resolve(v) for k, v in call.items() if k not in META and k not in
                                    ("source", "version", "count", "for_each", "providers", "depends_on")}
                    child_outputs: dict[str, Any] = {}
                    children.extend(evaluate(child, load, child_inputs, prefix + suffix, depth + 1,
                                             (*stack, source.directory), child_outputs))
                    outs = child_outputs if len(instances) == 1 and not suffix else {}
                scope.outputs[name] = outs
    module = TfModule(str(source.directory), address, lines=source.lines)
    for display, entry in _merged(source, "module"):  # the calls themselves, for rules on sources and versions
        for name, call in entry.items():
            if isinstance(call, dict):
                module.resources.append(TfResource("module", name, {k: scope.resolve(v) for k, v in call.items()},
                                                   display, int(call.get("__start_line__", 0)),
                                                   int(call.get("__end_line__", 0)), address, "module"))
    for kind in ("resource", "data"):
        for display, entry in _merged(source, kind):
            for type_, named in entry.items():
                for name, body in (named or {}).items() if isinstance(named, dict) else ():
                    if not isinstance(body, dict):
                        continue
                    for suffix, inst_scope in _instances(scope, body):
                        attrs = expand_body(inst_scope, body)
                        module.resources.append(TfResource(type_, name, attrs, display, int(body.get("__start_line__", 0)),
                                                           int(body.get("__end_line__", 0)), address, kind, suffix))
    if outputs is not None:
        for _, entry in _merged(source, "output"):
            for name, body in entry.items():
                if isinstance(body, dict) and "value" in body:
                    outputs[name] = scope.value(body["value"])
    yield module
    yield from children
