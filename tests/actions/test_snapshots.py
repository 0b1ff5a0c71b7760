"""Pictures of the confirmation and the result, where the picture matters (fixed data and size)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from console.actions.records import Operator
from console.actions.runner import PreviewResult, TargetResult
from console.actions.spec import ActionSpec, Change, Outcome, Preview, Risk, Target
from screens.confirm import ConfirmScreen
from screens.guarded import ActionRunScreen
from tests.fixtures.workers import workers_done

TARGETS = (
    Target("volume", "vol-data-1", "aws", "123456789012", "eu-west-1", id="vol-0a1", production=True),
    Target("volume", "vol-\x1b[31mlogs[/]", "aws", "123456789012", "eu-west-1", id="vol-0b2", production=True),
)
SPEC = ActionSpec(
    verb="delete", targets=TARGETS, risk=Risk.DESTRUCTIVE, execute=lambda t, timeout: None,
    undo_hint="create a volume from the snapshot taken first", summary="delete 2 unattached volumes",
)
PREVIEWS = {
    TARGETS[0]: PreviewResult(Preview((Change("state", "available (100 GiB gp3)", "deleted"),),
                                      dry_run="DryRunOperation: would succeed")),
    TARGETS[1]: PreviewResult(Preview((Change("state", "available (8 GiB gp2)", "deleted"),),
                                      dry_run="UnauthorizedOperation: ec2:DeleteVolume denied", dry_run_ok=False)),
}


class Backdrop(App):
    def __init__(self, screen) -> None:
        super().__init__()
        self.modal = screen

    def compose(self) -> ComposeResult:
        yield Static("tab underneath")

    def on_mount(self) -> None:
        self.push_screen(self.modal)


def test_confirmation_of_a_destructive_bulk_action(snap_compare):
    assert snap_compare(Backdrop(ConfirmScreen(SPEC, PREVIEWS)), terminal_size=(110, 40))


def test_result_with_a_failure_and_undo(snap_compare):
    results = [
        TargetResult(TARGETS[0], Outcome.SUCCEEDED, "deleted; snapshot snap-01 kept", 2.5, "id-1"),
        TargetResult(TARGETS[1], Outcome.FAILED, "Access denied (aws.delete_volume): ec2:DeleteVolume", 0.4, "id-2"),
    ]
    lines = ["delete volume vol-data-1 @ 123456789012/eu-west-1: executing (timeout 30s)",
             "delete volume vol-data-1 @ 123456789012/eu-west-1: succeeded"]
    assert snap_compare(Backdrop(ActionRunScreen(SPEC, lines, results, undoable=True)), terminal_size=(110, 30))


def test_confirmation_fits_80x24(snap_compare):
    """The on-call terminal: buttons and the typed-name field stay visible; the preview scrolls."""
    assert snap_compare(Backdrop(ConfirmScreen(SPEC, PREVIEWS)), terminal_size=(80, 24))


def _changelog_records(path) -> None:
    import json

    from console.actions.records import make_record

    op = Operator("ann", "bastion-1", "203.0.113.5:50022", "arn:aws:iam::123456789012:user/ann")
    base = 1795000000.0
    rows = [
        (TARGETS[0], Outcome.REQUESTED, "", None),
        (TARGETS[0], Outcome.SUCCEEDED, "deleted; snapshot snap-01 kept", 2.5),
        (TARGETS[1], Outcome.REQUESTED, "", None),
        (TARGETS[1], Outcome.FAILED, "Access denied (aws.delete_volume): ec2:DeleteVolume", 0.4),
    ]
    with open(path, "w", encoding="utf-8") as fh:
        for i, (target, outcome, detail, duration) in enumerate(rows):
            record = make_record(SPEC, target, outcome, operator=op, action_id=f"00000000-0000-4000-8000-00000000000{i // 2}",
                                 reason="CHG-7 cleanup", changes=(Change("state", "available", "deleted"),),
                                 detail=detail, duration=duration, at=base + i * 60)
            fh.write(json.dumps(record) + "\n")


def test_changelog_viewer(snap_compare, tmp_path):
    from console.config import ChangelogConfig, Config
    from screens.changelog_view import ChangelogScreen

    _changelog_records(tmp_path / "audit.jsonl")

    class Viewer(Backdrop):
        def __init__(self) -> None:
            super().__init__(ChangelogScreen())
            self.config = Config(changelog=ChangelogConfig(path=str(tmp_path / "c.md"),
                                                           audit_path=str(tmp_path / "audit.jsonl")))
            self.journal = None

    async def loaded(pilot) -> None:
        await workers_done(pilot.app)
        await pilot.pause()

    assert snap_compare(Viewer(), terminal_size=(120, 24), run_before=loaded)
