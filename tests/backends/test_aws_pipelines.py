"""CodePipeline and CodeBuild through the adapter, against the moto server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.backends.aws import AwsBackend
from console.config import AwsConfig, Config
from console.errors import NotFound, Unavailable
from console.sandbox.aws import seed_builds, seed_pipelines

pytestmark = pytest.mark.aws


@pytest.fixture
def backend(aws):
    seed_pipelines(aws.url)
    seed_builds(aws.url)
    b = AwsBackend(Config(aws=AwsConfig(region=aws.region, endpoint_url=aws.url)))
    b.connect()
    yield b
    b.close()


def test_pipelines_degrade_to_execution_history(backend):
    view = backend.pipelines_view()
    names = [p.name for p in view.pipelines]
    assert names == sorted(["web-deploy", "api-deploy", "nightly-etl"])
    assert "execution history" in view.degraded  # moto does not implement get_pipeline_state
    assert "codepipeline.get_pipeline_state" in backend.unsupported
    web = next(p for p in view.pipelines if p.name == "web-deploy")
    assert web.state_source == "executions"
    assert [s.name for s in web.stages] == ["Source", "Build", "Approve", "Deploy"]
    assert web.status == "Failed"
    assert web.trend() == "✓✓✓✗✓✓✓✓✗"
    assert "did not stabilize" in web.last_execution.summary
    assert web.last_execution.duration > timedelta(0)
    assert web.failed_since(web.last_execution.started - timedelta(hours=1))
    assert web.console_url.startswith("https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/")
    api = next(p for p in view.pipelines if p.name == "api-deploy")
    assert all(s.status == "Succeeded" for s in api.stages)  # a succeeded run says so for every stage
    assert len(api.executions) == 8


def test_second_refresh_skips_the_unimplemented_call(backend):
    backend.pipelines_view()
    assert "codepipeline.get_pipeline_state" in backend.unsupported
    assert backend._pipeline_state("web-deploy") is None


def test_build_projects_builds_phases_and_logs(backend):
    projects = {p.name: p for p in backend.build_projects()}
    assert set(projects) == {"web-build", "api-build", "nightly-build"}
    web = projects["web-build"]
    assert len(web.builds) == 4
    build = web.builds[0]
    assert build.project == "web-build"
    assert build.log_group == "/aws/codebuild/web-build"
    phase_names = [p.name for p in build.phases]
    assert len(phase_names) == len(set(phase_names))  # one row per phase
    assert "BUILD" in phase_names
    lines = backend.build_log(build)
    assert lines[0].message == "[Container] Entering phase INSTALL"
    assert any("docker push" in line.message for line in lines)


def test_start_pipeline_execution_and_builds(backend):
    before = len(backend.pipeline("api-deploy").executions)
    execution_id = backend.start_pipeline_execution("api-deploy", timeout=10)
    after = backend.pipeline("api-deploy")
    assert len(after.executions) == before + 1
    assert after.last_execution.id == execution_id
    build_id = backend.start_build("api-build", timeout=10)
    assert backend.build(build_id).project == "api-build"
    assert backend.stop_build(build_id, timeout=10) == "STOPPED"


def test_unimplemented_mutation_is_a_clear_error(backend):
    execution = backend.pipeline("web-deploy").last_execution
    with pytest.raises(Unavailable) as err:
        backend.stop_pipeline_execution("web-deploy", execution.id, abandon=True, reason="INC-1", timeout=10)
    assert err.value.title == "Not supported"


def test_missing_pipeline_is_not_found(backend):
    with pytest.raises(NotFound):
        backend.pipeline("no-such-pipeline")


def test_failed_stage_named_in_the_summary_is_marked(backend):
    web = next(p for p in backend.pipelines_view().pipelines if p.name == "web-deploy")
    assert [(s.name, s.status) for s in web.stages] == [("Source", ""), ("Build", ""), ("Approve", ""),
                                                         ("Deploy", "Failed")]
    assert web.failed_stage.failed_action.error.startswith("Deploy: ECS service web-deploy did not stabilize")


def test_named_in_failure_reads_stage_and_action():
    from console.backends.aws_pipelines import named_in_failure
    from console.models.aws import PipelineExecution

    definition = {"stages": [{"name": "Build", "actions": [{"name": "Compile"}, {"name": "Test"}]},
                             {"name": "Deploy", "actions": [{"name": "Ecs"}]}]}

    def failed(summary: str, status: str = "Failed") -> PipelineExecution:
        return PipelineExecution("e1", "p", status, None, None, summary=summary)

    assert named_in_failure(definition, failed("Deploy: did not stabilize")) == ("Deploy", "")
    assert named_in_failure(definition, failed("Build/Test: 3 tests failed")) == ("Build", "Test")
    assert named_in_failure(definition, failed("Compile: syntax error")) == ("Build", "Compile")
    assert named_in_failure(definition, failed("something broke")) is None
    assert named_in_failure(definition, failed("Deploy: fine", status="Succeeded")) is None
    assert named_in_failure(definition, None) is None


def test_completed_builds_are_stable_and_add_up(backend):
    first = {p.name: p.builds for p in backend.build_projects()}
    assert backend.cached_builds == sum(len(b) for b in first.values())
    for builds in first.values():
        for b in builds:
            assert b.status == "SUCCEEDED" and b.duration is not None
            assert sum(ph.seconds or 0 for ph in b.phases) == b.duration.total_seconds()
    second = {p.name: p.builds for p in backend.build_projects()}
    assert second == first  # a finished build never changes between refreshes


def test_completed_builds_come_from_the_adapter_cache(backend):
    from moto.codebuild.models import codebuild_backends

    from console.sandbox.aws import ACCOUNT, REGION

    api = next(p for p in backend.build_projects() if p.name == "api-build").builds[0]
    stored = next(b for builds in codebuild_backends[ACCOUNT][REGION].build_metadata_history.values()
                  for b in builds if b["id"] == api.id)
    stored["phases"][3]["durationInSeconds"] = 9999  # the endpoint changes its answer
    again = next(p for p in backend.build_projects() if p.name == "api-build").builds[0]
    assert again == api
    assert backend.build(api.id) == api
    fresh = AwsBackend(backend.config)
    try:
        changed = next(p for p in fresh.build_projects() if p.name == "api-build").builds[0]
        assert 9999 in [ph.seconds for ph in changed.phases]  # a new adapter reads the endpoint
    finally:
        fresh.close()
