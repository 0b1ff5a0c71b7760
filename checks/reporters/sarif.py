"""SARIF 2.1.0 (what GitHub code scanning accepts)."""

from __future__ import annotations

from checks.model import Severity
from checks.registry import get
from checks.reporters.json_text import OneLinePerItem, dumps
from checks.reporters.paths import base_of, relative_uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
SCORE = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0", Severity.INFO: "0.0"}


def render(result) -> str:
    base = base_of(result)
    rules: dict[str, dict] = {}
    index: dict[str, int] = {}
    results = []
    for f in result.findings:
        if f.rule_id not in index:
            rule = get(f.rule_id)
            index[f.rule_id] = len(rules)
            rules[f.rule_id] = {
                "id": f.rule_id,
                "name": "".join(w.capitalize() for w in f.title.replace("-", " ").split() if w.isalnum()) or f.rule_id,
                "shortDescription": {"text": f.title},
                "fullDescription": {"text": f"{f.title}. Applies to {', '.join(rule.applies_to) if rule else f.category}."},
                "help": {"text": f.remediation or f.title,
                         "markdown": f"**Fix:** {f.remediation}" + (f"\n\n[Reference]({f.reference})" if f.reference else "")},
                "defaultConfiguration": {"level": LEVEL[f.severity]},
                "properties": {"tags": [f.category, "security"], "security-severity": SCORE[f.severity],
                               "severity": f.severity.label},
            }
            if f.reference:
                rules[f.rule_id]["helpUri"] = f.reference
        item: dict = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": LEVEL[f.severity],
            "message": {"text": f"{f.message}" + (f" ({f.resource})" if f.resource else "")},
            "partialFingerprints": {"opsconsole/v1": f.fingerprint},
        }
        if f.location.path:
            region = {"startLine": max(f.location.line, 1)}
            if f.evidence:
                region["snippet"] = {"text": f.evidence}
            item["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": relative_uri(f.location.path, base),
                                                                         "uriBaseId": "SRCROOT"}, "region": region}}]
        elif f.location.live:
            item["locations"] = [{"logicalLocations": [{"fullyQualifiedName": f.location.live, "kind": "resource"}]}]
        if f.extra:
            item["properties"] = dict(f.extra)  # e.g. the module/count/for_each instances of this location
        if f.suppressed:
            item["suppressions"] = [{"kind": "inSource" if f.suppression.startswith("inline") else "external",
                                     "justification": f.suppression}]
        results.append(item)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "opsconsole", "version": "0.1.0", "rules": list(rules.values())}},
            "originalUriBaseIds": {"SRCROOT": {"uri": base.resolve().as_uri() + "/"}},
            "results": OneLinePerItem(results),
        }],
    }
    return dumps(doc) + "\n"
