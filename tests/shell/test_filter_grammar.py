"""The one `/` grammar (console.filter) and the three places that use it."""

from __future__ import annotations

from console.filter import Term, compile_query, matches, parse
from screens.widgets import Row
from screens.widgets import matches as row_matches

FIELDS = {"app": "web", "tier": "frontend", "outcome": "failed"}


def test_terms_parse_into_words_equalities_negations_and_prefixes():
    assert parse("Error app=Web tier!=db env=prod*") == (
        Term("word", "", "error"), Term("eq", "app", "web"), Term("ne", "tier", "db"), Term("prefix", "env", "prod"))


def test_every_term_must_hold():
    keep = compile_query("checkout app=web tier=front* outcome!=succeeded")
    assert keep("deploy checkout v2", FIELDS)
    assert not keep("deploy cart v2", FIELDS)
    assert not compile_query("app!=web")("x", FIELDS)
    assert compile_query("zone!=a")("x", FIELDS)  # an absent field differs from any value
    assert not compile_query("zone=a*")("x", FIELDS)  # a prefix needs the field
    assert compile_query("")("anything", {})


def test_matches_lower_cases_its_inputs_and_tables_share_the_grammar():
    assert matches("APP=WEB", "Text", {"App": "Web"})
    row = Row(key="web-1", cells=("web-1",), labels=(("app", "web"), ("tier", "frontend")))
    assert row_matches(row, "app=web tier!=db") and row_matches(row, "tier=front*")
    assert not row_matches(row, "app!=web")
