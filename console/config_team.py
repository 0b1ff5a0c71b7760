"""Settings for working as a team: action locks (``[locks]``) and the shared audit sink (``[team]``).

Kept apart from console/config.py (which only holds two fields of these types and calls
:func:`team_errors`), so that each section's defaults and checks read in one place::

    [locks]
    enabled = true              # take a lock before every mutation where the backend allows it
    namespace = ""              # Kubernetes: "" = the target's own namespace (nodes: "default")
    dynamodb_table = ""         # AWS targets: the lock table (partition key "lock_id", string)
    dir = ""                    # Docker: lock files on this host; default $XDG_STATE_HOME/opsconsole/locks

    [team]
    sink = ""                   # "" (off) | "s3" | "cloudwatch"
    bucket = ""                 # s3: one object per record under prefix
    prefix = "opsconsole/audit/"
    log_group = ""              # cloudwatch: one stream per operator (user@host)
    refresh_seconds = 10.0      # how often the changelog view (6) reloads the team's records
    days = 7                    # how many days of the team's records the view reads back
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SINKS = ("", "s3", "cloudwatch")


@dataclass(frozen=True)
class LocksConfig:
    enabled: bool = True
    namespace: str = ""
    dynamodb_table: str = ""
    dir: str = ""


@dataclass(frozen=True)
class TeamConfig:
    sink: str = ""
    bucket: str = ""
    prefix: str = "opsconsole/audit/"
    log_group: str = ""
    refresh_seconds: float = 10.0
    days: int = 7
    timeout: float = 10.0  # every sink call (connect and read), in seconds


def team_errors(locks: LocksConfig, team: TeamConfig, source: str) -> list[str]:
    """Checks that span more than one value's type, reported like console.config.value_errors."""
    errors = []
    if team.sink not in SINKS:
        errors.append(f"{source}: team.sink: expected \"\", \"s3\" or \"cloudwatch\", got {team.sink!r}")
    if team.sink == "s3" and not team.bucket:
        errors.append(f"{source}: team.bucket: required when team.sink = \"s3\"")
    if team.sink == "cloudwatch" and not team.log_group:
        errors.append(f"{source}: team.log_group: required when team.sink = \"cloudwatch\"")
    if team.refresh_seconds <= 0:
        errors.append(f"{source}: team.refresh_seconds: expected a positive number")
    if team.days <= 0:
        errors.append(f"{source}: team.days: expected a positive integer")
    if team.timeout <= 0:
        errors.append(f"{source}: team.timeout: expected a positive number")
    if locks.namespace and not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", locks.namespace):
        errors.append(f"{source}: locks.namespace: expected a Kubernetes namespace name, got {locks.namespace!r}")
    return errors
