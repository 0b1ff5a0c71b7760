"""Pilot tests of the guarded path: gate, preview, confirmation, execution, records, undo."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import pytest
from rich.style import Style
from textual.widgets import Button, Input, Log, Static

from console.actions.journal import read_audit, read_changelog
from console.actions.spec import Risk
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from tests.actions.harness import FakeExecutor, GuardApp, ScaleTab, TabApp, conflict, make_config, scale_spec
from tests.fixtures.workers import workers_done

SIZE = (120, 40)


async def settle(app, pilot) -> None:
    """Let workers finish and their call_from_thread callbacks land (a worker cancelled in
    the meantime, e.g. an exclusive refresh replaced by a newer one, has finished too)."""
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


def outcomes(tmp_path) -> list[str]:
    return [r["outcome"] for r in read_audit(tmp_path / "audit.jsonl").records]


async def confirm(app, pilot, reason: str = "") -> None:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    if reason:
        screen.query_one("#confirm-reason", Input).value = reason
    screen.query_one("#confirm", Button).press()
    await settle(app, pilot)


async def test_decline_calls_nothing_and_is_audited(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        assert screen.focused is screen.query_one("#cancel", Button)  # Cancel is the default
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
    assert fake.calls == []
    assert outcomes(tmp_path) == ["declined"]
    assert read_changelog(tmp_path / "ops" / "CHANGELOG.md") == ([], 0)


async def test_confirm_runs_once_and_records(tmp_path):
    fake = FakeExecutor(verify_steps=3)
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        await confirm(app, pilot, reason="INC-7")
        run = app.screen
        assert isinstance(run, ActionRunScreen) and run.results is not None
        assert [r.outcome.value for r in run.results] == ["succeeded"]
        assert any("3/3 replicas ready" in line for line in run.lines)  # verification progress shown
        assert app.refreshes == 1
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ActionRunScreen)
    assert fake.calls == [("web", 30.0)] and fake.replicas["web"] == 5
    records = read_audit(tmp_path / "audit.jsonl").records
    assert [r["outcome"] for r in records] == ["requested", "succeeded"]
    assert records[0]["action_id"] == records[1]["action_id"] and records[1]["reason"] == "INC-7"
    assert records[1]["changes"] == [{"field": "replicas", "before": "3", "after": "5"}]
    assert records[1]["undo_kind"] == "test.scale" and records[1]["undo_params"] == {"previous_replicas": "3"}
    entries, torn = read_changelog(tmp_path / "ops" / "CHANGELOG.md")
    assert torn == 0 and len(entries) == 1
    assert entries[0].heading.endswith("— scale deployment web (succeeded)")
    assert entries[0].fields["change"] == "replicas: 3 → 5" and entries[0].fields["reason"] == "INC-7"


async def test_executor_error_is_shown_audited_and_undo_offered(tmp_path):
    fake = FakeExecutor(fail_with=conflict())
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        await confirm(app, pilot)
        run = app.screen
        assert isinstance(run, ActionRunScreen)
        assert [r.outcome.value for r in run.results] == ["failed"]
        assert "the deployment changed meanwhile" in run.results[0].detail
        assert run.has_class("-failed") and run.has_class("-undoable")
        assert any("the deployment changed meanwhile" in n.message for n in app._notifications)
        fake.fail_with = None
        await pilot.press("u")  # the undo goes through the same path: a new confirmation
        await settle(app, pilot)
        undo = app.screen
        assert isinstance(undo, ConfirmScreen) and undo.spec.verb == "scale"
        [previewed] = undo.previewed.values()
        assert [(c.field, c.after) for c in previewed.preview.changes] == [("replicas", "3")]
        await confirm(app, pilot)
        assert [r.outcome.value for r in app.screen.results] == ["succeeded"]
    assert [r["outcome"] for r in read_audit(tmp_path / "audit.jsonl").records] == [
        "requested", "failed", "requested", "succeeded"]
    assert fake.replicas["web"] == 3


async def test_timeout_is_audited(tmp_path):
    release = threading.Event()
    fake = FakeExecutor(block=release)
    app = GuardApp(make_config(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.run_guarded(scale_spec(fake, "web", timeout=0.2), origin=app)
            await settle(app, pilot)
            await confirm(app, pilot)
            run = app.screen
            assert isinstance(run, ActionRunScreen)
            assert [r.outcome.value for r in run.results] == ["failed"]
            assert "no answer in time" in run.results[0].detail
            assert "did not finish within 0.2s" in run.results[0].detail
    finally:
        release.set()
    assert outcomes(tmp_path) == ["requested", "failed"]
    entries, _ = read_changelog(tmp_path / "ops" / "CHANGELOG.md")
    assert entries[0].heading.endswith("(failed)")


async def test_read_only_refuses(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path, read_only=True))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("refused" in n.message and "read-only" in n.message for n in app._notifications)
    assert fake.calls == [] and outcomes(tmp_path) == ["refused"]


async def test_read_only_context_refuses(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path, read_only_contexts=("prod-*",)))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web", context="prod-eu"), origin=app)
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("context prod-eu is read-only" in n.message for n in app._notifications)
    assert fake.calls == [] and outcomes(tmp_path) == ["refused"]


async def test_production_needs_the_typed_name(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web", production=True), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and screen.has_class("-production")
        button = screen.query_one("#confirm", Button)
        typed = screen.query_one("#confirm-typed", Input)
        assert button.disabled
        typed.focus()
        await pilot.press("w", "e")
        assert button.disabled
        await pilot.press("b")
        await pilot.pause()
        assert not button.disabled
        await pilot.press("backspace")
        await pilot.pause()
        assert button.disabled
        await pilot.press("b")
        await pilot.pause()
        await confirm(app, pilot)
    assert fake.calls == [("web", 30.0)]


async def test_bulk_one_confirmation_one_record_per_target(tmp_path):
    fake = FakeExecutor(replicas={"web": 3, "api": 2, "db": 1})
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web", "api", "db", risk=Risk.DESTRUCTIVE), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and screen.expected == "3"  # bulk: type the count
        screen.query_one("#confirm-typed", Input).value = "3"
        await pilot.pause()
        await confirm(app, pilot)
        assert [r.outcome.value for r in app.screen.results] == ["succeeded"] * 3
    records = read_audit(tmp_path / "audit.jsonl").records
    assert [r["outcome"] for r in records] == ["requested", "succeeded"] * 3
    assert [r["target"]["name"] for r in records[1::2]] == ["web", "api", "db"]
    assert len({r["batch_id"] for r in records}) == 1 and len({r["action_id"] for r in records}) == 3
    assert len(read_changelog(tmp_path / "ops" / "CHANGELOG.md")[0]) == 3


async def test_unwritable_journal_refuses_before_execution(tmp_path):
    (tmp_path / "ops").write_text("a regular file where the changelog's directory should be")
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        await confirm(app, pilot)
        run = app.screen
        assert isinstance(run, ActionRunScreen)
        [result] = run.results
        assert result.outcome.value == "refused"
        assert "refused before execution" in result.detail
        assert f"{tmp_path / 'ops'} is a file, not a directory" in result.detail
    assert fake.calls == []
    assert outcomes(tmp_path) == ["refused"]  # nothing "requested", nothing ran; the refusal is audited


async def test_tab_key_dimmed_in_read_only_and_refused(tmp_path):
    fake = FakeExecutor()
    app = TabApp(make_config(tmp_path, read_only=True), fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = app.query_one(ScaleTab)
        assert tab.check_action("scale_web", ()) is None  # shown dimmed in the footer
        tab.focus()
        await pilot.press("x")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        tab.action_scale_web()  # even when called directly, the runner refuses
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
    assert fake.calls == [] and outcomes(tmp_path) == ["refused"]


async def test_tab_in_read_only_context_is_refused_with_its_reason(tmp_path):
    fake = FakeExecutor()
    app = TabApp(make_config(tmp_path, read_only_contexts=("prod-*",)), fake, context="prod-eu")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = app.query_one(ScaleTab)
        assert tab.check_action("scale_web", ()) is None
        tab.action_scale_web()
        await settle(app, pilot)
        assert any("context prod-eu is read-only" in n.message for n in app._notifications)
    assert fake.calls == [] and outcomes(tmp_path) == ["refused"]
    [record] = read_audit(tmp_path / "audit.jsonl").records
    assert "read-only" in record["detail"]


async def test_tab_action_records_identity_and_refreshes_the_tab(tmp_path):
    fake = FakeExecutor()
    app = TabApp(make_config(tmp_path), fake)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = app.query_one(ScaleTab)
        assert tab.info is not None
        tab.focus()
        await pilot.press("x")
        await settle(app, pilot)
        before = tab.refresh_requests
        await confirm(app, pilot)
        assert [r.outcome.value for r in app.screen.results] == ["succeeded"]
        assert tab.refresh_requests == before + 1
    records = read_audit(tmp_path / "audit.jsonl").records
    assert [r["operator"]["identity"] for r in records] == ["fake-engine", "fake-engine"]


async def test_confirmation_opens_before_a_slow_preview(tmp_path):
    fake = FakeExecutor()
    gate = threading.Event()
    spec = scale_spec(fake, "web")
    slow = dataclasses.replace(spec, preview=lambda t: (gate.wait(10), spec.preview(t))[1])
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(slow, origin=app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and not screen.preview_ready
        assert screen.query_one("#confirm", Button).disabled  # nothing to confirm before the preview
        gate.set()
        await settle(app, pilot)
        assert screen.preview_ready and not screen.query_one("#confirm", Button).disabled
        await confirm(app, pilot)
    assert fake.calls == [("web", 30.0)]


async def test_failing_or_hung_preview_is_shown(tmp_path):
    fake = FakeExecutor()
    gate = threading.Event()
    spec = dataclasses.replace(scale_spec(fake, "web", "api"), timeout=0.2,
                               preview=lambda t: gate.wait(10) if t.name == "web" else (_ for _ in ()).throw(conflict()))
    app = GuardApp(make_config(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.run_guarded(spec, origin=app)
            await settle(app, pilot)
            screen = app.screen
            errors = {t.name: r.error for t, r in screen.previewed.items()}
            assert "did not finish within 0.2s" in errors["web"]
            assert "the deployment changed meanwhile" in errors["api"]
            shown = [str(r) for r in screen.query_one("#confirm-preview", Static).content.renderables]
            assert sum("preview failed" in line for line in shown) == 2
            await pilot.press("escape")
            await settle(app, pilot)
    finally:
        gate.set()
    assert fake.calls == [] and outcomes(tmp_path) == ["declined", "declined"]


async def test_progress_modal_can_be_hidden_and_the_result_comes_back(tmp_path):
    release = threading.Event()
    fake = FakeExecutor(block=release, verify_steps=2)
    app = GuardApp(make_config(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.run_guarded(scale_spec(fake, "web"), origin=app)
            await settle(app, pilot)
            app.screen.query_one("#confirm", Button).press()
            for _ in range(1500):  # the executor is now blocked in its thread (>= 30 s: a loaded machine)
                await pilot.pause(0.02)
                if fake.calls:
                    break
            run = app.screen
            assert isinstance(run, ActionRunScreen) and run.results is None
            assert any("executing" in line for line in run.lines)
            await pilot.press("escape")  # hide: the UI is free while the action runs
            await pilot.pause()
            assert not isinstance(app.screen, ActionRunScreen)
            release.set()
            await settle(app, pilot)
            back = app.screen
            assert isinstance(back, ActionRunScreen) and back is not run
            assert [r.outcome.value for r in back.results] == ["succeeded"]
            assert any("executing" in line for line in back.lines) and any("2/2" in line for line in back.lines)
    finally:
        release.set()
    assert outcomes(tmp_path) == ["requested", "succeeded"]


async def test_cancel_before_the_preview_arrives(tmp_path):
    fake = FakeExecutor()
    gate = threading.Event()
    spec = scale_spec(fake, "web")
    slow = dataclasses.replace(spec, preview=lambda t: (gate.wait(10), spec.preview(t))[1])
    app = GuardApp(make_config(tmp_path))
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.run_guarded(slow, origin=app)
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("escape")
            await pilot.pause()
            gate.set()  # the preview lands on a dismissed modal: ignored, no crash
            await settle(app, pilot)
            assert not isinstance(app.screen, ConfirmScreen)
    finally:
        gate.set()
    assert fake.calls == [] and outcomes(tmp_path) == ["declined"]


async def test_result_dialog_shows_each_progress_line_once(tmp_path):
    fake = FakeExecutor(verify_steps=1)
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        await confirm(app, pilot)
        run = app.screen
        assert isinstance(run, ActionRunScreen)
        expected = [
            "scale deployment web @ dev/shop: executing (timeout 30s)",
            "scale deployment web @ dev/shop: verifying (up to 10s)",
            "web: 1/1 replicas ready",
            "scale deployment web @ dev/shop: succeeded: web scaled to 5",
        ]
        assert run.lines == expected
        assert list(run.query_one(Log).lines) == expected
    assert outcomes(tmp_path) == ["requested", "succeeded"]


async def test_progress_arriving_while_the_dialog_mounts_is_written_once(tmp_path):
    """Lines that land between compose and mount were written twice (once live, once by on_mount)."""
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = ActionRunScreen(scale_spec(FakeExecutor(), "web"))
        app.push_screen(screen)
        for index in range(30):  # one line per event-loop turn: some land mid-mount
            screen.add_line(f"line {index}")
            await asyncio.sleep(0)
        await pilot.pause()
        expected = [f"line {index}" for index in range(30)]
        assert screen.lines == expected
        assert list(screen.query_one(Log).lines) == expected


async def test_enter_in_the_reason_moves_to_confirm_and_never_confirms(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web"), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and screen.focused is screen.query_one("#cancel", Button)
        screen.query_one("#confirm-reason", Input).focus()
        await pilot.press("I", "N", "C", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.focused is screen.query_one("#confirm", Button)
        assert fake.calls == []
        await pilot.press("enter")  # now the operator presses Confirm
        await settle(app, pilot)
        assert isinstance(app.screen, ActionRunScreen)
    assert fake.calls == [("web", 30.0)]
    assert read_audit(tmp_path / "audit.jsonl").records[-1]["reason"] == "INC"


async def test_enter_in_the_reason_moves_to_the_typed_name_first(tmp_path):
    fake = FakeExecutor()
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_spec(fake, "web", production=True), origin=app)
        await settle(app, pilot)
        screen = app.screen
        screen.query_one("#confirm-reason", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.focused is screen.query_one("#confirm-typed", Input)
        await pilot.press("enter")  # nothing typed: Confirm is disabled, the focus goes to Cancel
        await pilot.pause()
        assert screen.focused is screen.query_one("#cancel", Button) and app.screen is screen
        screen.query_one("#confirm-typed", Input).focus()
        await pilot.press("w", "e", "b", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.focused is screen.query_one("#confirm", Button)
        assert fake.calls == []


def _label_style(button: Button) -> Style:
    return next(seg.style for seg in button.render_line(0) if seg.text.strip())


@pytest.mark.parametrize("theme", ["opsconsole-dark", "opsconsole-ansi"])
async def test_the_focused_button_stands_out_in_dark_and_ansi_themes(tmp_path, theme):
    import themes

    class ThemedApp(GuardApp):
        CSS_PATH = themes.CSS_PATHS

    app = ThemedApp(make_config(tmp_path))
    for registered in themes.ALL:
        app.register_theme(registered)
    app.theme = theme
    async with app.run_test(size=SIZE) as pilot:
        screen = ConfirmScreen(scale_spec(FakeExecutor(), "web"), previewed={})
        app.push_screen(screen)
        await pilot.pause()
        cancel, confirm_button = screen.query_one("#cancel", Button), screen.query_one("#confirm", Button)
        focused, unfocused = _label_style(cancel), _label_style(confirm_button)
        confirm_button.focus()
        await pilot.pause()
        assert _label_style(confirm_button).bgcolor == focused.bgcolor  # the same focus marker on either
        unfocused_cancel = _label_style(cancel)
    for style in (focused,):  # bold and underlined in both; reversed too in the ANSI theme (no colour needed)
        assert style.underline and style.bold and bool(style.reverse) == (theme == "opsconsole-ansi")
    assert focused.bgcolor not in (unfocused.bgcolor, unfocused_cancel.bgcolor)
    assert focused.bgcolor is not None and focused.bgcolor != unfocused_cancel.bgcolor
