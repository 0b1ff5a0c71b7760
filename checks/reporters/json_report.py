"""JSON report: the findings and a summary, stable keys for scripts."""

from __future__ import annotations

from datetime import UTC, datetime

from checks.reporters.json_text import OneLinePerItem, dumps


def render(result) -> str:
    data = {
        "tool": "opsconsole",
        "started": datetime.fromtimestamp(result.started or 0, tz=UTC).isoformat(),
        "seconds": round(result.seconds, 3),
        "targets": list(result.targets),
        "files": result.files,
        "summary": {
            "total": len(result.findings),
            "suppressed": sum(1 for f in result.findings if f.suppressed),
            "could_not_evaluate": result.not_evaluated(),
            "unchecked": len(result.unchecked()),
        },
        "findings": OneLinePerItem([f.to_dict() for f in result.findings]),
    }
    return dumps(data) + "\n"
