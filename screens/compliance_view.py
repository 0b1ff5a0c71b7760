"""Pure presentation for the Compliance tab: grouping, labels and the detail text."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from rich.text import Text

from checks.model import Finding, Severity
from console.filter import compile_query
from console.text import safe_text
from screens.table_notes import count_text, empty_text

GROUPINGS = ("severity", "rule", "resource")
SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow",
                  Severity.LOW: "cyan", Severity.INFO: "dim"}


def where(f: Finding) -> str:
    return f.resource or str(f.location)


def matches(f: Finding, query: str) -> bool:
    """The `/` grammar of console.filter: words in the finding's id, title, place, resource,
    message or severity; ``rule=``, ``severity=``, ``resource=``, ``file=`` (prefix* too)."""
    if not query:
        return True
    haystack = " ".join((f.rule_id, f.title, str(f.location), f.resource, f.message, f.severity.label,
                         "suppressed" if f.suppressed else "")).lower()
    fields = {"rule": f.rule_id.lower(), "severity": f.severity.label.lower(), "resource": f.resource.lower(),
              "file": (f.location.path or f.location.live).lower(),
              "suppressed": "yes" if f.suppressed else "no"}
    return compile_query(query)(haystack, fields)


def group(findings: Iterable[Finding], by: str) -> OrderedDict[str, OrderedDict[str, list[Finding]]]:
    """Two levels: severity → rule, rule → resource, or resource → rule."""
    out: OrderedDict[str, OrderedDict[str, list[Finding]]] = OrderedDict()
    ordered = sorted(findings, key=lambda f: (-f.severity, f.rule_id, where(f), f.location.line))
    for f in ordered:
        if by == "severity":
            top, sub = f.severity.label, f"{f.rule_id}  {f.title}"
        elif by == "rule":
            top, sub = f"{f.rule_id}  {f.title}", where(f)
        else:
            top, sub = where(f), f"{f.rule_id}  {f.title}"
        out.setdefault(top, OrderedDict()).setdefault(sub, []).append(f)
    return out


def count_label(text: str, items: int | list[Finding], style: str = "") -> Text:
    """``text  (n)``; given findings, active and suppressed are counted apart: ``(6 active, 1 suppressed)``."""
    label = safe_text(text, style)
    if isinstance(items, int):
        label.append(f"  ({items})", style="dim")
        return label
    suppressed = sum(1 for f in items if f.suppressed)
    active = len(items) - suppressed
    label.append(f"  ({active} active, {suppressed} suppressed)" if suppressed else f"  ({active})", style="dim")
    return label


def finding_label(f: Finding, new: bool) -> Text:
    label = Text()
    label.append(f"{f.severity.label[:4].upper():4} ", style=SEVERITY_STYLE[f.severity])
    label.append_text(safe_text(str(f.location)))
    if f.resource and f.resource != str(f.location):
        label.append_text(safe_text(f"  {f.resource}", "dim"))
    if f.suppressed:
        label.append("  suppressed", style="dim italic")
    if new:
        label.append("  ● new", style="bold")
    return label


def detail(f: Finding, new: bool = False, resolved: bool = False) -> Text:
    """Everything a reader needs to act: what, where, evidence, fix, suppression state."""
    out = Text()
    out.append(f"{f.rule_id}  ", style="bold")
    out.append(f.severity.label.upper(), style=SEVERITY_STYLE[f.severity])
    out.append_text(safe_text(f"  {f.category}", "dim"))
    if new:
        out.append("  new since the last run", style="bold")
    if resolved:
        out.append("  resolved since the last run", style="bold")
    out.append("\n")
    out.append_text(safe_text(f.title, "bold"))
    out.append("\n\n")
    for name, value in (("where", str(f.location)), ("resource", f.resource), ("finding", f.message)):
        if value:
            out.append(f"{name:9}", style="dim")
            out.append_text(safe_text(value))
            out.append("\n")
    if f.evidence:
        out.append("\nevidence\n", style="dim")
        for line in f.evidence.splitlines()[:12]:
            out.append("  │ ", style="dim")
            out.append_text(safe_text(line))
            out.append("\n")
    if f.remediation:
        out.append("\nfix  ", style="dim")
        out.append_text(safe_text(f.remediation))
        out.append("\n")
    if f.reference:
        out.append("ref  ", style="dim")
        out.append_text(safe_text(f.reference))
        out.append("\n")
    if f.suppression:
        out.append("\nsuppression  ", style="dim")
        out.append_text(safe_text(f.suppression))
        out.append("\n")
    return out


def empty_label(query: str, targets: tuple[str, ...]) -> Text:
    """What an empty findings list means: ``no findings match "x" in infra/`` (literal)."""
    return safe_text(empty_text("findings", f"in {' '.join(targets)}" if targets else "", query))


def summary(findings: list[Finding], new: int, resolved: int, first_run: bool,
            everything: list[Finding] | None = None) -> Text:
    """The counts line; under a filter (``everything`` given) ``3 of 40 findings``."""
    active = [f for f in findings if not f.suppressed]
    counts = [(s, sum(1 for f in active if f.severity is s)) for s in sorted(Severity, reverse=True)]
    out = Text()
    total = None if everything is None else sum(1 for f in everything if not f.suppressed)
    out.append(count_text(len(active), total if total is not None else len(active), "findings", total is not None),
               style="bold")
    for sev, n in counts:
        if n:
            out.append(f"  {n} {sev.label}", style=SEVERITY_STYLE[sev])
    suppressed = len(findings) - len(active)
    if suppressed:
        out.append(f"  · {suppressed} suppressed", style="dim")
    out.append("  · first run" if first_run else f"  · {new} new, {resolved} resolved since the last run")
    return out
