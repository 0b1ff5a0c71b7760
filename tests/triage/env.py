"""Sandbox data for the Triage tests: two live contexts and a dead one, AWS, Docker.

``triage_config`` writes a kubeconfig with ``sandbox-dev`` (ns shop) and
``sandbox-prod`` (ns payments) on the kmock emulator plus ``dead-eu`` on a closed
loopback port, and points AWS at the moto server (pipelines seeded, a cost spike in the
Costs cache) and Docker at ``docker_host`` (or a socket that does not exist).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

from console.config import AwsConfig, Config, DockerConfig
from console.triage.model import SourceMode

DEAD_CONTEXT = "dead-eu"
CHECKOUT_PREVIOUS = "registry.local/checkout:2.1.0"
CHECKOUT_BAD = "registry.local/checkout:2.2.0"


DEAD_PORT = 1  # nothing listens on 127.0.0.1:1: connection refused, at once, and the same text every run


def write_kubeconfig(path: Path, url: str) -> Path:
    doc = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "sandbox", "cluster": {"server": url}},
                     {"name": "dead", "cluster": {"server": f"http://127.0.0.1:{DEAD_PORT}"}}],
        "users": [{"name": "sandbox-user", "user": {"token": "sandbox-token"}}],
        "contexts": [{"name": "sandbox-dev", "context": {"cluster": "sandbox", "user": "sandbox-user", "namespace": "shop"}},
                     {"name": "sandbox-prod", "context": {"cluster": "sandbox", "user": "sandbox-user",
                                                          "namespace": "payments"}},
                     {"name": DEAD_CONTEXT, "context": {"cluster": "dead", "user": "sandbox-user", "namespace": "web"}}],
        "current-context": "sandbox-dev",
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def triage_config(kube, tmp_path: Path, aws_url: str | None = None, docker_host: str | None = None,
                  theme: str = "opsconsole-dark") -> Config:
    path = write_kubeconfig(tmp_path / "triage-kubeconfig", kube.emu.url)
    cfg = kube.config
    return dataclasses.replace(
        cfg,
        general=dataclasses.replace(cfg.general, theme=theme),
        kubernetes=dataclasses.replace(cfg.kubernetes, kubeconfig=str(path), context="sandbox-dev",
                                       triage_contexts=("sandbox-*", "dead-*"), timeout=10.0),
        aws=AwsConfig(region="us-east-1", endpoint_url=aws_url) if aws_url else cfg.aws,
        docker=DockerConfig(host=docker_host or "unix:///nonexistent/docker.sock", timeout=5.0),
    )


def spike_costs(aws, today: date, factor: float = 3.4) -> None:
    """The sandbox's month of costs with EC2 ``factor`` times higher yesterday than the day before."""
    from console.sandbox.aws import cost_results

    results = cost_results(today)
    daily = results[0]
    yesterday, before = (today - timedelta(days=1)).isoformat(), (today - timedelta(days=2)).isoformat()
    amounts = {}
    for period in daily["ResultsByTime"]:
        for g in period.get("Groups") or []:
            if g["Keys"][0] == "Amazon Elastic Compute Cloud - Compute":
                amounts[period["TimePeriod"]["Start"]] = g
    base = float(amounts[before]["Metrics"]["UnblendedCost"]["Amount"])
    amounts[yesterday]["Metrics"]["UnblendedCost"]["Amount"] = f"{base * factor:.4f}"
    aws.inject_cost_results(json.loads(json.dumps(results)))


def warm_costs_cache(config: Config) -> None:
    """What opening the Costs tab does: one report, cached on disk."""
    from console.backends.aws import AwsBackend

    backend = AwsBackend(config)
    backend.connect()
    backend.cost_report()
    backend.close()


def settled(tab) -> bool:
    return bool(tab.states) and all(s.mode is not SourceMode.LOADING for s in tab.states.values()) \
        and any(k.startswith("kube:sandbox") for k in tab.states)


def today() -> date:
    from console import clock

    return datetime.fromtimestamp(clock.now(), UTC).date()
