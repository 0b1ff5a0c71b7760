"""The night page: keys an operator presses must do something visible (issue: 80x24 walk)."""

from __future__ import annotations

import dataclasses

from textual.app import App, ComposeResult
from textual.widgets import Button, DataTable, Input, OptionList, Static

from screens.confirm import ConfirmScreen
from screens.pipelines_prompt import ChoicePrompt
from tests.actions.harness import FakeExecutor, GuardApp, make_config, scale_spec
from tests.fixtures.workers import workers_done

SIZE = (80, 24)


async def settle(app, pilot) -> None:
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


async def test_typing_while_cancel_is_focused_lands_in_the_reason(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and screen.focused is screen.query_one("#cancel", Button)
        await pilot.press(*"INC-42")
        await pilot.pause()
        assert screen.query_one("#confirm-reason", Input).value == "INC-42"
        await pilot.press("enter")  # reason → Confirm, never confirms by itself
        await pilot.pause()
        assert screen.focused is screen.query_one("#confirm", Button)
        assert fake.calls == []


async def test_a_reason_given_before_the_confirmation_is_not_asked_again(tmp_path):
    fake = FakeExecutor()
    spec = scale_spec(fake, "web")
    spec = dataclasses.replace(spec, details={**spec.details, "reason": "false positive: INC-7"})
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(spec, origin=app)
        await settle(app, pilot)
        assert app.screen.query_one("#confirm-reason", Input).value == "false positive: INC-7"


class PickerApp(App):
    def compose(self) -> ComposeResult:
        yield Static("picker host")


async def test_j_and_k_move_in_the_pickers():
    app = PickerApp()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ChoicePrompt("Show which resources?", ("pods", "deployments", "nodes")))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        start = options.highlighted or 0
        await pilot.press("j", "j")
        assert options.highlighted == start + 2
        await pilot.press("k")
        assert options.highlighted == start + 1
        await pilot.press("g")
        assert options.highlighted == 0
        await pilot.press("G")
        assert options.highlighted == 2


async def test_j_and_k_move_in_the_changelog_list(tmp_path):
    from screens.widgets import VimDataTable

    class TableApp(App):
        def compose(self) -> ComposeResult:
            table = VimDataTable(cursor_type="row")
            table.add_column("entry")
            for i in range(5):
                table.add_row(f"entry {i}")
            yield table

    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.focus()
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 4


async def test_unticked_boxes_do_not_look_ticked():
    from screens.widgets import TickBox

    class BoxApp(App):
        def compose(self) -> ComposeResult:
            yield TickBox("docker", False, id="off")
            yield TickBox("aws", True, id="on")

    app = BoxApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        off, on = app.query_one("#off", TickBox), app.query_one("#on", TickBox)
        assert str(off.render()).startswith("[ ]") and "X" not in str(off.render())
        assert str(on.render()).startswith("[x]")
        off.focus()
        await pilot.press("space")
        assert str(off.render()).startswith("[x]")


async def test_progress_lines_fold_at_80_columns(tmp_path):
    from textual.widgets import Log

    from screens.guarded import ActionRunScreen

    fake = FakeExecutor(verify_steps=2)
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web-frontend-with-a-long-name", context="prod-eu-west-1-cluster"),
                        origin=app)
        await settle(app, pilot)
        app.screen.query_one("#confirm", Button).press()
        for _ in range(200):
            await pilot.pause(0.05)
            if isinstance(app.screen, ActionRunScreen) and app.screen.results is not None:
                break
        run = app.screen
        assert isinstance(run, ActionRunScreen)
        lines = list(run.query_one(Log).lines)
        width = run.query_one(Log).size.width
        assert lines and all(len(line) <= width for line in lines), (width, lines)
        assert "(timeout 30s)" in " ".join(lines)  # folded, not clipped


async def test_failing_rows_come_first_until_the_operator_sorts():
    from screens.widgets import Column, ResourceTable, Row

    class RowsApp(App):
        def compose(self) -> ComposeResult:
            yield ResourceTable((Column("name", "NAME"),), id="t")

    app = RowsApp()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(ResourceTable)
        table.sync([Row("a", ("a-ok",)), Row("b", ("b-warn",), rank=-1), Row("c", ("c-ok",)),
                    Row("d", ("d-crash",), rank=-2)])
        await pilot.pause()
        assert table.visible_keys == ["d", "b", "a", "c"]  # errors, warnings, then as listed
        table.sort_by("name")
        assert table.visible_keys == ["a", "b", "c", "d"]  # an explicit sort wins
