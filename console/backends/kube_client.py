"""Kubeconfig reading and ``kubernetes.client.ApiClient`` construction.

Shared by the Kubernetes adapter and the deploy/rollback code::

    from console.backends.kube_client import make_api_client
    api = make_api_client(config)               # config.kubernetes.context or the current one
    apps = kubernetes.client.AppsV1Api(api)

Kubeconfig files: ``config.kubernetes.kubeconfig`` (one path or several joined with
``os.pathsep``), else ``KUBECONFIG`` (several files honoured, first wins per name, as
kubectl does), else ``~/.kube/config``. Problems raise ``Unconfigured`` (no file, no
context) or ``InvalidInput`` (a file that is not a kubeconfig), naming the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client
from kubernetes.config import ConfigException, new_client_from_config

from console.backends.kube_exec import check_exec_plugin
from console.config import Config
from console.errors import InvalidInput, Unconfigured


@dataclass(frozen=True)
class KubeContext:
    name: str
    cluster: str
    user: str
    namespace: str  # "" when the context names none ("default" applies)
    server: str = ""
    source: str = ""  # the kubeconfig file that defined it


@dataclass(frozen=True)
class Kubeconfig:
    paths: tuple[str, ...]
    contexts: tuple[KubeContext, ...]
    current: str  # current-context of the first file that sets one; "" when none
    users: tuple[tuple[str, Any], ...] = ()  # (user name, its ``user`` mapping), first definition wins

    def user(self, name: str) -> dict[str, Any]:
        for user, entry in self.users:
            if user == name:
                return entry if isinstance(entry, dict) else {}
        return {}

    def context(self, name: str | None) -> KubeContext:
        """The named context (or the current one); Unconfigured when there is none."""
        wanted = name or self.current
        if not wanted:
            raise Unconfigured(f"no current-context set in {', '.join(self.paths)} and none chosen",
                               source="kubernetes.kubeconfig")
        for ctx in self.contexts:
            if ctx.name == wanted:
                return ctx
        known = ", ".join(c.name for c in self.contexts) or "none"
        raise Unconfigured(f"context {wanted!r} not found in {', '.join(self.paths)} (known: {known})",
                           source="kubernetes.kubeconfig")


def kubeconfig_paths(config: Config) -> tuple[str, ...]:
    """The kubeconfig files that exist, in precedence order."""
    raw = config.kubernetes.kubeconfig or os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")
    candidates = [os.path.expanduser(p) for p in raw.split(os.pathsep) if p.strip()]
    return tuple(p for p in candidates if Path(p).is_file())


def _read(path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read kubeconfig: {exc.strerror}", source="kubernetes.kubeconfig") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not a kubeconfig: not UTF-8 text (byte {exc.start})",
                           source="kubernetes.kubeconfig") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML: {exc}", source="kubernetes.kubeconfig") from None
    except RecursionError:
        raise InvalidInput(f"{path}: not a kubeconfig: nested too deeply", source="kubernetes.kubeconfig") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: expected a kubeconfig mapping, got {type(data).__name__}",
                           source="kubernetes.kubeconfig")
    return data


def _named(data: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        raise InvalidInput(f"{path}: {key}: expected a list of entries with a name", source="kubernetes.kubeconfig")
    return items


def load_kubeconfig(config: Config) -> Kubeconfig:
    """Merge every kubeconfig file (first definition of a name wins, like kubectl)."""
    paths = kubeconfig_paths(config)
    if not paths:
        where = config.kubernetes.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        raise Unconfigured(f"no kubeconfig file found ({where})", source="kubernetes.kubeconfig")
    contexts: dict[str, KubeContext] = {}
    clusters: dict[str, str] = {}
    users: dict[str, Any] = {}
    current = ""
    for path in paths:
        data = _read(path)
        for entry in _named(data, "clusters", path):
            clusters.setdefault(entry["name"], str((entry.get("cluster") or {}).get("server", "")))
        for entry in _named(data, "users", path):
            users.setdefault(entry["name"], entry.get("user") or {})
        for entry in _named(data, "contexts", path):
            ctx = entry.get("context") or {}
            if entry["name"] not in contexts:
                contexts[entry["name"]] = KubeContext(
                    name=entry["name"], cluster=str(ctx.get("cluster", "")), user=str(ctx.get("user", "")),
                    namespace=str(ctx.get("namespace") or ""), source=path)
        if not current and isinstance(data.get("current-context"), str):
            current = data["current-context"]
    resolved = tuple(
        KubeContext(c.name, c.cluster, c.user, c.namespace, clusters.get(c.cluster, ""), c.source)
        for c in contexts.values())
    return Kubeconfig(paths=paths, contexts=resolved, current=current, users=tuple(users.items()))


def list_contexts(config: Config) -> tuple[KubeContext, ...]:
    return load_kubeconfig(config).contexts


def resolve_context(config: Config) -> KubeContext:
    """The context config.kubernetes.context names, or the kubeconfig's current one."""
    return load_kubeconfig(config).context(config.kubernetes.context)


def default_namespace(config: Config, context: KubeContext | None = None) -> str:
    """config.kubernetes.namespace ("*" = all), else the context's, else "default"."""
    if config.kubernetes.namespace:
        return config.kubernetes.namespace
    ctx = context or resolve_context(config)
    return ctx.namespace or "default"


def make_api_client(config: Config, context: str | None = None) -> client.ApiClient:
    """An ApiClient for ``context`` (default: config's, then the current one). No retries:
    a down API fails fast and the caller decides about retrying."""
    kc = load_kubeconfig(config)
    ctx = kc.context(context or config.kubernetes.context)
    configuration = client.Configuration()
    configuration.retries = False
    exec_config = kc.user(ctx.user).get("exec")
    if isinstance(exec_config, dict):  # the SDK waits for a plugin forever: prove it answers first
        check_exec_plugin(ctx.name, exec_config, config.kubernetes.timeout)
    try:
        return new_client_from_config(config_file=os.pathsep.join(kc.paths), context=ctx.name,
                                      persist_config=False, client_configuration=configuration)
    except ConfigException as exc:
        raise InvalidInput(f"{ctx.source}: context {ctx.name!r}: {exc}", source="kubernetes.kubeconfig") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(f"{ctx.source}: context {ctx.name!r} is incomplete: {exc}",
                           source="kubernetes.kubeconfig") from None
