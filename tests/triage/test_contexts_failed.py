"""Triage when listing the kube contexts itself failed (source id "kube", no context name)."""

from __future__ import annotations

from console.app import OpsConsole
from console.config import Config
from console.triage.model import SourceMode


async def test_a_failed_context_listing_is_a_row_not_a_crash():
    """The row of the state "kube" (no ``:context``) took ``split(":")[1]``: an IndexError
    that ended the console (seen when an import in the sandbox's start failed)."""
    app = OpsConsole(Config())
    async with app.run_test(size=(100, 30)) as pilot:
        tab = app.tab("triage")
        for _ in range(600):  # the tab is composed (a loaded machine: up to 30 s)
            if tab.query("#triage-table"):
                break
            await pilot.pause(0.05)
        tab.post_message(tab.SourcesFound([], ("kube", "kubernetes contexts failed: boom", False)))
        for _ in range(600):
            if any("boom" in p.reason for p in tab.problems.values()):
                break
            await pilot.pause(0.05)
        assert tab.states["kube"].mode is SourceMode.UNAVAILABLE
        row = next(p for p in tab.problems.values() if "boom" in p.reason)
        assert row.backend == "kubernetes" and row.name == "kubernetes" and row.context == "kubernetes"
        assert app.is_running
