"""The Kubernetes sandbox: a kmock emulator on 127.0.0.1, usable from any thread.

``start_kube_emulator(seed=True)`` runs the emulator (console.sandbox.kube_emulator) in
a background thread with its own asyncio loop and returns a ``KubeEmulator`` handle
whose helpers are plain synchronous calls. It is what ``opsconsole --sandbox``, the
``kube`` test fixture and ``benchmarks/clusters.py`` use::

    emu = start_kube_emulator(seed=True)
    path = emu.write_kubeconfig(tmp / "kubeconfig")   # contexts sandbox-dev, sandbox-prod
    emu.patch("deployments", "shop", "web", {"spec": {"replicas": 5}})
    emu.append_log("shop", "web-7c9d-abcde", ["hello"])
    emu.stop()
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from kmock import Server

from console.fsutil import write_private
from console.sandbox.kube_emulator import KINDS, PLURAL_OF_KIND, SandboxKubeEmulator

DEFAULT_CONTEXTS = (("sandbox-dev", "shop"), ("sandbox-prod", "payments"))
START_TIMEOUT = 15.0
CALL_TIMEOUT = 30.0


class KubeEmulator:
    """Handle on a running emulator; every method is safe to call from any thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="kube-emulator", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopping: asyncio.Event | None = None
        self._server: Server | None = None
        self._port: int | None = None
        self.emulator: SandboxKubeEmulator | None = None
        self.controllers_on = False  # the minimal deployment controller (console.sandbox.kube_controller)
        self.controller_error = ""

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> KubeEmulator:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise RuntimeError(f"kube emulator did not start within {START_TIMEOUT:.0f}s")
        if self._error is not None:
            raise RuntimeError(f"kube emulator failed to start: {self._error}") from self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            self._error = exc
            self._ready.set()
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        self.emulator = SandboxKubeEmulator()
        async with self.emulator:
            await self._serve()
            controllers = asyncio.create_task(self._run_controllers())
            self._ready.set()
            await self._stopping.wait()
            controllers.cancel()
            await self._unserve()

    async def _run_controllers(self, interval: float = 0.25) -> None:
        from console.sandbox.kube_controller import DeploymentController

        controller = DeploymentController(self.emulator)
        while True:
            await asyncio.sleep(interval)
            if not self.controllers_on:
                continue
            try:
                await controller.sync()
            except (KeyError, ValueError, TypeError, AttributeError) as exc:  # a malformed object: keep serving
                self.controller_error = f"{type(exc).__name__}: {exc}"

    def enable_controllers(self, on: bool = True) -> None:
        """Run (or stop) the minimal deployment controller: rollouts and scale converge."""
        self.controllers_on = on

    async def _serve(self) -> None:
        self._server = Server(self.emulator, port=self._port)
        await self._server.__aenter__()
        self._port = self._server.port

    async def _unserve(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            dropper = asyncio.create_task(self._drop_requests_until_closed())
            try:
                await server.__aexit__(None, None, None)
            finally:
                dropper.cancel()

    async def _drop_requests_until_closed(self) -> None:
        """aiohttp waits for running handlers on shutdown: keep aborting them (watches never end)."""
        while True:
            self.emulator.drop_requests()
            await asyncio.sleep(0.02)

    def stop(self) -> None:
        if self._stopping is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(START_TIMEOUT)

    def take_down(self) -> None:
        """Stop answering on the port (the API is 'down'); the state is kept."""
        self._call(self._unserve)

    def bring_up(self) -> None:
        """Answer again on the same port, with the same state."""
        self._call(self._serve)

    @property
    def is_up(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("kube emulator is not running")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- running code on the loop ----------------------------------------------------------------
    def _call(self, fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
        future = asyncio.run_coroutine_threadsafe(fn(*args), self._loop)
        return future.result(CALL_TIMEOUT)

    def _sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        async def run() -> Any:
            return fn(*args)

        return self._call(run)

    # -- objects ------------------------------------------------------------------------
    def apply(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Create or replace ``obj`` (its ``kind`` names the resource); returns the stored copy."""
        return self.apply_many([obj])[0]

    def apply_many(self, objs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        async def run(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            emu, out = self.emulator, []
            async with emu._lock:
                for obj in items:
                    plural = PLURAL_OF_KIND.get(obj.get("kind", ""))
                    if plural is None:
                        raise ValueError(f"apply: unknown kind {obj.get('kind')!r} (known: {', '.join(sorted(PLURAL_OF_KIND))})")
                    meta = obj.get("metadata", {})
                    new = emu.stamp_new(plural, obj, meta.get("namespace"))
                    exists = emu.get_object(plural, new["metadata"].get("namespace"), new["metadata"]["name"])
                    out.append(copy.deepcopy(await emu.store(plural, new, "MODIFIED" if exists else "ADDED")))
            return out

        return self._call(run, [copy.deepcopy(o) for o in objs])

    def patch(self, plural: str, namespace: str | None, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into the object (strategic merge; None removes a key)."""
        from console.sandbox.kube_emulator import strategic_merge

        async def run() -> dict[str, Any]:
            emu = self.emulator
            async with emu._lock:
                old = emu.get_object(plural, namespace, name)
                if old is None:
                    raise KeyError(f"patch: {plural} {namespace}/{name} not found")
                new = emu.finish_update(plural, old, strategic_merge(old, changes), False)
                return copy.deepcopy(await emu.store(plural, new, "MODIFIED"))

        return self._call(run)

    def set_status(self, plural: str, namespace: str | None, name: str, status: dict[str, Any]) -> dict[str, Any]:
        return self.patch(plural, namespace, name, {"status": status})

    def delete(self, plural: str, namespace: str | None, name: str) -> None:
        async def run() -> None:
            emu = self.emulator
            async with emu._lock:
                obj = emu.get_object(plural, namespace, name)
                if obj is not None:
                    await emu.store(plural, copy.deepcopy(obj), "DELETED")

        self._call(run)

    def get(self, plural: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        obj = self._sync(lambda: self.emulator.get_object(plural, namespace, name))
        return copy.deepcopy(obj)

    def list(self, plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        return copy.deepcopy(self._sync(lambda: self.emulator.list_objects(plural, namespace)))

    def advance_deployment(self, namespace: str, name: str, ready: int | None = None) -> dict[str, Any]:
        """Pretend the controller caught up: status replicas = spec.replicas (or ``ready``)."""
        dep = self.get("deployments", namespace, name)
        if dep is None:
            raise KeyError(f"advance_deployment: deployments {namespace}/{name} not found")
        want = dep.get("spec", {}).get("replicas", 1)
        ready = want if ready is None else ready
        gen = dep["metadata"].get("generation", 1)
        return self.set_status("deployments", namespace, name, {
            "observedGeneration": gen, "replicas": want, "updatedReplicas": want,
            "readyReplicas": ready, "availableReplicas": ready,
            "unavailableReplicas": max(0, want - ready) or None,
        })

    def append_log(self, namespace: str, pod: str, lines: Iterable[str], container: str | None = None,
                   previous: bool = False, at: datetime | None = None) -> None:
        """Add lines to a container's log (the first container when not named)."""
        stamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        stored = [f"{stamp} {line}" for line in lines]

        async def run() -> None:
            name = container
            if name is None:
                obj = self.emulator.get_object("pods", namespace, pod) or {}
                containers = obj.get("spec", {}).get("containers", [])
                name = containers[0]["name"] if containers else ""
            await self.emulator.append_log(namespace, pod, name, stored, previous)

        self._call(run)

    # -- API server behaviour ------------------------------------------------------------------
    def compact(self) -> None:
        """Expire the watch history: resumed watches get 410 Gone and must relist."""
        self._sync(self.emulator.compact)

    def drop_watches(self) -> int:
        """Close every open watch/log stream; clients reconnect from their last version."""
        return self._sync(self.emulator.drop_watches)

    def reset(self) -> None:
        """Remove every object, log and watch history (a fresh, empty cluster, no controllers)."""
        self.controllers_on = False
        self._sync(self.emulator.reset_state)
        self.drop_watches()

    def request_count(self) -> int:
        return self._sync(lambda: len(self.emulator._requests))

    # -- kubeconfig ----------------------------------------------------------------------------
    def write_kubeconfig(self, path: str | Path, contexts: Iterable[tuple[str, str]] = DEFAULT_CONTEXTS,
                         current: str | None = None) -> Path:
        """A kubeconfig whose contexts (name, default namespace) all point at this emulator."""
        return write_kubeconfig(path, self.url, contexts, current)


def write_kubeconfig(path: str | Path, url: str, contexts: Iterable[tuple[str, str]] = DEFAULT_CONTEXTS,
                     current: str | None = None) -> Path:
    """A kubeconfig with one cluster at ``url`` and a context per (name, default namespace)."""
    contexts = list(contexts)
    doc = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "sandbox", "cluster": {"server": url}}],
        "users": [{"name": "sandbox-user", "user": {"token": "sandbox-token"}}],
        "contexts": [{"name": name, "context": {"cluster": "sandbox", "user": "sandbox-user", "namespace": ns}}
                     for name, ns in contexts],
        "current-context": current or contexts[0][0],
    }
    path = Path(path)
    write_private(path, yaml.safe_dump(doc, sort_keys=False))  # it holds the sandbox token
    return path


def start_kube_emulator(seed: bool = True, now: datetime | None = None, controllers: bool | None = None) -> KubeEmulator:
    """Start an emulator on a free loopback port; ``seed`` fills it with the sandbox estate;
    ``controllers`` (default: as ``seed``) runs the minimal deployment controller."""
    emu = KubeEmulator().start()
    emu.enable_controllers(seed if controllers is None else controllers)
    if seed:
        from console.sandbox.kube_seed import seed_estate

        seed_estate(emu, now=now)
    return emu


__all__ = ["DEFAULT_CONTEXTS", "KINDS", "KubeEmulator", "start_kube_emulator", "write_kubeconfig"]
