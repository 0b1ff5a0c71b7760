"""The Containers tab against the real private engine: list, filter, sort, detail, logs, live updates."""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import Config, DockerConfig
from console.services import Services
from console.text import MASK
from screens.containers import ContainersTab
from screens.containers_cells import COLUMN_INDEX
from screens.containers_views import ContainerDetailScreen
from screens.log_view import LogScreen

pytestmark = pytest.mark.docker

NASTY = r"printf '\033[31mRED\033[0m [bold red]x[/] \033]0;pwned\007 \033]52;c;ZXZpbA==\007 needle\n'; sleep 600"


def make_app(engine, **docker) -> OpsConsole:
    config = Config(docker=DockerConfig(host=engine.host, **docker))
    return OpsConsole(config, services=Services(config))


async def until(pilot, predicate, what: str, tries: int = 600, step: float = 0.1):  # >= 60 s: a loaded engine samples slowly
    for _ in range(tries):
        value = predicate()
        if value:
            return value
        await pilot.pause(step)
    raise AssertionError(f"timed out waiting for {what}")


async def ready_tab(app, pilot, names=()) -> ContainersTab:
    if app.query_one("#tabs").active != "containers" and len(app.screen_stack) == 1:
        await pilot.press("2")  # Triage is the first tab
    tab: ContainersTab = app.tab("containers")
    await until(pilot, lambda: tab.state is BackendState.READY and
                all(any(c.name == n for c in tab.containers.values()) for n in names),
                f"tab ready with {names}")
    return tab


def key_of(tab, name):
    return next(c.id for c in tab.containers.values() if c.name == name)


async def put_cursor(pilot, tab, name):
    table = tab.table
    table.focus()
    table.move_cursor(row=table.visible_keys.index(key_of(tab, name)))
    await pilot.pause()


def cell(tab, name_or_key, column):
    key = name_or_key if name_or_key.startswith("group:") else key_of(tab, name_or_key)
    return tab.table.row_for(key).cells[COLUMN_INDEX[column]]


def names(tab):
    return [tab.table.row_for(k).cells[0] for k in tab.table.visible_keys]


async def test_list_shows_problems_and_toggles_running(docker_engine):
    docker_engine.run(name="web", labels={"com.docker.compose.project": "shop",
                                          "com.docker.compose.service": "web"}, mem_limit="64m")
    failed = docker_engine.run(["sh", "-c", "exit 3"], name="failed")
    docker_engine.run(["sleep", "600"], name="sick", image=docker_engine.unhealthy_image)
    docker_engine.wait_state(failed["id"], "exited")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("web", "failed", "sick"))
        await until(pilot, lambda: "unhealthy" in cell(tab, "sick", "state"), "unhealthy")
        web = tab.table.row_for(key_of(tab, "web"))
        assert cell(tab, "web", "compose") == "shop/web" and cell(tab, "web", "state") == "running"
        assert web.style == "" and cell(tab, "web", "image").startswith("opsconsole-test/busybox:1 @")
        error_colour = app.theme_variables["error"].removeprefix("ansi_")
        for name, state in (("failed", "exited (3)"), ("sick", "running (unhealthy)")):
            row = tab.table.row_for(key_of(tab, name))
            assert cell(tab, name, "state") == state and error_colour in row.style
        await until(pilot, lambda: cell(tab, "web", "cpu") not in ("-", "…"), "CPU %")
        assert cell(tab, "web", "mem").endswith("/64.0MiB")  # memory used / the container's limit
        await until(pilot, lambda: cell(tab, "sick", "mem") not in ("-", "…"), "memory of sick")
        assert "/" not in cell(tab, "sick", "mem")  # no limit: not the host's total memory
        tab.table.focus()
        await pilot.press("a")
        await until(pilot, lambda: "failed" not in names(tab), "running only")
        await pilot.press("a")
        await until(pilot, lambda: "failed" in names(tab), "all again")
        await pilot.press("P")
        assert tab.table.visible_keys[0] == "group:shop"
        assert (cell(tab, "group:shop", "name"), cell(tab, "group:shop", "compose")) == ("▾ shop", "1 container")


async def test_filter_words_and_labels_and_sort(docker_engine):
    for name, team in (("bravo", "red"), ("alpha", "blue"), ("charlie", "red")):
        docker_engine.run(name=name, labels={"team": team})
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("alpha", "bravo", "charlie"))
        tab.table.focus()
        await pilot.press("o")  # sort by the first column, NAME
        assert names(tab) == ["alpha", "bravo", "charlie"]
        await pilot.press("O")
        assert names(tab) == ["charlie", "bravo", "alpha"]
        await pilot.press("slash", *"team=red")
        await pilot.pause()
        assert sorted(names(tab)) == ["bravo", "charlie"]
        await pilot.press("ctrl+a", "ctrl+k", *"alp", "enter")
        await pilot.pause()
        assert names(tab) == ["alpha"]


async def test_detail_masks_env_and_shows_yaml(docker_engine):
    docker_engine.run(name="api", environment={"API_TOKEN": "s3cr3t", "MODE": "blue"}, mem_limit="32m")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("api",))
        await put_cursor(pilot, tab, "api")
        await pilot.press("d")
        screen = await until(pilot, lambda: isinstance(app.screen, ContainerDetailScreen) and app.screen, "detail")
        await until(pilot, lambda: screen.raw is not None, "inspect")
        text = screen.view_text()
        assert f"API_TOKEN  {MASK}" in text.replace("  ", "  ") or f"API_TOKEN{MASK}" in text.replace(" ", "")
        assert "s3cr3t" not in text and "32.0MiB" in text and "MODE" in text
        await pilot.press("y")
        assert "API_TOKEN=" + MASK in screen.view_text() and "s3cr3t" not in screen.view_text()
        await until(pilot, lambda: len(tab.history.get(key_of(tab, "api"), ())) >= 2, "two CPU samples")
        screen.update_sparklines()
        assert len(screen.query_one("#cpu-spark").data) >= 2
        await pilot.press("escape")
        assert app.screen is not screen


async def test_logs_search_and_inert_control_sequences(docker_engine):
    c = docker_engine.run(["sh", "-c", NASTY], name="nasty")
    from tests.fixtures.dockerd import wait_until

    wait_until(lambda: docker_engine.client.logs(c["id"]), what="the log line")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("nasty",))
        await put_cursor(pilot, tab, "nasty")
        await pilot.press("l")
        screen = await until(pilot, lambda: isinstance(app.screen, LogScreen) and app.screen, "logs")
        lines = screen.view.lines_widget
        await until(pilot, lambda: len(lines.lines) >= 1, "log lines")
        assert lines.shown(lines.first_no) == "RED [bold red]x[/]   needle"  # as shown: stamp hidden
        assert "\x1b" not in lines.render_line(0).text
        await pilot.press("slash", *"needle", "enter")
        await until(pilot, lambda: screen.view.match_info == "1/1", "the search (in a worker)")
        await pilot.press("f")  # follow: tail then new lines
        await until(pilot, lambda: screen.view.follow and len(lines.lines) >= 1, "followed lines")
        assert lines.lines[0].endswith("needle")


async def test_new_container_appears_from_the_events_stream(docker_engine):
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot)
        before = tab.event_count
        docker_engine.run(name="newcomer")
        await until(pilot, lambda: "newcomer" in names(tab), "the new container")
        assert tab.event_count > before


async def test_engine_down_then_back_recovers_by_itself(docker_engine):
    docker_engine.run(name="survivor")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("survivor",))
        docker_engine.stop()
        await until(pilot, lambda: tab.state is BackendState.STALE, "stale after the engine stopped")
        assert "Unavailable" in tab.reason or "events stream lost" in tab.reason
        assert "survivor" in names(tab)  # last good data kept
        assert "STALE" in str(tab.query_one("#state-banner").render())
        docker_engine.start()
        await until(pilot, lambda: tab.state is BackendState.READY, "recovered")
        assert "survivor" in names(tab)


async def test_switch_host_with_the_chooser_and_the_jump_command(docker_engine, tmp_path):
    from screens.pipelines_prompt import ChoicePrompt

    docker_engine.run(name="home")
    nowhere = f"unix://{tmp_path}/nowhere.sock"
    app = make_app(docker_engine, hosts=(nowhere,))
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("home",))
        tab.table.focus()
        await pilot.press("H")
        prompt = await until(pilot, lambda: isinstance(app.screen, ChoicePrompt) and app.screen, "the host chooser")
        assert prompt.choices[:2] == (docker_engine.host, nowhere)  # then DOCKER_HOST, contexts, default
        await pilot.press("down", "enter")
        await until(pilot, lambda: tab.state is BackendState.UNAVAILABLE, "the other host unavailable")
        assert "nowhere.sock" in tab.reason and names(tab) == []
        app.run_command(f"host {docker_engine.host}")
        await ready_tab(app, pilot, ("home",))
        assert tab.info.target == docker_engine.host


async def test_shell_builds_the_exec_command_and_needs_a_real_terminal(docker_engine):
    c = docker_engine.run(name="shelly")
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("shelly",))
        await put_cursor(pilot, tab, "shelly")
        await pilot.press("s")
        note = await until(pilot, lambda: next((n.message for n in app._notifications if "exec -it" in n.message),
                                               None), "the shell notification")
        assert "cannot suspend" in note and c["id"] in note and docker_engine.host in note


def test_log_source_reads_at_most_max_lines(docker_engine):
    from console.backends.docker import DockerBackend
    from screens.containers_views import ContainerLogSource
    from tests.fixtures.dockerd import wait_until

    c = docker_engine.run(["sh", "-c", "i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo l$i; done; sleep 600"])
    backend = DockerBackend(Config(docker=DockerConfig(host=docker_engine.host)))
    summary = next(x for x in backend.list_containers() if x.id == c["id"])
    source = ContainerLogSource(backend, summary, docker_engine.host, max_lines=10)
    wait_until(lambda: len(backend.logs(c["id"], tail=-1)) == 50, what="50 lines")
    assert source.fetch(-1, None, False) == [f"l{i}" for i in range(41, 51)]
    assert source.fetch(3, None, False) == ["l48", "l49", "l50"]
    backend.close()


async def test_exit_wins_over_the_last_health_status_and_no_sample_draws_no_block(docker_engine):
    """A container that turned unhealthy and then exited 3 is "exited (3)", not "unhealthy"."""
    c = docker_engine.run(["sh", "-c", "echo failing; sleep 3; exit 3"], name="crashed",
                          image=docker_engine.unhealthy_image)
    docker_engine.wait_health(c["id"], "unhealthy")
    docker_engine.wait_state(c["id"], "exited")
    assert docker_engine.inspect(c["id"])["State"]["Health"]["Status"] == "unhealthy"  # what the engine keeps
    app = make_app(docker_engine)
    async with app.run_test(size=(140, 45)) as pilot:
        tab = await ready_tab(app, pilot, ("crashed",))
        assert cell(tab, "crashed", "state") == "exited (3)"
        await put_cursor(pilot, tab, "crashed")
        await pilot.press("d")
        screen = await until(pilot, lambda: isinstance(app.screen, ContainerDetailScreen) and app.screen, "detail")
        await until(pilot, lambda: screen.raw is not None, "inspect")
        text = screen.view_text()
        assert "PROBLEM" in text and "exited (3)" in text
        assert "last probe before it stopped" in text
        assert not [line for line in text.splitlines() if "PROBLEM" in line and "unhealthy" in line]
        screen.update_sparklines()
        await pilot.pause()
        for spark in ("#cpu-spark", "#mem-spark"):
            widget = screen.query_one(spark)
            assert list(widget.data) == []
            assert "█" not in "".join(widget.render_line(y).text for y in range(widget.size.height))
        assert "no sample yet" in str(screen.query_one("#cpu-label").render())


@pytest.mark.parametrize("width", [80, 100])
async def test_footer_keeps_the_most_used_keys_and_help_lists_the_rest(docker_engine, width):
    from textual.widgets._footer import FooterKey

    from screens.help import collect_bindings

    docker_engine.run(name="web")
    app = make_app(docker_engine)
    async with app.run_test(size=(width, 30)) as pilot:
        tab = await ready_tab(app, pilot, ("web",))
        tab.table.focus()

        def shown() -> list[str]:  # the footer recomposes after a focus change: wait for it
            return [k.description for k in app.screen.query(FooterKey) if k.region.width and k.region.right <= width]

        await until(pilot, lambda: "Logs" in shown(), "the footer")
        visible = shown()
        for wanted in ("Logs", "Detail", "Restart", "Stop", "Filter"):
            assert wanted in visible, visible
        for hidden in ("Kill", "Pause/unpause", "Remove", "Start", "Shell"):
            assert hidden not in [k.description for k in app.screen.query(FooterKey)]
        described = {description.split(":")[0] for _section, _key, description, _enabled
                     in collect_bindings(app.screen)}
        assert {"Kill", "Pause/unpause", "Remove", "Start", "Shell", "Group", "Host"} <= described
