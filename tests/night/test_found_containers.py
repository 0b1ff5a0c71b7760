"""The night page, issue 15 (found 4, 5 and 6) on the Containers tab at 80x24, against the
private engine: the header counts what is shown of what there is, `a` (running only) is
said on screen until `a` again or esc ends it, and an empty table says so and where."""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import Config, DockerConfig
from console.services import Services
from tests.night.test_found_counts import SIZE, on_screen, screen_text, wait_for
from tests.night.test_truth_on_screen import tab_key

pytestmark = pytest.mark.docker


def header(tab) -> str:
    return str(tab.query_one("#containers-header").render())


async def open_containers(engine, pilot, app):
    await pilot.press(tab_key("containers"))
    tab = app.tab("containers")
    await wait_for(pilot, lambda: tab.state is BackendState.READY and tab.data is not None, "containers listed")
    return tab


async def test_running_only_is_said_and_cleared_visibly(docker_engine):
    docker_engine.run(["sleep", "600"], name="web")
    done = docker_engine.run(["sh", "-c", "exit 0"], name="done")
    docker_engine.wait_state(done["id"], "exited")
    config = Config(docker=DockerConfig(host=docker_engine.host))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_containers(docker_engine, pilot, app)
        await wait_for(pilot, lambda: len(tab.containers) == 2, "both containers")
        await wait_for(pilot, lambda: on_screen(app, "2 containers"), "the count on screen")
        assert "running only" not in screen_text(app)
        tab.table.focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: on_screen(app, "running only") and len(tab.containers) == 1,
                       "running only, said on screen")
        await wait_for(pilot, lambda: on_screen(app, "1 containers · running only") or
                       on_screen(app, "1 containers · running"), "the count of what is shown")
        await pilot.press("a")  # again: all, and the screen stops saying "running only"
        await wait_for(pilot, lambda: not on_screen(app, "running only") and len(tab.containers) == 2, "all again")
        await pilot.press("a")
        await wait_for(pilot, lambda: on_screen(app, "running only"), "running only again")
        await pilot.press("escape")  # esc ends it too
        await wait_for(pilot, lambda: not on_screen(app, "running only") and tab.show_all, "esc: all again")


async def test_filter_counts_and_empty_tables_say_where(docker_engine):
    docker_engine.remove_test_containers()  # an empty engine, whatever ran before
    config = Config(docker=DockerConfig(host=docker_engine.host))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_containers(docker_engine, pilot, app)
        host = tab.host_label
        await wait_for(pilot, lambda: on_screen(app, f"no containers on {host}"), "the empty table says so",
                       shown=lambda: screen_text(app))
        docker_engine.run(["sleep", "600"], name="web")
        docker_engine.run(["sleep", "600"], name="api")
        await wait_for(pilot, lambda: len(tab.containers) == 2, "the new containers (events stream)")
        tab.table.focus()
        await pilot.press("slash", *"web")
        await wait_for(pilot, lambda: "1 of 2 containers" in header(tab), "1 of 2 containers")
        assert on_screen(app, "1 of 2 containers")
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: on_screen(app, f'no containers match "webzzz" on {host}'),
                       "the filtered-out table says so", seconds=20, shown=lambda: screen_text(app))
