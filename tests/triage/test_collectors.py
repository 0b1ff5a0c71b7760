"""The collectors, the feed order and the incident notes, on real adapter rows and on
hand-made frozen rows (pure functions: no backend needed for those)."""

from __future__ import annotations

import dataclasses
import stat
from datetime import UTC, date, datetime, timedelta

import pytest

from console.backends.kubernetes import KubernetesBackend
from console.config import parse_config
from console.errors import InvalidInput, OpsError
from console.models.aws import Pipeline, PipelineExecution, PipelineStage, PipelinesView
from console.models.docker import ContainerSummary, DockerEvent
from console.triage import aws as aws_rows
from console.triage import docker as docker_rows
from console.triage import kube as kube_rows
from console.triage.feed import console_changes, related
from console.triage.model import Change, Level, Problem, rank
from console.triage.notes import append_note, note_path, section

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def estate_rows(config) -> dict:
    backend = KubernetesBackend(config)
    backend.connect()
    try:
        return {kind: backend.list(kind) for kind in kube_rows.WATCHED}
    finally:
        backend.close()


def test_kube_problems_in_words_and_the_rollout_before_them(kube):
    now = datetime.now(UTC)
    kube.seed(now=now)
    found = kube_rows.collect("sandbox-dev", estate_rows(kube.config), "kube:sandbox-dev", now)
    ranked = rank(found.problems)
    assert [(p.level, p.what) for p in ranked[:3]] == [
        (Level.CRITICAL, "deployment/checkout"), (Level.CRITICAL, "deployment/cart"), (Level.ERROR, "node/node-b")]
    checkout = ranked[0]
    assert checkout.reason == "CrashLoopBackOff: exit 1, 9 restarts · 0/2 ready · 2 pods failing"
    assert checkout.logs.kind == "pods" and checkout.logs.name.endswith("-h7w2k")  # the worst pod: most restarts
    assert ranked[1].reason.startswith('ImagePullBackOff: Back-off pulling image "registry.local/cart:9.9.9-typo"')
    pods = [p for p in found.problems if p.kind == "pod"]
    assert pods == []  # every failing pod in shop belongs to a failing workload
    first = related(found.changes, checkout)[0]
    assert first.kind == "rollout" and first.text == (
        "revision 3: registry.local/checkout:2.1.0 → registry.local/checkout:2.2.0")
    secrets = [c for c in found.changes if c.kind == "config"]
    assert all("values not shown" in c.text for c in secrets)


def test_a_warning_storm_on_an_object_no_other_problem_covers(kube):
    from console.sandbox.kube_seed import event, node

    now = datetime.now(UTC)
    n = node("node-x", now)
    kube.emu.apply_many([n, {**event("", "node-x.1", n, "FailedMount", "disk gone", now, timedelta(minutes=2), count=40),
                             "metadata": {"name": "node-x.1", "namespace": "shop"}}])
    found = kube_rows.collect("c", estate_rows(kube.config), "kube:c", now)
    storms = [p for p in found.problems if p.kind == "events"]
    assert [p.reason for p in storms] == ["Warning storm: FailedMount x40: disk gone"]


def container(name: str, **kw) -> ContainerSummary:
    base = dict(id=f"id-{name}", name=name, image="img", image_id="sha256:1", state="running", status="Up")
    return ContainerSummary(**{**base, **kw})


def test_docker_problems_in_words():
    cs = [container("web", health="unhealthy", started_at=NOW - timedelta(minutes=5)),
          container("db", state="restarting", restart_count=7, exit_code=1, finished_at=NOW),
          container("mem", state="exited", oom_killed=True, exit_code=137, finished_at=NOW),
          container("done", state="exited", exit_code=0, finished_at=NOW),
          container("ok")]
    found = {p.name: p for p in docker_rows.problems(cs, "local", "docker", {"id-web": 3}, NOW)}
    assert found["web"].reason == "unhealthy: health check failed 3x"
    assert found["db"].reason == "restarting: exit 1, 7 restarts"
    assert found["mem"].reason == "OOM-killed: exit 137"
    assert set(found) == {"web", "db", "mem"}
    events = [DockerEvent("container", "die", "id-db", "db", NOW.timestamp()),
              DockerEvent("container", "exec_start: sh", "id-db", "db", NOW.timestamp())]
    assert [c.text for c in docker_rows.changes(events, "local", "docker", {})] == ["die"]


def test_pipeline_failure_and_cost_anomaly_in_words():
    failed = PipelineExecution("e1", "web-deploy", "Failed", NOW - timedelta(hours=1), NOW,
                               summary="Deploy: ECS service web-deploy did not stabilize")
    view = PipelinesView(pipelines=(Pipeline("web-deploy", "us-east-1", stages=(PipelineStage("Deploy", "Failed"),),
                                             executions=(failed,)),), projects=())
    (p,) = aws_rows.pipeline_problems(view, "123/us-east-1", "aws:pipelines")
    assert p.reason == "pipeline web-deploy failed at Deploy: ECS service web-deploy did not stabilize"
    today = date(2026, 12, 1)
    daily = [(today - timedelta(days=2), "Amazon Elastic Compute Cloud - Compute", 50.0, "USD"),
             (today - timedelta(days=1), "Amazon Elastic Compute Cloud - Compute", 170.0, "USD"),
             (today - timedelta(days=2), "Amazon Simple Storage Service", 2.0, "USD"),
             (today - timedelta(days=1), "Amazon Simple Storage Service", 4.0, "USD")]  # +100% but only $2
    (cost,) = aws_rows.cost_anomalies(daily, today, "123/us-east-1", "aws:costs")
    assert cost.reason == "cost +240% day over day: EC2 (50.00 → 170.00 USD)"


def test_ecs_service_below_desired():
    svc = {"serviceName": "web", "clusterArn": "arn:aws:ecs:us-east-1:1:cluster/shop", "status": "ACTIVE",
           "desiredCount": 3, "runningCount": 0,
           "deployments": [{"status": "PRIMARY", "rolloutState": "FAILED", "createdAt": NOW,
                            "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/web:7"}]}
    (p,) = aws_rows.ecs_problems([svc], "1/us-east-1", "aws:ecs")
    assert p.level is Level.CRITICAL and p.reason == "below desired: 0/3 running, rollout FAILED"
    (c,) = aws_rows.ecs_changes([svc], "1/us-east-1", "aws:ecs", NOW)
    assert c.text == "deployment of web:7: FAILED" and c.warning


PROBLEM = Problem("kube:prod", "kubernetes", Level.CRITICAL, "deployment", "checkout", "prod/shop",
                  "CrashLoopBackOff: exit 1, 9 restarts", NOW - timedelta(minutes=25), context="prod", namespace="shop",
                  service="checkout")


def change(minutes_ago: int, subject: str, kind: str = "rollout", ns: str = "shop", where: str = "prod/shop",
           service: str = "") -> Change:
    return Change(NOW - timedelta(minutes=minutes_ago), "kube:prod", "kubernetes", kind, subject, "x", where=where,
                  namespace=ns, service=service or subject.split("/")[-1])


def test_the_changes_just_before_a_problem_come_first():
    changes = [change(5, "deployment/web"), change(40, "deployment/checkout"), change(26, "secret/db", "config"),
               change(30, "deployment/web"), change(10, "deployment/other", ns="payments", where="prod/payments"),
               change(27, "deployment/web", where="staging/shop")]
    order = [(c.subject, int((NOW - c.at).total_seconds() // 60)) for c in related(changes, PROBLEM)]
    assert order == [("deployment/checkout", 40), ("secret/db", 26), ("deployment/web", 30), ("deployment/web", 5)]


def test_console_actions_join_the_feed():
    records = [{"time": "2026-12-01T02:50:00Z", "outcome": "succeeded", "verb": "scale", "backend": "kubernetes",
                "context": "prod", "namespace": "shop", "operator": {"user": "ann"}, "reason": "INC-1",
                "target": {"kind": "deployment", "name": "checkout"}},
               {"time": "2026-12-01T02:50:00Z", "outcome": "requested", "verb": "scale", "target": {}}]
    (c,) = console_changes(records, NOW)
    assert c.kind == "console" and c.text == "scale succeeded by ann · INC-1" and c.where == "prod/shop"


def test_incident_note_masks_secrets_and_appends(tmp_path):
    logs = ["connecting with password=hunter2", "Authorization: Bearer abcdefghijklmnop", "\x1b[31mred\x1b[0m"]
    text = section(PROBLEM, NOW, [change(30, "deployment/checkout")], logs,
                   actions=[{"time": "t", "verb": "scale", "target": {"name": "checkout"}, "context": "prod",
                             "outcome": "succeeded", "reason": "token=s3cr3t"}])
    assert "hunter2" not in text and "abcdefghijklmnop" not in text and "s3cr3t" not in text and "\x1b" not in text
    assert "## 03:00:00Z — deployment/checkout (prod/shop)" in text and "CrashLoopBackOff: exit 1, 9 restarts" in text
    note = append_note(tmp_path / "notes", text, NOW)
    append_note(tmp_path / "notes", text, NOW)
    body = note.path.read_text()
    assert note.path == note_path(tmp_path / "notes", NOW) and note.path.name == "incident-2026-12-01.md"
    assert body.startswith("# Incident notes 2026-12-01") and body.count("## 03:00:00Z") == 2
    assert stat.S_IMODE(note.path.stat().st_mode) == 0o600


def test_incident_note_to_an_unwritable_place_names_the_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OpsError) as err:
        append_note(blocker / "sub", "x", NOW)
    assert str(blocker / "sub") in str(err.value)


def test_triage_config_keys_are_validated():
    cfg = parse_config({"kubernetes": {"triage_contexts": ["prod-*", "*-eu"]}, "incident": {"dir": "/tmp/inc"}})
    assert cfg.kubernetes.triage_contexts == ("prod-*", "*-eu") and str(cfg.incident_dir) == "/tmp/inc"
    with pytest.raises(InvalidInput) as err:
        parse_config({"kubernetes": {"triage_contexts": "prod"}}, "c.toml")
    assert "c.toml: kubernetes.triage_contexts: expected list of string" in str(err.value)
    with pytest.raises(InvalidInput):
        parse_config({"kubernetes": {"triage_contexts": [""]}}, "c.toml")
    with pytest.raises(InvalidInput) as err:
        parse_config({"incident": {"path": "x"}}, "c.toml")
    assert "incident.path: unknown key" in str(err.value)
    assert dataclasses.replace(cfg).incident_dir.name == "inc"


def test_new_critical_findings_since_the_last_run(tmp_path):
    from checks.model import Finding, Location, Severity
    from checks.runs import save
    from console.triage.compliance import problems

    def finding(rule: str, severity, path: str, suppressed: bool = False) -> Finding:
        return Finding(rule, f"title {rule}", severity, "security", "m", Location(path, 1), suppressed=suppressed)

    old = [finding("OPS-TF-1", Severity.CRITICAL, "a.tf")]
    assert problems(tmp_path, "compliance") == ()  # no run yet
    save(tmp_path, ("infra",), old, at=1000.0)
    assert problems(tmp_path, "compliance") == ()  # one run: nothing to compare with
    save(tmp_path, ("infra",), old + [finding("OPS-TF-2", Severity.CRITICAL, "b.tf"),
                                      finding("OPS-TF-3", Severity.CRITICAL, "c.tf"),
                                      finding("OPS-TF-4", Severity.CRITICAL, "d.tf", suppressed=True),
                                      finding("OPS-TF-5", Severity.MEDIUM, "e.tf")], at=2000.0)
    (p,) = problems(tmp_path, "compliance")
    assert p.level is Level.ERROR and p.reason == "2 new critical findings: OPS-TF-2, OPS-TF-3"


def test_cost_anomalies_come_from_the_costs_cache_only(aws):
    from console.config import AwsConfig, Config
    from console.services import Services
    from console.triage.sources import CostsSource
    from tests.triage.env import spike_costs, today

    services = Services(Config(aws=AwsConfig(region="us-east-1", endpoint_url=aws.url)))
    try:
        source = CostsSource(services)
        found = source.collect(NOW)
        assert found.problems == () and "open Costs" in found.note
        assert services.aws().ce_calls == 0  # nothing cached: no call made to find out
        spike_costs(aws, today())
        services.aws().cost_report()  # what the Costs tab does when it opens
        calls = services.aws().ce_calls
        for _ in range(3):
            found = source.collect(NOW)
        assert services.aws().ce_calls == calls  # three Triage passes, no Cost Explorer call
        assert [p.reason.split(" (")[0] for p in found.problems] == ["cost +240% day over day: EC2"]
    finally:
        services.close()
