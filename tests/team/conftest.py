"""Fixtures of the team-on-call tests: a Kubernetes API to take Leases on, parametrized.

``kube_api`` runs each lease contract test on every Kubernetes API available here: the
kmock emulator today; the real control plane (etcd + kube-apiserver, tests/fixtures/) is
one more param when its fixture is there — the tests only use ``KubeApi``'s interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from console.config import Config

KUBE_APIS = ["kmock"]  # tests that need the sandbox estate (seed()) run on the emulator
LEASE_APIS = ["kmock", "real"]  # the Lease contract also on the real API server (tests/fixtures/kube_real.py)


@dataclass
class KubeApi:
    name: str
    config: Config  # kubernetes section pointing at the API server, context with namespace "shop"
    env: Any = None

    def http(self, timeout: float = 5.0):
        from console.backends.kube_client import make_api_client
        from console.backends.kube_http import KubeHttp

        return KubeHttp(make_api_client(self.config), timeout)

    def seed(self) -> None:
        """The sandbox estate (deployments web, checkout… in "shop")."""
        self.env.seed()


@pytest.fixture(params=KUBE_APIS)
def kube_api(request) -> KubeApi:
    return make_kube_api(request)


@pytest.fixture(params=LEASE_APIS)
def lease_api(request) -> KubeApi:
    return make_kube_api(request)


def make_kube_api(request) -> KubeApi:
    if request.param == "kmock":
        env = request.getfixturevalue("kube")
        return KubeApi("kmock", env.config, env)
    if request.param == "real":
        real = request.getfixturevalue("kube_real")
        plane = real.plane
        # the lease tests name namespace "shop" (as the sandbox does): make it, and start it empty
        plane.request("POST", "/api/v1/namespaces", {"metadata": {"name": "shop"}}, ok=(200, 201, 409))
        plane.request("DELETE", "/apis/coordination.k8s.io/v1/namespaces/shop/leases", ok=(200, 202, 404))
        return KubeApi("real", real.with_context("real-admin", "shop"), real)
    raise pytest.UsageError(f"unknown Kubernetes API {request.param}")
