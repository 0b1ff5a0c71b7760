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

from console import clock
from console.backends.base import BackendInfo, BackendState, BackendStatus
from console.errors import Denied, LoginRequired, OpsError
from console.text import safe_text
from screens.tab_parts import FilterBar, FilterKeys, StateBanner, age_text, banner_text, describe_error
from screens.widgets import ResourceTable

__all__ = ["BACKOFF", "BackendTab", "FilterBar", "StateBanner", "age_text", "describe_error"]

if TYPE_CHECKING:  # pragma: no cover
    from console.actions import ActionSpec
    from console.capabilities import Backend
    from console.config import Config
    from console.services import Services, Switched

BACKOFF = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class BackendTab(FilterKeys, Widget):
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
    BackendTab.-unconfigured > StateBanner, BackendTab.-stale > StateBanner,
    BackendTab.-denied > StateBanner { display: block; }
    BackendTab.-connecting > #tab-body, BackendTab.-unavailable > #tab-body,
    BackendTab.-unconfigured > #tab-body, BackendTab.-denied > #tab-body { display: none; }
    BackendTab > #tab-body { height: 1fr; }
    BackendTab > #filter-bar { display: none; dock: bottom; height: 1; border: none; padding: 0 1; }
    BackendTab > #filter-bar.-shown { display: block; }
    """

    # -- messages (posted from workers, handled on the main thread) -------------------
    # ``generation``: the Services generation the result was fetched for; a handler drops
    # a result of an older one (a switch happened meanwhile), so it can never paint.
    class Connected(Message):
        def __init__(self, info: BackendInfo, adapter: Backend, generation: int) -> None:
            super().__init__()
            self.info, self.adapter, self.generation = info, adapter, generation

    class ConnectFailed(Message):
        def __init__(self, reason: str, unconfigured: bool, generation: int, retry: bool = True) -> None:
            super().__init__()
            self.reason, self.unconfigured, self.generation = reason, unconfigured, generation
            self.retry = retry and not unconfigured  # a login needed: retrying cannot help

    class Loaded(Message):
        def __init__(self, data: Any, fetched_at: float, generation: int) -> None:
            super().__init__()
            self.data, self.fetched_at, self.generation = data, fetched_at, generation

    class LoadFailed(Message):
        def __init__(self, reason: str, generation: int, denied: bool = False, retry: bool = True) -> None:
            super().__init__()
            self.reason, self.generation = reason, generation
            self.denied = denied  # 401/403: no retry loop, and no rows of what was shown before
            self.retry = retry  # False when a login is needed: retrying cannot help

    class RefreshRequested(Message):
        def can_replace(self, message: Message) -> bool:
            return isinstance(message, BackendTab.RefreshRequested)

    class StatusChanged(Message):
        """Bubbles to the App, which shows it in the status bar."""

        def __init__(self, status: BackendStatus, source: str = "") -> None:
            super().__init__()
            self.status, self.source = status, source  # source: the reporting tab's id

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_class(True, f"-{BackendState.CONNECTING.value}", update=False)  # styled so when mounted
        self.services = services
        self.adapter: Backend = None
        self.generation = services.generation(self.BACKEND) if self.BACKEND else 0
        self.dropped_stale = 0  # results fetched before a switch, dropped unpainted
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

    def fetch(self, adapter: Backend) -> Any:
        """THREAD. Read the data this tab shows; raise OpsError on failure."""
        return None

    def show(self, data: Any) -> None:
        """MAIN thread. Update the widgets in place with ``data``."""

    def on_connected(self, adapter: Backend) -> None:
        """MAIN thread, after each successful connect (start streams here)."""

    def jump(self, arg: str) -> bool:
        """Handle a `:` command; return True when this tab took it."""
        return False

    def apply_filter(self, text: str) -> None:
        """Filter the tab's rows; by default every ResourceTable in the tab."""
        for table in self.query(ResourceTable):
            table.filter_text = text
        self.filter_applied()

    def filter_applied(self) -> None:
        """MAIN thread, after the `/` filter changed: redraw the counts (``12 of 340 pods``)."""

    def focus_body(self) -> None:
        if tables := self.query(ResourceTable):
            tables.first().focus()

    def context_name(self) -> str | None:
        """The context whose read-only setting applies (kube context, AWS profile)."""
        return None

    def on_switched(self) -> None:
        """MAIN thread, after ``Services.switch`` of this tab's backend: forget what the old
        connection showed (stop streams, clear rows); the base then reconnects."""

    # -- composition ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StateBanner(id="state-banner")
        with Vertical(id="tab-body"):
            yield from self.compose_body()
        yield FilterBar(placeholder="filter: words, key=value  (enter: keep, esc: clear)", id="filter-bar")

    def on_mount(self) -> None:
        self._set_state(BackendState.CONNECTING, f"connecting to {self.BACKEND}…")
        # after the first frame and the start-up quiet time (App.after_setup): the SDK import in
        # the worker competes for the GIL; a bare test App has no after_setup: right away
        start = getattr(self.app, "after_setup", lambda callback, _backend: callback())
        self.call_after_refresh(start, self._connect, self.BACKEND)
        if self.POLL_SECONDS:
            self.set_interval(self.POLL_SECONDS, self._poll)
        self.set_interval(1.0, self._tick_stale_age)
        if (switched := getattr(self.app, "backend_switched", None)) is not None:  # absent in a bare test App
            switched.subscribe(self, self._switched)

    def is_current(self, generation: int) -> bool:
        return generation == self.services.generation(self.BACKEND)

    def _switched(self, event: Switched) -> None:
        """MAIN: the one message of a switch; every tab of that backend reconnects."""
        if event.backend != self.BACKEND:
            return
        self.generation = event.generation
        self.adapter, self.info = None, None
        self.has_data, self.data_at = False, None
        self._refreshing = self._refresh_again = False
        self.on_switched()
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._set_state(BackendState.CONNECTING, f"switching to {event.where}…")
        self._connect()

    def _tick_stale_age(self) -> None:
        if self.state is BackendState.STALE:
            self._update_banner()

    # -- connecting ---------------------------------------------------------------------
    def _connect(self) -> None:
        self.connect_worker()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False, description="connect")
    def connect_worker(self) -> None:
        adapter, generation = self.services.current(self.BACKEND)
        try:
            info = adapter.connect()
        except OpsError as exc:
            self.post_message(self.ConnectFailed(describe_error(exc, "connect"), exc.title == "Not configured",
                                                 generation, retry=not isinstance(exc, LoginRequired)))
            return
        except Exception as exc:  # noqa: BLE001 - any SDK surprise must become a state, not a crash
            self.post_message(self.ConnectFailed(describe_error(exc, f"{self.BACKEND}.connect"), False, generation))
            return
        self.post_message(self.Connected(info, adapter, generation))

    def on_backend_tab_connected(self, message: Connected) -> None:
        message.stop()
        if not self.is_current(message.generation):
            return  # connected to what was switched away from meanwhile
        self.adapter, self.generation = message.adapter, message.generation
        self.info = message.info
        self.retries = 0
        self.on_connected(self.adapter)
        self._refreshing = False
        self.request_refresh()

    def on_backend_tab_connect_failed(self, message: ConnectFailed) -> None:
        message.stop()
        if not self.is_current(message.generation):
            return
        state = BackendState.UNCONFIGURED if message.unconfigured else BackendState.UNAVAILABLE
        self._set_state(state, message.reason)
        if message.retry:
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
        self.refresh_worker(self.adapter, self.generation)

    @work(thread=True, group="refresh", exit_on_error=False, description="refresh")
    def refresh_worker(self, adapter: Backend, generation: int) -> None:
        try:
            data = self.fetch(adapter)
        except Exception as exc:  # noqa: BLE001 - shown in the tab; the app keeps running
            self.post_message(self.LoadFailed(describe_error(exc, f"{self.BACKEND} refresh"), generation,
                                              isinstance(exc, Denied), retry=not isinstance(exc, LoginRequired)))
            return
        self.post_message(self.Loaded(data, clock.now(), generation))

    def on_backend_tab_loaded(self, message: Loaded) -> None:
        message.stop()
        if not self.is_current(message.generation) or message.generation != self.generation:
            self.dropped_stale += 1
            return  # fetched before a switch: never paint the old context's data
        self._refreshing = False
        self.retries = 0
        self.has_data = True
        self.data_at = message.fetched_at
        self._set_state(BackendState.READY, "")
        self.show(message.data)
        self._after_refresh()
        if self.app.focused is None and self.screen is self.app.screen and self.is_on_screen \
                and getattr(self.app, "active_tab", self) is self:  # not a tab being switched away from
            self.focus_body()  # the body was hidden while (re)connecting: keys must reach it again

    def on_backend_tab_load_failed(self, message: LoadFailed) -> None:
        message.stop()
        if not self.is_current(message.generation) or message.generation != self.generation:
            self.dropped_stale += 1
            return
        self._refreshing = False
        if message.denied:
            self.report_denied(message.reason)
        else:
            self.report_failure(message.reason, retry=message.retry)
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
        self.post_message(self.LoadFailed(reason, self.generation))

    def report_failure(self, reason: str, retry: bool = True) -> None:
        """MAIN thread: keep the last good data, mark it stale, and retry with backoff
        (not when a login is needed: only the operator can fix that, then `r`)."""
        self._set_state(BackendState.STALE if self.has_data else BackendState.UNAVAILABLE, reason)
        if retry:
            self._schedule_retry(self.request_refresh)

    def report_denied(self, reason: str) -> None:
        """MAIN thread: 401/403 with the server's message, no retry (`r` asks again); the rows on
        screen may be another context's: ``forget_data()`` (a tab's override) clears them."""
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self.has_data, self.data_at, self.retries = False, None, 0
        getattr(self, "forget_data", lambda: None)()
        self._set_state(BackendState.DENIED, reason)

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
        # one class swap, restyling the tab and its children only: the state rules style
        # ``BackendTab.-x > child``, nothing deeper (Textual would restyle the whole subtree)
        before = set(self.classes)
        self.update_classes({f"-{s.value}": s is state for s in BackendState}, update=False)
        if set(self.classes) != before and self.is_attached:
            self.app.stylesheet.update_nodes([self, *self.children], animate=True)
        self._update_banner()
        data_at = None if self.data_at is None else datetime.fromtimestamp(self.data_at, tz=UTC)
        self.post_message(self.StatusChanged(BackendStatus(
            self.BACKEND, state, self.info, reason, data_at, self.retries), self.id or type(self).__name__))

    def _update_banner(self) -> None:
        try:
            banner = self.query_one(StateBanner)
        except Exception:  # noqa: BLE001 - not composed yet
            return
        banner.update(safe_text(banner_text(self.BACKEND, self.state, self.reason, self.retries, self.data_at)))

    # -- read-only gate -----------------------------------------------------------------
    @property
    def read_only_reason(self) -> str | None:
        """The runner's decision (console.actions.runner.read_only_reason), so dimmed keys
        and refusals always agree."""
        from console.actions.runner import read_only_reason  # the action path: not before the first frame

        return read_only_reason(self.config.general.read_only, self.config.is_read_only_context, self.context_name())

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.why_unavailable(action, parameters) else True  # dimmed; the status bar and `?` say why

    def why_unavailable(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why ``check_action`` dims ``action``, in the words the key itself uses (help, `?`)."""
        return self.read_only_reason if action in self.MUTATING_ACTIONS else None

    def run_guarded(self, spec: ActionSpec) -> None:
        """Hand a change to the runner (this tab refreshes afterwards); stale data → a warning."""
        if self.state is BackendState.STALE and not spec.stale_warning:
            spec = dataclasses.replace(spec, stale_warning=self.stale_text())
        self.app.run_guarded(spec, origin=self)

    def stale_text(self) -> str:
        at = self.data_at or clock.now()  # 'the list is from 12:03:04Z (2m05s ago; why)'
        return f"the list is from {time.strftime('%H:%M:%SZ', time.gmtime(at))} ({age_text(clock.now() - at)} ago; {self.reason})"
