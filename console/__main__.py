"""`opsconsole` / `python -m console`: flags, subcommands, then the UI.

Kept light on purpose: no SDK is imported here, so the first frame comes fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from console import __version__
from console.config import THEME_NAMES, Config, apply_overrides, load_config
from console.errors import InvalidInput


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="opsconsole",
        description="Terminal operations console for Docker, Kubernetes and AWS. "
        "Subcommand: `opsconsole check PATH... [--format text|json|sarif|junit]` (see `opsconsole check -h`).",
    )
    p.add_argument("--version", action="version", version=f"opsconsole {__version__}")
    p.add_argument("--sandbox", action="store_true", help="run on the embedded sandbox (in-process AWS and Kubernetes)")
    p.add_argument("--read-only", action="store_true", help="disable every action (also OPSCONSOLE_READ_ONLY=1)")
    p.add_argument("--context", help="Kubernetes context (default: the kubeconfig's current context)")
    p.add_argument("--namespace", "-n", help="Kubernetes namespace ('*' for all)")
    p.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, then 'default')")
    p.add_argument("--region", help="AWS region")
    p.add_argument("--docker-host", help="Docker host, e.g. unix:///var/run/docker.sock or ssh://user@host")
    p.add_argument("--theme", choices=("auto", *THEME_NAMES), help="colour theme (auto picks 16 colours on plain terminals)")
    p.add_argument("--config", help="config file (default: $XDG_CONFIG_HOME/opsconsole/config.toml)")
    return p


def resolve_config(args: argparse.Namespace) -> tuple[Config, list[str]]:
    """The effective config and notices for the operator. A broken config file does not
    stop the console: it starts read-only on defaults and says why."""
    notices: list[str] = []
    try:
        cfg = load_config(args.config)
    except InvalidInput as exc:
        notices.append(f"config ignored, starting READ-ONLY on defaults: {exc}")
        cfg = dataclasses.replace(Config(), general=dataclasses.replace(Config().general, read_only=True))
    flags = {k: getattr(args, k) for k in ("read_only", "theme", "docker_host", "context", "namespace",
                                           "profile", "region", "sandbox")}
    return apply_overrides(cfg, os.environ, **flags), notices


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check":
        from checks.cli import main as check_main

        return check_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        config, notices = resolve_config(args)
    except InvalidInput as exc:
        print(f"opsconsole: {exc}", file=sys.stderr)
        return 2

    from console.app import OpsConsole

    sandbox = None
    if config.sandbox:
        from console.sandbox import start_sandbox as sandbox
    app = OpsConsole(config, sandbox=sandbox, notices=notices)
    app.run()
    for line in app.left_running:  # the UI is gone: say what was left running and how it is recorded
        print(f"opsconsole: left running: {line}", file=sys.stderr)
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
