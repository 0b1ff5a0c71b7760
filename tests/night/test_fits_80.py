"""Issue 15: at 80x24 every table fits its width (no horizontal scrollbar eats a row), on
the sandbox estate, driving the real console (tests/night/sandbox_estate.py)."""

from __future__ import annotations

import pytest

import screens.base
from console.app import OpsConsole
from console.config import Config
from tests.night.sandbox_estate import REPO, sandbox_config, sandbox_services, seed, write_changelog
from tests.night.test_snapshots_sandbox import arrange

pytestmark = pytest.mark.aws

VIEWS = ["triage", "containers", "clusters", "pipelines", "rollback-wizard", "changelog"]


def tables(app):
    """Every table on the screen shown now (KubeTable and DataTable)."""
    from textual.widgets import DataTable

    from screens.clusters_table import KubeTable

    return [t for t in app.screen.query("*") if isinstance(t, DataTable | KubeTable) and t.display
            and t.region.width > 0]


def overflowing(app) -> list[str]:
    return [f"{t.id or type(t).__name__}: {t.virtual_size} > {t.scrollable_content_region} {t.container_size} "
            f"{t.show_vertical_scrollbar}"
            for t in tables(app) if t.show_horizontal_scrollbar or t.virtual_size.width > t.scrollable_content_region.width]


def make_app(kube, aws, frozen_clock, monkeypatch):
    monkeypatch.setattr(screens.base, "BACKOFF", (3600.0,))
    monkeypatch.chdir(REPO)
    seed(kube, aws, frozen_clock)
    config = sandbox_config(kube.config, aws.url, Config().state_dir, "opsconsole-ansi")
    write_changelog(config.audit_path, frozen_clock)
    return OpsConsole(config, services=sandbox_services(config))


@pytest.mark.parametrize("view", VIEWS)
async def test_tables_fit_80_columns(frozen_clock, kube, aws, isolated_env, monkeypatch, view):
    app = make_app(kube, aws, frozen_clock, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await arrange(view)(pilot)
        shown = tables(app)
        assert shown, f"{view}: no table shown"
        for _ in range(200):
            if not overflowing(app):
                break
            await pilot.pause(0.05)
        assert not overflowing(app), f"{view}: a table scrolls sideways at 80 columns: {overflowing(app)}"


def lines_of(widget) -> list[str]:
    """What a Static shows, rendered at its width on screen (rows as the operator reads them)."""
    from rich.console import Console

    console = Console(width=widget.content_region.width, color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(widget.content)
    return capture.get().splitlines()


async def test_triage_80x24_answers_what_is_broken_and_what_changed(frozen_clock, kube, aws, isolated_env,
                                                                     monkeypatch):
    from textual.widgets import Static

    app = make_app(kube, aws, frozen_clock, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await arrange("triage")(pilot)
        tab = app.tab("triage")
        sources = tab.query_one("#triage-sources", Static)
        summary = lines_of(sources)
        assert len(summary) == 1 and sources.size.height == 1, f"the sources take more than a row: {summary}"
        assert "13 problems, 2 critical" in summary[0] and "k8s ✓✓" in summary[0], summary
        feed = tab.query_one("#triage-feed", Static)
        assert feed.display and feed.region.height >= 3, "no What-changed section at 80x24"
        assert feed.region.y + feed.region.height <= 24 and tab.table().region.height >= 8
        assert "What changed before deployment/checkout" in "\n".join(lines_of(feed))
        # sandbox-dev and sandbox-prod are the same emulator: the short context tells node-b from node-b
        table = tab.table()
        shown = [c.key for i, c in enumerate(table.columns_spec) if i not in table.hidden]
        assert "ctx" in shown and "where" not in shown, shown
        nodes = [table.row_for(k).cells for k in table.visible_keys if table.row_for(k).cells[2] == "node/node-b"]
        assert sorted(c[1] for c in nodes) == ["dev", "prod"], nodes
        await pilot.press("i")  # the full sources line, with ages and notes
        await pilot.pause()
        assert "kube sandbox-dev" in "\n".join(lines_of(sources))


async def test_rollback_plan_never_splits_an_image(frozen_clock, kube, aws, isolated_env, monkeypatch):
    from textual.widgets import Static

    app = make_app(kube, aws, frozen_clock, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await arrange("rollback-wizard")(pilot)
        plan = "\n".join(lines_of(app.screen.query_one("#wizard-plan", Static)))
        assert "checkout:2.1.0" in plan and "checkout:2.2.0" in plan, plan
        table = app.screen.query_one("#wizard-revisions")
        assert all("checkout:2." in str(table.row_for(k).cells[3]) for k in table.visible_keys)


async def test_sandbox_builds_carry_believable_commits(frozen_clock, kube, aws, isolated_env, monkeypatch):
    import re

    app = make_app(kube, aws, frozen_clock, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await arrange("pipelines")(pilot)
        versions = [b.source_version for p in app.tab("pipelines").view.projects for b in p.builds]
        assert versions and all(re.fullmatch(r"[0-9a-f]{40}", v) for v in versions), versions
        assert all(len(set(v)) >= 8 for v in versions), f"one letter 40 times: {versions}"  # was "eeee…"
        assert len(set(versions)) == len(versions)
