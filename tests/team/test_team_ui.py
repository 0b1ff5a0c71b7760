"""The team pieces in the UI: a held lock in the confirmation and the result; the changelog view
merging the team's records (marked), refreshing while open, offline from the local copy."""

from __future__ import annotations

import dataclasses
import uuid

import boto3
from textual.widgets import DataTable, Static

from console.actions.kubernetes import scale_target
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.backends.kube_lease import KubeLeaseLocks
from console.config import AwsConfig
from console.config_team import TeamConfig
from console.services import Services
from screens.changelog_view import ChangelogScreen
from screens.confirm import ConfirmScreen
from tests.actions.harness import GuardApp, make_config
from tests.actions.test_guarded import SIZE, confirm, outcomes, settle

WEB = Target("deployment", "web", "kubernetes", "sandbox-dev", "shop")


async def test_held_lock_is_shown_in_the_confirmation_and_refuses_the_action(kube, tmp_path):
    kube.seed()
    config = dataclasses.replace(make_config(tmp_path), kubernetes=kube.config.kubernetes)
    services = Services(config)
    adapter = services.kubernetes()
    adapter.connect()
    alice = KubeLeaseLocks(lambda: adapter.http).acquire(WEB, "alice@bastion-2", "INC-42", "a-1", 120, verb="rollback")
    app = GuardApp(config, services=services)
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(scale_target(adapter, "deployments", WEB, 3, 5), origin=app)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConfirmScreen)
        notes = screen.previewed[WEB].preview.notes
        assert any(n.startswith("LOCK HELD: alice@bastion-2 is rolling back web since ") and n.endswith("— INC-42")
                   for n in notes), notes
        await confirm(app, pilot, reason="CHG-9")
        [result] = app.screen.results
        assert result.outcome is Outcome.REFUSED
        assert result.detail.startswith("refused: alice@bastion-2 is rolling back web since ")
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 3  # nothing ran
    assert outcomes(tmp_path) == ["refused"]
    KubeLeaseLocks(lambda: adapter.http).release(alice)
    services.close()


def team_record(user: str, name: str) -> dict:
    spec = ActionSpec(verb="scale", targets=(), risk=Risk.HIGH, execute=lambda t, timeout: None, summary="scale")
    target = Target("deployment", name, "kubernetes", "prod-eu", "shop")
    return make_record(spec, target, Outcome.SUCCEEDED, operator=Operator(user=user, host="bastion-1"),
                       action_id=str(uuid.uuid4()), reason="INC-42")


async def test_changelog_view_merges_team_records_refreshes_and_works_offline(aws, tmp_path):
    boto3.client("s3", endpoint_url=aws.url, region_name=aws.region).create_bucket(Bucket="team-audit")
    config = dataclasses.replace(make_config(tmp_path), aws=AwsConfig(endpoint_url=aws.url, region=aws.region, timeout=3.0),
                                 team=TeamConfig(sink="s3", bucket="team-audit", refresh_seconds=0.5, timeout=3.0))
    app = GuardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        from screens.guarded import journal_for

        journal = journal_for(app)
        journal.audit(team_record("carol", "local-one"))  # this console's own record
        journal.sink.deliver(team_record("bob", "from-bob"))  # a teammate's, straight into the sink
        screen = ChangelogScreen()
        app.push_screen(screen)

        def rows() -> list[str]:
            tables = screen.query(DataTable)  # empty until the screen is mounted
            if not tables:
                return []
            table = tables.first()
            return [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]

        await wait_for_rows(pilot, lambda: len(rows()) == 2)
        assert any("from-bob" in r and "bob@bastion-1 (team)" in r for r in rows())
        assert any("local-one" in r and "(team)" not in r for r in rows())
        journal.sink.deliver(team_record("dave", "later"))  # appears while the view is open
        await wait_for_rows(pilot, lambda: any("later" in r for r in rows()))
        journal.sink.bucket = "gone"  # the team trail is unreachable: local records stay, with the reason
        await wait_for_rows(pilot, lambda: "showing local records only" in str(
            screen.query_one("#changelog-title", Static).content))
        assert any("local-one" in r for r in rows())
        journal.outbox.stop()


async def wait_for_rows(pilot, check, deadline_s: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + deadline_s
    while not check():
        assert time.monotonic() < deadline, "the changelog view never showed it"
        await pilot.pause(0.1)

