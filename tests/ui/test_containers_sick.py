"""Containers on a production host and on a sick engine: typed name and red cue for hosts
matching ``[production] docker_hosts``; no reconnect storm while stale; the stale age ticks;
a confirmation built on stale data warns."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Button, Input

from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import Config, DockerConfig, ProductionConfig
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.status_bar import StatusBar
from tests.hostile.silent import FreezableProxy
from tests.ui.test_containers import put_cursor, ready_tab, until

pytestmark = pytest.mark.docker


def test_production_host_patterns_match_name_or_url():
    config = Config(production=ProductionConfig(docker_hosts=("*prod*", "ssh://*@db-*")))
    assert config.is_production_docker_host("prod-east", "tcp://10.0.0.1:2376")
    assert config.is_production_docker_host("db", "ssh://deploy@db-1")
    assert not config.is_production_docker_host("local", "unix:///var/run/docker.sock")
    assert Config().is_production_docker_host("docker-prod")  # the default pattern, as for contexts


async def test_container_action_on_a_production_host_needs_the_typed_name(docker_engine):
    docker_engine.run(name="payments")
    config = Config(docker=DockerConfig(host=docker_engine.host),
                    production=ProductionConfig(docker_hosts=(docker_engine.host,)))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(140, 40)) as pilot:
        tab = await ready_tab(app, pilot, ("payments",))
        assert tab.info.production
        await until(pilot, lambda: "PROD" in str(app.query_one(StatusBar).status_text()), "the PROD cue")
        assert app.query_one(StatusBar).has_class("-production")
        await put_cursor(pilot, tab, "payments")
        await pilot.press("R")
        screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "confirmation")
        assert screen.spec.production and screen.expected == "payments"
        await until(pilot, lambda: screen.preview_ready, "the preview")
        assert not screen.confirm_enabled
        screen.query_one("#confirm-typed", Input).value = "payments"
        await until(pilot, lambda: screen.confirm_enabled, "confirm enabled by the typed name")
        screen.query_one("#cancel", Button).press()


async def test_sick_engine_backs_off_ticks_the_age_and_warns_in_confirmations(docker_engine, tmp_path):
    docker_engine.run(name="web")
    proxy = FreezableProxy.unix(docker_engine.host.removeprefix("unix://"), str(tmp_path / "sick.sock"))
    config = Config(docker=DockerConfig(host=proxy.address, timeout=1.0))
    app = OpsConsole(config, services=Services(config))
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            tab = await ready_tab(app, pilot, ("web",))
            proxy.freeze()
            tab.request_refresh()
            await until(pilot, lambda: tab.state is BackendState.STALE, "stale", tries=300)
            banner = tab.query_one("#state-banner")
            first = str(banner.render())
            await until(pilot, lambda: str(banner.render()) != first and "STALE" in str(banner.render()),
                        "the stale age ticking", tries=100)
            # no reconnect storm: over ~10 s only the backoff retries (2, 4, 8 s ...) reach the engine,
            # not the 3 s stats poll on top of them
            start_retries, start = tab.retries, time.monotonic()
            await until(pilot, lambda: time.monotonic() - start > 10, "ten seconds", tries=200)
            assert tab.retries - start_retries <= 3, tab.retries - start_retries
            await put_cursor(pilot, tab, "web")
            await pilot.press("R")
            screen = await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen, "confirmation")
            assert "the list is from" in screen.spec.stale_warning
            assert "STALE DATA" in str(screen.query_one("#confirm-warnings").render())
            screen.query_one("#cancel", Button).press()
    finally:
        proxy.close()
