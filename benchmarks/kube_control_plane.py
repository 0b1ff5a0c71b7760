"""The real Kubernetes test control plane: how long it takes to start, and a scale to converge.

Prints the time to each readiness point (etcd /health, kube-apiserver /readyz, aggregated
RBAC roles), the whole start, a Deployment scaled 1 → 5 until verified through the test
kubelet, and the stop. Needs ``KUBEBUILDER_ASSETS`` (e.g. ../shared/kube/bin); prints why
not and exits 0 without it, so ``make bench`` runs everywhere.

    KUBEBUILDER_ASSETS=../shared/kube/bin .venv/bin/python benchmarks/kube_control_plane.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    assets = os.environ.get("KUBEBUILDER_ASSETS", "")
    if not assets:
        print("kube_control_plane: KUBEBUILDER_ASSETS is not set; nothing measured")
        return 0
    from tests.fixtures.kube_control_plane import ControlPlane
    from tests.fixtures.kube_kubelet import TestKubelet, make_nodes

    marks: list[tuple[str, float]] = []

    class Timed(ControlPlane):
        def _wait(self, check, what: str) -> None:
            super()._wait(check, what)
            marks.append((what, time.monotonic()))

    started = time.monotonic()
    plane = Timed(Path(assets).resolve(), Path(tempfile.mkdtemp(prefix="kube-bench-")))
    plane.start()
    make_nodes(plane)
    ready_at = time.monotonic()
    kubelet = TestKubelet(plane).start()
    try:
        for what, at in marks:
            print(f"{what:<28} {at - started:6.2f} s")
        print(f"{'control plane + nodes':<28} {ready_at - started:6.2f} s")
        converge = time.monotonic()
        scale_and_verify(plane)
        print(f"{'scale 1 → 5 verified':<28} {time.monotonic() - converge:6.2f} s")
    finally:
        kubelet.stop()
        stopping = time.monotonic()
        plane.stop()
        print(f"{'stop':<28} {time.monotonic() - stopping:6.2f} s")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


def scale_and_verify(plane) -> None:
    import dataclasses

    from console.backends.kubernetes import KubernetesBackend
    from console.config import Config

    plane.request("POST", "/api/v1/namespaces", {"metadata": {"name": "bench"}})
    deadline = time.monotonic() + 60
    while plane.request("GET", "/api/v1/namespaces/bench/serviceaccounts/default", ok=(200, 404)).get("kind") is None:
        if time.monotonic() > deadline:
            raise SystemExit("no default serviceaccount in namespace bench")
        time.sleep(0.1)
    plane.request("POST", "/apis/apps/v1/namespaces/bench/deployments", {
        "metadata": {"name": "web"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                                              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                                                  "containers": [{"name": "app", "image": "registry.local/web:1"}]}}}})
    path = plane.write_kubeconfig(plane.workdir / "bench.kubeconfig", [("bench", "admin", "bench")])
    base = Config()
    config = dataclasses.replace(base, kubernetes=dataclasses.replace(base.kubernetes, kubeconfig=str(path),
                                                                        context="bench"))
    backend = KubernetesBackend(config)
    backend.connect()
    try:
        backend.scale("deployments", "bench", "web", 5, timeout=10.0)
        backend.verify_scale("deployments", "bench", "web", 5, lambda _: None, time.monotonic() + 120)
    finally:
        backend.close()


if __name__ == "__main__":
    raise SystemExit(main())
