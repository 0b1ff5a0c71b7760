"""Every Containers action through the real guarded runner, against the real engine."""

from __future__ import annotations

import dataclasses

import pytest
from textual.widgets import Button, Input

from console.actions.journal import read_audit
from console.config import Config, DockerConfig, GeneralConfig
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from tests.ui.test_containers import make_app, put_cursor, ready_tab, until

pytestmark = pytest.mark.docker

CASES = [  # key, verb, state before, state after
    ("x", "stop", "running", "exited"),
    ("u", "start", "exited", "running"),
    ("R", "restart", "running", "running"),
    ("K", "kill", "running", "exited"),
    ("p", "pause", "running", "paused"),
    ("p", "unpause", "paused", "running"),
    ("D", "remove", "running", None),
]


def prepare(engine, name, state):
    c = engine.run(name=name)
    if state == "exited":
        engine.client.stop(c["id"], timeout=0)
    if state == "paused":
        engine.client.pause(c["id"])
    engine.wait_state(c["id"], state)
    return c


async def confirm(app, pilot, reason="INC-42", typed=None):
    screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "the confirmation")
    if typed is not None:
        screen.query_one("#confirm-typed", Input).value = typed
    await until(pilot, lambda: screen.confirm_enabled, "confirm enabled (preview ready)")
    screen.query_one("#confirm-reason", Input).value = reason
    screen.query_one("#confirm", Button).press()
    run = await until(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen.results and app.screen,
                      "the action's result", tries=300)
    return run


@pytest.mark.parametrize(("key", "verb", "before", "after"), CASES)
async def test_action_confirmed_executed_verified_and_recorded(docker_engine, key, verb, before, after):
    c = prepare(docker_engine, f"act-{verb}", before)
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, (c["name"],))
        await put_cursor(pilot, tab, c["name"])
        await pilot.press(key)
        screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "confirmation")
        assert screen.spec.verb == verb
        assert [t.name for t in screen.spec.targets] == [c["name"]]
        assert screen.spec.targets[0].context == docker_engine.host
        run = await confirm(app, pilot, typed=c["name"] if verb == "remove" else None)
        assert [r.outcome.value for r in run.results] == ["succeeded"], run.results
        await pilot.press("escape")
    if after is None:
        assert not [x for x in docker_engine.test_containers() if x["Id"] == c["id"]]
    else:
        assert docker_engine.inspect(c["id"])["State"]["Status"] == after
    records = read_audit(app.config.audit_path).records
    assert [r["outcome"] for r in records] == ["requested", "succeeded"]
    assert records[-1]["verb"] == verb and records[-1]["reason"] == "INC-42"
    changelog = app.config.changelog_path.read_text()
    assert verb in changelog and c["name"] in changelog and "INC-42" in changelog


async def test_declined_action_changes_nothing(docker_engine):
    c = prepare(docker_engine, "keepme", "running")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("keepme",))
        await put_cursor(pilot, tab, "keepme")
        await pilot.press("D")
        screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "confirmation")
        assert screen.spec.needs_typed_confirmation  # remove is destructive
        await pilot.press("escape")
        await until(pilot, lambda: read_audit(app.config.audit_path).records, "the declined record")
    assert docker_engine.inspect(c["id"])["State"]["Status"] == "running"
    assert [r["outcome"] for r in read_audit(app.config.audit_path).records] == ["declined"]


async def test_bulk_stop_of_marked_rows(docker_engine):
    a = prepare(docker_engine, "bulk-a", "running")
    b = prepare(docker_engine, "bulk-b", "running")
    other = prepare(docker_engine, "bulk-other", "running")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("bulk-a", "bulk-b", "bulk-other"))
        await put_cursor(pilot, tab, "bulk-a")
        await pilot.press("space")
        await put_cursor(pilot, tab, "bulk-b")
        await pilot.press("space", "x")
        screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "confirmation")
        assert sorted(t.name for t in screen.spec.targets) == ["bulk-a", "bulk-b"]
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["succeeded", "succeeded"]
    for c, want in ((a, "exited"), (b, "exited"), (other, "running")):
        assert docker_engine.inspect(c["id"])["State"]["Status"] == want
    outcomes = [r["outcome"] for r in read_audit(app.config.audit_path).records]
    assert outcomes.count("succeeded") == 2


async def test_read_only_mode_offers_no_action(docker_engine):
    prepare(docker_engine, "ro", "running")
    config = Config(general=GeneralConfig(read_only=True), docker=DockerConfig(host=docker_engine.host))
    from console.app import OpsConsole

    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("ro",))
        await put_cursor(pilot, tab, "ro")
        await pilot.press("x", "D")
        assert not isinstance(app.screen, ConfirmScreen)
        assert tab.check_action("stop", ()) is None  # dimmed
        # pressed anyway: refused, said, and audited (nothing requested, nothing ran)
        await until(pilot, lambda: len(read_audit(app.config.audit_path).records) == 2, "the refusals audited")
        records = read_audit(app.config.audit_path).records
        assert [(r["outcome"], r["verb"]) for r in records] == [("refused", "stop"), ("refused", "remove")]
        assert all("read-only" in r["detail"] for r in records)
        assert any("refused" in n.message for n in app._notifications)
        assert docker_engine.inspect(docker_engine.test_containers()[0]["Id"])["State"]["Status"] == "running"


async def test_action_not_applicable_is_explained(docker_engine):
    prepare(docker_engine, "idle", "exited")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("idle",))
        await put_cursor(pilot, tab, "idle")
        await pilot.press("x")
        await until(pilot, lambda: any("not applicable" in n.message for n in app._notifications), "the notice")
        assert not isinstance(app.screen, ConfirmScreen)


def test_cases_cover_every_adapter_mutation():
    from console.backends.docker import DockerBackend

    assert {verb for _k, verb, _b, _a in CASES} == DockerBackend.MUTATIONS
    assert dataclasses.is_dataclass(Config)


async def test_backend_error_is_shown_and_audited_as_failed(docker_engine):
    c = prepare(docker_engine, "vanishing", "running")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("vanishing",))
        await put_cursor(pilot, tab, "vanishing")
        await pilot.press("x")
        screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "confirmation")
        await until(pilot, lambda: screen.confirm_enabled, "the preview")
        docker_engine.client.remove_container(c["id"], force=True)  # gone before the operator confirms
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["failed"]
        assert "Not found" in run.results[0].detail
    outcomes = [r["outcome"] for r in read_audit(app.config.audit_path).records]
    assert outcomes == ["requested", "failed"]


@pytest.mark.parametrize(("key", "verb", "before", "undone"), [("x", "stop", "running", "running"),
                                                                ("p", "pause", "running", "running")])
async def test_stop_and_pause_undone_from_the_changelog_viewer(docker_engine, key, verb, before, undone):
    from textual.widgets import DataTable

    from screens.changelog_view import ChangelogScreen

    c = prepare(docker_engine, f"undo-{verb}", before)
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, (c["name"],))
        await put_cursor(pilot, tab, c["name"])
        await pilot.press(key)
        run = await confirm(app, pilot)
        assert [r.outcome.value for r in run.results] == ["succeeded"]
        await pilot.press("escape")
        await pilot.press("7")
        viewer = await until(pilot, lambda: isinstance(app.screen, ChangelogScreen) and app.screen.records
                             and app.screen, "the changelog viewer")
        viewer.query_one(DataTable).move_cursor(row=0)
        await pilot.pause()
        assert viewer.selected["verb"] == verb and viewer.selected["outcome"] == "succeeded"
        await pilot.press("u")
        run = await confirm(app, pilot, reason="undo INC-42")
        assert run.spec.verb == {"stop": "start", "pause": "unpause"}[verb]
        assert [r.outcome.value for r in run.results] == ["succeeded"], run.results
    assert docker_engine.inspect(c["id"])["State"]["Status"] == undone
    records = [r for r in read_audit(app.config.audit_path).records if r["outcome"] == "succeeded"]
    assert [r["verb"] for r in records] == [verb, run.spec.verb] and records[1]["reason"] == "undo INC-42"
