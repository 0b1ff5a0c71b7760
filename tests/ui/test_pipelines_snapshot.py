"""Snapshot of the Pipelines view on a seeded moto (seeded ids, frozen clock, fixed size)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from textual.app import App, ComposeResult

from console.backends.aws import AwsBackend
from console.config import AwsConfig, Config
from console.sandbox.aws import seed_builds, seed_pipelines
from console.services import Services
from screens.pipelines import PipelinesTab
from tests.fixtures.workers import workers_done

pytestmark = pytest.mark.aws


class AwsTabOnly(App):
    def __init__(self, config: Config, tab: type) -> None:
        super().__init__()
        self.config = config
        # one read at a time: moto draws build durations from its seeded random generator
        self.services = Services(config, factories={"aws": lambda c: AwsBackend(c, parallel=1)})
        self.tab_class = tab

    def compose(self) -> ComposeResult:
        yield self.tab_class(self.services, id="aws-tab")


def seeded_moto(aws) -> None:
    aws.reset()
    aws.post("/moto-api/seed?a=42")  # moto's ids and random values become repeatable


async def until_loaded(pilot, attribute: str) -> None:
    tab = pilot.app.query_one("#aws-tab")
    for _ in range(1200):
        if getattr(tab, attribute) is not None:
            break
        await pilot.pause(0.05)
    await workers_done(pilot.app)
    await pilot.pause()
    await pilot.pause()


def test_pipelines_view(snap_compare, frozen_clock, aws):
    seeded_moto(aws)
    now = datetime.fromtimestamp(frozen_clock, UTC)
    seed_pipelines(aws.url, now)
    seed_builds(aws.url, now)
    app = AwsTabOnly(Config(aws=AwsConfig(region="us-east-1", endpoint_url=aws.url)), PipelinesTab)

    async def loaded(pilot) -> None:
        await until_loaded(pilot, "view")
        pilot.app.query_one(PipelinesTab).jump("web-deploy")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 34), run_before=loaded)
