"""Big reports: the same JSON value as json.dumps(indent=2), one list item per line."""

from __future__ import annotations

import json

from checks.reporters.json_text import OneLinePerItem, dumps


def test_the_same_value_one_item_per_line():
    items = [{"rule": f"R{i}", "message": 'quote " and \\ and \n newline and "findings": []', "n": i} for i in range(3)]
    doc = {"tool": "x", "targets": ['"findings": []'], "runs": [{"results": OneLinePerItem(items), "after": 1}]}
    text = dumps(doc)
    plain = {"tool": "x", "targets": ['"findings": []'], "runs": [{"results": items, "after": 1}]}
    assert json.loads(text) == plain
    lines = text.splitlines()
    rows = [line for line in lines if line.lstrip().startswith('{"rule"')]
    assert len(rows) == 3 and all(line.startswith(" " * 8) for line in rows)  # under "results" (6) + 2


def test_an_empty_list_and_two_lists():
    doc = {"a": OneLinePerItem([]), "b": OneLinePerItem([1, [2, 3]])}
    assert json.loads(dumps(doc)) == {"a": [], "b": [1, [2, 3]]}
