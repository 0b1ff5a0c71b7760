"""The real App wires the guarded path: run_guarded, its journal from config, the `6` changelog."""

from __future__ import annotations

from console.actions.journal import read_audit
from console.app import OpsConsole
from screens.changelog_view import ChangelogScreen
from screens.confirm import ConfirmScreen
from tests.actions.harness import FakeExecutor, make_config, scale_spec
from tests.actions.test_guarded import SIZE, confirm, settle


async def test_opsconsole_runs_an_action_and_shows_it_in_the_changelog(tmp_path):
    fake = FakeExecutor()
    config = make_config(tmp_path)
    app = OpsConsole(config)
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"))
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await confirm(app, pilot, reason="INC-9")
        await pilot.press("escape")
        await pilot.pause()
        assert app.journal.audit_path == config.audit_path
        await pilot.press("7")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ChangelogScreen)
        assert [r["outcome"] for r in screen.shown] == ["succeeded", "requested"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChangelogScreen)
    assert fake.calls == [("web", 30.0)]
    assert [r["reason"] for r in read_audit(config.audit_path).records] == ["INC-9", "INC-9"]
