"""The backends the App hands to its tabs (constructor injection, no globals).

``Services`` owns exactly three backend objects, one per backend:

- ``docker()``: the Docker engine (host);
- ``kubernetes()``: the current kube context; its rollout part (``kubernetes().rollout``)
  shares the same client and context;
- ``aws()``: one boto3 session (profile, region, account); its ECS, pipelines, costs and
  waste parts (``aws().ecs``, ``.pipelines``, ``.costs``, ``.waste``) share that session.

``kubernetes_for(context)`` adds one owned backend per *extra* kube context (the
multi-context Triage view); they are closed on ``close()`` and on a Kubernetes switch.

``switch(backend, **changes)`` is the only way to change the Docker host, the kube context
or namespace scope, or the AWS profile or region: it closes the old object and all its
parts, bumps that backend's generation, and calls the listeners once (the App turns that
into one message every tab of that backend handles). Every result a tab paints carries the
generation it was fetched for, and the runner refuses a spec built on an older one.

Adapter modules import heavy SDKs, so they are imported here lazily, the first time a tab
asks for its backend, and that happens inside a thread worker after the first frame.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from console.config import Config
from console.errors import InvalidInput

if TYPE_CHECKING:  # pragma: no cover
    from console.backends.aws import AwsBackend
    from console.backends.docker import DockerBackend
    from console.backends.kubernetes import KubernetesBackend

log = logging.getLogger(__name__)

BackendName = Literal["docker", "kubernetes", "aws"]
BACKENDS: tuple[str, ...] = ("docker", "kubernetes", "aws")

# backend name -> "module:Class"; each class takes the Config as its only argument.
ADAPTERS = {
    "docker": "console.backends.docker:DockerBackend",
    "kubernetes": "console.backends.kubernetes:KubernetesBackend",
    "aws": "console.backends.aws:AwsBackend",
}

# what switch() may change, per backend: keyword -> the config field it sets
SWITCHABLE: dict[str, dict[str, str]] = {
    "docker": {"host": "host"},
    "kubernetes": {"context": "context", "namespace": "namespace"},
    "aws": {"profile": "profile", "region": "region"},
}

@dataclasses.dataclass(frozen=True)
class Switched:
    """What a switch tells the listeners: which backend, its new generation, where now."""

    backend: str
    generation: int
    where: str  # e.g. "context sandbox-prod", "profile prod/eu-west-1", "host ssh://ops@db1"


SwitchListener = Callable[[Switched], None]


def _check_name(name: str) -> None:
    if name not in ADAPTERS:
        raise InvalidInput(f"unknown backend {name!r} (known: {', '.join(BACKENDS)})", source="services")


class Services:
    """Owns one backend object per backend, created on first use, replaced on switch."""

    def __init__(self, config: Config, factories: dict[str, Callable[[Config], Any]] | None = None) -> None:
        self.config = config
        self._factories = dict(factories or {})
        unknown = sorted(set(self._factories) - set(ADAPTERS))
        if unknown:
            raise InvalidInput(f"Services factories: unknown backend(s) {', '.join(unknown)} "
                               f"(known: {', '.join(BACKENDS)})", source="services")
        self._adapters: dict[str, Any] = {}
        self._extra_kube: dict[str, Any] = {}  # context -> its own KubernetesBackend (kubernetes_for)
        self._generations: dict[str, int] = dict.fromkeys(BACKENDS, 0)
        self._listeners: list[SwitchListener] = []
        self._lock = threading.RLock()

    # -- the three backends ---------------------------------------------------------------
    def get(self, name: str) -> Any:
        """The backend ``name`` ("docker" | "kubernetes" | "aws"), created (not connected)
        on first call. Thread-safe. Prefer the typed ``docker()``/``kubernetes()``/``aws()``."""
        return self.current(name)[0]

    def current(self, name: str) -> tuple[Any, int]:
        """The backend ``name`` and its generation, read together (no switch in between)."""
        _check_name(name)
        with self._lock:
            adapter = self._adapters.get(name)
            if adapter is not None:
                return adapter, self._generations[name]
        factory = self._factory(name)  # outside the lock: the import of an SDK takes a while
        with self._lock:
            adapter = self._adapters.get(name)
            if adapter is None:
                adapter = self._adapters[name] = self._create(name, self.config, factory)
            return adapter, self._generations[name]

    def docker(self) -> DockerBackend:
        return self.get("docker")

    def kubernetes(self) -> KubernetesBackend:
        """The backend of the current kube context (rollout part: ``.rollout``)."""
        return self.get("kubernetes")

    def aws(self) -> AwsBackend:
        """The AWS session's backend (parts: ``.ecs``, ``.pipelines``, ``.costs``, ``.waste``)."""
        return self.get("aws")

    def kubernetes_for(self, context: str) -> KubernetesBackend:
        """One owned backend for another kube context (created lazily, not connected);
        the current context's own is ``kubernetes()``. Closed on close() and on a switch."""
        if not context:
            raise InvalidInput("kubernetes_for: a context name is required", source="services")
        factory = self._factory("kubernetes")
        with self._lock:
            current = self._adapters.get("kubernetes")
            if current is not None and current.context == context:
                return current
            backend = self._extra_kube.get(context)
            if backend is None:
                kube = dataclasses.replace(self.config.kubernetes, context=context, namespace=None)
                backend = self._create("kubernetes", dataclasses.replace(self.config, kubernetes=kube), factory)
                self._extra_kube[context] = backend
            return backend

    def generation(self, name: str) -> int:
        """How many times ``name`` was switched; results and specs carry it."""
        _check_name(name)
        with self._lock:
            return self._generations[name]

    def generations(self) -> dict[str, int]:
        with self._lock:
            return dict(self._generations)

    def _factory(self, name: str) -> Callable[[Config], Any]:
        """The adapter class (or injected factory) of ``name``. Called without the lock held:
        importing an adapter imports its SDK, and the lock also guards ``generation()``, which
        the main thread reads (a worker importing boto3 under it froze the UI at start-up)."""
        factory = self._factories.get(name)
        if factory is None:
            module, _, cls = ADAPTERS[name].partition(":")
            factory = getattr(importlib.import_module(module), cls)
        return factory

    def _create(self, name: str, config: Config, factory: Callable[[Config], Any]) -> Any:
        """Under the lock: constructing an adapter is cheap (it connects later)."""
        adapter = factory(config)
        adapter.generation = self._generations[name]
        return adapter

    # -- switching ------------------------------------------------------------------------
    def subscribe(self, listener: SwitchListener) -> None:
        """Call ``listener(Switched(...))`` after every switch (the App posts it on)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: SwitchListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def switch(self, backend: str, **changes: str | None) -> int:
        """Point ``backend`` somewhere else; the only way to change host, context, namespace
        scope, profile or region. Closes the old object and all its parts, bumps the
        generation, tells the listeners once, and returns the new generation.

        Docker: ``host``; Kubernetes: ``context``, ``namespace`` (a new context without a
        namespace starts at that context's default); AWS: ``profile``, ``region``.
        """
        _check_name(backend)
        allowed = SWITCHABLE[backend]
        unknown = sorted(set(changes) - set(allowed))
        if unknown or not changes:
            raise InvalidInput(f"switch {backend}: can change {', '.join(allowed)}; got "
                               f"{', '.join(unknown) or 'nothing'}", source="services.switch")
        section = getattr(self.config, backend)
        fields = {allowed[k]: v for k, v in changes.items()}
        if backend == "kubernetes" and "context" in changes and "namespace" not in changes:
            fields["namespace"] = None
        with self._lock:
            self.config = dataclasses.replace(self.config, **{backend: dataclasses.replace(section, **fields)})
            old = [self._adapters.pop(backend, None)]
            if backend == "kubernetes":
                old += list(self._extra_kube.values())
                self._extra_kube = {}
            self._generations[backend] += 1
            generation = self._generations[backend]
        for adapter in old:
            self._close_one(adapter)
        event = Switched(backend, generation, self.describe(backend))
        for listener in list(self._listeners):
            listener(event)
        return generation

    def describe(self, backend: str) -> str:
        """Where ``backend`` points per the config, in words (for notices)."""
        if backend == "docker":
            return f"Docker host {self.config.docker.host or 'default'}"
        if backend == "kubernetes":
            kube = self.config.kubernetes
            scope = f" namespace {kube.namespace}" if kube.namespace else ""
            return f"Kubernetes context {kube.context or '(current)'}{scope}"
        region = f"/{self.config.aws.region}" if self.config.aws.region else " (its region)"
        return f"AWS profile {self.config.aws.profile or 'default'}{region}"

    # -- closing --------------------------------------------------------------------------
    @staticmethod
    def _close_one(adapter: Any) -> None:
        if adapter is None:
            return
        try:
            adapter.close()
        except Exception as exc:  # noqa: BLE001 - closing one must never stop the others
            log.warning("closing %s failed: %s", adapter, exc)

    def close(self) -> None:
        with self._lock:
            adapters = list(self._adapters.values()) + list(self._extra_kube.values())
            self._adapters, self._extra_kube = {}, {}
        for adapter in adapters:
            self._close_one(adapter)
