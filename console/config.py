"""Validated settings from TOML, environment and flags.

Precedence: command-line flags > environment > config file > defaults. Every problem
in the file is reported with the file name, the key and what was expected, as an
``InvalidInput`` error; the caller shows it and never crashes.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import reprlib
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.config_team import LocksConfig, TeamConfig, team_errors
from console.errors import InvalidInput

APP_NAME = "opsconsole"


def xdg_dir(kind: str) -> Path:
    """``kind`` is "config", "state" or "cache"; honours XDG_* variables."""
    env = {"config": "XDG_CONFIG_HOME", "state": "XDG_STATE_HOME", "cache": "XDG_CACHE_HOME"}[kind]
    default = {"config": ".config", "state": ".local/state", "cache": ".cache"}[kind]
    base = os.environ.get(env) or str(Path.home() / default)
    return Path(base) / APP_NAME


@dataclass(frozen=True)
class GeneralConfig:
    read_only: bool = False
    theme: str = "auto"  # auto | opsconsole-dark | opsconsole-light | opsconsole-ansi
    refresh_seconds: float = 2.0


@dataclass(frozen=True)
class DockerConfig:
    host: str | None = None  # default: DOCKER_HOST, then the current docker context, then the local socket
    hosts: tuple[str, ...] = ()  # extra hosts to switch between in the tab
    timeout: float = 10.0
    log_tail: int = 500
    log_max_lines: int = 20000


@dataclass(frozen=True)
class KubernetesConfig:
    kubeconfig: str | None = None  # default: KUBECONFIG (several files), then ~/.kube/config
    context: str | None = None
    namespace: str | None = None  # None: the context's namespace; "*": all namespaces
    timeout: float = 10.0
    read_only_contexts: tuple[str, ...] = ()  # fnmatch patterns; actions refused there
    log_tail: int = 500
    rollout_timeout: float = 600.0  # how long a deploy/rollback is watched before "timed out"
    rollout_poll_seconds: float = 1.0
    triage_contexts: tuple[str, ...] = ()  # fnmatch patterns ("*": all); empty: the current context only


@dataclass(frozen=True)
class AwsConfig:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None  # for local emulators; never set for real AWS
    timeout: float = 15.0
    required_tags: tuple[str, ...] = ()
    ecs_deploy_timeout: float = 900.0  # how long an ECS deploy is watched for steady state


@dataclass(frozen=True)
class ProductionConfig:
    """Name patterns (fnmatch) of contexts, profiles and Docker hosts treated as production."""

    contexts: tuple[str, ...] = ("*prod*",)
    profiles: tuple[str, ...] = ("*prod*",)
    docker_hosts: tuple[str, ...] = ("*prod*",)  # matched against the host's name and its URL


@dataclass(frozen=True)
class ChangelogConfig:
    path: str | None = None  # Markdown operations changelog; default in the XDG state dir
    audit_path: str | None = None  # JSON lines; default in the XDG state dir


@dataclass(frozen=True)
class CostsConfig:
    cache_ttl_seconds: int = 3600
    days: int = 45
    tag_key: str = "team"  # the tag the "by tag" view groups by (also :tag KEY)
    snapshot_age_days: int = 90  # snapshots older than this are listed as waste


@dataclass(frozen=True)
class IncidentConfig:
    dir: str | None = None  # incident notes (N in Triage); default: $XDG_STATE_HOME/opsconsole/incidents


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    expires: str | None = None  # ISO date; past it the suppression no longer applies
    path: str | None = None  # fnmatch pattern on the finding's location


@dataclass(frozen=True)
class ComplianceConfig:
    paths: tuple[str, ...] = ()
    fail_on: str = "high"
    suppressions: tuple[Suppression, ...] = ()


@dataclass(frozen=True)
class Config:
    general: GeneralConfig = field(default_factory=GeneralConfig)
    docker: DockerConfig = field(default_factory=DockerConfig)
    kubernetes: KubernetesConfig = field(default_factory=KubernetesConfig)
    aws: AwsConfig = field(default_factory=AwsConfig)
    production: ProductionConfig = field(default_factory=ProductionConfig)
    changelog: ChangelogConfig = field(default_factory=ChangelogConfig)
    costs: CostsConfig = field(default_factory=CostsConfig)
    compliance: ComplianceConfig = field(default_factory=ComplianceConfig)
    locks: LocksConfig = field(default_factory=LocksConfig)  # see console/config_team.py
    team: TeamConfig = field(default_factory=TeamConfig)
    incident: IncidentConfig = field(default_factory=IncidentConfig)
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> comma-separated keys
    sandbox: bool = False
    source: str = ""  # the config file read, if any

    # -- derived -----------------------------------------------------------------------
    def is_production_context(self, name: str | None) -> bool:
        return bool(name) and any(fnmatch.fnmatch(name, p) for p in self.production.contexts)

    def is_production_profile(self, name: str | None) -> bool:
        return bool(name) and any(fnmatch.fnmatch(name, p) for p in self.production.profiles)

    def is_production_docker_host(self, *names: str | None) -> bool:
        """A Docker host is production when its name or URL matches ``[production] docker_hosts``."""
        return any(bool(n) and fnmatch.fnmatch(n, p) for n in names for p in self.production.docker_hosts)

    def is_read_only_context(self, name: str | None) -> bool:
        return bool(name) and any(fnmatch.fnmatch(name, p) for p in self.kubernetes.read_only_contexts)

    @property
    def changelog_path(self) -> Path:
        return Path(self.changelog.path).expanduser() if self.changelog.path else xdg_dir("state") / "changelog.md"

    @property
    def audit_path(self) -> Path:
        return Path(self.changelog.audit_path).expanduser() if self.changelog.audit_path else xdg_dir("state") / "audit.jsonl"

    @property
    def incident_dir(self) -> Path:
        return Path(self.incident.dir).expanduser() if self.incident.dir else xdg_dir("state") / "incidents"

    @property
    def state_dir(self) -> Path:
        return xdg_dir("state")

    @property
    def cache_dir(self) -> Path:
        return xdg_dir("cache")


_SECTIONS = {f.name: f.type for f in dataclasses.fields(Config) if f.name not in ("keys", "sandbox", "source")}


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None)) + " (optional)"
    if origin is tuple:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    if dataclasses.is_dataclass(tp):
        return "table"
    return {bool: "boolean", int: "integer", float: "number", str: "string"}.get(tp, str(tp))


def _coerce(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against the annotation ``tp``; return it in the dataclass's shape."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _coerce(value, args[0], where)
    if origin is tuple:
        if not isinstance(value, list):
            raise InvalidInput(f"{where}: expected {_type_name(tp)}, got {type(value).__name__}")
        inner = typing.get_args(tp)[0]
        return tuple(_coerce(v, inner, f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise InvalidInput(f"{where}: expected a table, got {type(value).__name__}")
        return _build(tp, value, where)
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
        str: isinstance(value, str),
    }[tp]
    if not ok:
        raise InvalidInput(f"{where}: expected {_type_name(tp)}, got {type(value).__name__} {reprlib.repr(value)}")
    return float(value) if tp is float else value


def _build(cls: type, table: Mapping[str, Any], where: str, errors: list[str] | None = None) -> Any:
    """Build the dataclass ``cls``; every bad key is recorded in ``errors`` (or raised)."""
    own = errors is None
    errors = [] if errors is None else errors
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in table.items():
        if key not in names:
            errors.append(f"{where}.{key}: unknown key (known: {', '.join(sorted(names))})")
            continue
        try:
            kwargs[key] = _coerce(value, hints[key], f"{where}.{key}")
        except InvalidInput as exc:
            errors.append(exc.body)
    built = None
    try:
        built = cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        errors.append(f"{where}: {exc}")
    if own and errors:
        raise InvalidInput("; ".join(errors))
    return built


def parse_config(data: Mapping[str, Any], source: str = "<config>") -> Config:
    """Validate a whole file and report every problem at once, one per line."""
    errors: list[str] = []
    sections: dict[str, Any] = {}
    for key, value in data.items():
        if key == "keys":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                errors.append(f"{source}: [keys]: expected a table of strings (binding id = \"key,key\")")
            else:
                sections["keys"] = dict(value)
        elif key not in _SECTIONS:
            errors.append(f"{source}: [{key}]: unknown section (known: {', '.join(sorted(_SECTIONS) + ['keys'])})")
        elif not isinstance(value, dict):
            errors.append(f"{source}: [{key}]: expected a table, got {type(value).__name__}")
        else:
            built = _build(typing.get_type_hints(Config)[key], value, f"{source}: {key}", errors)
            if built is not None:
                sections[key] = built
    if not errors:
        cfg = Config(**sections, source=source)
        errors += value_errors(cfg, source)
    if errors:
        raise InvalidInput("\n".join(errors))
    return cfg


def value_errors(cfg: Config, source: str) -> list[str]:
    """Checks that span more than one value's type."""
    from datetime import date

    errors = []
    if cfg.general.theme not in ("auto", *THEME_NAMES):
        errors.append(f"{source}: general.theme: expected one of auto, {', '.join(THEME_NAMES)}, got {cfg.general.theme!r}")
    if cfg.compliance.fail_on not in ("low", "medium", "high", "critical"):
        errors.append(f"{source}: compliance.fail_on: expected low, medium, high or critical, got {cfg.compliance.fail_on!r}")
    for i, sup in enumerate(cfg.compliance.suppressions):
        if sup.expires:
            try:
                date.fromisoformat(sup.expires)
            except ValueError:
                errors.append(f"{source}: compliance.suppressions[{i}].expires: expected a date YYYY-MM-DD, got {sup.expires!r}")
    for section_name in ("docker", "kubernetes", "aws"):
        if getattr(cfg, section_name).timeout <= 0:
            errors.append(f"{source}: {section_name}.timeout: expected a positive number")
    for i, pattern in enumerate(cfg.kubernetes.triage_contexts):
        if not pattern.strip():
            errors.append(f"{source}: kubernetes.triage_contexts[{i}]: expected a context name or pattern, got an empty string")
    for key in ("cache_ttl_seconds", "days", "snapshot_age_days"):
        if getattr(cfg.costs, key) < 0:
            errors.append(f"{source}: costs.{key}: expected zero or a positive integer")
    errors += team_errors(cfg.locks, cfg.team, source)
    return errors


THEME_NAMES = ("opsconsole-dark", "opsconsole-light", "opsconsole-ansi")


def default_config_path() -> Path:
    return xdg_dir("config") / "config.toml"


MAX_CONFIG_BYTES = 1 << 20  # a settings file is a few KB; anything past 1 MiB is not one


def _read_toml(p: Path) -> dict[str, Any]:
    """The parsed file; every way it can be broken becomes an ``InvalidInput`` naming it."""
    if not p.is_file():
        raise InvalidInput(f"{p}: not a regular file")
    try:
        with p.open("rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"{p}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise InvalidInput(f"{p}: larger than {MAX_CONFIG_BYTES // 1024} KiB, not a config file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{p}: not UTF-8 text (invalid byte at offset {exc.start}), not a TOML config file") from None
    if "\x00" in text:
        raise InvalidInput(f"{p}: contains NUL bytes, not a TOML config file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{p}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InvalidInput(f"{p}: arrays or tables nested too deeply, not a config file") from None


def file_keys(data: Mapping[str, Any]) -> frozenset[str]:
    """The dotted keys (``section.key``) a parsed file sets."""
    return frozenset(f"{section}.{key}" for section, table in data.items() if isinstance(table, dict)
                     for key in table)


def read_config(path: str | os.PathLike[str] | None = None) -> tuple[Config, frozenset[str]]:
    """``load_config`` plus the dotted keys the file set (for ``opsconsole config``)."""
    explicit = path is not None
    p = Path(path) if explicit else default_config_path()
    if not p.exists():
        if explicit:
            raise InvalidInput(f"{p}: config file not found")
        return Config(), frozenset()
    data = _read_toml(p)
    return parse_config(data, str(p)), file_keys(data)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the TOML file (``path`` or the XDG default); a missing default file is fine."""
    return read_config(path)[0]


def apply_overrides(cfg: Config, env: Mapping[str, str], **flags: Any) -> Config:
    """Layer environment and flags over a file config: flags > env > file > defaults."""
    from console.config_layers import layered

    return layered(cfg, env, flags)[0]
