"""Plain-text report for terminals and CI logs (literal text; control sequences stripped)."""

from __future__ import annotations

from collections import Counter

from checks.model import Severity
from console.text import strip_control


def render(result) -> str:
    lines = []
    for f in result.findings:
        mark = " (suppressed)" if f.suppressed else ""
        lines.append(f"{f.severity.label.upper():8} {f.rule_id:16} {strip_control(f.location)}{mark}")
        lines.append(f"         {strip_control(f.title)}: {strip_control(f.message)}")
        if f.resource:
            lines.append(f"         resource: {strip_control(f.resource)}")
        for ev in strip_control(f.evidence).splitlines()[:3]:
            lines.append(f"         | {ev}")
        if f.suppression:
            lines.append(f"         suppression: {strip_control(f.suppression)}")
        if f.remediation:
            lines.append(f"         fix: {strip_control(f.remediation)}")
        lines.append("")
    active = Counter(f.severity for f in result.findings if not f.suppressed)
    suppressed = sum(1 for f in result.findings if f.suppressed)
    counts = ", ".join(f"{active.get(s, 0)} {s.label}" for s in sorted(Severity, reverse=True) if active.get(s))
    lines.append(f"{len(result.findings) - suppressed} findings ({counts or 'none'}), {suppressed} suppressed; "
                 f"{result.files} files in {result.seconds:.2f}s")
    return "\n".join(lines) + "\n"
