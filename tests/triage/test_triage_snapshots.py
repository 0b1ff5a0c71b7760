"""Snapshots of Triage with sandbox data: 80x24 in the 16-colour theme, 120x40 dark.

Two live contexts and a dead one on the kmock emulator, pipelines on moto (seeded at
the frozen instant), Docker down; the clock is frozen so every age is stable.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import screens.triage
from console.app import OpsConsole
from console.sandbox.aws import seed_pipelines
from console.services import Services
from tests.rollout.harness import wait_for
from tests.triage.env import settled, triage_config


def ready(count_sources: int):
    async def run_before(pilot) -> None:
        tab = pilot.app.tab("triage")
        await wait_for(pilot, lambda: settled(tab) and len(tab.states) >= count_sources
                       and all(s.mode.value != "loading" for s in tab.states.values()), tries=2400,
                       what="every source answered")
        tab.table().move_cursor(row=0)
        await pilot.pause()
        await pilot.pause(0.3)
    return run_before


@pytest.mark.parametrize("size, theme", [((80, 24), "opsconsole-ansi"), ((120, 40), "opsconsole-dark")],
                         ids=["80x24-ansi", "120x40-dark"])
def test_triage_with_sandbox_data(snap_compare, frozen_clock, monkeypatch, kube, aws, tmp_path, size, theme):
    monkeypatch.setattr(screens.triage, "EVERY", {k: 3600.0 for k in ("kubernetes", "docker", "aws", "compliance", "console")})
    monkeypatch.setattr(screens.triage, "BACKOFF", (3600.0,))
    now = datetime.fromtimestamp(frozen_clock, UTC)
    kube.seed(now=now)
    seed_pipelines(aws.url, now)
    config = triage_config(kube, tmp_path, aws.url, theme=theme)
    # docker (down), 3 contexts, pipelines, ecs, costs, compliance, changelog
    assert snap_compare(OpsConsole(config, services=Services(config)), terminal_size=size, run_before=ready(9))
