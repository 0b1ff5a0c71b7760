"""One module instance's evaluation scope: variables, locals, module outputs, count/each and
dynamic-block iterators. ``resolve`` turns python-hcl2's strings (``${...}``) into values;
what stays unknown becomes an :class:`UnknownStr` (still the ``${...}`` text, so rules and
reference linking keep working) that says whether it is *undecidable* (an unset variable,
an unsupported expression) or merely known after apply (a resource attribute)."""

from __future__ import annotations

from typing import Any

from checks.tf_expr import ExprError, Unknown, evaluate

META = ("__start_line__", "__end_line__")
MAX_INSTANCES = 64  # count = 1000 is checked through its first 64 instances (findings are per location)


class UnknownStr(str):
    """A value known only at plan/apply time, kept as its ``${...}`` text."""

    undecidable: bool = True


def unknown_str(text: str, undecidable: bool) -> UnknownStr:
    out = UnknownStr(text)
    out.undecidable = undecidable
    return out


class Reads(list):
    """The undecidable values a rule read from a resource (filled by TrackedDict)."""


class TrackedDict(dict):
    """Resource attributes that note every undecidable value a rule reads."""

    reads: Reads

    def get(self, key: Any, default: Any = None) -> Any:
        value = super().get(key, default)
        if isinstance(value, UnknownStr) and value.undecidable:
            self.reads.append((str(key), str(value)))
        return value

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, UnknownStr) and value.undecidable:
            self.reads.append((str(key), str(value)))
        return value


def tracked(value: Any, reads: Reads) -> Any:
    if isinstance(value, dict):
        out = TrackedDict((k, tracked(v, reads)) for k, v in value.items())
        out.reads = reads
        return out
    if isinstance(value, list):
        return [tracked(v, reads) for v in value]
    return value


def split_template(text: str) -> list[tuple[bool, str]]:
    """``"a-${var.x}-b"`` -> [(False, "a-"), (True, "var.x"), (False, "-b")]; braces and quotes
    inside an interpolation are balanced, so ``${merge(var.a, {b = 1})}`` is one part."""
    if text.startswith("${") and text.endswith("}") and text.count("${") == 1 and text.count("}") == 1:
        return [(True, text[2:-1])]  # the common case: one expression, no braces inside
    parts: list[tuple[bool, str]] = []
    i, literal = 0, []
    while i < len(text):
        nxt = text.find("${", i)
        if nxt == -1:
            literal.append(text[i:])
            break
        if nxt > i:
            literal.append(text[i:nxt])
            i = nxt
        if text.startswith("${", i):
            depth, j, quote = 1, i + 2, False
            while j < len(text) and depth:
                ch = text[j]
                if quote:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        quote = False
                elif ch == '"':
                    quote = True
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            if depth:
                literal.append(text[i:])
                break
            if literal:
                parts.append((False, "".join(literal)))
                literal = []
            parts.append((True, text[i + 2:j - 1]))
            i = j
        else:
            literal.append(text[i])
            i += 1
    if literal:
        parts.append((False, "".join(literal)))
    return parts


class Scope:
    def __init__(self, variables: dict[str, Any], local_exprs: dict[str, Any], directory: str = ".") -> None:
        self.variables = variables
        self.local_exprs = local_exprs
        self.local_values: dict[str, Any] = {}
        self.resolving: set[str] = set()
        self.outputs: dict[str, Any] = {}  # module name -> {output: value} (or an Unknown for many instances)
        self.iterators: dict[str, dict[str, Any]] = {}  # count / each / a dynamic block's iterator
        self.directory = directory

    def with_iterator(self, name: str, values: dict[str, Any]) -> Scope:
        child = Scope(self.variables, self.local_exprs, self.directory)
        child.local_values, child.outputs = self.local_values, self.outputs
        child.resolving = self.resolving
        child.iterators = {**self.iterators, name: values}
        return child

    # --- references -------------------------------------------------------------------
    def reference(self, path: list[Any], source: str) -> Any:
        head = path[0]
        if head == "var" and len(path) > 1:
            base: Any = self.variables.get(str(path[1]), Unknown(source, True))
            rest = path[2:]
        elif head == "local" and len(path) > 1:
            base, rest = self._local(str(path[1]), source), path[2:]
        elif head in self.iterators and len(path) > 1:
            base, rest = self.iterators[head].get(str(path[1]), Unknown(source, True)), path[2:]
        elif head == "module" and len(path) > 2:
            outs = self.outputs.get(str(path[1]))
            if not isinstance(outs, dict) or str(path[2]) not in outs:
                return Unknown(source, False)
            base, rest = outs[str(path[2])], path[3:]
            if _contains_unknown(base):
                return Unknown(source, _undecidable(base))
        elif head == "path":
            return self.directory
        elif head == "terraform" and path[1:] == ["workspace"]:
            return "default"
        else:  # a resource or data source attribute: exists, value known after apply
            return Unknown(source, False)
        for key in rest:
            if isinstance(base, Unknown):
                return Unknown(source, base.undecidable)
            if key == "*":
                continue
            if isinstance(base, dict) and str(key) in base:
                base = base[str(key)]
            elif isinstance(base, list) and isinstance(key, int) and -len(base) <= key < len(base):
                base = base[key]
            elif isinstance(base, UnknownStr):
                return Unknown(source, base.undecidable)
            else:
                raise ExprError(f"{source}: no element {key!r}")
        if isinstance(base, UnknownStr):
            return Unknown(source, base.undecidable)
        return base

    def _local(self, name: str, source: str) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        if name not in self.local_exprs or name in self.resolving:
            return Unknown(source, True)
        self.resolving.add(name)
        try:
            value = self.value(self.local_exprs[name])
        finally:
            self.resolving.discard(name)
        self.local_values[name] = value
        return value

    # --- values -----------------------------------------------------------------------
    def value(self, raw: Any) -> Any:
        """The evaluated value, with Unknown objects inside (for further evaluation)."""
        if isinstance(raw, UnknownStr):
            parts = split_template(str(raw))
            whole = len(parts) == 1 and parts[0][0]
            return Unknown(parts[0][1] if whole else _as_template(str(raw)), raw.undecidable)
        if isinstance(raw, str):
            return self._string(raw) if "${" in raw else raw
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if isinstance(raw, dict):
            return {k: (v if k in META else self.value(v)) for k, v in raw.items()}
        return raw

    def _string(self, text: str) -> Any:
        parts = split_template(text)
        if len(parts) == 1 and parts[0][0]:
            return self._expr(parts[0][1])
        out = []
        for is_expr, chunk in parts:
            if not is_expr:
                out.append(chunk)
                continue
            found = self._expr(chunk)
            if isinstance(found, Unknown) or isinstance(found, (dict, list)):
                return Unknown(_as_template(text), not isinstance(found, Unknown) or found.undecidable)
            out.append(("true" if found else "false") if isinstance(found, bool) else ("" if found is None else str(found)))
        return "".join(out)

    def _expr(self, text: str) -> Any:
        if text.lstrip().startswith(("for ", "if ", "endif", "endfor", "else")):
            return Unknown(text, True)
        try:
            return evaluate(text, self.reference, self._string)
        except (ExprError, TypeError, ValueError, KeyError, IndexError, RecursionError, ZeroDivisionError):
            return Unknown(text, True)

    def resolve(self, raw: Any) -> Any:
        """Plain data for rules: unknowns become UnknownStr ``${...}`` text."""
        return plain(self.value(raw))


class _Template(str):
    pass


def _as_template(text: str) -> str:
    return _Template(text)


def plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        text = str(value.text)
        return unknown_str(text if isinstance(value.text, _Template) else "${" + text + "}", value.undecidable)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, (Unknown, UnknownStr)):
        return True
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    return False


def _undecidable(value: Any) -> bool:
    if isinstance(value, (Unknown, UnknownStr)):
        return value.undecidable
    if isinstance(value, list):
        return any(_undecidable(v) for v in value)
    if isinstance(value, dict):
        return any(_undecidable(v) for v in value.values())
    return False
