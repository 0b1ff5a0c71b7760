"""One owner per backend: after a context switch, every action aims at the new cluster.

Two distinct Kubernetes API servers (two emulators, contexts ``dev-a`` and ``prod-b``):
the deploy wizard, the rollback wizard, scale and the undo from the changelog all target
the context switched to, name it in the confirmation and require the typed name because
``prod-b`` is a production context; what was built or opened before the switch is refused
or closed, and the old cluster is never touched.
"""

from __future__ import annotations

import dataclasses

from textual.widgets import Input

from console.actions.journal import read_audit
from console.actions.undo import undo_from_record
from console.app import OpsConsole
from console.config import ChangelogConfig
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.deploy_wizard import DeployWizard, open_deploy_wizard
from screens.rollback_wizard import RollbackWizard, open_rollback_wizard
from tests.rollout.kube_steps import step_when_image
from tests.rollout.test_wizards_kube import text_of
from tests.ui.test_clusters import wait_for
from tests.ui.test_clusters_actions import confirm

WEB_OLD, WEB_NEW = "registry.local/web:1.4.2", "registry.local/web:1.5.0"


def make_app(two, tmp_path) -> OpsConsole:
    cfg = dataclasses.replace(two.config, changelog=ChangelogConfig(
        path=str(tmp_path / "CHANGELOG.md"), audit_path=str(tmp_path / "audit.jsonl")))
    return OpsConsole(cfg, services=Services(cfg))


def image(emu) -> str:
    return emu.get("deployments", "shop", "web")["spec"]["template"]["spec"]["containers"][0]["image"]


def replicas(emu) -> int:
    return emu.get("deployments", "shop", "web")["spec"]["replicas"]


def audit(app) -> list[dict]:
    return read_audit(app.config.audit_path).records


async def connected_to(app, pilot, context: str):
    await pilot.press("3")  # Clusters (Triage is 1)
    tab = app.tab("clusters")
    await wait_for(pilot, lambda: tab.adapter is not None and tab.info is not None
                   and tab.info.extra.get("context") == context and tab.rows)
    return tab


async def switch_to_prod(app, pilot):
    await connected_to(app, pilot, "dev-a")
    app.run_command("ctx prod-b")
    return await connected_to(app, pilot, "prod-b")


async def test_deploy_and_rollback_wizards_target_the_context_switched_to(two_clusters, tmp_path):
    from console.sandbox.kube_seed import seed_estate

    seed_estate(two_clusters.dev)
    seed_estate(two_clusters.prod)
    app = make_app(two_clusters, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await switch_to_prod(app, pilot)
        assert app.services.kubernetes().rollout.context == "prod-b"
        wizard = open_deploy_wizard(app, app.services, "shop", "web", watch_interval=0.05)
        await wait_for(pilot, lambda: wizard.images)
        wizard.query_one("#wizard-image", Input).value = "1.5.0"
        wizard.query_one("#wizard-image", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and text_of(app.screen, "#confirm-targets"))
        screen = app.screen
        assert "prod-b" in text_of(screen, "#confirm-targets") and screen.spec.production
        assert screen.expected == "web"  # a production context: the typed name is required
        step_when_image(two_clusters.prod, "shop", "web", WEB_NEW)
        assert await confirm(app, pilot, reason="CHG-1", typed="web") == ["succeeded"]
        assert image(two_clusters.prod) == WEB_NEW and image(two_clusters.dev) == WEB_OLD
        await pilot.press("escape")

        rollback = open_rollback_wizard(app, app.services, "shop", "web", watch_interval=0.05)
        await wait_for(pilot, lambda: rollback.plans and not rollback.query_one("#rollback").disabled)
        rollback.action_rollback()
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and text_of(app.screen, "#confirm-targets"))
        assert "prod-b" in text_of(app.screen, "#confirm-targets") and app.screen.expected == "web"
        step_when_image(two_clusters.prod, "shop", "web", WEB_OLD)
        assert await confirm(app, pilot, reason="CHG-2", typed="web") == ["succeeded"]
    assert image(two_clusters.prod) == WEB_OLD and image(two_clusters.dev) == WEB_OLD
    done = [r for r in audit(app) if r["outcome"] == "succeeded"]
    assert [(r["verb"], r["context"]) for r in done] == [("set image", "prod-b"), ("rollback", "prod-b")]
    assert all(r["production"] for r in done)


async def test_scale_and_undo_from_the_changelog_target_the_new_context(two_clusters, tmp_path):
    from console.sandbox.kube_seed import seed_estate

    seed_estate(two_clusters.dev)
    seed_estate(two_clusters.prod)
    for emu in (two_clusters.dev, two_clusters.prod):
        emu.enable_controllers(True)  # the scale is "succeeded" once the new pods are ready
    app = make_app(two_clusters, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await switch_to_prod(app, pilot)
        tab.jump("deploy")
        await wait_for(pilot, lambda: any(k.endswith("shop/web") for k in tab.table().visible_keys))
        table = tab.table()
        table.move_cursor(row=next(i for i, k in enumerate(table.visible_keys) if k.endswith("shop/web")))
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "NumberPrompt")
        app.screen.query_one(Input).value = "5"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and text_of(app.screen, "#confirm-targets"))
        assert "prod-b" in text_of(app.screen, "#confirm-targets")
        assert await confirm(app, pilot, typed="web") == ["succeeded"]
        assert replicas(two_clusters.prod) == 5 and replicas(two_clusters.dev) == 3
        await pilot.press("escape")
        [record] = [r for r in audit(app) if r["outcome"] == "succeeded"]
        undo = undo_from_record(record, app.services)
        assert undo.targets[0].context == "prod-b" and undo.production
        app.run_guarded(undo, origin=tab)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and text_of(app.screen, "#confirm-targets"))
        assert "prod-b" in text_of(app.screen, "#confirm-targets") and app.screen.expected == "web"
        assert await confirm(app, pilot, typed="web") == ["succeeded"]
    assert replicas(two_clusters.prod) == 3 and replicas(two_clusters.dev) == 3


async def test_what_was_opened_or_built_before_a_switch_never_acts(two_clusters, tmp_path):
    from console.actions import kubernetes as kube_actions
    from console.sandbox.kube_seed import seed_estate

    seed_estate(two_clusters.dev)
    seed_estate(two_clusters.prod)
    app = make_app(two_clusters, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await connected_to(app, pilot, "dev-a")
        tab.jump("deploy")
        await wait_for(pilot, lambda: any(r.kind == "deployments" and r.name == "web" for r in tab.rows.values()))
        row = next(r for r in tab.rows.values() if r.kind == "deployments" and r.name == "web")
        old_spec = kube_actions.scale(tab.adapter, row, tab.info, 7)  # built on dev-a
        wizard = open_deploy_wizard(app, app.services, "shop", "web", watch_interval=0.05)
        await wait_for(pilot, lambda: wizard.images)
        rollback = open_rollback_wizard(app, app.services, "shop", "web", watch_interval=0.05)
        await wait_for(pilot, lambda: rollback.history)

        app.run_command("ctx prod-b")
        await wait_for(pilot, lambda: not isinstance(app.screen, (DeployWizard, RollbackWizard)))

        assert wizard.closed_notice.startswith("deploy wizard closed without acting")
        assert "prod-b" in wizard.closed_notice
        assert rollback.closed_notice.startswith("rollback wizard closed without acting")

        await connected_to(app, pilot, "prod-b")
        app.run_guarded(old_spec, origin=tab)
        await wait_for(pilot, lambda: any(r["outcome"] == "refused" for r in audit(app)))
        assert not isinstance(app.screen, ConfirmScreen)
    [refused] = audit(app)
    assert "before a switch" in refused["detail"] and refused["context"] == "dev-a"
    assert replicas(two_clusters.dev) == 3 and replicas(two_clusters.prod) == 3


async def test_a_confirmation_open_during_a_switch_closes_and_is_refused(two_clusters, tmp_path):
    from console.sandbox.kube_seed import seed_estate

    seed_estate(two_clusters.dev)
    seed_estate(two_clusters.prod)
    app = make_app(two_clusters, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        tab = await connected_to(app, pilot, "dev-a")
        tab.jump("deploy")
        await wait_for(pilot, lambda: any(k.endswith("shop/web") for k in tab.table().visible_keys))
        table = tab.table()
        table.move_cursor(row=next(i for i, k in enumerate(table.visible_keys) if k.endswith("shop/web")))
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "NumberPrompt")
        app.screen.query_one(Input).value = "6"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        app.services.switch("kubernetes", context="prod-b")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await wait_for(pilot, lambda: any(r["outcome"] == "refused" for r in audit(app)))
    assert [r["outcome"] for r in audit(app)] == ["refused"]
    assert replicas(two_clusters.dev) == 3 and replicas(two_clusters.prod) == 3
