"""The sandbox emulator's minimal deployment controller: rollouts and scale converge."""

from __future__ import annotations

import time

import pytest

from console.backends.kubernetes import KubernetesBackend
from console.backends.rollout import RolloutBackend
from console.errors import TimedOut
from console.models.rollout import Phase


@pytest.fixture
def sandbox(kube):
    kube.seed()
    kube.emu.enable_controllers(True)
    return kube


def test_rollback_of_the_crash_looping_deployment_converges_and_marks_the_revision_healthy(sandbox):
    rollout = RolloutBackend(sandbox.config)
    try:
        rollout.rollback("shop", "checkout", 2, timeout=5.0)
        snaps = list(rollout.watch_rollout("shop", "checkout", timeout=30.0, interval=0.25))
        assert snaps[-1].phase is Phase.COMPLETE, snaps[-1].progress_text
        history = rollout.history("shop", "checkout")
        current = next(r for r in history if r.current)
        assert current.number == 4 and current.images == (("checkout", "registry.local/checkout:2.1.0"),)
        assert (current.ready, current.replicas) == (2, 2)
        assert [r.number for r in history] == [4, 3, 1]  # revision 2 moved to 4, as kubectl does
        old = next(r for r in history if r.number == 3)
        assert old.replicas == 0
    finally:
        rollout.close()


def test_scale_is_verified_when_the_new_pods_become_ready(sandbox):
    b = KubernetesBackend(sandbox.config)
    b.connect()
    try:
        notes: list[str] = []
        b.scale("deployments", "shop", "web", 5, timeout=5.0)
        b.verify_scale("deployments", "shop", "web", 5, notes.append, time.monotonic() + 30)
        assert notes and notes[0] != "ready 5/5, 5 pod(s)"
        b.scale("deployments", "shop", "web", 2, timeout=5.0)
        b.verify_scale("deployments", "shop", "web", 2, notes.append, time.monotonic() + 30)
        assert len(sandbox.emu.list("pods", "shop")) == len(
            [p for p in sandbox.emu.list("pods", "shop") if not p["metadata"]["name"].startswith("web-")]) + 2
    finally:
        b.close()


def test_a_crash_looping_image_never_verifies(sandbox):
    b = KubernetesBackend(sandbox.config)
    b.connect()
    try:
        b.scale("deployments", "shop", "checkout", 3, timeout=5.0)
        with pytest.raises(TimedOut, match="ready 0/3"):
            b.verify_scale("deployments", "shop", "checkout", 3, lambda _: None, time.monotonic() + 3)
    finally:
        b.close()
