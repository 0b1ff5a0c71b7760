"""Docker over ssh:// through the system ssh binary, against a loopback sshd with a
throwaway key: ssh config (Port, User, IdentityFile, UserKnownHostsFile) honoured,
failures named, no ssh process left behind."""

from __future__ import annotations

import pytest

from console.backends.docker import DockerBackend
from console.backends.docker_ssh import ssh_command
from console.config import Config, DockerConfig
from console.errors import InvalidInput, OpsError, TimedOut, Unavailable
from tests.fixtures.dockerd import wait_until

pytestmark = pytest.mark.docker


def backend(url: str, timeout: float = 10.0) -> DockerBackend:
    return DockerBackend(Config(docker=DockerConfig(host=url, timeout=timeout)))


def test_ssh_alias_from_ssh_config_reaches_the_engine(ssh_docker, docker_engine):
    container = docker_engine.run(name="over-ssh")["id"]
    b = backend(ssh_docker.url())  # no port, no user in the URL: the ssh config gives them
    try:
        info = b.connect()
        assert info.version == docker_engine.client.version()["Version"]
        assert info.extra["host"] == "ssh://opsconsole-test"
        names = {c.name for c in b.list_containers()}
        assert "over-ssh" in names
        assert b.inspect(container).summary.name == "over-ssh"
        b.restart(container, timeout=20)  # a mutation with its own timeout, over ssh too
        docker_engine.wait_state(container, "running")
    finally:
        b.close()
    wait_until(lambda: not ssh_docker.ssh_processes(), timeout=10, what="ssh processes gone after close")


def test_many_containers_at_once_stay_under_sshd_limits(ssh_docker, docker_engine):
    """The tab inspects and samples every container concurrently: over ssh that is one ssh
    connection each, and sshd drops new ones past MaxStartups (10 by default)."""
    ids = {docker_engine.run(name=f"many-{i}")["id"] for i in range(16)}
    b = backend(ssh_docker.url())
    try:
        b.connect()
        snapshot = b.snapshot(all=True)
        assert ids <= {c.id for c in snapshot.containers}
        assert ids <= set(snapshot.stats)  # one stats sample per running container, over ssh
    finally:
        b.close()


def test_user_and_port_in_the_url(ssh_docker):
    b = backend(ssh_docker.url(user=ssh_docker.user, with_port=True))
    try:
        assert b.connect().version
    finally:
        b.close()


def test_refused_login_is_named_and_fails_fast(ssh_docker):
    b = backend(ssh_docker.url(user="nobody-here"))
    with pytest.raises(Unavailable) as err:
        b.connect()
    assert "ssh failed" in str(err.value) and "Permission denied" in str(err.value)
    assert "ssh://nobody-here@opsconsole-test" in str(err.value)
    b.close()


def test_unknown_host_key_is_refused(ssh_docker, tmp_path):
    (ssh_docker.directory / "known_hosts").rename(tmp_path / "known_hosts")
    try:
        b = backend(ssh_docker.url())
        with pytest.raises(OpsError) as err:
            b.connect()
        assert "Host key verification failed" in str(err.value) or "host key" in str(err.value).lower()
        b.close()
    finally:
        (tmp_path / "known_hosts").rename(ssh_docker.directory / "known_hosts")


def test_ssh_command_is_what_docker_cli_runs():
    argv = ssh_command("ssh://deploy@build-1:2222", 10.0)
    assert argv[:2] == ["ssh", "-T"] and "BatchMode=yes" in argv and "ConnectTimeout=10" in argv
    assert argv[-6:] == ["-p", "2222", "--", "build-1", "docker", "system", "dial-stdio"][-6:]
    assert ["-l", "deploy"] == argv[argv.index("-l"):argv.index("-l") + 2]
    assert ssh_command("ssh://build-1", 3)[-4:] == ["build-1", "docker", "system", "dial-stdio"]
    with pytest.raises(InvalidInput, match="takes no path"):
        ssh_command("ssh://build-1/var/run/docker.sock", 3)


def test_a_host_that_never_answers_times_out(ssh_docker, docker_engine):
    """The SDK's own ssh pipe ignores its timeout; the relay's real socket does not."""
    container = docker_engine.run(name="stuck-host")["id"]
    b = backend(ssh_docker.url())  # the default timeout: a loaded machine's ssh handshake takes seconds
    try:
        b.connect()
        ssh_docker.hang_flag.touch()  # from now on every new ssh connection hangs
        with pytest.raises(TimedOut):
            b.restart(container, timeout=3)  # a new connection (its own timeout) to a stuck remote
        stuck = backend(ssh_docker.url(), timeout=4.0)
        with pytest.raises(TimedOut, match="ssh did not answer"):
            stuck.connect()
        stuck.close()
    finally:
        ssh_docker.hang_flag.unlink(missing_ok=True)
        b.close()
    wait_until(lambda: not ssh_docker.ssh_processes(), timeout=10, what="ssh processes gone after close")
