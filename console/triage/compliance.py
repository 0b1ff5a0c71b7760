"""Compliance runs (kept by the Compliance tab under the state dir) → triage problems.

New high and critical findings of the latest run against the run before it over the same
targets: ``2 new critical findings`` (suppressed findings do not count). Only files are
read: Triage never starts a scan.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from checks.model import Finding, Severity
from checks.runs import runs_dir
from console.errors import InvalidInput
from console.triage.model import Level, Problem


def _load(path: Path) -> tuple[float, list[Finding]]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return float(data.get("at", 0.0)), [Finding.from_dict(d) for d in data.get("findings", [])]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path}: unreadable compliance run: {exc}", source="triage.compliance") from exc


def new_findings(state_dir: Path) -> tuple[float, list[Finding]] | None:
    """(time of the latest run, its new high/critical findings), or None without two runs to compare."""
    files = sorted(runs_dir(state_dir).glob("*.json"), reverse=True)
    if not files:
        return None
    key = files[0].stem.rsplit("-", 1)[-1]  # runs over the same targets share this suffix
    previous = next((f for f in files[1:] if f.stem.rsplit("-", 1)[-1] == key), None)
    if previous is None:
        return None
    at, current = _load(files[0])
    _, before = _load(previous)
    seen = {f.fingerprint for f in before}
    return at, [f for f in current if not f.suppressed and f.severity >= Severity.HIGH and f.fingerprint not in seen]


def problems(state_dir: Path, source: str) -> tuple[Problem, ...]:
    found = new_findings(state_dir)
    if found is None:
        return ()
    at, findings = found
    out = []
    for severity, level in ((Severity.CRITICAL, Level.ERROR), (Severity.HIGH, Level.WARNING)):
        these = [f for f in findings if f.severity is severity]
        if not these:
            continue
        rules = sorted({f.rule_id for f in these})
        out.append(Problem(source, "compliance", level, "findings", f"{severity.label}", "compliance",
                           f"{len(these)} new {severity.label} finding{'' if len(these) == 1 else 's'}: "
                           f"{', '.join(rules[:4])}{' …' if len(rules) > 4 else ''}",
                           datetime.fromtimestamp(at, UTC), tab="compliance",
                           detail=tuple(f"{f.rule_id} {f.resource or f.location}: {f.title}" for f in these[:20])))
    return tuple(out)
