"""Small pieces every backend tab uses: the error line, age text, banner and filter bar."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input, Static

from console.errors import OpsError


def describe_error(exc: BaseException, call: str) -> str:
    """One line naming the call and what went wrong; typed errors keep their title."""
    if isinstance(exc, OpsError):
        return f"{exc.title}: {exc}" if not exc.source else f"{exc.title} ({exc.source}): {exc.body}"
    return f"{call} failed: {type(exc).__name__}: {exc}"


def age_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


class StateBanner(Static):
    """One line at the top of a tab: connecting, unavailable (why) or stale (since when)."""


class FilterBar(Input):
    """The `/` filter line of a tab; the tab reacts to its Changed messages."""

    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", show=False)]

    def action_clear_filter(self) -> None:
        self.value = ""
        self.remove_class("-shown")
        if self.parent is not None:
            self.parent.focus_body()
