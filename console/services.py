"""The adapters the App hands to its tabs (constructor injection, no globals).

Adapter modules import heavy SDKs, so they are imported here lazily, the first time a
tab asks for its backend, and that happens inside a thread worker after the first
frame is painted.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import threading
from typing import TYPE_CHECKING, Any

from console.config import Config

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.aws import AwsBackend
    from console.backends.docker import DockerBackend
    from console.backends.kubernetes import KubernetesBackend

# backend name -> "module:Class"; each class takes the Config as its only argument.
ADAPTERS = {
    "docker": "console.backends.docker:DockerBackend",
    "kubernetes": "console.backends.kubernetes:KubernetesBackend",
    "aws": "console.backends.aws:AwsBackend",
    "rollout": "console.backends.rollout:RolloutBackend",
    "ecs_deploy": "console.backends.ecs_deploy:EcsDeployBackend",
}


class Services:
    """Owns one adapter per backend, created on first use, replaced on switch."""

    def __init__(self, config: Config, factories: dict[str, Any] | None = None) -> None:
        self.config = config
        self._factories = dict(factories or {})
        self._adapters: dict[str, Any] = {}
        self._contexts: dict[str, Any] = {}  # context -> its own KubernetesBackend (kubernetes_for)
        self._lock = threading.Lock()

    def get(self, name: str) -> Any:
        """The adapter for ``name``, created (not connected) on first call. Thread-safe."""
        with self._lock:
            adapter = self._adapters.get(name)
            if adapter is None:
                adapter = self._adapters[name] = self._create(name)
            return adapter

    def _create(self, name: str) -> Any:
        factory = self._factories.get(name)
        if factory is None:
            module, _, cls = ADAPTERS[name].partition(":")
            factory = getattr(importlib.import_module(module), cls)
        return factory(self.config)

    def replace(self, name: str, config: Config) -> Any:
        """Switch a backend to new settings (another host, context or profile)."""
        with self._lock:
            old = self._adapters.pop(name, None)
        if old is not None:
            old.close()
        self.config = config
        return self.get(name)

    def docker(self) -> "DockerBackend":
        return self.get("docker")

    def kubernetes(self) -> "KubernetesBackend":
        return self.get("kubernetes")

    def aws(self) -> "AwsBackend":
        return self.get("aws")

    def kubernetes_for(self, context: str) -> "KubernetesBackend":
        """A Kubernetes backend owned by Services for ``context`` (views over several contexts:
        Triage, Clusters' ``:ctx a,b``). Created lazily, not connected, with its own watch
        caches; it survives ``replace("kubernetes")`` and is closed by ``close()``."""
        with self._lock:
            adapter = self._contexts.get(context)
            if adapter is None:
                kube = dataclasses.replace(self.config.kubernetes, context=context)
                factory = self._factories.get("kubernetes")
                if factory is None:
                    module, _, cls = ADAPTERS["kubernetes"].partition(":")
                    factory = getattr(importlib.import_module(module), cls)
                adapter = self._contexts[context] = factory(dataclasses.replace(self.config, kubernetes=kube))
            return adapter

    def close(self) -> None:
        with self._lock:
            adapters, self._adapters = list(self._adapters.values()) + list(self._contexts.values()), {}
            self._contexts = {}
        for adapter in adapters:
            try:
                adapter.close()
            except Exception as exc:  # noqa: BLE001 - closing one must never stop the others
                logging.getLogger(__name__).warning("closing %s failed: %s", adapter, exc)
