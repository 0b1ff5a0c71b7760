"""Audit log and changelog through the real guarded path: secrets in the summary, the
reason, the preview, the details, the undo hint and the error never reach either file."""

from __future__ import annotations

import dataclasses

from console.actions.spec import Change, Preview
from console.errors import Conflict
from screens.confirm import ConfirmScreen
from tests.actions.harness import FakeExecutor, GuardApp, make_config, scale_spec
from tests.actions.test_guarded import SIZE, confirm, settle
from tests.hostile.corpus import LINES, SECRETS, leaked


def hostile_spec(fake: FakeExecutor):
    spec = scale_spec(fake, "web")
    return dataclasses.replace(
        spec, summary=f"scale web --password {SECRETS['flag_space']}",
        preview=lambda t: Preview((Change("env", f"API_KEY={SECRETS['api_key']}", f'password = "{SECRETS["hcl"]}"'),),
                                  dry_run=f"Authorization: Bearer {SECRETS['bearer']}"),
        details={"cmd": f"--token={SECRETS['flag_eq']}", "url": f"postgres://u:{SECRETS['url_user']}@db/x"},
        undo_hint=f"DB_PASSWORD={SECRETS['env']}")


async def test_records_and_viewer_hold_no_planted_secret(tmp_path):
    fake = FakeExecutor(fail_with=Conflict(f"redis://:{SECRETS['url_empty_user']}@cache refused {SECRETS['stripe']}",
                                           source="test.scale"))
    app = GuardApp(make_config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.run_guarded(hostile_spec(fake), origin=app)
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await confirm(app, pilot, reason=" ".join(LINES))
    audit = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    changelog = (tmp_path / "ops" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "failed" in audit and leaked(audit) == [], leaked(audit)
    assert leaked(changelog) == [], leaked(changelog)
