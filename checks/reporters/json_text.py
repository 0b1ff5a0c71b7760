"""JSON text for big reports: the document indented, its long list one item per line.

``json.dumps(doc, indent=2)`` runs the pure-Python encoder (the C one is used only without
``indent``): 5,000 findings cost ~0.5 s. Here the document around the list is indented as
before and each item of the list is encoded by the C encoder on its own line, which is
also the shape a reader greps and diffs best. The output is the same JSON value.
"""

from __future__ import annotations

import json
import secrets
from typing import Any


class OneLinePerItem:
    """Put in the document where the long list goes."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def dumps(doc: Any) -> str:
    """``doc`` (indent 2) with each :class:`OneLinePerItem` list written one item per line."""
    token = f"@@items-{secrets.token_hex(8)}@@"
    lists: list[OneLinePerItem] = []

    def stand_in(obj: Any) -> str:
        if isinstance(obj, OneLinePerItem):
            lists.append(obj)
            return f"{token}{len(lists) - 1}"
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")

    text = json.dumps(doc, indent=2, default=stand_in)
    for n, rows in enumerate(lists):
        quoted = f'"{token}{n}"'
        at = text.index(quoted)
        line_start = text.rfind("\n", 0, at) + 1
        base = len(text[line_start:at]) - len(text[line_start:at].lstrip(" "))
        if not rows.items:
            body = "[]"
        else:
            pad = " " * (base + 2)
            body = "[\n" + ",\n".join(pad + json.dumps(item, separators=(", ", ": ")) for item in rows.items) \
                + "\n" + " " * base + "]"
        text = text[:at] + body + text[at + len(quoted):]
    return text
