"""Docker over ssh:// vs the local socket, and vs `docker -H ssh://`, same engine, same run.

Starts a private dockerd (tests/fixtures/dockerd.py) and a throwaway sshd on 127.0.0.1
(tests/fixtures/sshd.py; root, docker.io and openssh-server needed), runs N idle
containers, then times (medians over --runs):

- connect (opsconsole: the ssh check + version negotiation through the relay);
- list (inspecting every container) over the unix socket and over ssh://;
- `docker -H ssh://… ps -a` (the CLI, same ssh config) for reference.

    python benchmarks/docker_ssh.py [--containers 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.backends.docker import DockerBackend  # noqa: E402
from console.config import Config, DockerConfig  # noqa: E402
from tests.fixtures.dockerd import EngineUnavailable, start_engine  # noqa: E402
from tests.fixtures.sshd import start_sshd  # noqa: E402


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--containers", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    try:
        engine = start_engine()
    except EngineUnavailable as exc:
        print(f"skipped: {exc}")
        return 0
    server = proc = None
    try:
        server, proc = start_sshd(engine.host)
        os.environ["PATH"] = f"{server.client_bin}{os.pathsep}{os.environ['PATH']}"
        for i in range(args.containers):
            engine.run(name=f"bench-{i}")
        local = DockerBackend(Config(docker=DockerConfig(host=engine.host)))
        local.connect()

        def ssh_connect() -> None:
            b = DockerBackend(Config(docker=DockerConfig(host=server.url())))
            b.connect()
            b.close()

        remote = DockerBackend(Config(docker=DockerConfig(host=server.url())))
        remote.connect()
        t_connect = median_time(ssh_connect, args.runs)
        t_local = median_time(local.list_containers, args.runs)
        t_ssh = median_time(remote.list_containers, args.runs)
        cli = shutil.which("docker")
        t_cli = median_time(lambda: subprocess.run([cli, "-H", server.url(), "ps", "-a"], check=True,
                                                   capture_output=True, timeout=60), args.runs) if cli else float("nan")
        print(f"containers: {args.containers}, runs: {args.runs} (medians)")
        print(f"connect over ssh:// (check + negotiate): {t_connect * 1000:8.1f} ms")
        print(f"list, unix socket:                       {t_local * 1000:8.1f} ms")
        print(f"list, ssh:// (warm relay):               {t_ssh * 1000:8.1f} ms  ({t_ssh / t_local:.1f}x the socket)")
        print(f"docker -H ssh:// ps -a (CLI, cold ssh):  {t_cli * 1000:8.1f} ms")
        local.close()
        remote.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
            shutil.rmtree(server.directory, ignore_errors=True)
        engine.remove_test_containers()
        engine.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
