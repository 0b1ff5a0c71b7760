"""Pilot tests of the Compliance tab: run, group, detail, new/resolved, export, suppress."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Tree

from checks.engine import suppressions_file
from checks.model import Finding
from console.app import OpsConsole
from console.config import ComplianceConfig, Config, GeneralConfig
from console.services import Services
from screens.compliance import ComplianceTab
from tests.fixtures.workers import workers_done

REPO = Path(__file__).resolve().parents[2]
TAB_FIXTURE = REPO / "tests" / "checks" / "fixtures" / "tab"


class RecordingApp(OpsConsole):
    """The real app; guarded specs are recorded so the test can check what the tab built."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.specs: list = []

    def run_guarded(self, spec, origin=None) -> None:
        self.specs.append((spec, origin))


@pytest.fixture
def workdir(tmp_path):
    target = tmp_path / "infra"
    shutil.copytree(TAB_FIXTURE, target)
    return target


def make_app(target: Path, cls=OpsConsole, **general) -> OpsConsole:
    config = Config(general=GeneralConfig(**general), compliance=ComplianceConfig(paths=(str(target),)))
    return cls(config, services=Services(config))


async def open_tab(app, pilot) -> ComplianceTab:
    await pilot.press("6")
    await pilot.pause()
    tab = app.query_one(ComplianceTab)
    tab.focus_body()
    await pilot.pause()
    return tab


async def run(app, pilot, tab) -> None:
    await pilot.press("r")
    await workers_done(app)
    await pilot.pause()
    await pilot.pause()
    assert not tab.running


async def put_cursor_on(pilot, tree: Tree, rule_id: str, line: int | None = None) -> None:
    def find(node):
        for child in node.children:
            if isinstance(child.data, Finding) and child.data.rule_id == rule_id \
                    and line in (None, child.data.location.line):
                return child
            found = find(child)
            if found is not None:
                return found
        return None

    node = find(tree.root)
    assert node is not None, rule_id
    parent = node.parent
    while parent is not None:
        parent.expand()
        parent = parent.parent
    await pilot.pause()
    tree.focus()
    tree.move_cursor(node)
    await pilot.pause()


def leaves(tree: Tree) -> list[Finding]:
    out = []

    def walk(node):
        for child in node.children:
            if isinstance(child.data, Finding):
                out.append(child.data)
            walk(child)

    walk(tree.root)
    return out


async def test_run_shows_grouped_findings_with_detail(workdir):
    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        assert tab.query_one("#compliance-paths", Input).value == str(workdir)
        await run(app, pilot, tab)
        tree = tab.query_one("#compliance-tree", Tree)
        ids = {f.rule_id for f in leaves(tree)}
        assert {"OPS-TF-NET-001", "OPS-TF-S3-002", "OPS-DF-001", "OPS-DF-003"} <= ids
        tops = [str(n.label).split("  ")[0] for n in tree.root.children]
        assert tops[0] == "critical" and "high" in tops
        assert "first run" in str(tab.query_one("#compliance-summary").render())
        # the cursor on a finding shows its evidence and fix
        await put_cursor_on(pilot, tree, "OPS-TF-NET-001")
        text = str(tab.query_one("#compliance-detail").render())
        assert "OPS-TF-NET-001" in text and "fix" in text and "ingress" in text and "main.tf:7" in text
        await pilot.press("b")
        assert tab.grouping == "rule"
        assert str(tree.root.children[0].label).startswith("OPS-TF-NET-001")
        await pilot.press("b")
        assert tab.grouping == "resource"
        await pilot.press("G")
        assert tree.cursor_line == tree.last_line
        await pilot.press("g")
        assert tree.cursor_line == 0
        await pilot.press("j")
        assert tree.cursor_line == 1


async def test_second_run_reports_new_and_resolved(workdir):
    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        await run(app, pilot, tab)
        (workdir / "main.tf").write_text((workdir / "main.tf").read_text().replace('"0.0.0.0/0"', '"10.0.0.0/8"')
                                         + 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n')
        await run(app, pilot, tab)
        new_ids = {f.rule_id for f in tab.result.findings if f.fingerprint in tab.diff.new}
        assert new_ids == {"OPS-TF-SQS-001"}
        assert [f.rule_id for f in tab.diff.resolved] == ["OPS-TF-NET-001"]
        assert "1 new, 1 resolved" in str(tab.query_one("#compliance-summary").render())
        labels = [str(n.label) for n in tab.query_one("#compliance-tree", Tree).root.children]
        assert any(label.startswith("resolved since the last run") for label in labels)


async def test_export_writes_the_chosen_format(workdir):
    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        await run(app, pilot, tab)
        await pilot.press("e")
        await workers_done(app)
        await pilot.pause()
        exported = sorted((app.config.state_dir / "compliance" / "exports").glob("*.sarif"))
        assert len(exported) == 1
        assert json.loads(exported[0].read_text())["version"] == "2.1.0"
        assert "exported to" in str(tab.query_one("#compliance-status-text").render())


async def test_bad_path_is_shown_not_raised(tmp_path):
    app = make_app(tmp_path / "nope")
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        await run(app, pilot, tab)
        assert "path not found" in str(tab.query_one("#compliance-status-text").render())


async def test_suppress_builds_a_guarded_spec_that_appends_the_suppression(workdir):
    app = make_app(workdir, cls=RecordingApp)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        await run(app, pilot, tab)
        tree = tab.query_one("#compliance-tree", Tree)
        await put_cursor_on(pilot, tree, "OPS-TF-NET-001")
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # no reason yet: refused in the dialog
        await pilot.pause()
        assert "reason is required" in str(app.screen.query_one("#suppress-error").render())
        await pilot.press(*"bastion, OPS-42", "enter")
        await pilot.pause()
        assert len(app.specs) == 1
        spec, origin = app.specs[0]
        assert origin is tab and spec.verb == "suppress" and spec.targets[0].kind == "finding"
        assert spec.targets[0].name == "OPS-TF-NET-001" and spec.targets[0].backend == "local"
        assert not suppressions_file(app.config).exists()  # nothing written before the runner executes
        spec.execute(spec.targets[0], 5.0)
        saved = json.loads(suppressions_file(app.config).read_text())
        assert saved[0]["rule"] == "OPS-TF-NET-001" and saved[0]["reason"] == "bastion, OPS-42"
        await run(app, pilot, tab)
        net = next(f for f in tab.result.findings if f.rule_id == "OPS-TF-NET-001")
        assert net.suppressed and "bastion, OPS-42" in net.suppression


async def test_suppress_is_dimmed_in_read_only_mode(workdir):
    app = make_app(workdir, cls=RecordingApp, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        assert tab.check_action("suppress", ()) is None
        assert tab.check_action("run", ()) is True


async def test_live_target_unavailable_is_listed_not_fatal(workdir):
    from textual.widgets import Checkbox

    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        tab.query_one("#compliance-live-docker", Checkbox).value = True
        tab.focus_body()
        await run(app, pilot, tab)
        notes = [f for f in leaves(tab.query_one("#compliance-tree", Tree)) if f.rule_id == "OPS-LIVE-001"]
        assert notes and notes[0].location.live == "docker://"
        assert "live:docker" in tab.result.targets
        assert any(f.rule_id == "OPS-TF-NET-001" for f in tab.result.findings)  # the files were still checked


async def test_filter_narrows_the_findings(workdir):
    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        await run(app, pilot, tab)
        tree = tab.query_one("#compliance-tree", Tree)
        everything = len(leaves(tree))
        await pilot.press("slash", *"s3 logging")
        await pilot.pause()
        assert [f.rule_id for f in leaves(tree)] == ["OPS-TF-S3-005"]
        assert "filter: s3 logging" in str(tab.query_one("#compliance-summary").render())
        await pilot.press("enter")
        await pilot.pause()
        assert tree.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert len(leaves(tree)) == everything


async def test_suppressing_one_finding_leaves_the_others_in_the_file_active(workdir):
    (workdir / "secrets.env").write_text("DB_PASSWORD=Sup3rS3cretPassw0rd\n\nAPI_TOKEN=Zx9qL2mW8vR4tY6uI0pK\n")
    app = make_app(workdir, cls=RecordingApp)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        await run(app, pilot, tab)
        tree = tab.query_one("#compliance-tree", Tree)
        await put_cursor_on(pilot, tree, "OPS-REPO-004", line=3)
        await pilot.press("s")
        await pilot.pause()
        dialog_text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert f"OPS-REPO-004 at {workdir}/secrets.env:3" in dialog_text and "Only this finding" in dialog_text
        await pilot.press(*"rotated", "enter")
        await pilot.pause()
        spec, _ = app.specs[0]
        assert spec.summary == f"suppress OPS-REPO-004 at {workdir}/secrets.env:3"
        assert spec.targets[0].context == f"{workdir}/secrets.env:3" and spec.details["line"] == "3"
        assert any(":3" in note for note in spec.preview(spec.targets[0]).notes)
        spec.execute(spec.targets[0], 5.0)
        saved = json.loads(suppressions_file(app.config).read_text())
        assert saved[0]["path"] == f"{workdir}/secrets.env:3"
        await run(app, pilot, tab)
        state = {f.location.line: f.suppressed for f in tab.result.findings
                 if f.rule_id == "OPS-REPO-004" and f.location.path.endswith("secrets.env")}
        assert state == {1: False, 3: True}
        high = next(n for n in tree.root.children if str(n.label).startswith("high"))
        assert "1 suppressed" in str(high.label) and "active" in str(high.label)
        repo_rule = next(n for n in high.children if str(n.label).startswith("OPS-REPO-004"))
        assert str(repo_rule.label).endswith("(1 active, 1 suppressed)")


async def test_on_arrival_the_findings_tree_has_the_focus_and_keys_act_on_it(workdir):
    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("6")  # the shell's own tab switch, no focus_body() from the test
        tab = app.query_one(ComplianceTab)
        tree = tab.query_one("#compliance-tree", Tree)
        for _ in range(600):  # the focus lands after the switch's refresh; a loaded machine is slow
            if app.focused is tree:
                break
            await pilot.pause(0.05)
        assert app.focused is tree
        paths = tab.query_one("#compliance-paths", Input)
        assert not paths.select_on_focus
        assert tab.result is None  # nothing runs on open
        await run(app, pilot, tab)  # "r" with the tree focused runs, and leaves the paths alone
        assert paths.value == str(workdir) and tab.result is not None
        assert app.focused is tree
        await pilot.press("b")
        assert tab.grouping == "rule"
        await pilot.press("G", "g")
        assert tree.cursor_line == 0
        await pilot.press("e")
        await workers_done(app)
        await pilot.pause()
        assert list((app.config.state_dir / "compliance" / "exports").glob("*.sarif"))
        await put_cursor_on(pilot, tree, "OPS-TF-NET-001")
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "SuppressDialog"


async def test_without_configured_paths_the_current_directory_is_named(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    config = Config()
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        assert tab.query_one("#compliance-paths", Input).value == "."
        status = str(tab.query_one("#compliance-status-text").render())
        assert f"scanning the current directory {workdir}" in status and "compliance.paths" in status
        assert tab.result is None


async def test_configured_paths_are_the_default_without_a_note(workdir):
    app = make_app(workdir)
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_tab(app, pilot)
        assert tab.query_one("#compliance-paths", Input).value == str(workdir)
        assert "current directory" not in str(tab.query_one("#compliance-status-text").render())
