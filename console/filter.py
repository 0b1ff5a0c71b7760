"""The one `/` filter grammar of every table, the changelog viewer and the compliance view.

A query is whitespace-separated terms, all of which must hold (case-insensitive):

- ``word``          the word appears anywhere in the row's text;
- ``key=value``     the field (a label, a column, a record field) equals ``value``;
- ``key!=value``    the field is absent or differs from ``value``;
- ``key=prefix*``   the field exists and starts with ``prefix``.

``compile_query`` parses once and returns a predicate on ``(haystack, fields)``, so a table
filters thousands of rows per keystroke without re-parsing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K")

Predicate = Callable[[str, Mapping[str, str]], bool]


@dataclass(frozen=True)
class Term:
    op: str  # "word" | "eq" | "ne" | "prefix"
    key: str
    value: str

    def holds(self, haystack: str, fields: Mapping[str, str]) -> bool:
        if self.op == "word":
            return self.value in haystack
        if self.op == "ne":
            return fields.get(self.key) != self.value
        if self.op == "prefix":
            return self.key in fields and fields[self.key].startswith(self.value)
        return fields.get(self.key) == self.value


def parse(query: str) -> tuple[Term, ...]:
    terms = []
    for raw in query.lower().split():
        key, sep, value = raw.partition("!=")
        if sep and key:
            terms.append(Term("ne", key, value))
            continue
        key, sep, value = raw.partition("=")
        if sep and key:
            terms.append(Term("prefix", key, value[:-1]) if value.endswith("*") else Term("eq", key, value))
        else:
            terms.append(Term("word", "", raw))
    return tuple(terms)


def _implies(new: Term, old: Term) -> bool:
    """Every row ``new`` keeps, ``old`` keeps too."""
    if new == old:
        return True
    if old.op == "word":
        return new.op == "word" and old.value in new.value
    if old.op == "prefix" and new.key == old.key:
        return new.op in ("prefix", "eq") and new.value.startswith(old.value)
    return False


def narrows(old: str, new: str) -> bool:
    """True when ``new`` keeps a subset of what ``old`` keeps (the filter text grew: ``we`` ->
    ``web``, ``web`` -> ``web app=x``), so a table may filter its previous result instead of all rows."""
    new_terms = parse(new)
    return all(any(_implies(n, o) for n in new_terms) for o in parse(old))


def compile_query(query: str) -> Predicate:
    """``haystack`` must be lower-case text; ``fields`` lower-case keys and values."""
    terms = parse(query)
    if not terms:
        return lambda haystack, fields: True
    return lambda haystack, fields: all(t.holds(haystack, fields) for t in terms)


def select(query: str, rows: Iterable[K], cache: Mapping[str, tuple[str, Mapping[str, str]]]) -> list[K]:
    """The ``rows`` (anything with a ``.key``) the query keeps, in order; ``cache[row.key]`` is the
    row's lower-cased ``(haystack, fields)``. One pass per term, each over what the previous
    kept, and a word is a plain substring test: thousands of rows per keystroke."""
    kept = list(rows)
    for term in parse(query):
        if term.op == "word":
            value = term.value
            kept = [r for r in kept if value in cache[r.key][0]]  # type: ignore[attr-defined]
        else:
            kept = [r for r in kept if term.holds(*cache[r.key])]  # type: ignore[attr-defined]
    return kept


def matches(query: str, haystack: str, fields: Mapping[str, str]) -> bool:
    """One-off check (lower-cases ``haystack`` and ``fields`` itself)."""
    return compile_query(query)(haystack.lower(), {k.lower(): v.lower() for k, v in fields.items()})
