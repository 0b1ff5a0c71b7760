"""Every rule has a failing and a passing fixture; the failing one finds it, the passing one doesn't."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from checks.engine import scan
from checks.registry import all_rules
from checks.rules.docker_live import normalise
from checks.rules.kubernetes import scan_live_objects
from console.config import Config

FIXTURES = Path(__file__).parent / "fixtures"
RULES = all_rules()
FILE_PACKS = ("terraform", "dockerfile", "kubernetes", "repo")


def fixture(rule_id: str, pack: str, kind: str) -> Path:
    folder = FIXTURES / pack / rule_id
    found = sorted(folder.glob(f"{kind}*"))
    assert found, f"{folder}: no {kind} fixture"
    return found[0]


def ids_in(path: Path) -> set[str]:
    return {f.rule_id for f in scan([path], config=Config(), use_cache=False).findings}


@pytest.mark.parametrize("rule", [r for r in RULES if r.pack in FILE_PACKS], ids=lambda r: r.id)
def test_file_rule_fires_on_failing_fixture_only(rule):
    assert rule.id in ids_in(fixture(rule.id, rule.pack, "fail"))
    assert rule.id not in ids_in(fixture(rule.id, rule.pack, "pass"))


@pytest.mark.parametrize("rule", [r for r in RULES if r.pack == "kubernetes"], ids=lambda r: r.id)
def test_kubernetes_rule_applies_to_live_objects(rule):
    def live_ids(path: Path) -> set[str]:
        objects = [d for d in yaml.safe_load_all(path.read_text()) if d]
        return {f.rule_id for f in scan_live_objects(objects, "test-ctx")}

    assert rule.id in live_ids(fixture(rule.id, "kubernetes", "fail"))
    assert rule.id not in live_ids(fixture(rule.id, "kubernetes", "pass"))


@pytest.mark.parametrize("rule", [r for r in RULES if r.pack == "docker"], ids=lambda r: r.id)
def test_docker_live_rule(rule):
    def hits(kind: str) -> list:
        return list(rule.check(normalise(json.loads(fixture(rule.id, "docker", kind).read_text()))))

    assert hits("fail")
    assert not hits("pass")


def _dates(obj: dict) -> dict:
    return {k: datetime.fromisoformat(v) if k in ("created", "last_used", "now") and isinstance(v, str) else v
            for k, v in obj.items()}


@pytest.mark.parametrize("rule", [r for r in RULES if r.pack == "aws"], ids=lambda r: r.id)
def test_aws_live_rule(rule):
    def hits(kind: str) -> list:
        data = json.loads(fixture(rule.id, "aws", kind).read_text())
        return list(rule.check(_dates(data["object"]), _dates(data["ctx"])))

    assert hits("fail")
    assert not hits("pass")


def test_every_rule_is_complete():
    for rule in RULES:
        assert rule.title and rule.remediation and rule.category and rule.applies_to, rule.id
        assert rule.reference.startswith("https://"), rule.id
    assert len([r for r in RULES if r.pack == "terraform"]) >= 40


def test_findings_carry_location_and_evidence():
    finding = next(f for f in scan([fixture("OPS-TF-NET-001", "terraform", "fail")], use_cache=False).findings
                   if f.rule_id == "OPS-TF-NET-001")
    assert finding.location.line == 3 and finding.resource == "aws_security_group.s"
    assert "ingress" in finding.evidence and finding.remediation
