"""`s` (a shell in a container) needs no confirmation but is audited like any action:
"requested" before the session, then the outcome with its duration in the audit log and
the changelog (who, where, when, how long)."""

from __future__ import annotations

import dataclasses

import pytest

from console.actions.journal import read_audit, read_changelog
from console.config import ChangelogConfig
from tests.ui.test_containers import make_app, put_cursor, ready_tab, until

pytestmark = pytest.mark.docker


async def test_a_shell_session_is_audited_and_in_the_changelog(docker_engine, tmp_path):
    c = docker_engine.run(name="audited-shell")
    app = make_app(docker_engine)
    app.config = dataclasses.replace(app.config, changelog=ChangelogConfig(
        path=str(tmp_path / "CHANGELOG.md"), audit_path=str(tmp_path / "audit.jsonl")))
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("audited-shell",))
        await put_cursor(pilot, tab, "audited-shell")
        await pilot.press("s")
        records = await until(pilot, lambda: len(read_audit(app.config.audit_path).records) == 2
                              and read_audit(app.config.audit_path).records, "the session's two audit records")
    requested, ended = records
    assert (requested["verb"], requested["outcome"], ended["outcome"]) == ("shell", "requested", "failed")
    assert requested["action_id"] == ended["action_id"] and ended["duration_s"] is not None
    assert requested["target"]["id"] == c["id"] and requested["context"] == tab.host_label
    assert "exec -it" in requested["detail"] and "cannot suspend" in ended["detail"]
    assert requested["operator"]["user"]
    entries, torn = read_changelog(app.config.changelog_path)
    assert torn == 0 and len(entries) == 1 and "audited-shell" in entries[0].heading


async def test_no_shell_when_the_audit_log_cannot_be_written(docker_engine, tmp_path):
    docker_engine.run(name="unaudited-shell")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the audit directory should be")
    app = make_app(docker_engine)
    app.config = dataclasses.replace(app.config, changelog=ChangelogConfig(
        path=str(blocked / "CHANGELOG.md"), audit_path=str(blocked / "audit.jsonl")))
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("unaudited-shell",))
        await put_cursor(pilot, tab, "unaudited-shell")
        await pilot.press("s")
        note = await until(pilot, lambda: next((n.message for n in app._notifications if "shell refused" in n.message),
                                               None), "the refusal")
        assert "audit log cannot be written" in note
        assert not any("cannot suspend" in n.message for n in app._notifications)
