"""Action specs on local files (the Compliance tab's suppressions): pure, no widgets."""

from __future__ import annotations

from pathlib import Path

from checks.model import Finding
from console.actions import ActionSpec, Change, Preview, Risk, Target
from console.config import Suppression


def suppression_spec(path: Path, finding: Finding, sup: Suppression) -> ActionSpec:
    """The guarded action that appends ``sup`` to the tab's suppressions file ``path``."""
    where = str(finding.location) if sup.path else "everywhere"
    what = f"{finding.rule_id} at {where}"

    def execute(target: Target, timeout: float) -> str:
        from checks import suppress

        suppress.append_file(path, sup)
        return f"appended to {path}"

    return ActionSpec(
        verb="suppress",
        targets=(Target("finding", finding.rule_id, "local", where),),
        risk=Risk.LOW,
        execute=execute,
        preview=lambda t: Preview((Change("suppressed", "no", f"yes: {sup.reason}"),
                                   Change("expires", "", sup.expires or "never")),
                                  notes=(f"only this finding: {what}", f"written to {path}")),
        undo_hint=f"remove the {finding.rule_id} entry for {where} from {path}",
        summary=f"suppress {what}",
        details={"rule": finding.rule_id, "where": where, "line": str(finding.location.line or ""),
                 "pattern": sup.path or "*", "reason": sup.reason, "expires": sup.expires or "never"},
    )
