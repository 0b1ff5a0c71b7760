"""Snapshots of the shell with every backend down: 80x24 and 120x40, dark and 16 colours."""

from __future__ import annotations

import dataclasses

import pytest

import screens.base
from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import Config
from screens.status_bar import StatusBar


def down_config(theme: str) -> Config:
    cfg = Config()
    return dataclasses.replace(
        cfg,
        general=dataclasses.replace(cfg.general, theme=theme),
        docker=dataclasses.replace(cfg.docker, host="unix:///nonexistent/docker.sock"),
        kubernetes=dataclasses.replace(cfg.kubernetes, kubeconfig="/nonexistent/kubeconfig"),
    )


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(400):
        await pilot.pause(0.05)
        statuses = app.query_one(StatusBar).statuses
        triage = app.tab("triage").states.values()  # the first tab: every source has answered
        if len(statuses) == 3 and all(s.state is not BackendState.CONNECTING for s in statuses.values()) \
                and len(triage) >= 6 and all(s.mode.value != "loading" for s in triage):
            break
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("theme", ["opsconsole-dark", "opsconsole-ansi"])
def test_shell_with_backends_down(snap_compare, frozen_clock, monkeypatch, size, theme):
    monkeypatch.setattr(screens.base, "BACKOFF", (3600.0,))  # no retry during the snapshot
    assert snap_compare(OpsConsole(down_config(theme)), terminal_size=size, run_before=settle)
