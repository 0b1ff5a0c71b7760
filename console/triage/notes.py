"""Incident notes: ``N`` in Triage appends one Markdown section per problem to a file.

The file is ``<incident dir>/incident-YYYY-MM-DD.md`` (UTC date; ``[incident] dir``,
default ``$XDG_STATE_HOME/opsconsole/incidents``). A section holds the object's status,
its recent events, the last log lines, the related changes from the feed and this
session's actions. Every line is scrubbed (``console.actions.scrub``) and stripped of
control sequences (``console.text.strip_control``) before it is written; the append is
one write of the whole section under an exclusive lock, so two consoles never interleave.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.actions.scrub import scrub
from console.errors import OpsError
from console.text import strip_control
from console.triage.model import Change, Problem

LOG_LINES = 50
CHANGES = 15


@dataclass(frozen=True)
class Note:
    path: Path
    text: str  # the section written (what OSC 52 copy offers)


def _clean(value: object) -> str:
    return scrub(strip_control(value)).replace("\n", " ").strip()


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if at else "unknown"


def section(problem: Problem, now: datetime, changes: Sequence[Change] = (), logs: Sequence[str] = (),
            log_error: str = "", actions: Iterable[Mapping[str, Any]] = ()) -> str:
    """The Markdown section for ``problem`` (pure; every value scrubbed)."""
    lines = [f"## {now.astimezone(UTC).strftime('%H:%M:%SZ')} — {_clean(problem.what)} ({_clean(problem.where)})", "",
             f"- severity: {problem.level.label}",
             f"- status: {_clean(problem.reason)}",
             f"- since: {_when(problem.since)}",
             f"- where: {_clean(problem.backend)} {_clean(problem.where)}"]
    lines += [f"- {_clean(d)}" for d in problem.detail]
    events = [c for c in changes if c.kind == "event"][:CHANGES]
    lines += ["", "### Recent events", ""]
    lines += [f"- {_when(c.at)} {_clean(c.subject)}: {_clean(c.text)}" for c in events] or ["- none seen"]
    lines += ["", f"### Last {LOG_LINES} log lines", ""]
    if log_error:
        lines.append(f"(logs not available: {_clean(log_error)})")
    elif logs:
        body = [scrub(strip_control(line)).replace("`", "'") for line in list(logs)[-LOG_LINES:]]
        lines += ["```", *body, "```"]
    else:
        lines.append("(no logs for this object)")
    lines += ["", "### What changed before", ""]
    lines += [f"- {_when(c.at)} [{_clean(c.kind)}] {_clean(c.subject)}: {_clean(c.text)} ({_clean(c.where)})"
              for c in [c for c in changes if c.kind != "event"][:CHANGES]] or ["- nothing in the feed"]
    lines += ["", "### This session's actions", ""]
    acted = [f"- {_clean(r.get('time', ''))} {_clean(r.get('verb', ''))} "
             f"{_clean((r.get('target') or {}).get('name', ''))} in {_clean(r.get('context', ''))}: "
             f"{_clean(r.get('outcome', ''))}" + (f" ({_clean(r['reason'])})" if r.get("reason") else "")
             for r in actions]
    lines += acted or ["- none"]
    return "\n".join(lines) + "\n\n"


def note_path(directory: Path, now: datetime) -> Path:
    return directory / f"incident-{now.astimezone(UTC).strftime('%Y-%m-%d')}.md"


def append_note(directory: Path, text: str, now: datetime) -> Note:
    """Append ``text`` to today's incident file (created 0600 with a title); raises OpsError naming it."""
    path = note_path(directory, now)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise OpsError(f"cannot write the incident notes {path}: {exc.strerror}", source="incident notes") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        head = f"# Incident notes {now.astimezone(UTC).strftime('%Y-%m-%d')}\n\n" if os.fstat(fd).st_size == 0 else ""
        data = (head + text).encode("utf-8")
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        os.fsync(fd)
    except OSError as exc:
        raise OpsError(f"cannot write the incident notes {path}: {exc.strerror}", source="incident notes") from exc
    finally:
        os.close(fd)
    return Note(path, text)
