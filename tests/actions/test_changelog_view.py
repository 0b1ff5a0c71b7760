"""The in-app changelog: newest first, filter, detail, undo from a record through the guarded path."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from console.actions.undo import register_undo, target_from_record, unregister_undo
from screens.changelog_view import ChangelogScreen
from screens.confirm import ConfirmScreen
from tests.actions.harness import FakeExecutor, GuardApp, conflict, make_config, scale_spec
from tests.actions.test_guarded import SIZE, confirm, settle


@pytest.fixture
def scale_undo():
    def factory(record, services):
        target = target_from_record(record)
        return scale_spec(services, target.name, replicas=int(record["undo_params"]["previous_replicas"]),
                          context=target.context)

    register_undo("test.scale", factory)
    yield
    unregister_undo("test.scale")


async def run_two_actions(app, pilot, fake) -> None:
    app.run_guarded(scale_spec(fake, "web", replicas=5), origin=app)
    await settle(app, pilot)
    await confirm(app, pilot, reason="CHG-1")
    await pilot.press("escape")
    fake.fail_with = conflict()
    app.run_guarded(scale_spec(fake, "api", replicas=4), origin=app)
    await settle(app, pilot)
    await confirm(app, pilot, reason="CHG-2 \x1b[31mred[/]")
    await pilot.press("escape")
    fake.fail_with = None


async def open_changelog(app, pilot) -> ChangelogScreen:
    screen = ChangelogScreen()
    app.push_screen(screen)
    await settle(app, pilot)
    return screen


async def test_lists_newest_first_with_detail_and_filter(tmp_path):
    fake = FakeExecutor(replicas={"web": 3, "api": 2})
    app = GuardApp(make_config(tmp_path), services=fake)
    async with app.run_test(size=SIZE) as pilot:
        await run_two_actions(app, pilot, fake)
        screen = await open_changelog(app, pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 4
        assert [r["outcome"] for r in screen.shown] == ["failed", "requested", "succeeded", "requested"]
        assert "\x1b" not in str(table.get_row_at(0)[6]) and "[/]" in str(table.get_row_at(0)[6])
        detail = str(screen.query_one("#changelog-detail", Static).content)
        assert "scale deployment api" in detail and "Conflict" in detail and "CHG-2" in detail
        await pilot.press("slash")
        await pilot.press(*"chg-1")
        await pilot.pause()
        assert [r["target"]["name"] for r in screen.shown] == ["web", "web"]
        await pilot.press("enter", "j")
        await pilot.press("escape")  # first esc clears the filter
        await pilot.pause()
        assert len(screen.shown) == 4
        await pilot.press("escape")  # then back to the app
        await pilot.pause()
        assert not isinstance(app.screen, ChangelogScreen)


async def test_undo_from_a_record_goes_through_the_guarded_path(tmp_path, scale_undo):
    fake = FakeExecutor(replicas={"web": 3, "api": 2})
    app = GuardApp(make_config(tmp_path), services=fake)
    async with app.run_test(size=SIZE) as pilot:
        await run_two_actions(app, pilot, fake)
        screen = await open_changelog(app, pilot)
        screen.query_one(DataTable).move_cursor(row=2)  # "succeeded": scale web 3 → 5
        await pilot.pause()
        assert screen.selected["outcome"] == "succeeded" and screen.selected["target"]["name"] == "web"
        await pilot.press("u")
        await settle(app, pilot)
        undo = app.screen
        assert isinstance(undo, ConfirmScreen)
        [previewed] = undo.previewed.values()
        assert [(c.before, c.after) for c in previewed.preview.changes] == [("5", "3")]
        await confirm(app, pilot, reason="undo CHG-1")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and len(screen.records) == 6  # reloaded after the undo
    assert fake.replicas["web"] == 3


async def test_no_undo_for_unregistered_or_declined(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path), services=fake)
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        await pilot.press("escape")  # declined
        await settle(app, pilot)
        screen = await open_changelog(app, pilot)
        assert [r["outcome"] for r in screen.shown] == ["declined"]
        await pilot.press("u")
        await pilot.pause()
        assert app.screen is screen
        assert any("changed nothing to undo" in n.message for n in app._notifications)
    assert fake.calls == []


async def test_torn_audit_line_is_skipped_and_counted(tmp_path):
    audit = tmp_path / "audit.jsonl"
    audit.write_text('{"action_id": "x", "outcome": "succeeded", "verb": "restart", "target": {"name": "web"}}\n{"tim')
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_changelog(app, pilot)
        assert len(screen.records) == 1 and screen.torn == 1
        assert "1 unreadable line" in str(screen.query_one("#changelog-title", Static).content)
        await pilot.press("slash")
        assert screen.query_one("#changelog-filter", Input).has_focus


def test_key_value_words_search_one_field():
    """The one `/` grammar (console.filter): key=value is exact, key=prefix* a prefix."""
    from console.filter import matches
    from screens.changelog_view import flatten

    record = {"outcome": "timed out", "operator": {"user": "ann", "host": "b"}, "target": {"name": "web-1"},
              "reason": "user=bob asked", "changes": [{"field": "replicas"}], "production": True}
    fields = flatten(record)
    hay = str(record).lower()
    assert matches("user=ann", hay, fields) and not matches("user=bob", hay, fields)
    assert matches("operator.user=ann", hay, fields) and matches("name=web*", hay, fields)
    assert not matches("name=web", hay, fields) and matches("name!=web", hay, fields)
    assert matches("outcome=timed*", hay, fields) and matches("production=true", hay, fields)
    assert matches("replicas", hay, fields) and not matches("nothere=x", hay, fields)


async def test_undo_whose_preview_differs_from_the_record_says_so(tmp_path, scale_undo):
    fake = FakeExecutor(replicas={"web": 3, "api": 2})
    app = GuardApp(make_config(tmp_path), services=fake)
    async with app.run_test(size=SIZE) as pilot:
        await run_two_actions(app, pilot, fake)  # web 3 → 5 recorded
        fake.replicas["web"] = 4  # someone scaled it since
        screen = await open_changelog(app, pilot)
        screen.query_one(DataTable).move_cursor(row=2)
        await pilot.pause()
        await pilot.press("u")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        warnings = str(dialog.query_one("#confirm-warnings", Static).content)
        assert "undo differs from the record" in warnings
        assert "replicas is 4 now, the record left it at 5: it was changed since" in warnings
        assert dialog.query_one("#confirm-warnings", Static).display


async def test_undo_matching_its_record_has_no_warning(tmp_path, scale_undo):
    fake = FakeExecutor(replicas={"web": 3, "api": 2})
    app = GuardApp(make_config(tmp_path), services=fake)
    async with app.run_test(size=SIZE) as pilot:
        await run_two_actions(app, pilot, fake)
        screen = await open_changelog(app, pilot)
        screen.query_one(DataTable).move_cursor(row=2)
        await pilot.pause()
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "differs" not in str(app.screen.query_one("#confirm-warnings", Static).content)


def test_reconciled_and_abandoned_entries_are_marked():
    from screens.changelog_view import record_cells

    for outcome in ("reconciled at next start", "abandoned"):
        cells = record_cells({"outcome": outcome, "target": {"kind": "deployment", "name": "web"}})
        assert str(cells[1]) == f"⚠ {outcome}"
    assert str(record_cells({"outcome": "succeeded"})[1]) == "succeeded"
