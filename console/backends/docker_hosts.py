"""Which Docker engine to talk to: config, DOCKER_HOST, docker contexts, the local socket.

Docker CLI contexts live in ``$DOCKER_CONFIG`` (default ``~/.docker``): ``config.json``
names the ``currentContext``; each context's ``contexts/meta/<sha256(name)>/meta.json``
holds ``{"Name": ..., "Endpoints": {"docker": {"Host": "unix://..."}}}``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from console.config import Config
from console.errors import InvalidInput
from console.models.docker import DockerHost

DEFAULT_HOST = "unix:///var/run/docker.sock"


def docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: cannot read docker CLI settings: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def contexts() -> tuple[DockerHost, ...]:
    """The docker CLI contexts that have a docker endpoint, sorted by name."""
    meta_dir = docker_config_dir() / "contexts" / "meta"
    found = []
    if meta_dir.is_dir():
        for meta in sorted(meta_dir.glob("*/meta.json")):
            data = _read_json(meta)
            host = (data.get("Endpoints") or {}).get("docker", {}).get("Host")
            name = data.get("Name")
            if isinstance(name, str) and isinstance(host, str) and host:
                found.append(DockerHost(name=name, host=host, source="context"))
    return tuple(sorted(found, key=lambda h: h.name))


def current_context_name() -> str | None:
    name = os.environ.get("DOCKER_CONTEXT") or _read_json(docker_config_dir() / "config.json").get("currentContext")
    return name if isinstance(name, str) and name and name != "default" else None


def resolve_host(config: Config) -> DockerHost:
    """The engine to use: config.docker.host, then DOCKER_HOST, then the current context, then the socket."""
    if config.docker.host:  # flag > DOCKER_HOST > [docker] host, already layered (console/config_layers.py)
        source = "DOCKER_HOST" if config.docker.host == os.environ.get("DOCKER_HOST") else "config"
        return DockerHost(name=config.docker.host, host=config.docker.host, source=source)
    env = os.environ.get("DOCKER_HOST")
    if env:
        return DockerHost(name=env, host=env, source="DOCKER_HOST")
    current = current_context_name()
    if current:
        for ctx in contexts():
            if ctx.name == current:
                return ctx
        raise InvalidInput(f"{docker_config_dir()}: docker context {current!r} is current but has no docker endpoint")
    return DockerHost(name="default", host=DEFAULT_HOST, source="default")


def switchable_hosts(config: Config) -> tuple[DockerHost, ...]:
    """Every host the tab offers: the current one, config.docker.hosts, contexts; no duplicates."""
    out: list[DockerHost] = []
    seen: set[str] = set()

    def add(h: DockerHost) -> None:
        if h.host not in seen:
            seen.add(h.host)
            out.append(h)

    try:
        add(resolve_host(config))
    except InvalidInput:
        pass  # a broken current context: the others are still offered; connect() reports it
    for host in config.docker.hosts:
        add(DockerHost(name=host, host=host, source="config"))
    env = os.environ.get("DOCKER_HOST")
    if env:
        add(DockerHost(name=env, host=env, source="DOCKER_HOST"))
    try:
        for ctx in contexts():
            add(ctx)
    except InvalidInput:
        pass  # same: an unreadable context is reported when it is chosen
    add(DockerHost(name="default", host=DEFAULT_HOST, source="default"))
    return tuple(out)
