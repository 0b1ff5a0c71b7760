"""Plain-text report for terminals and CI logs (literal text; control sequences stripped)."""

from __future__ import annotations

from collections import Counter

from checks.model import Severity
from checks.plain import strip_control


def one_line(value: object) -> str:
    """A value that must stay on its report line: newlines and tabs shown escaped (a file may be
    named "a\nCRITICAL ..." to forge a line), other control characters stripped."""
    text = str(value).replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return strip_control(text)


def render(result) -> str:
    lines = []
    for f in result.findings:
        mark = " (suppressed)" if f.suppressed else ""
        lines.append(f"{f.severity.label.upper():8} {f.rule_id:16} {one_line(f.location)}{mark}")
        lines.append(f"         {one_line(f.title)}: {one_line(f.message)}")
        if f.resource:
            lines.append(f"         resource: {one_line(f.resource)}")
        for key, value in f.extra:
            lines.append(f"         {one_line(key)}: {one_line(value)}")
        for ev in strip_control(f.evidence).splitlines()[:3]:
            lines.append(f"         | {ev}")
        if f.suppression:
            lines.append(f"         suppression: {one_line(f.suppression)}")
        if f.remediation:
            lines.append(f"         fix: {one_line(f.remediation)}")
        lines.append("")
    active = Counter(f.severity for f in result.findings if not f.suppressed)
    suppressed = sum(1 for f in result.findings if f.suppressed)
    counts = ", ".join(f"{active.get(s, 0)} {s.label}" for s in sorted(Severity, reverse=True) if active.get(s))
    lines.append(f"{len(result.findings) - suppressed} findings ({counts or 'none'}), {suppressed} suppressed; "
                 f"{result.files} files in {result.seconds:.2f}s")
    unchecked = len(result.unchecked())
    unknown = result.not_evaluated()
    if unchecked or unknown:
        lines.append(f"{unchecked} files or sources could not be checked; {unknown} checks could not evaluate "
                     "(values unknown until apply)")
    return "\n".join(lines) + "\n"
