"""Pipelines tab on the moto server: rows, failures standing out, trend, detail, logs, states."""

from __future__ import annotations

import pytest

from console.app import OpsConsole
from console.backends.base import BackendState
from console.config import AwsConfig, Config
from console.sandbox.aws import seed_builds, seed_pipelines
from console.services import Services
from screens.log_view import LogScreen
from screens.widgets import ResourceTable
from tests.backends.test_aws_errors import ErrorEndpoint

pytestmark = pytest.mark.aws


async def wait_for(pilot, condition, tries: int = 2400, step: float = 0.05):  # ~2 min: moto is slow under load
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError("condition not met in time")


def aws_config(url: str, **aws) -> Config:
    return Config(aws=AwsConfig(region="us-east-1", endpoint_url=url, **aws))


@pytest.fixture
def seeded(aws):
    seed_pipelines(aws.url)
    seed_builds(aws.url)
    return aws


async def open_pipelines(app, pilot):
    await pilot.press("4")
    tab = app.tab("pipelines")
    await wait_for(pilot, lambda: tab.view is not None)
    await pilot.pause()
    return tab


async def test_pipelines_rows_trend_and_failure(seeded):
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        table = tab.query_one("#pipelines", ResourceTable)
        assert set(table.visible_keys) == {"web-deploy", "api-deploy", "nightly-etl"}
        web = table.row_for("web-deploy")
        assert web.style  # failed within 24 h: the row stands out
        assert "✓✓✓✗✓✓✓✓✗" in web.cells[2]
        assert not table.row_for("api-deploy").style
        header = str(tab.query_one("#pl-header").render())
        assert "failed in the last 24 h" in header and "web-deploy" in header
        assert "execution history" in header and "get_pipeline_state" not in header  # said, in product words
        tab.jump("web-deploy")
        await pilot.pause()
        detail = str(tab.query_one("#pl-detail").render())
        assert "did not stabilize" in detail
        assert "console.aws.amazon.com" in detail
        builds = tab.query_one("#builds", ResourceTable)
        assert set(builds.visible_keys) == {"web-build", "api-build", "nightly-build"}


async def test_build_log_opens_in_the_shared_viewer(seeded):
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        assert tab.jump("web-build")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        lines = app.screen.view.lines_widget
        await wait_for(pilot, lambda: len(lines.lines) > 0)
        assert lines.shown(lines.first_no) == "[Container] Entering phase INSTALL"
        assert any("docker push" in line for line in lines.lines)
        assert "web-build" in app.screen.view.source.title
        await pilot.press("escape")
        assert not isinstance(app.screen, LogScreen)


def test_build_log_follow_yields_new_lines_only(seeded):
    from console.backends.aws import AwsBackend
    from screens.pipelines_logs import BuildLogSource

    backend = AwsBackend(aws_config(seeded.url))
    build = next(p for p in backend.build_projects() if p.name == "api-build").builds[0]
    source = BuildLogSource(backend, build)
    last_three = source.fetch(3, None, False)
    assert len(last_three) == 3 and last_three[1].startswith("latest: digest")
    assert source.fetch(500, None, True)[0].endswith("Z [Container] Entering phase INSTALL")
    stream = source.follow(2, None, False)
    it = iter(stream)
    first = [next(it), next(it)]
    assert first[-1] == "[Container] Phase complete: POST_BUILD State: SUCCEEDED"
    stream.close()
    assert list(it) == []  # closed: no duplicate of the lines already seen


@pytest.mark.parametrize(("code", "state", "text"), [
    ("ExpiredTokenException", BackendState.UNAVAILABLE, "expired"),
    ("ThrottlingException", BackendState.UNAVAILABLE, "Throttled"),
])
async def test_expired_credentials_and_throttling_are_clear_states(aws, code, state, text):
    with ErrorEndpoint(code, 400) as endpoint:
        cfg = aws_config(endpoint.url)
        app = OpsConsole(cfg, services=Services(cfg))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("4")
            tab = app.tab("pipelines")
            await wait_for(pilot, lambda: tab.state is state)
            banner = str(tab.query_one("#state-banner").render())
            assert text in banner
            assert tab.has_class("-unavailable")


async def test_l_on_a_failed_pipeline_opens_its_own_build(seeded):
    """`l` on a pipeline row follows the pipeline to the build of its CodeBuild stage, not
    whatever build project the lower table's cursor happens to be on."""
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        assert tab.jump("web-deploy")
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen))
        assert "web-build" in app.screen.view.source.title


async def test_sandbox_history_looks_like_a_real_one(seeded):
    cfg = aws_config(seeded.url)
    app = OpsConsole(cfg, services=Services(cfg))
    async with app.run_test(size=(120, 40)) as pilot:
        tab = await open_pipelines(app, pilot)
        lasts = [p.last_execution for p in tab.view.pipelines]
        assert len({e.started for e in lasts}) == len(lasts)  # not one identical "2h00m ago"
        assert len({e.duration for e in lasts}) == len(lasts)
        assert all(e.source_revision and e.commit_message for e in lasts)
        builds = [b for p in tab.view.projects for b in p.builds]
        assert all(b.initiator.startswith("codepipeline/") and b.source_version for b in builds)
