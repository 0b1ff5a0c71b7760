"""``limit`` / ``continue`` for the emulator's lists, shaped like the API server's answer.

The continue token carries the first page's resourceVersion and the offset of the next
item; every page reports that resourceVersion, so a watch started from the last page
replays what changed while the pages were read (the emulator keeps its event history).
Unlike etcd it is not a snapshot: an object created or deleted between pages may shift
the offset by one, which the following watch events then correct.
"""

from __future__ import annotations

import base64
import json
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
