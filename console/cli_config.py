"""`opsconsole config`: the file in use, each effective setting with its source, validation.

Exit codes: 0 the file is valid (or absent: defaults), 1 the file has problems (the
console would start read-only on defaults), 2 a usage error (bad flag or environment).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from console.cli_help import add_console_flags
from console.config import Config, default_config_path, read_config
from console.config_layers import FLAG_KEYS, dotted_keys, layered
from console.errors import InvalidInput
from console.text import looks_secret, mask_secret, strip_control

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="opsconsole config",
        description="Show the config file in use, every effective setting with its source "
        "(flag / env / file / default) and the file's problems. Takes the console's flags, "
        "so `opsconsole config --profile prod` shows what `opsconsole --profile prod` would use.",
    )
    add_console_flags(p)
    p.add_argument("--json", action="store_true", help="print JSON: {file, valid, problems, settings: [...]}")
    return p


def _shown(key: str, value: Any) -> Any:
    """JSON-able value; secrets masked by key, suppressions summarised."""
    if looks_secret(key.rpartition(".")[2]) and value:
        return mask_secret(value)
    if isinstance(value, tuple):
        return [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
    return value


def _text(value: Any) -> str:
    if value is None:
        return "(unset)"
    return strip_control(json.dumps(value, ensure_ascii=False))


def report(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[dict[str, Any], int]:
    """The report as data, and the exit code."""
    path = args.config or str(default_config_path())
    problems: list[str] = []
    state = "found"
    try:
        cfg, keys = read_config(args.config)
        if not cfg.source:
            state = "not found: defaults in use"
    except InvalidInput as exc:
        problems = str(exc).splitlines()
        state = "invalid: the console starts READ-ONLY on defaults"
        cfg = dataclasses.replace(Config(), general=dataclasses.replace(Config().general, read_only=True))
        keys = frozenset()
    flags = {dest: getattr(args, dest) for dest in (*FLAG_KEYS, "sandbox")}
    effective, sources = layered(cfg, env, flags, keys)
    settings = [{"key": key, "value": _shown(key, value), "source": sources[key]}
                for key, value in dotted_keys(effective)]
    settings.append({"key": "keys", "value": dict(effective.keys), "source": f"file {cfg.source}" if effective.keys
                     else "default"})
    data = {
        "file": path, "state": state, "valid": not problems, "problems": problems,
        "precedence": "flags > environment > config file > defaults",
        "settings": settings,
        "paths": {"changelog": str(effective.changelog_path), "audit": str(effective.audit_path),
                  "state_dir": str(effective.state_dir), "cache_dir": str(effective.cache_dir)},
    }
    return data, EXIT_INVALID if problems else EXIT_OK


def render(data: dict[str, Any]) -> str:
    lines = [f"config file: {strip_control(data['file'])} ({data['state']})"]
    if data["problems"]:
        lines.append("problems:")
        lines += [f"  {strip_control(p)}" for p in data["problems"]]
    else:
        lines.append("validation: ok")
    lines.append(f"effective settings ({data['precedence']}):")
    width = max(len(s["key"]) for s in data["settings"])
    for s in data["settings"]:
        lines.append(f"  {s['key']:<{width}}  {_text(s['value'])}  [{strip_control(s['source'])}]")
    lines.append("paths:")
    lines += [f"  {name:<10} {strip_control(value)}" for name, value in data["paths"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str], env: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        data, code = report(args, os.environ if env is None else env)
    except InvalidInput as exc:
        print(f"opsconsole config: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(json.dumps(data, indent=2) + "\n" if args.json else render(data))
    return code
