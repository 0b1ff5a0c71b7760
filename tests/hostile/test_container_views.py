"""Containers surfaces on the real engine: table, detail (describe/YAML/JSON), Copy and logs
show no planted secret; a followed log of a removed container says so."""

from __future__ import annotations

import pytest
from textual.selection import SELECT_ALL

from screens.containers_views import ContainerDetailScreen
from screens.log_view import LogScreen
from tests.hostile.corpus import ESCAPES, LINES, MARKUP, container_env, container_labels, leaked
from tests.ui.test_containers import make_app, put_cursor, ready_tab, until

pytestmark = pytest.mark.docker

SCRIPT = 'for l in "$@"; do printf "%s\\n" "$l"; done; sleep 600'


def run_hostile(engine, name="hostile"):
    env = dict(e.split("=", 1) for e in container_env())
    args = [*LINES, ESCAPES, MARKUP, "x" * 65_000 + " password=" + "hunter2-env-Q7"]
    return engine.run(["sh", "-c", SCRIPT, "sh", *args], name=name, environment=env, labels=container_labels())


async def test_table_detail_and_copy_show_no_secret(docker_engine):
    run_hostile(docker_engine)
    app = make_app(docker_engine)
    async with app.run_test(size=(160, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("hostile",))
        row = next(c for c in tab.containers.values() if c.name == "hostile")
        assert leaked(row.command) == [] and leaked(str(row.labels)) == []
        assert leaked(" ".join(str(c) for c in tab.table.row_for(row.id).cells)) == []
        await put_cursor(pilot, tab, "hostile")
        await pilot.press("d")
        screen = await until(pilot, lambda: isinstance(app.screen, ContainerDetailScreen) and app.screen, "detail")
        await until(pilot, lambda: screen.raw is not None, "inspect", tries=300)
        for key in ("d", "y", "J"):
            await pilot.press(key)
            text = screen.view_text()
            assert leaked(text) == [], (key, leaked(text))
            assert "\x1b" not in text
            await pilot.press("c")
            assert leaked(app.clipboard) == [], key
        assert leaked(str(screen.query_one("#detail-body").render())) == []


async def test_logs_show_search_and_copy_no_secret_and_end_when_removed(docker_engine):
    c = run_hostile(docker_engine)
    from tests.fixtures.dockerd import wait_until

    wait_until(lambda: b"password=" in docker_engine.client.logs(c["id"]), what="the log lines")
    app = make_app(docker_engine)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("hostile",))
        await put_cursor(pilot, tab, "hostile")
        await pilot.press("l")
        screen = await until(pilot, lambda: isinstance(app.screen, LogScreen) and app.screen, "logs")
        view, lines = screen.view, screen.view.lines_widget
        await until(pilot, lambda: len(lines.lines) >= len(LINES) + 3, "every log line", tries=300)
        assert not any(leaked(line) for line in lines.lines)
        assert not any("\x1b" in line for line in lines.lines)
        for y in range(min(30, len(lines.rows))):
            assert leaked(lines.render_line(y).text) == []
        selected, _ = lines.get_selection(SELECT_ALL)
        assert leaked(selected) == []
        await pilot.press("G", "c")
        assert leaked(app.clipboard) == []
        await pilot.press("slash", *"hunter2", "enter")
        await until(pilot, lambda: view.match_info != "searching…", "the search")
        assert view.match_info == "no match"
        await pilot.press("f")
        await until(pilot, lambda: view.follow and "FOLLOW" in str(view.query_one("#log-header").render()), "follow")
        docker_engine.client.remove_container(c["id"], force=True)
        await until(pilot, lambda: view.ended, "the end of the followed stream", tries=300)
        header = str(view.query_one("#log-header").render())
        assert "ENDED: the container was removed" in header and "FOLLOW" not in header
