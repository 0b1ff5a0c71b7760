"""Layering of the settings and where each value came from.

Precedence, highest first: command-line flags > environment > config file > defaults.
``layered`` returns the effective ``Config`` and, for every dotted key
(``aws.profile``), its source: ``flag --profile``, ``env AWS_PROFILE``, ``file PATH`` or
``default``. ``opsconsole config`` prints both.

Read-only is a latch: a flag, ``OPSCONSOLE_READ_ONLY`` or the file can turn it on, and
nothing below in precedence can turn it off again (a broken file forces it on).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from console.config import Config, value_errors
from console.errors import InvalidInput

# dotted key -> environment variables, first set wins
ENV_KEYS: dict[str, tuple[str, ...]] = {
    "general.read_only": ("OPSCONSOLE_READ_ONLY",),
    "general.theme": ("OPSCONSOLE_THEME",),
    "docker.host": ("DOCKER_HOST",),
    "kubernetes.kubeconfig": ("KUBECONFIG",),
    "aws.profile": ("AWS_PROFILE",),
    "aws.region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
}

# flag (argparse dest) -> dotted key
FLAG_KEYS: dict[str, str] = {
    "read_only": "general.read_only",
    "theme": "general.theme",
    "docker_host": "docker.host",
    "context": "kubernetes.context",
    "namespace": "kubernetes.namespace",
    "profile": "aws.profile",
    "region": "aws.region",
}

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _env_value(key: str, var: str, raw: str) -> Any:
    if key == "general.read_only":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return None  # does not turn the latch off
        raise InvalidInput(f"environment {var}={raw!r}: expected 1, true, yes or 0, false, no")
    return raw or None


def _replace(cfg: Config, key: str, value: Any) -> Config:
    section, _, name = key.partition(".")
    return dataclasses.replace(cfg, **{section: dataclasses.replace(getattr(cfg, section), **{name: value})})


def dotted_keys(cfg: Config) -> Iterable[tuple[str, Any]]:
    """Every ``section.key`` and its value, in the dataclasses' order."""
    for section in dataclasses.fields(cfg):
        if section.name in ("keys", "sandbox", "source"):
            continue
        part = getattr(cfg, section.name)
        for f in dataclasses.fields(part):
            yield f"{section.name}.{f.name}", getattr(part, f.name)


def layered(
    cfg: Config, env: Mapping[str, str], flags: Mapping[str, Any], file_keys: Iterable[str] = ()
) -> tuple[Config, dict[str, str]]:
    """Apply environment then flags over ``cfg`` (defaults + file). ``file_keys`` are the
    dotted keys the file set (for the source column); ``cfg.source`` names the file."""
    in_file = set(file_keys)
    file_label = f"file {cfg.source}" if cfg.source else "file"
    sources = {key: (file_label if key in in_file else "default") for key, _ in dotted_keys(cfg)}
    if cfg.general.read_only and "general.read_only" not in in_file:
        sources["general.read_only"] = "config error (read-only on defaults)"
    out = cfg
    for key, names in ENV_KEYS.items():
        for var in names:
            if var in env:
                value = _env_value(key, var, env[var])
                if value is not None:
                    out = _replace(out, key, value)
                    sources[key] = f"env {var}"
                    break
    for dest, key in FLAG_KEYS.items():
        value = flags.get(dest)
        if value:
            out = _replace(out, key, value)
            sources[key] = f"flag --{dest.replace('_', '-')}"
    if flags.get("sandbox"):
        out = dataclasses.replace(out, sandbox=True)
    errors = value_errors(out, "command line or environment")
    if errors:
        raise InvalidInput("\n".join(errors))
    return out, sources
