"""Suppressing a finding from the tab through the real guarded-action runner (audited)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from textual.widgets import Button, Input, Tree

from checks.engine import suppressions_file
from console.actions.journal import read_audit
from console.app import OpsConsole
from console.config import ComplianceConfig, Config
from console.services import Services
from screens.compliance import ComplianceTab
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from tests.fixtures.workers import workers_done
from tests.ui.test_compliance import TAB_FIXTURE, open_tab, put_cursor_on, run


async def settle(app, pilot) -> None:
    for _ in range(4):
        await workers_done(app)
        await pilot.pause()


async def ask_to_suppress(app, pilot, tmp_path) -> ComplianceTab:
    tab = await open_tab(app, pilot)
    await run(app, pilot, tab)
    await put_cursor_on(pilot, tab.query_one("#compliance-tree", Tree), "OPS-TF-NET-001")
    await pilot.press("s")
    await pilot.pause()
    await pilot.press(*"bastion only", "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, ConfirmScreen)
    assert app.screen.spec.verb == "suppress"
    shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
    assert "OPS-TF-NET-001" in shown and "main.tf:7" in shown  # the confirmation names the one finding
    return tab


def make_app(tmp_path: Path) -> OpsConsole:
    target = tmp_path / "infra"
    shutil.copytree(TAB_FIXTURE, target)
    config = Config(compliance=ComplianceConfig(paths=(str(target),)))
    return OpsConsole(config, services=Services(config))


async def test_confirmed_suppression_is_written_audited_and_shown(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await ask_to_suppress(app, pilot, tmp_path)
        app.screen.query_one("#confirm-reason", Input).value = "RISK-9"
        app.screen.query_one("#confirm", Button).press()
        await settle(app, pilot)
        assert isinstance(app.screen, ActionRunScreen)
        assert [r.outcome.value for r in app.screen.results] == ["succeeded"]
        await pilot.press("escape")
        await settle(app, pilot)  # the runner refreshed the tab: a new run
        net = next(f for f in tab.result.findings if f.rule_id == "OPS-TF-NET-001")
        assert net.suppressed and "bastion only" in net.suppression
    saved = json.loads(suppressions_file(app.config).read_text())
    assert [(s["rule"], s["reason"]) for s in saved] == [("OPS-TF-NET-001", "bastion only")]
    assert saved[0]["path"].endswith("main.tf:7")
    records = read_audit(app.config.audit_path).records
    assert [r["outcome"] for r in records] == ["requested", "succeeded"]
    assert records[-1]["verb"] == "suppress" and records[-1]["reason"] == "RISK-9"


async def test_declined_suppression_writes_nothing(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask_to_suppress(app, pilot, tmp_path)
        await pilot.press("escape")
        await settle(app, pilot)
    assert not suppressions_file(app.config).exists()
    assert [r["outcome"] for r in read_audit(app.config.audit_path).records] == ["declined"]
