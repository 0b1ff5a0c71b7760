"""Run history for the Compliance tab: each run kept as JSON under the state dir, so the
next run can say which findings are new and which were resolved."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from checks.model import Finding
from console.fsutil import private_dir

KEEP_RUNS = 20


@dataclass(frozen=True)
class RunDiff:
    new: frozenset[str]  # fingerprints present now and not in the previous run
    resolved: tuple[Finding, ...]  # findings of the previous run that are gone
    previous_at: float | None  # when the previous run was made (None: first run)


def runs_dir(state_dir: Path) -> Path:
    return state_dir / "compliance" / "runs"


def _key(targets: tuple[str, ...]) -> str:
    """Runs are compared only with earlier runs over the same targets."""
    import hashlib

    return hashlib.sha1("\n".join(sorted(targets)).encode()).hexdigest()[:10]


def load_previous(state_dir: Path, targets: tuple[str, ...]) -> tuple[float | None, list[Finding]]:
    folder = runs_dir(state_dir)
    if not folder.is_dir():
        return None, []
    for path in sorted(folder.glob(f"*-{_key(targets)}.json"), reverse=True):
        try:
            data = json.loads(path.read_text("utf-8"))
            return float(data.get("at", 0.0)), [Finding.from_dict(d) for d in data.get("findings", [])]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged run file: compare with the one before it
    return None, []


def diff(current: list[Finding], previous_at: float | None, previous: list[Finding]) -> RunDiff:
    if previous_at is None:
        return RunDiff(frozenset(), (), None)
    before = {f.fingerprint for f in previous}
    now = {f.fingerprint for f in current}
    return RunDiff(frozenset(now - before), tuple(f for f in previous if f.fingerprint not in now), previous_at)


def save(state_dir: Path, targets: tuple[str, ...], findings: list[Finding], at: float | None = None) -> Path:
    at = time.time() if at is None else at
    folder = runs_dir(state_dir)
    private_dir(folder)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(at)) + f"{int(at * 1000) % 1000:03d}"
    path = folder / f"{stamp}-{_key(targets)}.json"
    payload = {"at": at, "targets": list(targets), "findings": [f.to_dict() for f in findings]}
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
    os.replace(tmp, path)
    for old in sorted(folder.glob("*.json"), reverse=True)[KEEP_RUNS:]:
        old.unlink(missing_ok=True)
    return path
