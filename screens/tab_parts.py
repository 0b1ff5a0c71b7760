"""Small pieces every backend tab uses: the error line, age text, banner and filter bar."""

from __future__ import annotations

import time

from textual.binding import Binding
from textual.widgets import Input, Static

from console import clock
from console.backends.base import BackendState
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


def banner_text(backend: str, state: BackendState, reason: str, retries: int, data_at: float | None) -> str:
    """The state banner's line: connecting, not configured, denied, unavailable (why, retry
    count) or stale (since when, ticking); empty when the data is live."""
    retry = f" · retry {retries} (r: now)" if retries else " · r: retry"
    if state is BackendState.CONNECTING:
        return reason or "connecting…"
    if state is BackendState.UNCONFIGURED:
        return f"{backend} not configured: {reason} · r: retry after fixing it"
    if state is BackendState.DENIED:
        return f"{reason} · r: retry after fixing access"
    if state is BackendState.UNAVAILABLE:
        return f"{backend} unavailable: {reason}{retry}"
    if state is BackendState.STALE:
        at = data_at or clock.now()
        when = time.strftime("%H:%M:%SZ", time.gmtime(at))
        return f"STALE: data from {when} ({age_text(clock.now() - at)} ago) · {reason}{retry}"
    return ""


class FilterKeys:
    """`/` and esc of a tab: show the FilterBar, clear it, and hand its text to
    ``apply_filter`` (the tab's); enter keeps the filter and returns to the rows."""

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.add_class("-shown")
        bar.focus()

    def action_clear_filter(self) -> None:
        bar = self.query_one(FilterBar)
        if bar.value or bar.has_class("-shown"):
            bar.value = ""  # Changed clears the rows' filter
            bar.remove_class("-shown")
            self.apply_filter("")

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterBar):
            event.stop()
            self.apply_filter(event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterBar):
            event.stop()
            if not event.value.strip():
                event.input.remove_class("-shown")
            self.focus_body()
