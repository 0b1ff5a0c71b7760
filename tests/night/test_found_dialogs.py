"""The night page at 80x24: a notification never covers an open dialog's text (issue 15)."""

from __future__ import annotations

from textual.widgets import Button

from console.app import OpsConsole
from screens.confirm import ConfirmScreen
from screens.pipelines_prompt import ReasonPrompt
from tests.actions.harness import FakeExecutor, make_config, scale_spec
from tests.night.screen_text import screen_lines
from tests.night.test_keys_answer import settle
from tests.night.test_truth_on_screen import wait_for

SIZE = (80, 24)
NOTICE = "kubernetes: the watch stream broke, falling back to polling every 2s (retry 3)"


def shown(app, *needles: str) -> bool:
    lines = screen_lines(app)
    return all(any(n in line for line in lines) for n in needles)


async def test_a_toast_leaves_the_confirmation_readable(tmp_path):
    fake = FakeExecutor(replicas={"web-frontend": 3})
    app = OpsConsole(make_config(tmp_path))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        app.run_guarded(scale_spec(fake, "web-frontend", production=True, context="prod-eu-west-1"), origin=app)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready)
        key_lines = ("Confirm: scale deployment web-frontend", "PRODUCTION", "prod-eu-west-1", "web-frontend",
                     "Type the target's name to confirm: web-frontend", "Cancel", "Confirm scale")
        await wait_for(pilot, lambda: shown(app, *key_lines))
        app.notify(NOTICE, title="Clusters", severity="warning", timeout=60)
        app.notify("second notice, the newest", severity="error", timeout=60)
        await wait_for(pilot, lambda: shown(app, "second notice, the newest"))
        await pilot.pause()
        lines = screen_lines(app)
        for needle in key_lines:
            assert any(needle in line for line in lines), (needle, "\n".join(lines))
        # the buttons are whole: every row of both buttons is inside the screen and not under a toast
        screen = app.screen
        for button in screen.query(Button):
            region = button.region
            assert region.bottom <= SIZE[1], (button.id, region)
            for toast in screen.query("Toast"):
                if toast.display and toast.region.height:
                    assert not region.overlaps(toast.region), (button.id, region, toast.region)
        dialog = screen.query_one("#confirm-dialog").region
        for toast in screen.query("Toast"):
            if toast.region.height:
                assert not dialog.overlaps(toast.region), (dialog, toast.region)


async def test_a_toast_leaves_a_prompt_readable(tmp_path):
    app = OpsConsole(make_config(tmp_path))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        app.push_screen(ReasonPrompt("Why approve pipeline deploy-web (stage prod)?"))
        await wait_for(pilot, lambda: shown(app, "Why approve pipeline deploy-web"))
        for i in range(4):
            app.notify(f"#{i} {NOTICE}", title="Clusters", severity="warning", timeout=60)
        await wait_for(pilot, lambda: shown(app, "#3"))
        await pilot.pause()
        assert shown(app, "Why approve pipeline deploy-web (stage prod)?"), "\n".join(screen_lines(app))
        dialog_regions = [w.region for w in app.screen.children if w.region.height and type(w).__name__ != "ToastRack"]
        for toast in app.screen.query("Toast"):
            if toast.region.height:
                assert not any(r.overlaps(toast.region) for r in dialog_regions), (dialog_regions, toast.region)
