"""Triage when listing the kube contexts itself failed (source id "kube", no context name)."""

from __future__ import annotations

import dataclasses

from console.app import OpsConsole
from console.config import Config
from console.triage.model import SourceMode


async def test_a_failed_context_listing_is_a_row_not_a_crash(tmp_path):
    """The row of the state "kube" (no ``:context``) took ``split(":")[1]``: an IndexError
    that ended the console (seen when an import in the sandbox's start failed)."""
    path = tmp_path / "kubeconfig"
    path.write_bytes(b"\x00\xff garbage: [")
    cfg = Config()
    cfg = dataclasses.replace(cfg, kubernetes=dataclasses.replace(cfg.kubernetes, kubeconfig=str(path)))
    app = OpsConsole(cfg)
    async with app.run_test(size=(100, 30)) as pilot:
        tab = app.tab("triage")
        for _ in range(1200):  # (a loaded machine: up to 60 s)
            if any(p.source == "kube" for p in tab.problems.values()):
                break
            await pilot.pause(0.05)
        assert tab.states["kube"].mode is SourceMode.UNAVAILABLE, tab.states.get("kube")
        row = next(p for p in tab.problems.values() if p.source == "kube")
        assert row.backend == "kubernetes" and row.name == "kubernetes" and row.context == "kubernetes"
        assert str(path) in row.reason
        assert app.is_running


async def test_a_failed_context_discovery_is_tried_again_and_recovers(kube, tmp_path):
    """A kubeconfig caught half-written (``aws eks update-kubeconfig`` rewriting it) failed
    the discovery once and for good: the contexts never showed until a restart."""
    from tests.triage.env import write_kubeconfig

    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nclusters: [\n")  # cut off mid-write
    cfg = dataclasses.replace(kube.config, kubernetes=dataclasses.replace(
        kube.config.kubernetes, kubeconfig=str(path), context=None, triage_contexts=("sandbox-*",)))
    app = OpsConsole(cfg)
    async with app.run_test(size=(100, 30)) as pilot:
        tab = app.tab("triage")
        for _ in range(600):
            if "kube" in tab.states:
                break
            await pilot.pause(0.05)
        assert tab.states["kube"].mode is SourceMode.UNAVAILABLE, tab.states["kube"]
        assert str(path) in tab.states["kube"].reason
        write_kubeconfig(path, kube.emu.url)  # the rewrite finished
        for _ in range(1200):  # the next try is 2 s later (a loaded machine: up to 60 s)
            if "kube:sandbox-dev" in tab.states and "kube" not in tab.states:
                break
            await pilot.pause(0.05)
        assert "kube" not in tab.states and {"kube:sandbox-dev", "kube:sandbox-prod"} <= set(tab.states)
        assert not any(p.source == "kube" for p in tab.problems.values())
