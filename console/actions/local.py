"""Action specs on local files (the Compliance tab's suppressions): pure, no widgets."""

from __future__ import annotations

from pathlib import Path

from checks.model import Finding
from console.actions import ActionSpec, Change, Preview, Progress, Risk, Target
from console.config import Suppression
from console.errors import InvalidInput


def suppression_spec(path: Path, finding: Finding, sup: Suppression) -> ActionSpec:
    """The guarded action that appends ``sup`` to the tab's suppressions file ``path``."""
    where = str(finding.location) if sup.path else "everywhere"
    what = f"{finding.rule_id} at {where}"

    def execute(target: Target, timeout: float) -> str:
        from checks import suppress

        suppress.append_file(path, sup)
        return f"appended to {path}"

    def verify(target: Target, progress: Progress, deadline: float) -> None:
        from checks import suppress

        if sup not in suppress.load_file(path):  # read back: the file now holds it
            raise InvalidInput(f"{path}: the suppression of {what} is not in the file after writing it",
                               source="compliance.suppress")
        progress(f"{path} holds the suppression of {what}")

    return ActionSpec(
        verb="suppress",
        targets=(Target("finding", finding.rule_id, "local", where),),
        risk=Risk.LOW,
        execute=execute,
        verify=verify,
        verify_timeout=10.0,
        preview=lambda t: Preview((Change("suppressed", "no", f"yes: {sup.reason}"),
                                   Change("expires", "", sup.expires or "never")),
                                  notes=(f"only this finding: {what}", f"written to {path}")),
        undo_hint=f"remove the {finding.rule_id} entry for {where} from {path}",
        summary=f"suppress {what}",
        details={"rule": finding.rule_id, "where": where, "line": str(finding.location.line or ""),
                 "pattern": sup.path or "*", "reason": sup.reason, "expires": sup.expires or "never"},
    )
