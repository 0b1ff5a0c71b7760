"""`opsconsole --sandbox`: in-process AWS (moto) and Kubernetes (kmock) on 127.0.0.1.

Both are seeded with a small realistic estate, the adapters are pointed at them, and the
local Docker engine is used when reachable. ``start_sandbox`` runs in a worker thread;
the returned ``stop`` tears both down and removes the sandbox's temporary directory (its
kubeconfig holds a token); an ``atexit`` hook removes it too if ``stop`` never ran.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from console.config import Config

SANDBOX_CONTEXT = "sandbox-dev"


def start_sandbox(config: Config) -> tuple[Config, Callable[[], None]]:
    from console.sandbox.aws import start_aws_emulator
    from console.sandbox.kube import start_kube_emulator

    workdir = Path(tempfile.mkdtemp(prefix="opsconsole-sandbox-"))  # mode 0700

    def remove_workdir() -> None:
        shutil.rmtree(workdir, ignore_errors=True)

    atexit.register(remove_workdir)
    stops: list[Callable[[], None]] = [remove_workdir]
    try:
        aws = start_aws_emulator(seed=True)
        stops.append(aws.stop)
        kube = start_kube_emulator(seed=True)
        stops.append(kube.stop)
        kubeconfig = kube.write_kubeconfig(workdir / "kubeconfig")
        os.chmod(kubeconfig, 0o600)
    except BaseException:
        for stop in reversed(stops):
            stop()
        raise
    # moto accepts any credentials; these never leave this process.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sandbox")
    new = dataclasses.replace(
        config,
        kubernetes=dataclasses.replace(config.kubernetes, kubeconfig=str(kubeconfig),
                                       context=config.kubernetes.context or SANDBOX_CONTEXT,
                                       triage_contexts=config.kubernetes.triage_contexts or ("*",)),
        aws=dataclasses.replace(config.aws, endpoint_url=aws.url, region=config.aws.region or "us-east-1",
                                profile=None),
        # sandbox actions are not real: keep their records apart from the operator's own
        changelog=dataclasses.replace(
            config.changelog,
            path=config.changelog.path or str(config.state_dir / "sandbox-changelog.md"),
            audit_path=config.changelog.audit_path or str(config.state_dir / "sandbox-audit.jsonl"),
        ),
        sandbox=True,
    )

    def stop() -> None:
        try:
            for fn in reversed(stops[1:]):
                fn()
        finally:
            remove_workdir()
            atexit.unregister(remove_workdir)

    return new, stop
