"""Terraform expressions as python-hcl2 7.3.1 prints them (``${var.x ? 1 : 0}``), evaluated.

A small Pratt parser over the expression text: literals, lists/objects (``=`` or ``:``),
references with ``.attr`` / ``[0]`` / ``["key"]`` / ``[*]``, unary ``!``/``-``, arithmetic,
comparison, ``&&``/``||``, ``cond ? a : b``, ``for`` expressions and the functions real
modules use (try, coalesce, lookup, merge, concat, jsonencode, ...). Whatever cannot be
known statically (resource attributes, data sources, unset variables) evaluates to an
:class:`Unknown` carrying the source text it stands for, so callers can keep the
reference (``${aws_s3_bucket.this[0].id}``) for linking and say "could not evaluate".
Parsing is linear: one pass of a regex tokenizer, recursion bounded by MAX_DEPTH.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checks.tf_funcs import FUNCTIONS

MAX_DEPTH = 64
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')  # python-hcl2 prints some lists with single quotes
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>==|!=|>=|<=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:.,()\[\]{}=])
)""", re.VERBOSE | re.DOTALL)
_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}


@dataclass(frozen=True)
class Unknown:
    """A value known only at plan/apply time; ``text`` is the expression it stands for."""

    text: str
    undecidable: bool = True  # False for resource attributes: they exist, only their value is unknown

    def __str__(self) -> str:
        return "${" + self.text + "}"


class ExprError(ValueError):
    pass


def is_unknown_value(value: Any) -> bool:
    return isinstance(value, Unknown)


@functools.lru_cache(maxsize=8192)
def tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of each token; the same expression text recurs across instances
    and modules, so the tokens are cached (callers never mutate them)."""
    out: list[tuple[str, str, int, int]] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot read {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind), m.end()))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, resolve: Callable[[list[Any], str], Any],
                 template: Callable[[str], Any] | None = None) -> None:
        self.text = text
        self.resolve = resolve
        self.template = template
        self.tokens = tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self, value: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        return value is None or (self.tokens[self.i][1] == value and self.tokens[self.i][0] in ("op", "name"))

    def take(self, value: str | None = None) -> tuple[str, str, int, int]:
        if self.i >= len(self.tokens):
            raise ExprError("unexpected end")
        tok = self.tokens[self.i]
        if value is not None and tok[1] != value:
            raise ExprError(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def source(self, start_tok: int) -> str:
        start = self.tokens[start_tok][2]
        end = self.tokens[self.i - 1][3] if self.i > start_tok else start
        return self.text[start:end].strip()

    def expression(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("expression nested too deeply")
        start = self.i
        cond = self.binary(0)
        if self.peek("?"):
            self.take("?")
            yes = self.expression()
            self.take(":")
            no = self.expression()
            if isinstance(cond, Unknown):
                value: Any = yes if _same(yes, no) else Unknown(self.source(start), cond.undecidable)
            else:
                value = yes if _truth(cond) else no
            self.depth -= 1
            return value
        self.depth -= 1
        return cond

    def binary(self, min_prec: int) -> Any:
        start = self.i
        left = self.unary()
        while self.peek() and self.tokens[self.i][0] == "op" and _BINARY.get(self.tokens[self.i][1], 0) > min_prec:
            op = self.take()[1]
            right = self.binary(_BINARY[op])
            left = _apply(op, left, right, lambda: self.source(start))
        return left

    def unary(self) -> Any:
        start = self.i
        if self.peek("!"):
            self.take()
            value = self.unary()
            return Unknown(self.source(start)) if isinstance(value, Unknown) else not _truth(value)
        if self.peek("-"):
            self.take()
            value = self.unary()
            if isinstance(value, Unknown):
                return Unknown(self.source(start))
            return -_number(value)
        return self.postfix()

    def postfix(self) -> Any:
        start = self.i
        kind, text, _, _ = self.take()
        path: list[Any] | None = None
        if kind == "num":
            value: Any = float(text) if any(c in text for c in ".eE") else int(text)
        elif kind == "str":
            value = _unquote(text)
            if isinstance(value, Unknown) and self.template is not None:
                value = self.template(value.text)  # python-hcl2 prints nested expressions as "${...}"
        elif text == "(":
            value = self.expression()
            self.take(")")
        elif text == "[":
            value = self.list_or_for()
        elif text == "{":
            value = self.object_or_for()
        elif kind == "name" and text in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[text]
        elif kind == "name" and self.peek("("):
            value = self.call(text, start)
        elif kind == "name":
            path = [text]
            value = None
        else:
            raise ExprError(f"unexpected {text!r}")
        while self.peek(".") or self.peek("["):
            if self.take()[1] == ".":
                tok = self.take()
                key: Any = int(tok[1]) if tok[0] == "num" else ("*" if tok[1] == "*" else tok[1])
            else:
                if self.peek("*"):
                    self.take("*")
                    key = "*"
                else:
                    key = self.expression()
                self.take("]")
            if path is not None:
                path.append(key)
            else:
                value = _index(value, key, lambda: self.source(start))
        if path is not None:
            return self.resolve(path, self.source(start))
        return value

    def list_or_for(self) -> Any:
        if self.peek("for"):
            return self.for_expr("]")
        items = []
        while not self.peek("]"):
            items.append(self.expression())
            if not self.peek("]"):
                self.take(",")
        self.take("]")
        return items

    def object_or_for(self) -> Any:
        if self.peek("for"):
            return self.for_expr("}")
        out: dict[str, Any] = {}
        while not self.peek("}"):
            key_tok = self.i
            kind, text, _, _ = self.tokens[self.i]
            if kind == "name" and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1][1] in ("=", ":"):
                self.take()
                key: Any = text
            else:
                key = self.expression()
            self.take(self.tokens[self.i][1] if self.peek("=") or self.peek(":") else "=")
            value = self.expression()
            if isinstance(key, Unknown):
                return Unknown(self.text[self.tokens[key_tok][2]:].strip())
            out[str(key)] = value
            if self.peek(","):
                self.take(",")
        self.take("}")
        return out

    def for_expr(self, close: str) -> Any:
        start = self.i - 1
        depth = 1  # unsupported for the value; skip to the closing bracket and say unknown
        while depth:
            tok = self.take()[1]
            depth += tok in ("[", "{", "(")
            depth -= tok in ("]", "}", ")")
        return Unknown(self.text[self.tokens[start][2]:self.tokens[self.i - 1][3]])

    def call(self, name: str, start: int) -> Any:
        self.take("(")
        args: list[Any] = []
        while not self.peek(")"):
            arg_start = self.i
            try:
                args.append(self.expression())
            except (ExprError, TypeError, ValueError, KeyError, IndexError) as exc:
                if name not in ("try", "can"):
                    raise
                self.i = arg_start  # try(a, b): an argument that fails moves on to the next
                self._skip_argument()
                args.append(_Failed(str(exc)))
            if self.peek("..."):
                self.take("...")
            if not self.peek(")"):
                self.take(",")
        self.take(")")
        fn = FUNCTIONS.get(name)
        if fn is None:
            return Unknown(self.source(start))
        if any(isinstance(a, Unknown) for a in args) and name not in ("try", "coalesce", "can", "lookup", "merge"):
            return Unknown(self.source(start), any(a.undecidable for a in args if isinstance(a, Unknown)))
        try:
            return fn(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            raise ExprError(f"{name}(): {exc}") from None

    def _skip_argument(self) -> None:
        depth = 0
        while self.i < len(self.tokens):
            tok = self.tokens[self.i][1]
            if depth == 0 and tok in (",", ")"):
                return
            depth += tok in ("(", "[", "{")
            depth -= tok in (")", "]", "}")
            self.i += 1


class _Failed(Unknown):
    """An argument of try() that raised: try() skips it."""

    def __init__(self, why: str) -> None:
        super().__init__(why, True)


def _same(a: Any, b: Any) -> bool:
    return not isinstance(a, Unknown) and not isinstance(b, Unknown) and a == b


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ExprError(f"{value!r} is not a bool")
    return bool(value)


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ExprError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return float(text) if "." in text else int(text)


def _apply(op: str, left: Any, right: Any, source: Callable[[], str]) -> Any:
    if op == "&&" and (left is False or right is False):
        return False
    if op == "||" and (left is True or right is True):
        return True
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        undecidable = any(isinstance(v, Unknown) and v.undecidable for v in (left, right))
        return Unknown(source(), undecidable)
    if op == "&&":
        return _truth(left) and _truth(right)
    if op == "||":
        return _truth(left) or _truth(right)
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    a, b = _number(left), _number(right)
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "<": lambda x, y: x < y, ">": lambda x, y: x > y, "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y,
        "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
        "/": lambda x, y: x / y, "%": lambda x, y: x % y,
    }
    return ops[op](a, b)


def _index(value: Any, key: Any, source: Callable[[], str]) -> Any:
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return Unknown(source(), getattr(value, "undecidable", True))
    if key == "*":
        return value if isinstance(value, list) else [value]
    if isinstance(value, dict):
        if str(key) in value:
            return value[str(key)]
        raise ExprError(f"no key {key!r}")
    if isinstance(value, list):
        return value[int(key)]
    raise ExprError(f"cannot index {type(value).__name__}")


def _unquote(text: str) -> Any:
    body = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), text[1:-1])
    if "${" in body:
        return Unknown(body)  # a template inside an expression: evaluated by the caller's template()
    return body


def evaluate(text: str, resolve: Callable[[list[Any], str], Any], template: Callable[[str], Any] | None = None) -> Any:
    """The value of the expression ``text`` (without ``${}``); ``resolve(path, source)`` answers
    references such as ``["var", "x"]`` or ``["aws_s3_bucket", "this", 0, "id"]``."""
    parser = _Parser(text, resolve, template)
    if not parser.tokens:
        raise ExprError("empty expression")
    value = parser.expression()
    if parser.i != len(parser.tokens):
        raise ExprError(f"unexpected {parser.tokens[parser.i][1]!r}")
    return value
