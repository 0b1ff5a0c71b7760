"""Rollout timeouts and poll intervals come from the config, not constants."""

from __future__ import annotations

from console.actions.aws_ecs import EcsRolloutFlow
from console.actions.kubernetes_rollout import KubeRolloutFlow
from console.backends.ecs_deploy import EcsDeployBackend
from console.backends.rollout import RolloutBackend
from console.config import AwsConfig, Config, KubernetesConfig
from screens.rollout_watch import RolloutWatchScreen


def test_kube_flow_uses_rollout_timeout_and_poll_seconds():
    cfg = Config(kubernetes=KubernetesConfig(rollout_timeout=42.0, rollout_poll_seconds=0.25))
    flow = KubeRolloutFlow(RolloutBackend(cfg), "shop", "web")
    assert flow.verify_timeout == 42.0
    assert flow.watch_interval == 0.25
    explicit = KubeRolloutFlow(RolloutBackend(cfg), "shop", "web", watch_interval=0.05, verify_timeout=5)
    assert (explicit.watch_interval, explicit.verify_timeout) == (0.05, 5.0)


def test_defaults_match_the_documented_config():
    flow = KubeRolloutFlow(RolloutBackend(Config()), "shop", "web")
    assert (flow.verify_timeout, flow.watch_interval) == (600.0, 1.0)
    assert EcsRolloutFlow(EcsDeployBackend(Config()), "c", "s").verify_timeout == 900.0


def test_ecs_flow_uses_ecs_deploy_timeout():
    cfg = Config(aws=AwsConfig(ecs_deploy_timeout=77.0))
    assert EcsRolloutFlow(EcsDeployBackend(cfg), "c", "s").verify_timeout == 77.0


def test_watch_screen_without_a_timeout_takes_the_flows():
    screen = RolloutWatchScreen(lambda: None)
    assert screen.timeout is None  # resolved from flow.verify_timeout when the watch starts
