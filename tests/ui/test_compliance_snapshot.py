"""Snapshot of the Compliance tab after a run over a fixed fixture (frozen clock, fixed size)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from console.config import ComplianceConfig, Config
from console.services import Services
from screens.compliance import ComplianceTab
from tests.fixtures.workers import workers_done

REPO = Path(__file__).resolve().parents[2]
FIXTURE = "tests/checks/fixtures/tab"  # relative: the picture must not depend on the checkout's path


class ComplianceOnly(App):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.services = Services(config)

    def compose(self) -> ComposeResult:
        yield ComplianceTab(self.services, id="compliance-tab")


async def after_run(pilot) -> None:
    tab = pilot.app.query_one(ComplianceTab)
    tab.focus_body()
    await pilot.press("r")
    await workers_done(pilot.app)
    await pilot.pause()
    await pilot.pause()


def test_compliance_tab_after_a_run(snap_compare, frozen_clock, monkeypatch):
    monkeypatch.chdir(REPO)
    app = ComplianceOnly(Config(compliance=ComplianceConfig(paths=(FIXTURE,))))
    assert snap_compare(app, terminal_size=(120, 34), run_before=after_run)


def test_compliance_tab_grouped_by_rule(snap_compare, frozen_clock, monkeypatch):
    monkeypatch.chdir(REPO)
    app = ComplianceOnly(Config(compliance=ComplianceConfig(paths=(FIXTURE,))))

    async def grouped(pilot) -> None:
        await after_run(pilot)
        await pilot.press("b", "j", "j")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 34), run_before=grouped)


def test_compliance_tab_on_a_small_terminal(snap_compare, frozen_clock, monkeypatch):
    """80x24, the on-call bastion size: targets, summary, tree and detail all visible."""
    monkeypatch.chdir(REPO)
    app = ComplianceOnly(Config(compliance=ComplianceConfig(paths=(FIXTURE,))))
    assert snap_compare(app, terminal_size=(80, 24), run_before=after_run)
