"""Which engine the adapter talks to: config, DOCKER_HOST, docker contexts, the default socket."""

from __future__ import annotations

import hashlib
import json

import pytest

from console.backends.docker import DockerBackend
from console.backends.docker_hosts import DEFAULT_HOST, resolve_host, switchable_hosts
from console.config import Config, DockerConfig
from console.errors import InvalidInput


def write_context(docker_dir, name, host):
    meta = docker_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {},
                                                "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}))


@pytest.fixture
def docker_dir(isolated_env, monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    path = isolated_env / ".docker"
    path.mkdir()
    return path


def test_default_socket_without_anything(docker_dir):
    host = resolve_host(Config())
    assert (host.host, host.source) == (DEFAULT_HOST, "default")


def test_config_beats_env_beats_context(docker_dir, monkeypatch):
    write_context(docker_dir, "remote", "tcp://10.0.0.5:2376")
    (docker_dir / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    assert resolve_host(Config()).host == "tcp://10.0.0.5:2376"
    assert resolve_host(Config()).source == "context"
    monkeypatch.setenv("DOCKER_HOST", "unix:///env.sock")
    assert resolve_host(Config()).host == "unix:///env.sock"
    assert resolve_host(Config(docker=DockerConfig(host="unix:///cfg.sock"))).host == "unix:///cfg.sock"


def test_docker_context_env_selects_a_context(docker_dir, monkeypatch):
    write_context(docker_dir, "ci", "unix:///ci.sock")
    monkeypatch.setenv("DOCKER_CONTEXT", "ci")
    assert resolve_host(Config()).name == "ci"


def test_switchable_hosts_lists_config_env_contexts_once(docker_dir, monkeypatch):
    write_context(docker_dir, "a", "unix:///a.sock")
    write_context(docker_dir, "dup", "unix:///extra.sock")
    monkeypatch.setenv("DOCKER_HOST", "unix:///env.sock")
    cfg = Config(docker=DockerConfig(host="unix:///cfg.sock", hosts=("unix:///extra.sock",)))
    hosts = switchable_hosts(cfg)
    assert [h.host for h in hosts] == ["unix:///cfg.sock", "unix:///extra.sock", "unix:///env.sock",
                                       "unix:///a.sock", DEFAULT_HOST]
    assert hosts[0].source == "config" and DockerBackend(cfg).hosts() == hosts


def test_broken_docker_settings_are_named(docker_dir):
    (docker_dir / "config.json").write_text("{not json")
    with pytest.raises(InvalidInput) as exc:
        resolve_host(Config())
    assert "config.json" in str(exc.value)
    (docker_dir / "config.json").write_text(json.dumps({"currentContext": "gone"}))
    with pytest.raises(InvalidInput) as exc:
        resolve_host(Config())
    assert "'gone'" in str(exc.value)
    assert switchable_hosts(Config())[-1].host == DEFAULT_HOST  # still offers the others
