"""What one audit record and one changelog entry contain, and how they look on disk.

An audit record is a flat-ish JSON object (one line in the audit log)::

    {"time": "2026-11-27T07:13:28Z", "action_id": "<uuid per target>", "batch_id": "<uuid per
     confirmation>", "outcome": "requested|succeeded|failed|timed out|declined|refused",
     "operator": {"user", "host", "ssh_client", "identity"}, "backend", "context",
     "namespace", "production", "verb", "risk", "summary", "target": {"kind", "name", "id"},
     "changes": [{"field", "before", "after"}], "reason", "detail", "duration_s",
     "undo_hint", "undo_kind", "undo_params": {...}}

The changelog entry renders the same record as Markdown: a ``### <UTC time> — <verb>
<target> (<outcome>)`` heading and one bullet per field, ending with the ``- action id:``
bullet, which is how a reader tells a complete entry from one torn by a crash.
Every value passes through the secret scrubber before it reaches either file.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from console import clock
from console.actions.scrub import scrub, scrub_value
from console.actions.spec import ActionSpec, Change, Outcome, Target
from console.text import MASK, looks_secret, strip_control

END_BULLET = "- action id: "
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Operator:
    """Who acts: OS user, host, SSH client (if any) and the cloud/cluster identity."""

    user: str
    host: str
    ssh_client: str = ""
    identity: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"user": self.user, "host": self.host, "ssh_client": self.ssh_client, "identity": self.identity}

    @property
    def label(self) -> str:
        text = f"{self.user}@{self.host}"
        if self.ssh_client:
            text += f" (ssh from {self.ssh_client})"
        if self.identity:
            text += f" as {self.identity}"
        return text


def current_operator(identity: str = "", env: Mapping[str, str] | None = None) -> Operator:
    """The operator of this process; ``identity`` is the backend's (AWS ARN, kube user)."""
    env = os.environ if env is None else env
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER
        user = f"uid {os.getuid()}"
    ssh = env.get("SSH_CLIENT") or env.get("SSH_CONNECTION") or ""
    # SSH_CLIENT = "ip port localport", SSH_CONNECTION = "ip port localip localport"
    ssh_client = " ".join(ssh.split()[:2]).replace(" ", ":", 1) if ssh else ""
    return Operator(user=user, host=socket.gethostname(), ssh_client=ssh_client, identity=identity)


def utc_stamp(at: float | None = None) -> str:
    moment = datetime.fromtimestamp(clock.now() if at is None else at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _changes(changes: Sequence[Change]) -> list[dict[str, str]]:
    out = []
    for change in changes:
        secret = looks_secret(change.field)
        out.append({
            "field": change.field,
            "before": MASK if secret and change.before else change.before,
            "after": MASK if secret and change.after else change.after,
        })
    return out


def make_record(
    spec: ActionSpec,
    target: Target,
    outcome: Outcome,
    *,
    operator: Operator,
    action_id: str,
    batch_id: str = "",
    reason: str = "",
    changes: Sequence[Change] = (),
    detail: str = "",
    duration: float | None = None,
    at: float | None = None,
) -> dict[str, Any]:
    """The audit record for one target, secrets scrubbed."""
    record: dict[str, Any] = {
        "time": utc_stamp(at),
        "action_id": action_id,
        "batch_id": batch_id or action_id,
        "outcome": outcome.value,
        "operator": operator.as_dict(),
        "backend": target.backend,
        "context": target.context,
        "namespace": target.namespace,
        "production": target.production,
        "verb": spec.verb,
        "risk": spec.risk.value,
        "summary": spec.title,
        "target": {"kind": target.kind, "name": target.name, "id": target.id},
        "changes": _changes(changes),
        "reason": reason,
        "detail": detail,
        "duration_s": None if duration is None else round(duration, 3),
        "undo_hint": spec.undo_hint,
        "undo_kind": getattr(spec, "undo_kind", ""),
        "undo_params": dict(spec.details),
    }
    return scrub_value(record)


def _line(value: object) -> str:
    """One Markdown-safe line: no control characters, no newlines (no forged headings)."""
    return " ".join(strip_control(value).split())


def target_text(record: Mapping[str, Any]) -> str:
    target = record.get("target") or {}
    return _line(f"{target.get('kind', '')} {target.get('name', '')}".strip())


def render_markdown(record: Mapping[str, Any]) -> str:
    """The changelog entry for one audit record (already scrubbed)."""
    operator = record.get("operator") or {}
    who = f"{operator.get('user', '?')}@{operator.get('host', '?')}"
    if operator.get("ssh_client"):
        who += f" (ssh from {operator['ssh_client']})"
    if operator.get("identity"):
        who += f" as {operator['identity']}"
    where = record.get("context", "")
    if record.get("namespace"):
        where = f"{where}/{record['namespace']}"
    where = f"{record.get('backend', '')} {where}" + (" [PRODUCTION]" if record.get("production") else "")
    changes = record.get("changes") or []
    change_text = "; ".join(f"{c['field']}: {c['before']} → {c['after']}" for c in changes) or "(no preview)"
    duration = record.get("duration_s")
    lines = [
        f"### {record['time']} — {_line(record.get('verb', ''))} {target_text(record)} ({record['outcome']})",
        "",
        f"- operator: {_line(who)}",
        f"- where: {_line(where)}",
        f"- risk: {_line(record.get('risk', ''))}",
        f"- change: {_line(change_text)}",
        f"- reason: {_line(record.get('reason') or '(none given)')}",
        f"- result: {_line(record['outcome'] + (': ' + record['detail'] if record.get('detail') else ''))}",
    ]
    if duration is not None:
        lines.append(f"- duration: {duration:.1f}s")
    lines.append(f"- undo: {_line(record.get('undo_hint') or 'no undo recorded')}")
    lines.append(f"{END_BULLET}{_line(record['action_id'])}")
    return "\n".join(lines) + "\n\n"


@dataclass(frozen=True)
class ChangelogEntry:
    heading: str
    fields: dict[str, str]
    action_id: str


def parse_changelog(text: str) -> tuple[list[ChangelogEntry], int]:
    """Entries written by :func:`render_markdown`, and how many were torn (incomplete).

    Text that is not an entry (a project's own CHANGELOG.md sections) is skipped.
    """
    entries: list[ChangelogEntry] = []
    torn = 0
    blocks = text.split("\n### ")
    for index, block in enumerate(blocks):
        if index == 0:
            if not block.startswith("### "):
                continue
            block = block[4:]
        heading, _, body = block.partition("\n")
        if " — " not in heading:
            continue
        fields: dict[str, str] = {}
        for line in body.split("\n"):
            if line.startswith("- ") and ": " in line:
                key, _, value = line[2:].partition(": ")
                fields[key] = value
        action_id = fields.get("action id", "")
        # complete = the closing bullet is there with its newline (a crash can cut it short)
        if not _UUID.fullmatch(action_id) or f"\n{END_BULLET}{action_id}\n" not in "\n" + body:
            torn += 1
            continue
        entries.append(ChangelogEntry(heading=heading, fields=fields, action_id=action_id))
    return entries, torn


__all__ = [
    "ChangelogEntry", "Operator", "current_operator", "make_record", "parse_changelog",
    "render_markdown", "scrub", "utc_stamp",
]
