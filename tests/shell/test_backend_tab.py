"""BackendTab plumbing with an in-memory adapter (our own seam, no SDK involved):
connect, refresh, filter, stale-with-last-data, recovery, retry."""

from __future__ import annotations

import threading

from textual.app import App, ComposeResult

from console.backends.base import BackendInfo, BackendState
from console.config import Config
from console.errors import Unavailable
from console.services import Services
from screens.base import BackendTab
from screens.widgets import Column, ResourceTable, Row


class MemoryAdapter:
    """Answers from a list; ``down`` makes every call fail like an unreachable backend."""

    def __init__(self, config: Config) -> None:
        self.items = ["web-1 app=web", "web-2 app=web", "db-1 app=db"]
        self.down = False
        self.calls = 0
        self.lock = threading.Lock()

    def connect(self) -> BackendInfo:
        if self.down:
            raise Unavailable("connection refused", source="memory.connect")
        return BackendInfo(name="docker", target="memory", version="1.0")

    def list(self) -> list[str]:
        with self.lock:
            self.calls += 1
        if self.down:
            raise Unavailable("connection refused", source="memory.list")
        return list(self.items)

    def close(self) -> None:
        pass


class ItemsTab(BackendTab):
    BACKEND = "docker"
    POLL_SECONDS = None

    def compose_body(self) -> ComposeResult:
        yield ResourceTable([Column("name", "NAME")], id="items")

    def fetch(self, adapter: MemoryAdapter) -> list[str]:
        return adapter.list()

    def show(self, data: list[str]) -> None:
        rows = []
        for item in data:
            name, _, label = item.partition(" ")
            k, _, v = label.partition("=")
            rows.append(Row(key=name, cells=(name,), labels=((k, v),)))
        self.query_one(ResourceTable).sync(rows)


class TabApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.adapter = MemoryAdapter(Config())
        self.services = Services(Config(), factories={"docker": lambda cfg: self.adapter})

    def compose(self) -> ComposeResult:
        yield ItemsTab(self.services, id="items-tab")


async def wait(pilot, predicate, tries=200):
    for _ in range(tries):
        await pilot.pause(0.02)
        if predicate():
            return
    raise AssertionError("condition not met")


async def test_loads_filters_and_clears_with_escape():
    app = TabApp()
    async with app.run_test(size=(80, 20)) as pilot:
        tab = app.query_one(ItemsTab)
        table = app.query_one(ResourceTable)
        await wait(pilot, lambda: table.row_count == 3)
        assert tab.state is BackendState.READY
        table.focus()
        await pilot.press("slash", *"app=db", "enter")
        await wait(pilot, lambda: table.visible_keys == ["db-1"])
        await pilot.press("escape")  # from the table: clears the filter
        await wait(pilot, lambda: table.row_count == 3)


async def test_failure_keeps_last_data_marked_stale_then_recovers():
    app = TabApp()
    async with app.run_test(size=(80, 20)) as pilot:
        tab = app.query_one(ItemsTab)
        table = app.query_one(ResourceTable)
        await wait(pilot, lambda: table.row_count == 3)
        app.adapter.down = True
        tab.request_refresh()
        await wait(pilot, lambda: tab.state is BackendState.STALE)
        assert table.row_count == 3  # the last good data stays on screen
        banner = str(tab.query_one("#state-banner").render())
        assert "STALE" in banner and "memory.list" in banner and "connection refused" in banner
        app.adapter.down = False
        app.adapter.items.append("cache-1 app=cache")
        await pilot.press("r")
        await wait(pilot, lambda: tab.state is BackendState.READY and table.row_count == 4)


async def test_unreachable_at_start_then_retry_connects():
    app = TabApp()
    app.adapter.down = True
    async with app.run_test(size=(80, 20)) as pilot:
        tab = app.query_one(ItemsTab)
        await wait(pilot, lambda: tab.state is BackendState.UNAVAILABLE)
        assert "memory.connect" in str(tab.query_one("#state-banner").render())
        app.adapter.down = False
        tab.action_retry()
        await wait(pilot, lambda: tab.state is BackendState.READY)


async def test_bursts_of_refresh_requests_collapse():
    app = TabApp()
    async with app.run_test(size=(80, 20)) as pilot:
        tab = app.query_one(ItemsTab)
        await wait(pilot, lambda: tab.state is BackendState.READY)
        before = app.adapter.calls
        for _ in range(50):
            tab.request_refresh()
        await pilot.pause(0.5)
        assert app.adapter.calls - before <= 3  # one running, at most one queued (+ one merged late)
