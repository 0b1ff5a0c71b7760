"""Clusters over several contexts (``:ctx sandbox-*``): a CONTEXT column, each context's
own state, a dead context that delays nothing, and actions that target the row's context."""

from __future__ import annotations

from textual.widgets import Static

from console.actions.journal import read_audit
from screens.confirm import ConfirmScreen
from tests.rollout.harness import wait_for
from tests.triage.env import DEAD_CONTEXT, triage_config
from tests.ui.test_clusters_actions import confirm, make_app


async def test_action_from_a_multi_context_table_targets_the_rows_context(kube, tmp_path):
    kube.seed()
    app = make_app(kube, tmp_path, triage_config(kube, tmp_path))
    async with app.run_test(size=(180, 40)) as pilot:
        await pilot.press("3")
        tab = app.tab("clusters")
        await wait_for(pilot, lambda: tab.adapter is not None and tab.rows, what="clusters on sandbox-dev")
        await pilot.press("colon", *"ctx sandbox-*,dead-*", "enter")
        await wait_for(pilot, lambda: tab.multi == ("sandbox-dev", "sandbox-prod", DEAD_CONTEXT)
                       and {r.context for r in tab.rows.values()} == {"sandbox-dev", "sandbox-prod"}
                       and tab.context_states.get(DEAD_CONTEXT, ("", None))[0], tries=600,
                       what="rows of both live contexts, the dead one marked")
        header = str(tab.query_one("#kube-header", Static).render())
        assert f"✗ {DEAD_CONTEXT}:" in header and "● sandbox-dev" in header and "● sandbox-prod" in header
        table = tab.table()
        assert "CONTEXT" in [c.label for i, c in enumerate(table.columns_spec) if i not in table.hidden]
        key = next(k for k in table.visible_keys if k.startswith("sandbox-prod:payments/payments-api-")
                   and tab.rows[k].problem == "")
        row = tab.rows[key]
        assert table.row_for(key).cells[-1] == "sandbox-prod"
        table.move_cursor(row=table.visible_keys.index(key))
        await pilot.pause()
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        spec = app.screen.spec
        assert [(t.context, t.namespace, t.name) for t in spec.targets] == [("sandbox-prod", "payments", row.name)]
        assert spec.targets[0].production  # sandbox-prod matches *prod*: typed confirmation
        outcome = await confirm(app, pilot, typed=row.name)
        assert outcome == ["succeeded"], [r.get("detail") for r in read_audit(app.config.audit_path).records]
    assert kube.emu.get("pods", "payments", row.name) is None
    records = [r for r in read_audit(app.config.audit_path).records if r["verb"] == "delete"]
    assert [(r["outcome"], r["context"], r["namespace"]) for r in records] == [
        ("requested", "sandbox-prod", "payments"), ("succeeded", "sandbox-prod", "payments")]
