"""`--sandbox` leaves no kubeconfig (it holds a token) behind in the temp dir."""

from __future__ import annotations

import stat
from pathlib import Path

from console.config import Config
from console.sandbox import start_sandbox
from tests.hostile.deadline import within


def test_stop_removes_the_sandbox_kubeconfig_and_its_directory():
    config, stop = within(120, start_sandbox, Config())
    kubeconfig = Path(config.kubernetes.kubeconfig)
    try:
        assert kubeconfig.is_file()
        assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o600
        assert stat.S_IMODE(kubeconfig.parent.stat().st_mode) == 0o700
    finally:
        within(60, stop)
    assert not kubeconfig.exists() and not kubeconfig.parent.exists()
