"""Clusters tab at 20,000 pods on kmock: every row arrives (first page early), problems stay
first, the filter narrows and widens, only the shown kind's table filters, ages tick for the
rows on screen without rebuilding the table."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from console import clock
from console.app import OpsConsole
from console.models.kubernetes import format_age
from console.sandbox.kube_seed import pod
from console.services import Services

PODS, NAMESPACES = 20_000, 4
DEADLINE = 120.0  # seconds: 20,000 pods through a loaded machine; catches hangs, not slowness


async def wait_for(pilot, condition, deadline: float = DEADLINE, what: str = "condition"):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} not met in {deadline:.0f}s")


def seed_pods(emu, count: int, namespaces: int, now: datetime) -> None:
    batch = []
    for i in range(count):
        crashing = i % 97 == 0
        batch.append(pod(f"team-{i % namespaces}", f"app-{i % 10}-{i:05d}", f"registry.local/app-{i % 10}:1", now,
                         timedelta(minutes=30 + i % 600), labels={"app": f"app-{i % 10}"}, ready=not crashing,
                         restarts=3 if crashing else 0, waiting="CrashLoopBackOff" if crashing else None))
        if len(batch) == 2000:
            emu.apply_many(batch)
            batch = []
    if batch:
        emu.apply_many(batch)


def all_namespaces(kube):
    return kube.with_context("sandbox-dev", "*")


def line_text(table, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def open_pods(app, pilot, count: int):
    await pilot.press("3")
    tab = app.tab("clusters")
    await wait_for(pilot, lambda: tab.kind == "pods" and tab.table().row_count == count, what=f"{count} rows")
    return tab


async def test_20k_pods_all_arrive_first_page_early_problems_first(kube):
    seed_pods(kube.emu, PODS, NAMESPACES, datetime.now(UTC))
    app = OpsConsole(all_namespaces(kube), services=Services(all_namespaces(kube)))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        tab = app.tab("clusters")
        shown: list[tuple[int, bool]] = []  # (rows, still listing) per table update
        original = tab.show

        def spy(data):
            original(data)
            shown.append((len(data[1]), data[2].loading))

        tab.show = spy
        await pilot.press("3")
        await wait_for(pilot, lambda: tab.table().row_count == PODS, what="all 20,000 rows")
        assert len(tab.rows) == PODS and len(set(tab.table().visible_keys)) == PODS
        assert shown[0][1] and 0 < shown[0][0] < PODS, shown[:3]  # a first page painted before the rest
        assert not shown[-1][1]
        header = str(tab.query_one("#kube-header").render())
        assert f"· {PODS}" in header and "live (watch" in header
        failing = -(-PODS // 97)
        keys = tab.table().visible_keys
        assert all(tab.rows[k].problem for k in keys[:failing]) and not tab.rows[keys[failing]].problem
        kube.emu.patch("pods", "team-1", "app-1-00001", {"status": {"containerStatuses": [
            {"name": "app-1", "image": "x", "imageID": "", "ready": False, "restartCount": 5,
             "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "boom"}}}]}})
        await wait_for(pilot, lambda: tab.rows["team-1/app-1-00001"].problem, what="the watch event")
        await wait_for(pilot, lambda: tab.table().visible_keys.index("team-1/app-1-00001") < failing + 1,
                       what="the new problem among the first rows")
        assert tab.table().row_count == PODS


async def test_filter_narrows_widens_and_only_the_shown_table_filters(kube):
    seed_pods(kube.emu, 3000, 3, datetime.now(UTC))
    app = OpsConsole(all_namespaces(kube), services=Services(all_namespaces(kube)))
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_pods(app, pilot, 3000)
        table, other = tab.table(), tab.table("deployments")
        before_other, order = other.rebuilds, table.visible_keys

        def expected(text: str) -> list[str]:  # the filter's grammar for words, by brute force
            words = text.lower().split()
            return [k for k in order if all(w in table.row_for(k).search for w in words)]

        keys = lambda: table.visible_keys  # noqa: E731
        typed = ""
        await pilot.press("slash")
        for step in ("a", "p", "p", "-", "3", "-", "0", "0", "0", "2"):  # grows: narrows the previous result
            typed += step
            await pilot.press(step)
            await wait_for(pilot, lambda typed=typed: tab.table().filter_text == typed, what=f"filter {typed!r}")
            assert keys() == expected(typed), typed
        assert keys() == ["team-2/app-3-00023"]
        for _ in range(4):  # shrinks: widens again
            typed = typed[:-1]
            await pilot.press("backspace")
            await wait_for(pilot, lambda typed=typed: tab.table().filter_text == typed, what=f"filter {typed!r}")
            assert keys() == expected(typed), typed
        assert len(keys()) == 300 and other.rebuilds == before_other  # the hidden kind's table did nothing
        await pilot.press("enter")
        tab.show_kind("deployments", None)  # `t`: another kind, the filter stays
        await wait_for(pilot, lambda: tab.kind == "deployments" and other.filter_text == typed, what="caught up")
        await pilot.press("escape")
        assert tab.jump("pods")
        await wait_for(pilot, lambda: tab.kind == "pods" and tab.table().row_count == 3000, what="filter cleared")


async def test_ages_tick_for_the_rows_on_screen_without_a_rebuild(kube):
    start = datetime.now(UTC).replace(microsecond=0)
    seed_pods(kube.emu, 500, 2, start)
    clock.freeze(start.timestamp())
    try:
        app = OpsConsole(all_namespaces(kube), services=Services(all_namespaces(kube)))
        async with app.run_test(size=(160, 40)) as pilot:
            tab = await open_pods(app, pilot, 500)
            table = tab.table()
            age = [c.label for c in table.columns_spec].index("AGE")
            key = table.visible_keys[0]
            created = tab.rows[key].cells[age - 2].at

            def age_now() -> str:
                return format_age(clock.now() - created.timestamp())

            first = line_text(table, 1)
            rebuilds = table.rebuilds
            assert f" {age_now()} " in first, first
            clock.freeze(start.timestamp() + 3 * 3600 + 120)  # later: the same objects, older
            tab.request_refresh()  # what the 15-s poll does
            await wait_for(pilot, lambda: f" {age_now()} " in line_text(table, 1), what="the age to tick")
            assert "h" in age_now() and table.rebuilds == rebuilds  # repainted, not rebuilt
            last = table.row_count  # a row scrolled into view renders its age when drawn
            table.move_cursor(row=last - 1)
            await pilot.pause()
            bottom = [line_text(table, y) for y in range(1, 40)]
            other = tab.rows[table.current_key].cells[age - 2].at
            assert any(f" {format_age(clock.now() - other.timestamp())} " in line for line in bottom)
    finally:
        clock.freeze(None)
