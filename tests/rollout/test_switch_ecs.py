"""After `:profile`, the ECS wizards and the undo act in the new profile's region only.

Two AWS profiles on one moto server: ``dev`` (us-east-1) and ``prod-admin`` (eu-west-1,
a production profile), each region with its own ECS service ``shop/web``. After the
switch, the deploy wizard, the rollback wizard and the undo from the changelog target
``prod-admin/eu-west-1``, name it in the confirmation and require the typed name; the
dev region's service is never touched.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError
from textual.widgets import Input

from console.actions.journal import read_audit
from console.actions.undo import undo_from_record
from console.app import OpsConsole
from console.config import AwsConfig, ChangelogConfig, Config
from console.services import Services
from screens.confirm import ConfirmScreen
from screens.ecs_deploy import open_ecs_deploy_wizard, open_ecs_rollback_wizard
from tests.rollout.ecs_steps import CLUSTER, FAMILY, SERVICE, container
from tests.rollout.test_wizards_kube import text_of
from tests.ui.test_clusters import wait_for
from tests.ui.test_clusters_actions import confirm

pytestmark = pytest.mark.aws
DEV, PROD = "us-east-1", "eu-west-1"


@pytest.fixture
def two_profiles(aws, tmp_path, monkeypatch):
    (tmp_path / "aws-config").write_text(f"[profile dev]\nregion = {DEV}\n\n[profile prod-admin]\nregion = {PROD}\n")
    (tmp_path / "aws-credentials").write_text(
        "[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n"
        "[prod-admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    return aws


def ecs(aws, region: str):
    return boto3.client("ecs", region_name=region, endpoint_url=aws.url, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def seed(aws, region: str, images: tuple[str, ...]) -> list[str]:
    client = ecs(aws, region)
    client.create_cluster(clusterName=CLUSTER)
    arns = [client.register_task_definition(family=FAMILY, containerDefinitions=[container(i)], networkMode="bridge",
                                            cpu="256", memory="512")["taskDefinition"]["taskDefinitionArn"]
            for i in images]
    client.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=arns[-1], desiredCount=2)
    return arns


def service_td(aws, region: str) -> str:
    return ecs(aws, region).describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["taskDefinition"]


def steady_when_moved(aws, region: str, away_from: str) -> None:
    """Play ECS in ``region``: once the service left ``away_from``, report it steady."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    def run() -> None:
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline and service_td(aws, region) == away_from:
                time.sleep(0.1)
        except ClientError:  # the test ended and the next one reset moto: nothing to play any more
            return
        svc = ecs_backends[DEFAULT_ACCOUNT_ID][region].services[f"{CLUSTER}:{SERVICE}"]
        now = datetime.now(UTC)
        svc.deployments = [{"id": "ecs-svc/steady", "status": "PRIMARY", "taskDefinition": svc.task_definition,
                            "desiredCount": svc.desired_count, "runningCount": svc.desired_count, "pendingCount": 0,
                            "failedTasks": 0, "rolloutState": "COMPLETED", "createdAt": now, "updatedAt": now}]

    threading.Thread(target=run, daemon=True).start()


def make_app(aws, tmp_path) -> OpsConsole:
    cfg = dataclasses.replace(Config(), aws=AwsConfig(profile="dev", endpoint_url=aws.url, timeout=5.0),
                              changelog=ChangelogConfig(path=str(tmp_path / "CHANGELOG.md"),
                                                        audit_path=str(tmp_path / "audit.jsonl")))
    return OpsConsole(cfg, services=Services(cfg))


async def on_confirmation(app, pilot) -> ConfirmScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen) and text_of(app.screen, "#confirm-targets"))
    return app.screen


async def test_ecs_deploy_rollback_and_undo_follow_a_profile_switch(two_profiles, tmp_path):
    aws = two_profiles
    dev_arns = seed(aws, DEV, ("registry.local/web:1.0", "registry.local/web:1.1"))
    prod_arns = seed(aws, PROD, ("registry.local/web:2.0", "registry.local/web:2.1"))
    app = make_app(aws, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")
        tab = app.tab("pipelines")
        await wait_for(pilot, lambda: tab.info is not None and tab.info.extra.get("region") == DEV)
        app.run_command("profile prod-admin")
        await wait_for(pilot, lambda: tab.info is not None and tab.info.extra.get("region") == PROD)
        assert app.services.aws().ecs.where == f"prod-admin/{PROD}"

        wizard = open_ecs_deploy_wizard(app, app.services, CLUSTER, SERVICE, watch_interval=0.05)
        await wait_for(pilot, lambda: wizard.images)
        wizard.query_one("#wizard-image", Input).value = "2.2"
        wizard.query_one("#wizard-image", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: wizard.plan is not None)
        await pilot.press("ctrl+d")
        screen = await on_confirmation(app, pilot)
        assert f"prod-admin/{PROD}" in text_of(screen, "#confirm-targets") and screen.expected == "web"
        steady_when_moved(aws, PROD, prod_arns[1])
        assert await confirm(app, pilot, typed="web") == ["succeeded"]
        assert service_td(aws, PROD).endswith("web:3") and service_td(aws, DEV) == dev_arns[1]
        await pilot.press("escape")

        rollback = open_ecs_rollback_wizard(app, app.services, CLUSTER, SERVICE, watch_interval=0.05)
        await wait_for(pilot, lambda: rollback.plans and not rollback.query_one("#rollback").disabled)
        rollback.action_rollback()
        screen = await on_confirmation(app, pilot)
        assert f"prod-admin/{PROD}" in text_of(screen, "#confirm-targets") and screen.expected == "web"
        steady_when_moved(aws, PROD, service_td(aws, PROD))
        assert await confirm(app, pilot, typed="web") == ["succeeded"]
        await pilot.press("escape")

        deploy = next(r for r in read_audit(app.config.audit_path).records
                      if r["outcome"] == "succeeded" and r["verb"] == "deploy")
        undo = undo_from_record(deploy, app.services)
        assert undo.targets[0].context == f"prod-admin/{PROD}" and undo.production
        app.run_guarded(undo, origin=tab)
        screen = await on_confirmation(app, pilot)
        assert f"prod-admin/{PROD}" in text_of(screen, "#confirm-targets") and screen.expected == "web"
        steady_when_moved(aws, PROD, service_td(aws, PROD))
        assert await confirm(app, pilot, typed="web") == ["succeeded"]
    assert service_td(aws, PROD) == prod_arns[1] and service_td(aws, DEV) == dev_arns[1]
    done = [r for r in read_audit(app.config.audit_path).records if r["outcome"] == "succeeded"]
    assert [r["context"] for r in done] == [f"prod-admin/{PROD}"] * 3


async def test_ecs_wizard_open_during_a_profile_switch_closes(two_profiles, tmp_path):
    aws = two_profiles
    seed(aws, DEV, ("registry.local/web:1.0", "registry.local/web:1.1"))
    seed(aws, PROD, ("registry.local/web:2.0", "registry.local/web:2.1"))
    app = make_app(aws, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")
        tab = app.tab("pipelines")
        await wait_for(pilot, lambda: tab.info is not None)
        wizard = open_ecs_deploy_wizard(app, app.services, CLUSTER, SERVICE, watch_interval=0.05)
        await wait_for(pilot, lambda: wizard.images)
        app.run_command("profile prod-admin")
        await wait_for(pilot, lambda: app.screen is not wizard)
        assert wizard.closed_notice.startswith("ECS deploy wizard closed without acting")
        assert "AWS profile prod-admin" in wizard.closed_notice
