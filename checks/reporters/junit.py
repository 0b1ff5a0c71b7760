"""JUnit XML: one testsuite per rule pack, one testcase per finding (failure unless suppressed)."""

from __future__ import annotations

import re
from collections import defaultdict
from xml.etree import ElementTree as ET

from checks.model import Severity
from checks.plain import strip_control
from checks.reporters.paths import base_of, relative_uri

_XML_BAD = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: object) -> str:
    return _XML_BAD.sub("", strip_control(str(text)))


def _fails(f, threshold: Severity, unchecked: set[str]) -> bool:
    """A failure only at or above --fail-on (or a file/source that could not be checked)."""
    return not f.suppressed and (f.severity >= threshold or f.rule_id in unchecked)


def render(result) -> str:
    from checks.engine import UNCHECKED_RULES

    threshold = getattr(result, "threshold", Severity.HIGH)
    base = base_of(result)
    failed = {id(f) for f in result.findings if _fails(f, threshold, set(UNCHECKED_RULES))}
    groups = defaultdict(list)
    for f in result.findings:
        groups[f.rule_id.split("-")[1] if f.rule_id.count("-") >= 2 else "other"].append(f)
    root = ET.Element("testsuites", name="opsconsole check", tests=str(len(result.findings)),
                      failures=str(len(failed)), time=f"{result.seconds:.3f}")
    for pack, items in sorted(groups.items()):
        suite = ET.SubElement(root, "testsuite", name=f"opsconsole.{pack.lower()}", tests=str(len(items)),
                              failures=str(sum(1 for f in items if id(f) in failed)),
                              skipped=str(sum(1 for f in items if f.suppressed)), errors="0", time="0")
        for f in items:
            case = ET.SubElement(suite, "testcase", classname=_clean(f"{f.rule_id}"),
                                 name=_clean(f"{f.resource or f.location} @ {f.location}"), file=_clean(relative_uri(f.location.path, base) if f.location.path else ""), time="0")
            if f.location.line:
                case.set("line", str(f.location.line))
            if f.suppressed:
                ET.SubElement(case, "skipped", message=_clean(f"suppressed: {f.suppression}"))
            elif id(f) in failed:
                fail = ET.SubElement(case, "failure", message=_clean(f"{f.title}: {f.message}"), type=f.severity.label)
                fail.text = _clean(f"{f.evidence}\n\nFix: {f.remediation}\nReference: {f.reference}")
            else:  # below --fail-on: reported, not failed
                out = ET.SubElement(case, "system-out")
                out.text = _clean(f"{f.severity.label} (below --fail-on {threshold.label}): {f.title}: {f.message}")
    if not result.findings:
        suite = ET.SubElement(root, "testsuite", name="opsconsole", tests="1", failures="0", errors="0", skipped="0", time="0")
        ET.SubElement(suite, "testcase", classname="opsconsole", name="no findings", time="0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
