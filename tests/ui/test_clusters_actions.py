"""Every Clusters action through the real guarded runner against kmock: confirmation,
dry-run preview, audit records, changelog entries, refusals and failures."""

from __future__ import annotations

import dataclasses

from textual.widgets import Button, Input

from console.actions.journal import read_audit
from console.app import OpsConsole
from console.config import ChangelogConfig
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from tests.ui.test_clusters import wait_for


def make_app(kube, tmp_path, config=None) -> OpsConsole:
    cfg = dataclasses.replace(config or kube.config, changelog=ChangelogConfig(
        path=str(tmp_path / "CHANGELOG.md"), audit_path=str(tmp_path / "audit.jsonl")))
    return OpsConsole(cfg, services=Services(cfg))


async def open_kind(app, pilot, jump: str, key_suffix: str):
    await pilot.press("3")
    tab = app.tab("clusters")
    await wait_for(pilot, lambda: tab.adapter is not None and tab.rows)
    tab.jump(jump)
    await wait_for(pilot, lambda: any(k.endswith(key_suffix) for k in tab.table().visible_keys))
    table = tab.table()
    table.move_cursor(row=next(i for i, k in enumerate(table.visible_keys) if k.endswith(key_suffix)))
    await pilot.pause()
    return tab


async def confirm(app, pilot, reason: str = "INC-7", typed: str | None = None) -> list[str]:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready)
    screen = app.screen
    screen.query_one("#confirm-reason", Input).value = reason
    if typed is not None:
        assert not screen.confirm_enabled
        screen.query_one("#confirm-typed", Input).value = typed
        await pilot.pause()
    screen.query_one("#confirm", Button).press()
    await wait_for(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen.results is not None)
    return [r.outcome.value for r in app.screen.results]


def audit(app) -> list[dict]:
    return read_audit(app.config.audit_path).records


async def test_delete_pod_confirmed_then_declined(kube, tmp_path):
    kube.seed()
    app = make_app(kube, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_kind(app, pilot, "pods app=web", "-xk2pq")
        name = tab.current_row().name
        uid = tab.current_row().uid
        await pilot.press("ctrl+d")
        assert await confirm(app, pilot) == ["succeeded"]
        assert kube.emu.get("pods", "shop", name) is None
        detail = app.screen.results[0].detail
        assert detail == f"pod shop/{name} deleted (uid {uid[:8]}…)"  # what happened, not a bare id
        assert any(line.endswith(f"succeeded: {detail}") for line in app.screen.lines)
        await pilot.press("escape")
        table = tab.table()
        await wait_for(pilot, lambda: f"shop/{name}" not in table.visible_keys)  # the watch saw it go
        table.move_cursor(row=0)
        await pilot.pause()
        other = tab.current_row().name
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: [r["outcome"] for r in audit(app)][-1:] == ["declined"])
        assert kube.emu.get("pods", "shop", other) is not None
    outcomes = [r["outcome"] for r in audit(app)]
    assert outcomes == ["requested", "succeeded", "declined"]
    log = (tmp_path / "CHANGELOG.md").read_text()
    assert "delete" in log and name in log and "INC-7" in log and "sandbox-dev" in log


async def test_scale_previews_the_server_dry_run(kube, tmp_path):
    kube.seed()
    kube.emu.enable_controllers(True)  # scale/restart verify on converged pods
    app = make_app(kube, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_kind(app, pilot, "deploy", "shop/web")
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "NumberPrompt")
        app.screen.query_one(Input).value = "5"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready)
        preview = app.screen.previewed[app.screen.spec.targets[0]].preview
        assert preview.dry_run and "dryRun=All" in preview.dry_run and preview.changes[0].after == "5"
        assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 3  # the dry run changed nothing
        assert await confirm(app, pilot) == ["succeeded"]
        assert app.screen.results[0].detail == "deployment shop/web scaled 3 → 5"
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 5
    assert "scale" in (tmp_path / "CHANGELOG.md").read_text()


async def test_rollout_restart_and_failure_is_audited(kube, tmp_path):
    kube.seed()
    kube.emu.enable_controllers(True)  # scale/restart verify on converged pods
    app = make_app(kube, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_kind(app, pilot, "deploy", "shop/web")
        await pilot.press("R")
        assert await confirm(app, pilot) == ["succeeded"]
        ann = kube.emu.get("deployments", "shop", "web")["spec"]["template"]["metadata"]["annotations"]
        assert "kubectl.kubernetes.io/restartedAt" in ann
        await pilot.press("escape")
        kube.emu.take_down()  # the API goes away between the listing and the action
        await pilot.press("R")
        # the Lease cannot be taken on an unreachable API: refused before anything runs (never fail-open)
        assert await confirm(app, pilot) == ["refused"]
        assert "could not be taken" in app.screen.results[0].detail
        assert "unreachable" in app.screen.results[0].detail
        kube.emu.bring_up()
    assert [r["outcome"] for r in audit(app)] == ["requested", "succeeded", "refused"]


async def test_cordon_trigger_and_suspend(kube, tmp_path):
    kube.seed()
    app = make_app(kube, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_kind(app, pilot, "nodes", "node-a")
        await pilot.press("C")
        assert await confirm(app, pilot) == ["succeeded"]
        assert kube.emu.get("nodes", None, "node-a")["spec"]["unschedulable"] is True
        await pilot.press("escape")
        tab.jump("cronjobs")
        tab.jump("ns payments")
        await wait_for(pilot, lambda: "payments/nightly-settlement" in tab.table().visible_keys)
        tab.table().move_cursor(row=tab.table().visible_keys.index("payments/nightly-settlement"))
        await pilot.pause()
        await pilot.press("T")
        assert await confirm(app, pilot) == ["succeeded"]
        assert any(j["metadata"]["name"].startswith("nightly-settlement-manual-") for j in kube.emu.list("jobs", "payments"))
        await pilot.press("escape")
        await pilot.press("U")
        assert await confirm(app, pilot) == ["succeeded"]
        assert kube.emu.get("cronjobs", "payments", "nightly-settlement")["spec"]["suspend"] is True
    verbs = [r.get("verb") for r in audit(app) if r["outcome"] == "succeeded"]
    assert verbs == ["cordon", "trigger", "suspend"]


async def test_reveal_secret_is_audited_but_not_recorded(kube, tmp_path):
    kube.seed()
    app = make_app(kube, tmp_path, kube.with_context("sandbox-dev", "payments"))
    async with app.run_test(size=(160, 40)) as pilot:
        await open_kind(app, pilot, "secrets", "ledger-db-credentials")
        await pilot.press("Y")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen.preview_ready)
        app.screen.query_one("#confirm", Button).press()
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DetailScreen")  # shown over the run result
        assert "c2FuZGJveC1vbmx5LXB3" in app.screen.view_text() and app.screen.mode == "yaml"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionRunScreen) and app.screen.results is not None)
        assert [r.outcome.value for r in app.screen.results] == ["succeeded"]
    records = audit(app)
    assert [r["outcome"] for r in records] == ["requested", "succeeded"] and records[0]["verb"] == "reveal-secret"
    assert "c2FuZGJveC1vbmx5LXB3" not in (tmp_path / "audit.jsonl").read_text()
    assert "c2FuZGJveC1vbmx5LXB3" not in (tmp_path / "CHANGELOG.md").read_text()


async def test_production_needs_typed_name_and_read_only_context_refuses(kube, tmp_path):
    kube.seed()
    kube.emu.enable_controllers(True)  # scale/restart verify on converged pods
    app = make_app(kube, tmp_path, kube.with_context("sandbox-prod"))
    async with app.run_test(size=(160, 40)) as pilot:
        await open_kind(app, pilot, "deploy", "payments/payments-api")
        await pilot.press("R")
        assert await confirm(app, pilot, typed="payments-api") == ["succeeded"]
    cfg = kube.with_context("sandbox-prod")
    cfg = dataclasses.replace(cfg, kubernetes=dataclasses.replace(cfg.kubernetes, read_only_contexts=("*prod*",)))
    app = make_app(kube, tmp_path / "ro", cfg)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_kind(app, pilot, "deploy", "payments/payments-api")
        assert tab.read_only
        await pilot.press("R")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)


async def test_scale_undone_from_the_changelog_viewer(kube, tmp_path):
    from textual.widgets import DataTable

    from screens.changelog_view import ChangelogScreen

    kube.seed()
    kube.emu.enable_controllers(True)  # scale/restart verify on converged pods
    app = make_app(kube, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_kind(app, pilot, "deploy", "shop/web")
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "NumberPrompt")
        app.screen.query_one(Input).value = "5"
        await pilot.press("enter")
        assert await confirm(app, pilot) == ["succeeded"]
        assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 5
        await pilot.press("escape")
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, ChangelogScreen) and app.screen.records)
        viewer = app.screen
        viewer.query_one(DataTable).move_cursor(row=0)
        await pilot.pause()
        assert viewer.selected["outcome"] == "succeeded" and viewer.selected["undo_hint"] == "scale back to 3 replicas"
        await pilot.press("u")
        assert await confirm(app, pilot, reason="undo INC-7") == ["succeeded"]
        change = app.screen.spec
        assert change.verb == "scale" and change.undo_kind == "kube.scale"
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 3
    done = [r for r in audit(app) if r["outcome"] == "succeeded"]
    assert [(r["undo_params"]["replicas_before"], r["undo_params"]["replicas_after"]) for r in done] == [
        ("3", "5"), ("5", "3")]
    assert done[1]["reason"] == "undo INC-7"


async def test_cordon_and_suspend_undone_from_records(kube, tmp_path):
    from console.actions.undo import undo_from_record

    kube.seed()
    app = make_app(kube, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await open_kind(app, pilot, "nodes", "node-a")
        await pilot.press("C")
        assert await confirm(app, pilot) == ["succeeded"]
        await pilot.press("escape")
        [record] = [r for r in audit(app) if r["outcome"] == "succeeded"]
        undo = undo_from_record(record, app.services)
        assert (undo.verb, undo.undo_kind) == ("uncordon", "kube.cordon")
        app.run_guarded(undo, origin=tab)
        assert await confirm(app, pilot) == ["succeeded"]
        assert not kube.emu.get("nodes", None, "node-a")["spec"].get("unschedulable")
        await pilot.press("escape")
        tab.jump("cronjobs")
        tab.jump("ns payments")
        await wait_for(pilot, lambda: "payments/nightly-settlement" in tab.table().visible_keys)
        tab.table().move_cursor(row=tab.table().visible_keys.index("payments/nightly-settlement"))
        await pilot.pause()
        await pilot.press("U")
        assert await confirm(app, pilot) == ["succeeded"]
        await pilot.press("escape")
        record = [r for r in audit(app) if r["outcome"] == "succeeded"][-1]
        undo = undo_from_record(record, app.services)
        assert undo.verb == "resume"
        app.run_guarded(undo, origin=tab)
        assert await confirm(app, pilot) == ["succeeded"]
        assert not kube.emu.get("cronjobs", "payments", "nightly-settlement")["spec"]["suspend"]


async def test_undo_from_a_record_with_a_kubernetes_adapter_not_yet_connected(kube, tmp_path):
    """A later session where nothing has connected to the cluster yet: the undo connects in its worker."""
    from console.actions.undo import undo_from_record
    from tests.actions.harness import GuardApp

    kube.seed()
    kube.emu.enable_controllers(True)  # scale/restart verify on converged pods
    first = make_app(kube, tmp_path)
    async with first.run_test(size=(160, 40)) as pilot:
        await open_kind(first, pilot, "deploy", "shop/web")
        await pilot.press("s")
        await wait_for(pilot, lambda: type(first.screen).__name__ == "NumberPrompt")
        first.screen.query_one(Input).value = "4"
        await pilot.press("enter")
        assert await confirm(first, pilot) == ["succeeded"]
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 4
    [record] = [r for r in audit(first) if r["outcome"] == "succeeded"]
    services = Services(first.config)
    later = GuardApp(first.config, services=services)
    async with later.run_test(size=(160, 40)) as pilot:
        undo = undo_from_record(record, services)  # the changelog viewer's call, on the main thread
        assert undo.summary == "scale deployment web 4 → 3"
        later.run_guarded(undo, origin=later)
        assert await confirm(later, pilot, reason="roll back") == ["succeeded"]
    services.close()
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 3
