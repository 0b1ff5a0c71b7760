"""BackendTab: what every backend-driven tab shares.

A tab subclass describes what to show; this base does the plumbing that must behave
the same everywhere:

- connecting in a thread worker after the first frame (the SDK import happens there);
- an unavailable panel with the reason and ``r`` to retry, plus automatic retries with
  backoff, so a backend that comes back is picked up without a keypress;
- coalesced refreshes: ``request_refresh()`` may be called from any thread, any number
  of times; at most one refresh runs and at most one more is queued;
- the last good data stays on screen when a refresh fails, marked stale with its (ticking)
  age; while stale only the backoff retries reach the backend, not the regular poll;
- status reports to the App (status bar) on every change;
- actions in ``MUTATING_ACTIONS`` are dimmed in read-only mode (``check_action``).

Subclasses override ``compose_body``, ``fetch`` (thread) and ``show`` (main thread),
and optionally ``on_connected``, ``jump`` and ``context_name``.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from console import clock
from console.backends.base import BackendInfo, BackendState, BackendStatus
from console.errors import OpsError
from console.text import safe_text
from screens.widgets import ResourceTable

if TYPE_CHECKING:  # pragma: no cover
    from console.actions import ActionSpec
    from console.config import Config
    from console.services import Services

BACKOFF = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


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


class BackendTab(Widget):
    BACKEND: ClassVar[str] = ""
    MUTATING_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    POLL_SECONDS: ClassVar[float | None] = 10.0  # None: a live stream drives refreshes

    BINDINGS = [
        Binding("r", "retry", "Refresh", tooltip="Refresh now, or reconnect when unavailable"),
        Binding("slash", "filter", "Filter", tooltip="Filter rows: words, or key=value on labels"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    DEFAULT_CSS = """
    BackendTab { height: 1fr; }
    BackendTab > StateBanner { display: none; height: auto; padding: 0 1; }
    BackendTab.-connecting > StateBanner, BackendTab.-unavailable > StateBanner,
    BackendTab.-unconfigured > StateBanner, BackendTab.-stale > StateBanner { display: block; }
    BackendTab.-connecting > #tab-body, BackendTab.-unavailable > #tab-body,
    BackendTab.-unconfigured > #tab-body { display: none; }
    BackendTab > #tab-body { height: 1fr; }
    BackendTab > #filter-bar { display: none; dock: bottom; height: 1; border: none; padding: 0 1; }
    BackendTab > #filter-bar.-shown { display: block; }
    """

    # -- messages (posted from workers, handled on the main thread) -------------------
    class Connected(Message):
        def __init__(self, info: BackendInfo) -> None:
            super().__init__()
            self.info = info

    class ConnectFailed(Message):
        def __init__(self, reason: str, unconfigured: bool) -> None:
            super().__init__()
            self.reason = reason
            self.unconfigured = unconfigured

    class Loaded(Message):
        def __init__(self, data: Any, fetched_at: float) -> None:
            super().__init__()
            self.data = data
            self.fetched_at = fetched_at

    class LoadFailed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class RefreshRequested(Message):
        def can_replace(self, message: Message) -> bool:
            return isinstance(message, BackendTab.RefreshRequested)

    class StatusChanged(Message):
        """Bubbles to the App, which shows it in the status bar."""

        def __init__(self, status: BackendStatus) -> None:
            super().__init__()
            self.status = status

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.adapter: Any = None
        self.info: BackendInfo | None = None
        self.state = BackendState.CONNECTING
        self.reason = ""
        self.data_at: float | None = None  # wall-clock time of the last good data
        self.has_data = False
        self.retries = 0
        self._refreshing = False
        self._refresh_again = False
        self._retry_timer: Any = None

    @property
    def config(self) -> Config:
        return self.services.config

    # -- to override ------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield from ()

    def fetch(self, adapter: Any) -> Any:
        """THREAD. Read the data this tab shows; raise OpsError on failure."""
        return None

    def show(self, data: Any) -> None:
        """MAIN thread. Update the widgets in place with ``data``."""

    def on_connected(self, adapter: Any) -> None:
        """MAIN thread, after each successful connect (start streams here)."""

    def jump(self, arg: str) -> bool:
        """Handle a `:` command; return True when this tab took it."""
        return False

    def apply_filter(self, text: str) -> None:
        """Filter the tab's rows; by default every ResourceTable in the tab."""
        for table in self.query(ResourceTable):
            table.filter_text = text

    def focus_body(self) -> None:
        tables = self.query(ResourceTable)
        if tables:
            tables.first().focus()

    def context_name(self) -> str | None:
        """The context whose read-only setting applies (kube context, AWS profile)."""
        return None

    # -- composition ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StateBanner(id="state-banner")
        with Vertical(id="tab-body"):
            yield from self.compose_body()
        yield FilterBar(placeholder="filter: words, key=value  (enter: keep, esc: clear)", id="filter-bar")

    def on_mount(self) -> None:
        self._set_state(BackendState.CONNECTING, f"connecting to {self.BACKEND}…")
        # after the first frame: the SDK import in the worker would compete for the GIL
        start = getattr(self.app, "after_setup", None)
        if start is not None:
            self.call_after_refresh(start, self._connect, self.BACKEND)
        else:
            self.call_after_refresh(self._connect)
        if self.POLL_SECONDS:
            self.set_interval(self.POLL_SECONDS, self._poll)
        self.set_interval(1.0, lambda: self.state is BackendState.STALE and self._update_banner())  # the age ticks

    # -- connecting ---------------------------------------------------------------------
    def _connect(self) -> None:
        self.connect_worker()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False, description="connect")
    def connect_worker(self) -> None:
        try:
            adapter = self.services.get(self.BACKEND)
            info = adapter.connect()
        except OpsError as exc:
            self.post_message(self.ConnectFailed(describe_error(exc, "connect"), exc.title == "Not configured"))
            return
        except Exception as exc:  # noqa: BLE001 - any SDK surprise must become a state, not a crash
            self.post_message(self.ConnectFailed(describe_error(exc, f"{self.BACKEND}.connect"), False))
            return
        self.adapter = adapter
        self.post_message(self.Connected(info))

    def on_backend_tab_connected(self, message: Connected) -> None:
        message.stop()
        self.info = message.info
        self.retries = 0
        self.on_connected(self.adapter)
        self._refreshing = False
        self.request_refresh()

    def on_backend_tab_connect_failed(self, message: ConnectFailed) -> None:
        message.stop()
        state = BackendState.UNCONFIGURED if message.unconfigured else BackendState.UNAVAILABLE
        self._set_state(state, message.reason)
        if not message.unconfigured:
            self._schedule_retry(self._connect)

    # -- refreshing ---------------------------------------------------------------------
    def request_refresh(self) -> None:
        """Ask for a refresh; safe from any thread; bursts collapse into one."""
        self.post_message(self.RefreshRequested())

    def on_backend_tab_refresh_requested(self, message: RefreshRequested) -> None:
        message.stop()
        if self.adapter is None:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self.refresh_worker()

    @work(thread=True, group="refresh", exit_on_error=False, description="refresh")
    def refresh_worker(self) -> None:
        try:
            data = self.fetch(self.adapter)
        except Exception as exc:  # noqa: BLE001 - shown in the tab; the app keeps running
            self.post_message(self.LoadFailed(describe_error(exc, f"{self.BACKEND} refresh")))
            return
        self.post_message(self.Loaded(data, clock.now()))

    def on_backend_tab_loaded(self, message: Loaded) -> None:
        message.stop()
        self._refreshing = False
        self.retries = 0
        self.has_data = True
        self.data_at = message.fetched_at
        self._set_state(BackendState.READY, "")
        self.show(message.data)
        self._after_refresh()

    def on_backend_tab_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        self._refreshing = False
        self.report_failure(message.reason)
        self._after_refresh()

    def _after_refresh(self) -> None:
        if self._refresh_again:
            self._refresh_again = False
            self.request_refresh()

    def _poll(self) -> None:
        # STALE: the backoff retry (report_failure) is the only caller until data comes back
        if self.adapter is not None and self.state is BackendState.READY:
            self.request_refresh()

    def report_stale(self, reason: str) -> None:
        """Mark the data on screen stale (e.g. the event stream dropped); thread-safe."""
        self.post_message(self.LoadFailed(reason))

    def report_failure(self, reason: str) -> None:
        """MAIN thread: keep the last good data, mark it stale, and retry with backoff."""
        self._set_state(BackendState.STALE if self.has_data else BackendState.UNAVAILABLE, reason)
        self._schedule_retry(self.request_refresh)

    def _schedule_retry(self, callback: Any) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
        delay = BACKOFF[min(self.retries, len(BACKOFF) - 1)]
        self.retries += 1
        self._retry_timer = self.set_timer(delay, callback)
        self._update_banner()

    def action_retry(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
        if self.adapter is None:
            self._set_state(BackendState.CONNECTING, f"connecting to {self.BACKEND}…")
            self._connect()
        else:
            self.request_refresh()

    # -- state --------------------------------------------------------------------------
    def _set_state(self, state: BackendState, reason: str) -> None:
        self.state, self.reason = state, reason
        for s in BackendState:
            self.set_class(s is state, f"-{s.value}")
        self._update_banner()
        data_at = None if self.data_at is None else datetime.fromtimestamp(self.data_at, tz=UTC)
        self.post_message(self.StatusChanged(BackendStatus(
            self.BACKEND, state, self.info, reason, data_at, self.retries)))

    def _update_banner(self) -> None:
        try:
            banner = self.query_one(StateBanner)
        except Exception:  # noqa: BLE001 - not composed yet
            return
        retry = f" · retry {self.retries} (r: now)" if self.retries else " · r: retry"
        if self.state is BackendState.CONNECTING:
            text = safe_text(self.reason or "connecting…")
        elif self.state is BackendState.UNCONFIGURED:
            text = safe_text(f"{self.BACKEND} not configured: {self.reason} · r: retry after fixing it")
        elif self.state is BackendState.UNAVAILABLE:
            text = safe_text(f"{self.BACKEND} unavailable: {self.reason}{retry}")
        elif self.state is BackendState.STALE:
            age = age_text(clock.now() - (self.data_at or clock.now()))
            when = time.strftime("%H:%M:%SZ", time.gmtime(self.data_at or clock.now()))
            text = safe_text(f"STALE: data from {when} ({age} ago) · {self.reason}{retry}")
        else:
            text = safe_text("")
        banner.update(text)

    # -- filter -------------------------------------------------------------------------
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

    # -- read-only gate -----------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        if self.config.general.read_only:
            return "read-only mode (--read-only)"
        ctx = self.context_name()
        if ctx and self.config.is_read_only_context(ctx):
            return f"context {ctx} is read-only (config kubernetes.read_only_contexts)"
        return None

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.MUTATING_ACTIONS and self.read_only:
            return None  # shown dimmed; the status bar says why
        return True

    def run_guarded(self, spec: ActionSpec) -> None:
        """Hand a change to the runner (this tab refreshes afterwards); stale data → a warning."""
        if self.state is BackendState.STALE and not spec.stale_warning:
            spec = dataclasses.replace(spec, stale_warning=self.stale_text())
        self.app.run_guarded(spec, origin=self)

    def stale_text(self) -> str:
        at = self.data_at or clock.now()  # 'the list is from 12:03:04Z (2m05s ago; why)'
        return f"the list is from {time.strftime('%H:%M:%SZ', time.gmtime(at))} ({age_text(clock.now() - at)} ago; {self.reason})"
