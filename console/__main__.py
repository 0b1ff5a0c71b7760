"""`opsconsole` / `python -m console`: flags, subcommands, then the UI.

Kept light on purpose: no SDK is imported here, so the first frame comes fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import sys
from collections.abc import Mapping

from console.cli_help import build_parser
from console.config import Config, apply_overrides, load_config
from console.errors import InvalidInput

__all__ = ["build_parser", "main", "resolve_config", "sandbox_missing", "terminal_refusal"]

SANDBOX_MODULES = ("moto", "kmock")


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


def terminal_refusal(env: Mapping[str, str]) -> str | None:
    """Why the full-screen console cannot run on this terminal, or None."""
    term = env.get("TERM", "")
    if term == "dumb":
        return ("opsconsole: TERM=dumb cannot draw the full-screen console (no cursor addressing).\n"
                "Run it in a terminal emulator (e.g. TERM=xterm-256color), or use the command line:\n"
                "  opsconsole check PATH...   compliance checks\n"
                "  opsconsole config          the settings in use")
    return None


def sandbox_missing() -> list[str]:
    """The sandbox's modules that are not installed (a plain `pip install opsconsole`)."""
    missing = []
    for name in SANDBOX_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    return missing


SANDBOX_HINT = ("--sandbox needs the sandbox extra (in-process AWS and Kubernetes emulators), not installed here "
                "(missing: {missing}). Install it with:\n"
                "  pip install 'opsconsole[sandbox]'\n"
                "  or, for a pipx install: pipx install --force 'opsconsole[sandbox]'")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check":
        from checks.cli import main as check_main

        return check_main(argv[1:])
    if argv and argv[0] == "config":
        from console.cli_config import main as config_main

        return config_main(argv[1:])
    if argv and argv[0] == "completion":
        from console.cli_completion import main as completion_main

        return completion_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        config, notices = resolve_config(args)
    except InvalidInput as exc:
        print(f"opsconsole: {exc}", file=sys.stderr)
        return 2
    refusal = terminal_refusal(os.environ)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    if config.sandbox and (missing := sandbox_missing()):
        print("opsconsole: " + SANDBOX_HINT.format(missing=", ".join(missing)), file=sys.stderr)
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
