"""Issue 14: an action that timed out gets a later record when it turns out to have happened.

The executor here is a plain object (tests/actions/harness.py), no SDK; the last tests use
the kmock emulator and the real API server (a frozen kube-apiserver, SIGSTOPped).
"""

from __future__ import annotations

import threading
import time

import pytest

from console.actions import followup, runner
from console.actions.intent import ActionRun
from console.actions.journal import Journal
from console.actions.probes import register_probe
from console.actions.reconcile import reconcile
from console.actions.records import Operator, make_record
from console.actions.spec import ActionSpec, Outcome, Risk, Target
from console.errors import TimedOut
from tests.actions.harness import FakeExecutor, conflict, scale_spec
from tests.actions.test_reconcile import dead_writer

OPERATOR = Operator("ann", "bastion")


def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "changelog.md", tmp_path / "audit.jsonl")


def wait_for(check, timeout: float = 60.0, what: str = "condition"):
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def records(j: Journal, outcome: str) -> list[dict]:
    return [r for r in j.read_audit().records if r["outcome"] == outcome]


def replicas_verify(fake: FakeExecutor, want: int):
    def verify(target, progress, deadline):
        while fake.replicas.get(target.name) != want:
            progress(f"{target.name}: {fake.replicas.get(target.name)} replicas")
            if time.monotonic() > deadline:
                raise TimedOut(f"still {fake.replicas.get(target.name)} replicas", source="verify")
            time.sleep(0.02)
        progress(f"{target.name}: {want} replicas")
    return verify


def test_an_execution_without_an_answer_in_time_that_happened_later_gets_a_follow_up(tmp_path):
    fake = FakeExecutor(block=threading.Event())
    spec = scale_spec(fake, "web", replicas=5, timeout=0.3)
    spec = ActionSpec(spec.verb, spec.targets, spec.risk, spec.execute, verify=replicas_verify(fake, 5),
                      verify_timeout=2.0, timeout=0.3, summary="scale web to 5")
    j, run = journal(tmp_path), ActionRun(spec.title)
    [result] = runner.execute(spec, "INC-7", j, lambda line: None, OPERATOR, run=run)
    assert result.outcome is Outcome.FAILED and "no answer in time" in result.detail
    assert "keeps checking whether it happened" in result.detail
    assert len(run.followups) == 1
    assert records(j, "follow-up") == []  # not happened yet: nothing claimed
    fake.block.set()  # the "server" wakes up and applies it
    [later] = wait_for(lambda: records(j, "follow-up"), what="the follow-up record")
    assert later["action_id"] == result.action_id and later["reason"] == "INC-7"
    assert later["detail"].startswith(followup.HAPPENED) and "web: 5 replicas" in later["detail"]
    entries = wait_for(lambda: (e := j.read_changelog()[0]) and len(e) == 2 and e, what="the follow-up entry")
    assert [e.action_id for e in entries] == [result.action_id, result.action_id]
    assert "(follow-up)" in entries[-1].heading
    # the intent still has its one outcome
    assert [r["outcome"] for r in j.read_audit().records] == ["requested", "failed", "follow-up"]


def test_a_verification_that_timed_out_and_converged_later_gets_a_follow_up(tmp_path):
    fake = FakeExecutor()
    state = {"ready": 0}

    def verify(target, progress, deadline):
        while state["ready"] < 3:
            progress(f"{state['ready']}/3 ready")
            if time.monotonic() > deadline:
                raise TimedOut(f"{state['ready']}/3 ready", source="verify")
            time.sleep(0.02)
        progress("3/3 ready")

    spec = ActionSpec("scale", scale_spec(fake, "web").targets, Risk.HIGH, execute=lambda t, timeout: "scaled",
                      verify=verify, verify_timeout=0.3)
    j, run = journal(tmp_path), ActionRun(spec.title)
    [result] = runner.execute(spec, "", j, lambda line: None, OPERATOR, run=run)
    assert result.outcome is Outcome.APPLIED and "verification timed out" in result.detail
    state["ready"] = 3
    [later] = wait_for(lambda: records(j, "follow-up"), what="the follow-up record")
    assert later["detail"].startswith(followup.HAPPENED) and "3/3 ready" in later["detail"]


def test_no_follow_up_for_an_answered_failure_or_an_action_without_verification(tmp_path):
    fake = FakeExecutor(fail_with=conflict("the object was modified"))
    j = journal(tmp_path)
    for spec in (scale_spec(fake, "web"),
                 ActionSpec("scale", scale_spec(fake, "api").targets, Risk.HIGH, execute=lambda t, timeout: time.sleep(5),
                            timeout=0.2)):
        run = ActionRun(spec.title)
        [result] = runner.execute(spec, "", j, lambda line: None, OPERATOR, run=run)
        assert result.outcome is Outcome.FAILED and run.followups == []
        assert "keeps checking" not in result.detail


def test_a_window_without_the_change_leaves_an_audit_only_follow_up(tmp_path):
    fake = FakeExecutor()
    spec = ActionSpec("scale", scale_spec(fake, "web").targets, Risk.HIGH, execute=lambda t, timeout: None,
                      verify=replicas_verify(fake, 9), verify_timeout=0.2)
    j = journal(tmp_path)
    target = spec.targets[0]
    seen: list[dict] = []

    def make(outcome, detail="", duration=None):
        return make_record(spec, target, outcome, operator=OPERATOR, action_id="a-1", detail=detail)

    followup.watch(spec, target, make, j, window=1.0, every=0.1, on_record=seen.append).join(30)
    [later] = records(j, "follow-up")
    assert later["detail"].startswith(followup.NOT_SEEN) and "web: 3 replicas" in later["detail"]
    assert seen == [later]
    assert j.read_changelog()[0] == []  # nothing happened: the human changelog is not touched


def test_quitting_stops_the_follow_up_without_a_record(tmp_path):
    fake = FakeExecutor()
    spec = ActionSpec("scale", scale_spec(fake, "web").targets, Risk.HIGH, execute=lambda t, timeout: None,
                      verify=replicas_verify(fake, 9), verify_timeout=0.2)
    j, stop = journal(tmp_path), threading.Event()
    thread = followup.watch(spec, spec.targets[0], lambda o, detail="", duration=None: {}, j, stop=stop, every=0.05)
    stop.set()
    thread.join(30)
    assert not thread.is_alive() and not j.audit_path.exists()


def timed_out_record(j: Journal, target: Target, verb: str = "delete") -> dict:
    spec = ActionSpec(verb, (target,), Risk.HIGH, execute=lambda t, timeout: None)
    record = make_record(spec, target, Outcome.FAILED, operator=OPERATOR, action_id=f"id-{target.name}",
                         detail="no answer in time: kubernetes.delete_pod did not finish within 10s")
    record["writer"] = dead_writer()
    j.audit(record)
    return record


def test_the_next_start_reads_a_timed_out_target_whose_console_stopped(tmp_path):
    register_probe("test", "widget", lambda record, services: f"widget {record['target']['name']} is gone")
    j = journal(tmp_path)
    timed_out_record(j, Target("widget", "w1", "test", "lab"))
    w2 = Target("widget", "w2", "test", "lab")
    answered = make_record(ActionSpec("delete", (w2,), Risk.HIGH, execute=lambda t, timeout: None), w2, Outcome.FAILED, operator=OPERATOR,
                           action_id="id-w2", detail="Conflict: in use")
    answered["writer"] = dead_writer()
    j.audit(answered)
    report = reconcile(j, services=object())
    assert report.followed_up == 1 and "checked again" in report.summary
    [later] = records(j, "follow-up")
    assert later["action_id"] == "id-w1"
    assert later["detail"].startswith("at next start, after the timeout: widget w1 is gone")
    assert reconcile(j, services=object()).followed_up == 0  # once


def test_the_next_start_reads_a_timed_out_pod_delete_on_the_emulator(kube, tmp_path):
    from console.services import Services

    kube.seed()
    j = journal(tmp_path)
    timed_out_record(j, Target("pod", "web-gone-1", "kubernetes", "sandbox-dev", "shop"))
    services = Services(kube.config)
    try:
        report = reconcile(j, services)
    finally:
        services.close()
    [later] = records(j, "follow-up")
    assert report.followed_up == 1 and "the pod no longer exists" in later["detail"]


def test_a_pod_delete_whose_answer_was_lost_is_followed_up_once_it_shows_on_the_real_server(kube_real, tmp_path):
    """The real kube-apiserver behind a proxy that forwards the DELETE and loses the answer:
    the call times out (``failed: no answer in time``), the pod is deleted all the same, and
    the follow-up records that it happened."""
    import dataclasses
    from urllib.parse import urlsplit

    from console.actions.kubernetes import delete_pod
    from console.backends.kubernetes import KubernetesBackend
    from tests.backends.kube_objects import deployment
    from tests.fixtures.kube_real import poll
    from tests.hostile.silent import FreezableProxy

    env = kube_real
    env.create("deployments", deployment("web"))
    poll(lambda: (env.get("deployments", "web").get("status") or {}).get("readyReplicas") == 1, what="web ready")
    upstream = urlsplit(env.plane.url)
    proxy = FreezableProxy.tcp(upstream.hostname, upstream.port)
    via = tmp_path / "kubeconfig-via-proxy"
    via.write_text(env.kubeconfig.read_text().replace(env.plane.url, "https://127.0.0.1:"
                                                      f"{proxy.listener.getsockname()[1]}"))
    cfg = dataclasses.replace(env.config, kubernetes=dataclasses.replace(env.config.kubernetes, kubeconfig=str(via),
                                                                         timeout=1.5))
    b = KubernetesBackend(cfg)
    try:
        info = b.connect()
        [row] = b.list("pods", env.namespace)
        spec = dataclasses.replace(delete_pod(b, row, info), timeout=1.5)
        j, run = journal(tmp_path), ActionRun(spec.title)
        proxy.mute()
        try:
            [result] = runner.execute(spec, "INC-9", j, lambda line: None, OPERATOR, run=run)
        finally:
            proxy.thaw()
        assert result.outcome is Outcome.FAILED and "no answer in time" in result.detail
        assert len(run.followups) == 1
        [later] = wait_for(lambda: records(j, "follow-up"), timeout=120, what="the follow-up record")
    finally:
        b.close()
        proxy.close()
    assert later["action_id"] == result.action_id and later["detail"].startswith(followup.HAPPENED)
    entries = wait_for(lambda: (e := j.read_changelog()[0]) and "(follow-up)" in e[-1].heading and e,
                       what="the follow-up's changelog entry")
    assert "(follow-up)" in entries[-1].heading and "INC-9" in str(entries[-1].fields)


@pytest.mark.docker
def test_a_container_pause_whose_answer_was_lost_is_followed_up_on_the_real_engine(docker_engine, tmp_path):
    """The real dockerd behind a unix-socket proxy that forwards the pause and loses the answer."""
    from console.actions.docker import container_action
    from console.config import Config, DockerConfig
    from console.services import Services
    from tests.hostile.silent import FreezableProxy

    made = docker_engine.run(name="web")
    proxy = FreezableProxy.unix(docker_engine.host.removeprefix("unix://"), str(tmp_path / "lossy.sock"))
    services = Services(Config(docker=DockerConfig(host=proxy.address, timeout=1.0)))
    try:
        docker = services.docker()
        docker.connect()
        [c] = [c for c in docker.list_containers() if c.id == made["id"]]
        spec = container_action(docker, "pause", [c], "local", timeout=1.0)
        j, run = journal(tmp_path), ActionRun(spec.title)
        proxy.mute()
        try:
            [result] = runner.execute(spec, "INC-11", j, lambda line: None, OPERATOR, run=run)
        finally:
            proxy.thaw()
        assert result.outcome is Outcome.FAILED and "no answer in time" in result.detail, result
        [later] = wait_for(lambda: records(j, "follow-up"), timeout=120, what="the follow-up record")
    finally:
        services.close()
        proxy.close()
    assert later["detail"].startswith(followup.HAPPENED) and "paused" in later["detail"]
