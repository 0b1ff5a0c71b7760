"""The night page, issue 15 (found 4 and 6): counts under a `/` filter say "12 of 340 pods",
and an empty table says what is empty and where, on screen at 80x24."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.app import OpsConsole
from console.config import AwsConfig, ComplianceConfig, Config
from console.sandbox.aws import seed_builds, seed_pipelines
from console.services import Services
from screens.compliance import ComplianceTab
from tests.night.test_truth_on_screen import open_clusters, tab_key
from tests.shell.test_no_color import screen_lines

SIZE = (80, 24)
TAB_FIXTURE = Path(__file__).resolve().parents[1] / "checks" / "fixtures" / "tab"


async def wait_for(pilot, condition, what: str, seconds: float = 60.0, step: float = 0.05, shown=None):
    """Poll with a deadline (a loaded machine is slow, never a fixed pause); ``shown()`` explains a miss."""
    for _ in range(int(seconds / step)):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError(f"timed out waiting for {what}" + (f":\n{shown()}" if shown else ""))


def screen_text(app) -> str:
    """The screen as the terminal shows it, one text line per row."""
    return "\n".join("".join(seg.text for seg in line) for line in screen_lines(app))


def on_screen(app, text: str) -> bool:
    """``text`` is shown, maybe wrapped over lines."""
    return " ".join(text.split()) in " ".join(screen_text(app).split())


async def type_filter(pilot, text: str) -> None:
    await pilot.press("slash", *text)


async def test_clusters_counts_shown_of_total_and_says_what_is_empty(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_clusters(app, pilot)
        total = len(tab.rows)
        await wait_for(pilot, lambda: on_screen(app, f"· {total} pods"), "the total without a filter")
        await type_filter(pilot, "web")
        await wait_for(pilot, lambda: 0 < tab.table().row_count < total, "the filter applied")
        shown = tab.table().row_count
        await wait_for(pilot, lambda: on_screen(app, f"{shown} of {total} pods"), f"{shown} of {total} pods")
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: on_screen(app, f"0 of {total} pods"), "0 shown")
        assert on_screen(app, 'no pods match "webzzz" in ns shop'), screen_text(app)
        await pilot.press("escape")  # clears the filter: the total again
        await wait_for(pilot, lambda: on_screen(app, f"· {total} pods") and " of " not in screen_text(app).split("\n")[2],
                       "the total again after esc")
        tab.jump("secrets")  # none in ns shop (the seeded secret lives in payments)
        await wait_for(pilot, lambda: on_screen(app, "no secrets in ns shop"), "the empty secrets table says so")


async def test_triage_counts_problems_shown_of_total(kube):
    kube.seed()
    app = OpsConsole(kube.config, services=Services(kube.config))
    async with app.run_test(size=SIZE) as pilot:
        tab = app.query_one("#triage-tab")
        await wait_for(pilot, lambda: len(tab.problems) >= 3, "problems of the kube source")
        await wait_for(pilot, lambda: app.focused is not None, "focus on the table")
        total = len(tab.problems)
        await type_filter(pilot, "checkout")
        await wait_for(pilot, lambda: 0 < tab.table().row_count < len(tab.problems), "the filter applied")
        await wait_for(pilot, lambda: on_screen(app, f"{tab.table().row_count} of {len(tab.problems)} problems"),
                       "N of M problems")
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: on_screen(app, 'no problems match "checkoutzzz"'), "the empty table says so")
        assert total >= 3


@pytest.mark.aws
async def test_pipelines_counts_and_empty_tables(aws):
    seed_pipelines(aws.url)
    seed_builds(aws.url)
    config = Config(aws=AwsConfig(region="us-east-1", endpoint_url=aws.url))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(tab_key("pipelines"))
        tab = app.tab("pipelines")
        await wait_for(pilot, lambda: tab.view is not None, "pipelines loaded", seconds=120)
        pipelines, projects = len(tab.view.pipelines), len(tab.view.projects)
        header = lambda: str(tab.query_one("#pl-header").render())  # noqa: E731
        assert f"{pipelines} pipelines, {projects} build projects" in header()
        tab.query_one("#pipelines").focus()
        await type_filter(pilot, "web-deploy")
        await wait_for(pilot, lambda: f"1 of {pipelines} pipelines" in header(), "1 of N pipelines")
        assert f"of {projects} build projects" in header()
        await pilot.press(*"zzz")
        await wait_for(pilot, lambda: on_screen(app, 'no pipelines match "web-deployzzz" in us-east-1'),
                       "the empty pipelines table says so")


@pytest.mark.aws
async def test_costs_empty_waste_finder_says_where(aws):
    config = Config(aws=AwsConfig(region="us-east-1", endpoint_url=aws.url))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(tab_key("costs"))
        tab = app.tab("costs")
        await wait_for(pilot, lambda: tab.waste is not None, "the waste finder answered", seconds=120)
        await wait_for(pilot, lambda: on_screen(app, "no waste in us-east-1"), "the empty waste table says so")


async def test_compliance_counts_findings_shown_of_total(tmp_path):
    target = tmp_path / "infra"
    shutil.copytree(TAB_FIXTURE, target)
    config = Config(compliance=ComplianceConfig(paths=(str(target),)))
    app = OpsConsole(config, services=Services(config))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(tab_key("compliance"))
        tab = app.query_one(ComplianceTab)
        await wait_for(pilot, lambda: tab.is_on_screen, "the compliance tab")
        tab.focus_body()
        await pilot.press("r")
        await wait_for(pilot, lambda: tab.result is not None and not tab.running, "the checks ran", seconds=120)
        total = sum(1 for f in tab.result.findings if not f.suppressed)
        summary = lambda: str(tab.query_one("#compliance-summary").render())  # noqa: E731
        assert f"{total} findings" in summary() and " of " not in summary()
        await pilot.press("slash", *"zzz-nothing")
        await wait_for(pilot, lambda: f"0 of {total} findings" in summary(), "0 of N findings")
        await wait_for(pilot, lambda: on_screen(app, 'no findings match "zzz-nothing"'), "the empty list says so")
