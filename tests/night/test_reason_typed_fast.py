"""A reason typed (or pasted) in one burst while Cancel has the focus keeps its spaces.

tmux send-keys, a paste or a fast typist over a slow link deliver the whole reason before
the focus has moved to the reason field (Textual moves it on the next turn of the loop):
every key of the burst reaches the dialog while Cancel still has the focus.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Button, Input

from screens.confirm import ConfirmScreen
from tests.actions.harness import FakeExecutor, GuardApp, make_config, scale_spec
from tests.night.test_keys_answer import SIZE, settle

REASON = "INC-42 bad deploy"


async def test_a_burst_typed_on_cancel_lands_whole_in_the_reason(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and screen.focused is screen.query_one("#cancel", Button)
        for ch in REASON:  # all queued at once, as a terminal delivers a burst
            app._driver.send_message(events.Key({" ": "space", "-": "minus"}.get(ch, ch), ch))
        reason = screen.query_one("#confirm-reason", Input)
        for _ in range(200):
            await pilot.pause(0.02)
            if reason.value == REASON:
                break
        assert reason.value == REASON
        assert fake.calls == [] and app.screen is screen  # nothing pressed Cancel or Confirm


async def test_a_space_alone_on_cancel_types_nothing(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("space")
        await pilot.pause()
        assert screen.query_one("#confirm-reason", Input).value == ""
