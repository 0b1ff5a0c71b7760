"""The kmock emulator (console/sandbox) in a child process, seeded with many pods.

``EmulatorProcess(pods, namespaces)`` starts it (spawned, so its CPU and memory are not
the measured program's), seeds it in batches and gives ``.url`` and ``.kubeconfig(path)``.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _serve(conn, pods: int, namespaces: int) -> None:
    from console.sandbox.kube import start_kube_emulator
    from console.sandbox.kube_seed import node, pod

    emu = start_kube_emulator(seed=False)
    now = datetime.now(UTC)
    emu.apply_many([node(f"node-{i:02d}", now) for i in range(20)])
    batch = []
    for i in range(pods):
        n = i % namespaces
        crashing = i % 17 == 0
        app = f"app-{i % 10}"
        batch.append(pod(f"team-{n:02d}", f"{app}-{i:05d}", f"registry.local/{app}:1.{i % 7}", now,
                         timedelta(minutes=i % 3000 + 1), labels={"app": app, "team": f"team-{n:02d}"},
                         ready=not crashing, restarts=7 if crashing else 0,
                         waiting="CrashLoopBackOff" if crashing else None,
                         last_terminated="Error" if crashing else None, node=f"node-{i % 20:02d}"))
        if len(batch) >= 1000:
            emu.apply_many(batch)
            batch = []
    if batch:
        emu.apply_many(batch)
    conn.send(emu.url)
    conn.recv()  # "stop"
    emu.stop()


class EmulatorProcess:
    def __init__(self, pods: int, namespaces: int) -> None:
        self.pods, self.namespaces = pods, namespaces
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("spawn").Process(target=_serve, args=(child, pods, namespaces), daemon=True)
        t0 = time.perf_counter()
        self.proc.start()
        if not self.conn.poll(600):
            raise RuntimeError("the kube emulator did not start and seed within 600 s")
        self.url = self.conn.recv()
        self.seed_s = time.perf_counter() - t0

    def kubeconfig(self, path: Path) -> Path:
        from console.sandbox.kube import write_kubeconfig

        return write_kubeconfig(path, self.url, (("bench", "default"),), "bench")

    def stop(self) -> None:
        try:
            self.conn.send("stop")
        except OSError:
            pass
        self.proc.join(15)
        if self.proc.is_alive():
            self.proc.kill()
