"""``limit`` / ``continue`` for the emulator's lists, shaped like the API server's answer.

The continue token carries the first page's resourceVersion and the offset of the next
item; every page reports that resourceVersion, so a watch started from the last page
replays what changed while the pages were read (the emulator keeps its event history).
``Pager`` keeps the first page's item list for the next pages, so the pages of one list are
one snapshot (and one listing) like etcd's; a continue token whose snapshot was dropped
lists again at that offset.
"""

from __future__ import annotations

import base64
import collections
import json
from collections.abc import Callable
from typing import Any

from console.sandbox.kube_selectors import SelectorError


def _encode(rv: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"rv": rv, "offset": offset}).encode()).decode()


def _decode(token: str) -> tuple[str, int]:
    """Raises SelectorError (the emulator's HTTP 400) on a token this emulator did not write."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["rv"]), int(data["offset"])
    except (KeyError, TypeError, ValueError) as exc:  # bad base64, JSON or numbers
        raise SelectorError(f"invalid continue token: {exc}") from None


class Pager:
    """Pages of lists, each list a snapshot: the first page computes the items, the next pages
    (same list, same resourceVersion) slice what the first one computed, so a 20,000-item list
    read in pages of 500 costs one listing, not forty. A few snapshots are kept; the last
    page of a list drops its own."""

    KEEP = 4

    def __init__(self) -> None:
        self._snapshots: collections.OrderedDict[tuple, list[dict[str, Any]]] = collections.OrderedDict()

    def page(self, key: tuple, params: dict[str, str], rv: str,
             items: Callable[[], list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The page of ``items()`` that ``params`` asks for, and the list's metadata."""
        offset = 0
        if params.get("continue"):
            rv, offset = _decode(params["continue"])
        snapshot = self._snapshots.pop((key, rv), None) if offset else None
        listed = snapshot if snapshot is not None else items()
        page, meta = paginate(listed, {**params, "continue": _encode(rv, offset) if offset else ""}, rv)
        if "continue" in meta:
            self._snapshots[(key, rv)] = listed
            while len(self._snapshots) > self.KEEP:
                self._snapshots.popitem(last=False)
        return page, meta


PAGER = Pager()  # one per process: keys start with the emulator's id


def paginate(items: list[dict[str, Any]], params: dict[str, str], rv: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The page of ``items`` that ``params`` asks for, and the list's metadata."""
    offset = 0
    if params.get("continue"):
        rv, offset = _decode(params["continue"])
    limit = int(params["limit"]) if str(params.get("limit") or "").isdigit() else 0
    meta: dict[str, Any] = {"resourceVersion": rv}
    if limit <= 0 or offset + limit >= len(items):
        return items[offset:], meta
    meta["continue"] = _encode(rv, offset + limit)
    meta["remainingItemCount"] = len(items) - offset - limit
    return items[offset:offset + limit], meta
