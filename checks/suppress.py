"""Suppressions: inline comments and configured entries with a reason and an expiry.

A suppressed finding stays in the results, marked suppressed with the reason. A config
suppression past its expiry date no longer applies, and the finding says so.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from console.config import Suppression
from console.errors import InvalidInput
from console.fsutil import private_dir

INLINE = re.compile(r"(?:#|//|/\*)\s*opsconsole:ignore\s+([A-Za-z0-9*_-]+)[ \t]*([^\n*]*)")


@dataclass(frozen=True)
class InlineIgnore:
    path: str
    line: int
    rule: str
    reason: str


def inline_ignores(path: str, text: str) -> list[InlineIgnore]:
    if "opsconsole:ignore" not in text:
        return []
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = INLINE.search(line)
        if m:
            out.append(InlineIgnore(path, number, m.group(1), m.group(2).strip()))
    return out


def _inline_match(ignore: InlineIgnore, finding) -> bool:
    loc = finding.location
    if ignore.path != loc.path or not fnmatch.fnmatchcase(finding.rule_id, ignore.rule):
        return False
    end = max(loc.end_line, loc.line)
    return ignore.line in (loc.line, loc.line - 1) or loc.line <= ignore.line <= end


def _config_match(sup: Suppression, finding) -> bool:
    if not fnmatch.fnmatchcase(finding.rule_id, sup.rule):
        return False
    if sup.path is None:
        return True
    where = finding.location.live or finding.location.path
    return fnmatch.fnmatch(where, sup.path) or fnmatch.fnmatch(str(finding.location), sup.path) \
        or (bool(finding.resource) and fnmatch.fnmatch(finding.resource, sup.path))


def apply(findings: Iterable, inline: Iterable[InlineIgnore], configured: Iterable[Suppression],
          today: date | None = None) -> list:
    today = today or date.today()
    inline = list(inline)
    configured = list(configured)
    out = []
    for finding in findings:
        note = ""
        done = False
        for ignore in inline:
            if _inline_match(ignore, finding):
                reason = ignore.reason or "no reason given"
                finding = finding.with_suppression(True, f"inline at {ignore.path}:{ignore.line}: {reason}")
                done = True
                break
        if not done:
            for sup in configured:
                if not _config_match(sup, finding):
                    continue
                if sup.expires and date.fromisoformat(sup.expires) < today:
                    note = f"suppression expired on {sup.expires} (was: {sup.reason})"
                    continue
                until = f" until {sup.expires}" if sup.expires else ""
                finding = finding.with_suppression(True, f"{sup.reason}{until}")
                done = True
                break
            if not done and note:
                finding = finding.with_suppression(False, note)
        out.append(finding)
    return out


def exact_pattern(finding) -> str:
    """The ``path`` of a suppression that matches this one finding: rule + file + line, or rule +
    live identity (fnmatch wildcards in the name escaped, so only this place matches)."""
    return glob.escape(str(finding.location))


# -- suppressions made in the tab (a JSON list under the state dir) -----------------------
def load_file(path: Path) -> tuple[Suppression, ...]:
    if not path.exists():
        return ()
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a readable suppressions file: {exc}") from None
    if not isinstance(data, list):
        raise InvalidInput(f"{path}: expected a JSON list of suppressions")
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("rule"), str) or not isinstance(item.get("reason"), str):
            raise InvalidInput(f"{path}[{i}]: expected an object with string rule and reason")
        expires = item.get("expires")
        if expires is not None:
            try:
                date.fromisoformat(str(expires))
            except ValueError:
                raise InvalidInput(f"{path}[{i}].expires: expected YYYY-MM-DD, got {expires!r}") from None
        out.append(Suppression(item["rule"], item["reason"], expires, item.get("path")))
    return tuple(out)


def append_file(path: Path, sup: Suppression) -> None:
    """Add one suppression atomically (under a file lock, temp file + rename)."""
    import os
    import tempfile

    from filelock import FileLock

    private_dir(path.parent)
    with FileLock(str(path) + ".lock", timeout=10, mode=0o600):
        current = [s.__dict__ for s in load_file(path)]
        current.append({"rule": sup.rule, "reason": sup.reason, "expires": sup.expires, "path": sup.path})
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(current, fh, indent=2)
        os.replace(tmp, path)
