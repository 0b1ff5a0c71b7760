"""Every Docker call is bounded: against an engine that accepts the connection and never
answers, list, detail, logs, connect and each action end with a message naming the call."""

from __future__ import annotations

import pytest

from console.backends.docker import DockerBackend
from console.config import Config, DockerConfig
from console.errors import OpsError
from tests.hostile.deadline import within
from tests.hostile.silent import FreezableProxy

pytestmark = pytest.mark.docker


@pytest.fixture
def frozen_engine(docker_engine, tmp_path):
    proxy = FreezableProxy.unix(docker_engine.host.removeprefix("unix://"), str(tmp_path / "frozen.sock"))
    backend = DockerBackend(Config(docker=DockerConfig(host=proxy.address, timeout=1.5)))
    backend.connect()
    c = docker_engine.run(name="bounded")
    proxy.freeze()
    yield backend, c["id"]
    proxy.close()
    backend.close()


def expect_message(call, *args, **kwargs) -> OpsError:
    def run():
        try:
            call(*args, **kwargs)
        except OpsError as exc:
            return exc
        raise AssertionError(f"{call.__name__} answered although the engine is frozen")

    exc = within(60, run)
    assert exc.title and str(exc), exc
    return exc


def test_reads_time_out_with_a_message(frozen_engine):
    backend, cid = frozen_engine
    for call, args in ((backend.list_containers, ()), (backend.snapshot, ()), (backend.inspect, (cid,)),
                       (backend.logs, (cid,))):
        exc = expect_message(call, *args)
        assert exc.source.startswith("docker."), (call.__name__, exc)


def test_streams_and_connect_time_out_with_a_message(frozen_engine):
    backend, cid = frozen_engine
    expect_message(backend.follow_logs, cid)
    expect_message(backend.events)
    exc = expect_message(backend.connect)
    assert "docker.connect" in exc.source


@pytest.mark.parametrize("verb", sorted(DockerBackend.MUTATIONS))
def test_each_action_times_out_with_a_message(frozen_engine, verb):
    backend, cid = frozen_engine
    exc = expect_message(getattr(backend, verb), cid, timeout=2.0)
    assert exc.source == f"docker.{verb}", exc
