"""`opsconsole check`: the compliance engine for CI pipelines.

Exit codes: 0 nothing unsuppressed at or above the threshold, 1 findings (or a file that
could not be checked), 2 usage or internal error, or a ``--live`` source that could not be
reached (the message names what was wrong).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checks.engine import LIVE_SOURCES, scan
from checks.model import Severity
from console.config import Config, load_config
from console.errors import OpsError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="opsconsole check", description="Check infrastructure code and the live estate against the rule packs.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: config compliance.paths, else .)")
    p.add_argument("--live", default="", help=f"comma-separated live sources: {','.join(LIVE_SOURCES)}")
    p.add_argument("--format", default="text", choices=("text", "json", "sarif", "junit"))
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--fail-on", choices=("low", "medium", "high", "critical"),
                   help="lowest severity that fails the run (default: config compliance.fail_on, high)")
    p.add_argument("--base-path", metavar="DIR",
                   help="SARIF/JUnit paths are made relative to DIR (default: the scan root, e.g. the repository)")
    p.add_argument("--config", metavar="FILE", help="config file (default: the XDG config file)")
    p.add_argument("--no-cache", action="store_true", help="parse every file again (ignore the parse cache)")
    p.add_argument("--list-rules", action="store_true", help="print the rules (id, severity, applies to, title) and exit")
    return p


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as exc:
        print(f"opsconsole check: {exc}", file=sys.stderr)
        print("usage: opsconsole check [PATH ...] [--live docker,kubernetes,aws] [--format text|json|sarif|junit] "
              "[--output FILE] [--fail-on low|medium|high|critical] [--base-path DIR] [--config FILE]", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # --help
        return EXIT_OK if not exc.code else EXIT_ERROR
    try:
        return _run(args)
    except _UsageError as exc:
        print(f"opsconsole check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OpsError as exc:
        print(f"opsconsole check: {exc.title}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - an internal error must exit 2 with a message, never a traceback only
        import traceback

        print(f"opsconsole check: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc(limit=5, file=sys.stderr)
        return EXIT_ERROR


def list_rules(fmt: str) -> str:
    from checks.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        import json

        return json.dumps([{"id": r.id, "title": r.title, "severity": r.severity.label, "category": r.category,
                            "applies_to": list(r.applies_to), "remediation": r.remediation, "reference": r.reference}
                           for r in rules], indent=2) + "\n"
    lines = [f"{r.id:16} {r.severity.label:8} {', '.join(r.applies_to)[:40]:40} {r.title}" for r in rules]
    return "\n".join(lines) + f"\n{len(rules)} rules\n"


def _run(args: argparse.Namespace) -> int:
    from checks.reporters import FORMATS

    if args.list_rules:
        sys.stdout.write(list_rules(args.format))
        return EXIT_OK
    config: Config = load_config(args.config) if args.config else load_config()
    live = [s.strip() for s in args.live.split(",") if s.strip()]
    unknown = [s for s in live if s not in LIVE_SOURCES]
    if unknown:
        raise _UsageError(f"--live: unknown source {', '.join(unknown)} (known: {', '.join(LIVE_SOURCES)})")
    paths = list(args.paths) or list(config.compliance.paths) or ([] if live else ["."])
    missing = [p for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise _UsageError(f"path not found: {', '.join(missing)}")
    threshold = Severity.parse(args.fail_on or config.compliance.fail_on)
    base = Path(args.base_path) if args.base_path else None
    if base is not None and not base.is_dir():
        raise _UsageError(f"--base-path {args.base_path}: not a directory")
    result = scan(paths, live, config, use_cache=not args.no_cache)
    result.threshold = threshold
    result.base_path = base
    report = FORMATS[args.format](result)
    if args.output:
        try:
            Path(args.output).write_text(report, encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"--output {args.output}: cannot write: {exc.strerror}") from None
    else:
        sys.stdout.write(report)
    down = result.live_unavailable()
    if down:  # a CI job must not pass having checked nothing there
        for f in down:
            print(f"opsconsole check: {f.location}: {f.message}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_FINDINGS if result.fails(threshold) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
