"""checks.hcl_fast must give exactly what python-hcl2 gives (with_meta=True), only faster."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest
from lark.exceptions import UnexpectedInput

from checks import hcl_fast

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.tf"))
EXTRA = {
    "nested": 'resource "a" "b" {\n  x {\n    y {\n      z = 1\n    }\n  }\n  w { }\n}\n',
    "one-line": 'variable "v" { default = 1 }\nlocals { a = "x" }\n',
    "comments": '# lead\nresource "a" "b" { # trailing\n  /* inner */\n  x = 1 // note\n}\n\n\n',
    "heredoc": 'resource "a" "b" {\n  p = <<EOT\n{"k": "v"}\nEOT\n  q = true\n}\n',
    "dynamic": 'resource "a" "b" {\n  dynamic "ingress" {\n    for_each = var.x\n    content {\n      port = ingress.value\n    }\n  }\n}\n',
    "expressions": 'locals {\n  a = [for x in var.l : upper(x) if x != ""]\n  b = var.c ? 1 : 2\n  d = { for k, v in var.m : k => v }\n}\n',
}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_as_python_hcl2_on_fixtures(path):
    text = path.read_text()
    assert hcl_fast.loads(text) == hcl2.loads(text, with_meta=True)


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_same_as_python_hcl2_on_tricky_layouts(name):
    assert hcl_fast.loads(EXTRA[name]) == hcl2.loads(EXTRA[name], with_meta=True)


def test_same_errors():
    bad = 'resource "a" "b" {\n  x = \n}\n'
    with pytest.raises(UnexpectedInput) as ours:
        hcl_fast.loads(bad)
    with pytest.raises(UnexpectedInput) as theirs:
        hcl2.loads(bad, with_meta=True)
    assert (ours.value.line, type(ours.value)) == (theirs.value.line, type(theirs.value))
