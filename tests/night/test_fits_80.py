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
