"""DockerBackend against a real private dockerd (tests/fixtures/docker_engine.py)."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from console.backends.docker import DockerBackend
from console.config import Config, DockerConfig
from console.errors import Conflict, NotFound, Unavailable
from console.text import MASK
from tests.fixtures.dockerd import wait_until

pytestmark = pytest.mark.docker


@pytest.fixture
def backend(docker_engine):
    b = DockerBackend(Config(docker=DockerConfig(host=docker_engine.host, timeout=20)))
    b.connect()
    yield b
    b.close()


def by_name(backend, name, **kw):
    return {c.name: c for c in backend.list_containers(**kw)}.get(name)


def test_connect_reports_engine_version_and_host(docker_engine):
    b = DockerBackend(Config(docker=DockerConfig(host=docker_engine.host)))
    info = b.connect()
    assert info.name == "docker"
    assert info.version.startswith("20.")
    assert info.target == docker_engine.host
    assert info.extra["source"] == "config"
    b.close()


def test_list_running_and_all_with_labels(backend, docker_engine):
    up = docker_engine.run(labels={"com.docker.compose.project": "shop", "com.docker.compose.service": "web"})
    done = docker_engine.run(["sh", "-c", "exit 0"])
    docker_engine.wait_state(done["id"], "exited")
    running = {c.name for c in backend.list_containers(all=False)}
    assert up["name"] in running and done["name"] not in running
    row = by_name(backend, up["name"])
    assert row.state == "running" and row.problem == ""
    assert (row.compose_project, row.compose_service) == ("shop", "web")
    assert row.image == docker_engine.image and len(row.short_digest) == 12
    assert row.started_at is not None
    assert by_name(backend, done["name"]).state == "exited"
    assert by_name(backend, done["name"]).problem == ""


def test_list_filters_by_label(backend, docker_engine):
    a = docker_engine.run(labels={"team": "a"})
    docker_engine.run(labels={"team": "b"})
    names = [c.name for c in backend.list_containers(filters={"label": "team=a"})]
    assert names == [a["name"]]


def test_problem_rows_exit_code_unhealthy_restarting(backend, docker_engine):
    failed = docker_engine.run(["sh", "-c", "exit 3"])
    sick = docker_engine.run(["sleep", "600"], image=docker_engine.unhealthy_image)
    flappy = docker_engine.run(["sh", "-c", "exit 1"], restart_policy={"Name": "always"})
    docker_engine.wait_state(failed["id"], "exited")
    docker_engine.wait_health(sick["id"], "unhealthy")
    wait_until(lambda: docker_engine.inspect(flappy["id"])["RestartCount"] >= 1, 20, what="a restart")
    assert by_name(backend, failed["name"]).problem == "exited (3)"
    assert by_name(backend, sick["name"]).problem == "unhealthy"
    flapping = by_name(backend, flappy["name"])
    assert flapping.restart_count >= 1


def test_oom_killed_is_a_problem(backend, docker_engine):
    hog = docker_engine.run(["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"],
                            mem_limit="8m", memswap_limit="8m")
    state = docker_engine.wait_state(hog["id"], "exited")
    if not state["OOMKilled"]:
        pytest.skip("this kernel did not OOM-kill the container (no memory cgroup limit)")
    row = by_name(backend, hog["name"])
    assert row.oom_killed and row.problem == "oom-killed"


def test_stats_concurrent_with_cpu_from_previous_sample(backend, docker_engine):
    busy = docker_engine.run(["sh", "-c", "while true; do :; done"], mem_limit="64m")
    idle = docker_engine.run()
    first = backend.stats_many([busy["id"], idle["id"]])
    assert first[busy["id"]].cpu_percent is None  # one sample: no CPU % yet
    assert first[busy["id"]].mem_used > 0
    assert first[busy["id"]].mem_limit == 64 * 1024 * 1024
    def sampled():  # a CPU % needs a second sample; on a loaded machine the busy loop gets less CPU
        stats = backend.stats_many([busy["id"], idle["id"]])
        return stats if (stats[busy["id"]].cpu_percent or 0) > 10 else None

    second = wait_until(sampled, timeout=60, interval=0.2, what="a CPU figure for the busy container")
    assert second[idle["id"]].cpu_percent is not None and second[idle["id"]].cpu_percent < 5


def test_stats_wait_for_cpu_gives_a_figure_at_once(backend, docker_engine):
    ids = [docker_engine.run()["id"] for _ in range(4)]
    stats = backend.stats_many(ids, wait_for_cpu=True)
    assert sorted(stats) == sorted(ids)
    assert all(s.cpu_percent is not None for s in stats.values())


def test_snapshot_lists_inspects_and_samples_at_once(backend, docker_engine):
    up = docker_engine.run(mem_limit="16m")
    done = docker_engine.run(["true"])
    docker_engine.wait_state(done["id"], "exited")
    data = backend.snapshot(all=True, wait_for_cpu=True)
    assert {up["name"], done["name"]} <= {c.name for c in data.containers}
    assert set(data.stats) == {up["id"]} and data.stats[up["id"]].cpu_percent is not None
    assert data.stats[up["id"]].mem_limit == 16 * 1024 * 1024 and data.host == docker_engine.host
    assert done["name"] not in {c.name for c in backend.snapshot(all=False).containers}


def test_stats_skip_stopped_containers(backend, docker_engine):
    done = docker_engine.run(["true"])
    docker_engine.wait_state(done["id"], "exited")
    assert backend.stats_many([done["id"]]) == {}


def test_inspect_masks_secrets_and_reads_health_and_limits(backend, docker_engine):
    c = docker_engine.run(["sleep", "600"], image=docker_engine.unhealthy_image,
                          environment={"DB_PASSWORD": "hunter2", "MODE": "prod"}, mem_limit="32m",
                          restart_policy={"Name": "on-failure", "MaximumRetryCount": 3},
                          labels={"api_token": "abc123", "tier": "web"})
    docker_engine.wait_health(c["id"], "unhealthy")
    detail = backend.inspect(c["id"])
    assert f"DB_PASSWORD={MASK}" in detail.env and "MODE=prod" in detail.env
    assert "hunter2" not in repr(detail.raw) and "abc123" not in repr(detail.raw)
    assert detail.restart_policy == "on-failure (max 3 retries)"
    assert ("memory", "32.0MiB") in detail.limits
    assert detail.health_log and detail.health_log[-1].exit_code != 0
    assert detail.healthcheck[-1] == "/bin/false"
    assert ("tier", "web") in detail.summary.labels
    assert ("api_token", MASK) in detail.summary.labels
    assert detail.networks == ()  # --network none


def test_logs_tail_timestamps_since(backend, docker_engine):
    c = docker_engine.run(["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; sleep 1; echo oops >&2; sleep 600"])
    wait_until(lambda: len(backend.logs(c["id"])) == 6, what="six log lines")
    assert backend.logs(c["id"]) == ("line1", "line2", "line3", "line4", "line5", "oops")
    assert backend.logs(c["id"], tail=2) == ("line5", "oops")
    stamped = backend.logs(c["id"], tail=1, timestamps=True)
    assert stamped[0].endswith(" oops") and stamped[0][:4].isdigit()
    assert backend.logs(c["id"], since=time.time() + 60) == ()


def test_follow_logs_streams_new_lines_and_closes(backend, docker_engine):
    c = docker_engine.run(["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.2; done"])
    got: list[str] = []
    stream = backend.follow_logs(c["id"])

    def read():
        for line in stream:
            got.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    wait_until(lambda: len(got) >= 3, what="three followed lines")
    stream.close()
    reader.join(5)
    assert not reader.is_alive()
    assert all(line.startswith("tick") for line in got)


def test_a_stream_opened_after_close_reconnects_instead_of_deadlocking(backend, docker_engine):
    """A stats feed or log stream opened after the adapter was closed (a tab tearing down)
    connects again; it took the adapter's lock and then connect() took it again."""
    c = docker_engine.run()
    backend.close()
    got = []
    opener = threading.Thread(target=lambda: got.append(backend.follow_logs(c["id"])), daemon=True)
    opener.start()
    opener.join(30)
    assert not opener.is_alive() and got
    got[0].close()


def test_events_stream_sees_container_lifecycle(backend, docker_engine):
    since = time.time() - 1
    c = docker_engine.run(["true"])
    docker_engine.wait_state(c["id"], "exited")
    events = list(backend.events(since=since, until=time.time() + 1, filters={"type": "container"}))
    actions = [e.action for e in events if e.id == c["id"]]
    assert "create" in actions and "start" in actions and "die" in actions
    assert {e.name for e in events if e.id == c["id"]} == {c["name"]}


def test_events_stream_closes_from_another_thread(backend, docker_engine):
    stream = backend.events()
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(stream), daemon=True)
    reader.start()
    docker_engine.run(["true"])
    wait_until(lambda: seen, what="an event")
    stream.close()
    reader.join(5)
    assert not reader.is_alive()


@pytest.mark.parametrize(("verb", "before", "after"), [
    ("stop", "running", "exited"),
    ("start", "exited", "running"),
    ("restart", "running", "running"),
    ("kill", "running", "exited"),
    ("pause", "running", "paused"),
    ("unpause", "paused", "running"),
])
def test_each_action(backend, docker_engine, verb, before, after):
    c = docker_engine.run()
    if before == "exited":
        docker_engine.client.stop(c["id"], timeout=0)
    if before == "paused":
        docker_engine.client.pause(c["id"])
    docker_engine.wait_state(c["id"], before)
    started = docker_engine.inspect(c["id"])["State"]["StartedAt"]
    getattr(backend, verb)(c["id"], timeout=15)
    row = backend.wait_for(c["id"], {after}, time.monotonic() + 15)
    assert row.state == after
    if verb == "restart":
        assert docker_engine.inspect(c["id"])["State"]["StartedAt"] != started


def test_remove_running_needs_force(backend, docker_engine):
    c = docker_engine.run()
    with pytest.raises(Conflict):
        backend.remove(c["id"], timeout=15)
    backend.remove(c["id"], timeout=15, force=True)
    assert backend.wait_for(c["id"], (), time.monotonic() + 10, gone=True) is None


def test_errors_are_typed(backend, docker_engine):
    with pytest.raises(NotFound) as missing:
        backend.start("no-such-container", timeout=5)
    assert missing.value.source == "docker.start"
    stopped = docker_engine.run(["true"])
    docker_engine.wait_state(stopped["id"], "exited")
    with pytest.raises(Conflict):
        backend.pause(stopped["id"], timeout=5)


def test_exec_command_prefers_bash_else_sh(backend, docker_engine):
    c = docker_engine.run()
    argv = backend.exec_command(c["id"])
    assert argv[-5:-1] == [docker_engine.host, "exec", "-it", c["id"]]
    has_bash = "bash" in docker_engine.client.exec_start(
        docker_engine.client.exec_create(c["id"], ["ls", "/bin"])["Id"]).decode()
    assert argv[-1] == ("/bin/bash" if has_bash else "sh")


def test_engine_down_is_unavailable_then_back(backend, docker_engine):
    c = docker_engine.run()
    assert by_name(backend, c["name"]) is not None
    docker_engine.stop()
    with pytest.raises(Unavailable) as down:
        backend.list_containers()
    assert down.value.source == "docker.list_containers"
    docker_engine.start()
    assert any(x.id == c["id"] for x in backend.list_containers())


def test_unreachable_host_is_unavailable(tmp_path):
    b = DockerBackend(Config(docker=DockerConfig(host=f"unix://{tmp_path}/none.sock", timeout=2)))
    with pytest.raises(Unavailable) as exc:
        b.connect()
    assert exc.value.source == "docker.connect"


def test_mutations_are_declared():
    assert DockerBackend.MUTATIONS == {"start", "stop", "restart", "kill", "pause", "unpause", "remove"}
    cfg = dataclasses.replace(Config(), docker=DockerConfig(host="unix:///x"))
    assert DockerBackend(cfg).host.source == "config"


def test_inspects_are_cached_only_while_a_live_events_stream_invalidates_them(backend, docker_engine):
    a, b = docker_engine.run(), docker_engine.run()
    backend.snapshot(stats=False)
    calls = backend.inspect_calls
    backend.snapshot(stats=False)
    assert backend.inspect_calls - calls >= 2  # no live stream: every container inspected again
    stream = backend.events(filters={"type": ["container"]})
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(stream), daemon=True)
    reader.start()
    backend.snapshot(stats=False)
    calls = backend.inspect_calls
    backend.snapshot(stats=False)
    assert backend.inspect_calls == calls  # all from the cache
    docker_engine.client.pause(a["id"])
    wait_until(lambda: any(e.id == a["id"] and e.action == "pause" for e in seen), what="the pause event")
    rows = {c.id: c for c in backend.snapshot(stats=False).containers}
    assert rows[a["id"]].state == "paused" and rows[b["id"]].state == "running"
    assert backend.inspect_calls == calls + 1  # only the paused one
    stream.close()
    reader.join(5)
    assert len(backend.inspect_cache) == 0
    backend.snapshot(stats=False)
    assert backend.inspect_calls >= calls + 3  # no live stream any more: inspected again


def test_a_narrow_or_historical_stream_does_not_enable_the_cache(backend, docker_engine):
    docker_engine.run()
    for kwargs in ({"filters": {"type": ["container"], "event": ["start"]}}, {"since": time.time() - 5},
                   {"filters": {"label": "x=1"}}):
        stream = backend.events(**kwargs)
        backend.snapshot(stats=False)
        calls = backend.inspect_calls
        backend.snapshot(stats=False)
        assert backend.inspect_calls > calls, kwargs
        stream.close()
