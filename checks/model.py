"""What a rule is and what it finds: plain frozen data, shared by every pack and reporter."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from checks.evidence import mask_secrets


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected low, medium, high or critical)") from None


@dataclass(frozen=True)
class Hit:
    """What a rule check yields: a message and where in the object it points."""

    message: str
    attribute: str = ""  # the attribute/key the finding is about, used to find its line
    line: int | None = None  # an exact line when the check knows it


@dataclass(frozen=True)
class Rule:
    id: str  # e.g. OPS-TF-S3-001
    title: str
    severity: Severity
    category: str  # encryption, network, iam, logging, ...
    applies_to: tuple[str, ...]  # e.g. ("terraform:aws_s3_bucket",) or ("kubernetes:workload",)
    remediation: str
    reference: str
    check: Callable[..., Iterable[Hit]] = field(compare=False, repr=False)

    @property
    def pack(self) -> str:
        return self.applies_to[0].partition(":")[0] if self.applies_to else ""


@dataclass(frozen=True)
class Location:
    """A file position or a live object's identity (backend + resource)."""

    path: str = ""  # file path as given/relative to the scan root
    line: int = 0
    end_line: int = 0
    live: str = ""  # e.g. "docker://host/container/web" or "aws://s3/bucket-name"

    def __str__(self) -> str:
        if self.live:
            return self.live
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    severity: Severity
    category: str
    message: str
    location: Location
    resource: str = ""  # aws_s3_bucket.logs, module.net.aws_security_group.ssh, Deployment/web
    evidence: str = ""  # a short snippet of the offending source or live state (secrets masked)
    remediation: str = ""
    reference: str = ""
    suppressed: bool = False
    suppression: str = ""  # why it is suppressed, or why a suppression no longer applies
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # every evidence snippet (tab, text, JSON, SARIF, JUnit, saved runs) goes out with secrets masked
        if self.evidence:
            object.__setattr__(self, "evidence", mask_secrets(self.evidence))

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs (line numbers excluded, so edits above don't churn)."""
        key = "\x1f".join((self.rule_id, self.location.path, self.location.live, self.resource, self.message))
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def with_suppression(self, suppressed: bool, note: str) -> Finding:
        return replace(self, suppressed=suppressed, suppression=note)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.label,
            "category": self.category,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "end_line": self.location.end_line,
            "live": self.location.live,
            "resource": self.resource,
            "evidence": self.evidence,
            "remediation": self.remediation,
            "reference": self.reference,
            "suppressed": self.suppressed,
            "suppression": self.suppression,
            "fingerprint": self.fingerprint,
            **({k: v for k, v in self.extra}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule_id=str(data["rule_id"]),
            title=str(data.get("title", "")),
            severity=Severity.parse(str(data.get("severity", "info"))),
            category=str(data.get("category", "")),
            message=str(data.get("message", "")),
            location=Location(str(data.get("path", "")), int(data.get("line") or 0),
                              int(data.get("end_line") or 0), str(data.get("live", ""))),
            resource=str(data.get("resource", "")),
            evidence=str(data.get("evidence", "")),
            remediation=str(data.get("remediation", "")),
            reference=str(data.get("reference", "")),
            suppressed=bool(data.get("suppressed", False)),
            suppression=str(data.get("suppression", "")),
            extra=(("instances", str(data["instances"])),) if data.get("instances") else (),
        )


def finding_for(rule: Rule, hit: Hit, location: Location, resource: str, evidence: str) -> Finding:
    return Finding(
        rule_id=rule.id, title=rule.title, severity=rule.severity, category=rule.category,
        message=hit.message, location=location, resource=resource, evidence=evidence,
        remediation=rule.remediation, reference=rule.reference,
    )


PARSE_ERROR = Rule(
    id="OPS-PARSE-001", title="File could not be parsed", severity=Severity.HIGH, category="parse",
    applies_to=("any:file",), remediation="Fix the syntax error so the file can be checked.",
    reference="https://developer.hashicorp.com/terraform/language/syntax/configuration",
    check=lambda *_: (),
)
SKIPPED_FILE = Rule(
    id="OPS-SCAN-001", title="File skipped", severity=Severity.INFO, category="scan",
    applies_to=("any:file",), remediation="Nothing to do unless the file should have been checked.",
    reference="", check=lambda *_: (),
)
UNCHECKED_FILE = Rule(
    id="OPS-SCAN-002", title="File or directory could not be checked", severity=Severity.HIGH, category="scan",
    applies_to=("any:file",), remediation="Make it readable (or smaller than the size cap) so it can be checked; "
    "until then the run cannot vouch for it.", reference="", check=lambda *_: (),
)
NOT_EVALUATED = Rule(
    id="OPS-TF-EVAL-001", title="Could not evaluate", severity=Severity.INFO, category="scan",
    applies_to=("terraform:any",), remediation="The value is known only at plan/apply time (a data source, a "
    "resource attribute, an unset variable); pass it in a .tfvars file to have it checked.",
    reference="https://developer.hashicorp.com/terraform/language/values/variables#variable-definitions-tfvars-files",
    check=lambda *_: (),
)
LIVE_UNAVAILABLE = Rule(
    id="OPS-LIVE-001", title="Live source unavailable", severity=Severity.HIGH, category="scan",
    applies_to=("any:live",), remediation="Check the backend's connection settings and retry.",
    reference="", check=lambda *_: (),
)


def scan_note(rule: Rule, message: str, location: Location, evidence: str = "") -> Finding:
    """A finding about the scan itself: parse errors, skipped files, unavailable sources."""
    return finding_for(rule, Hit(message), location, "", evidence)
