"""python-hcl2's grammar and transformer, ~1.6x faster: lark's per-node position tracking
(``propagate_positions``) is the bulk of hcl2's parse time, and only blocks need lines.
So the tree is built without it and each block's first/last line is read from its own
first and last token before hcl2's DictTransformer runs (with_meta=True output, same shape).
"""

from __future__ import annotations

import functools
from typing import Any

import hcl2
from hcl2.transformer import DictTransformer
from lark import Lark, Token, Tree


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR tables take seconds to build once; lark caches them in its temp dir, keyed by
    grammar, options and lark version (python-hcl2 does the same in its package dir)."""
    return Lark.open("hcl2.lark", parser="lalr", rel_to=hcl2.__file__, propagate_positions=False, cache=True)


def _first_token(node: Any) -> Token | None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Token):
            return item
        if isinstance(item, Tree):
            stack.extend(reversed(item.children))
    return None


def _last_token(node: Any) -> Token | None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Token):
            return item
        if isinstance(item, Tree):
            stack.extend(item.children)
    return None


def _mark_blocks(body: Tree) -> None:
    """Set meta line/end_line on every block under ``body`` (blocks nest only through bodies)."""
    stack = [body]
    while stack:
        node = stack.pop()
        for child in node.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "block":
                first, last = _first_token(child), _last_token(child)
                if first is not None and last is not None:
                    meta = child.meta
                    meta.line, meta.column = first.line, first.column
                    meta.end_line, meta.end_column = last.end_line, last.end_column
                    meta.empty = False
                stack.extend(c for c in child.children if isinstance(c, Tree) and c.data == "body")
            elif child.data == "body":
                stack.append(child)


def loads(text: str) -> dict[str, Any]:
    """Like ``hcl2.loads(text, with_meta=True)``."""
    tree = parser().parse(text + "\n")
    _mark_blocks(tree)
    return DictTransformer(with_meta=True).transform(tree)
