"""A running action in the real App: countdown, esc keeps it running, A reopens it, q asks first."""

from __future__ import annotations

import threading

from textual.widgets import Button, Static

from console.actions.journal import read_audit
from console.app import OpsConsole
from screens.guarded import ActionRunScreen
from screens.running import QuitScreen
from screens.status_bar import StatusBar
from tests.actions.harness import FakeExecutor, make_config, scale_spec
from tests.actions.test_guarded import SIZE, settle
from tests.ui.test_containers import until


def blocking_spec(fake: FakeExecutor, release: threading.Event):
    spec = scale_spec(fake, "web")

    def verify(target, progress, deadline):
        progress("web: 3/5 ready")
        release.wait(60)
        progress("web: 5/5 ready")

    return type(spec)(**{**spec.__dict__, "verify": verify, "verify_timeout": 90.0})


async def start_running(app, pilot, fake, release) -> ActionRunScreen:
    app.run_guarded(blocking_spec(fake, release))
    await settle(app, pilot)  # the preview
    app.screen.query_one("#confirm", Button).press()
    run = await until(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen, "the progress")
    await until(pilot, lambda: "last observed: web: 3/5 ready" in str(run.query_one("#run-status", Static).content),
                "the countdown with the last observed state")
    return run


async def test_countdown_background_indicator_and_reopen(tmp_path):
    fake, release = FakeExecutor(), threading.Event()
    app = OpsConsole(make_config(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            run = await start_running(app, pilot, fake, release)
            status = str(run.query_one("#run-status", Static).content)
            assert "verifying deployment web" in status and "s left" in status
            await pilot.press("escape")
            bar = app.query_one(StatusBar)
            await until(pilot, lambda: "▶ 1 running (A)" in bar.status_text().plain, "the running indicator")
            await pilot.press("A")
            again = await until(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen, "reopened")
            assert "web: 3/5 ready" in again.lines
            release.set()
            await until(pilot, lambda: again.results is not None, "the result")
            assert [r.outcome.value for r in again.results] == ["succeeded"]
            await until(pilot, lambda: "running" not in bar.status_text().plain, "the indicator gone")
    finally:
        release.set()


async def test_quit_waits_for_the_running_action(tmp_path):
    fake, release = FakeExecutor(), threading.Event()
    app = OpsConsole(make_config(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await start_running(app, pilot, fake, release)
            await pilot.press("escape", "q")
            dialog = await until(pilot, lambda: isinstance(app.screen, QuitScreen) and app.screen, "the quit dialog")
            assert "scale deployment web" in str(dialog.query_one("#quit-running", Static).content)
            await pilot.press("w")
            await until(pilot, lambda: app._quit_when_idle, "waiting")
            assert app.is_running  # still up while the action runs
            release.set()
            await until(pilot, lambda: not app.is_running, "the exit after the action finished")
    finally:
        release.set()
    assert [r["outcome"] for r in read_audit(tmp_path / "audit.jsonl").records] == ["requested", "succeeded"]


async def test_quit_without_running_actions_quits_at_once(tmp_path):
    app = OpsConsole(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the exit")
