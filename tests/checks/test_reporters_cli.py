"""Every output format validated; exit codes of `opsconsole check`."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from checks.cli import main
from checks.engine import scan
from checks.reporters import FORMATS
from console.config import Config

DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def mixed(tmp_path):
    """A small repo with a finding in each file kind, one suppressed, and one parse error."""
    (tmp_path / "main.tf").write_text('resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n}\n'
                                      '# opsconsole:ignore OPS-TF-SNS-001 internal topic\nresource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    (tmp_path / "broken.tf").write_text('resource "x" "y" {\n  a = \n}\n')
    (tmp_path / "Dockerfile").write_text("FROM ubuntu\nRUN echo \x1b[31mred\n")
    (tmp_path / "k8s.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n")
    return tmp_path


def test_sarif_is_valid_against_the_2_1_0_schema(mixed):
    doc = json.loads(FORMATS["sarif"](scan([mixed], use_cache=False)))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    sns = next(r for r in results if r["ruleId"] == "OPS-TF-SNS-001")
    assert sns["suppressions"][0]["kind"] == "inSource"
    ebs = next(r for r in results if r["ruleId"] == "OPS-TF-EBS-001")
    assert ebs["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert any(r["ruleId"] == "OPS-PARSE-001" for r in results)


def test_sarif_for_live_findings_uses_logical_locations():
    from checks.live import run_live_rules

    findings = run_live_rules("docker:container", [("docker://local/web", "web", {"privileged": True})])
    from checks.engine import ScanResult

    doc = json.loads(FORMATS["sarif"](ScanResult(findings, ("live:docker",))))
    jsonschema.validate(doc, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))
    assert doc["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "docker://local/web"


def test_junit_is_well_formed(mixed):
    root = ET.fromstring(FORMATS["junit"](scan([mixed], use_cache=False)))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites and all(s.get("name").startswith("opsconsole") for s in suites)
    cases = root.findall("./testsuite/testcase")
    assert any(c.find("failure") is not None for c in cases)
    assert any(c.find("skipped") is not None for c in cases)  # the suppressed finding
    assert int(root.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)


def test_json_report(mixed):
    doc = json.loads(FORMATS["json"](scan([mixed], use_cache=False)))
    assert doc["summary"]["total"] == len(doc["findings"]) and doc["summary"]["suppressed"] == 1
    assert {"rule_id", "severity", "path", "line", "evidence", "remediation", "fingerprint"} <= set(doc["findings"][0])


def test_text_report_strips_control_sequences(mixed):
    text = FORMATS["text"](scan([mixed], use_cache=False))
    assert "\x1b" not in text and "OPS-DF-002" in text and "(suppressed)" in text


def test_exit_codes(tmp_path, capsys):
    clean = FIXTURES / "terraform" / "OPS-TF-EBS-001" / "pass.tf"
    failing = FIXTURES / "terraform" / "OPS-TF-EBS-001" / "fail.tf"
    assert main([str(failing), "--fail-on", "high"]) == 1
    assert main([str(failing), "--fail-on", "critical"]) == 0  # only HIGH there
    assert main([str(clean), "--fail-on", "high"]) == 0
    assert main(["--format", "yaml", str(clean)]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main([str(tmp_path / "missing")]) == 2
    assert "path not found" in capsys.readouterr().err
    assert main(["--live", "vmware", str(clean)]) == 2
    assert main(["--config", str(tmp_path / "none.toml"), str(clean)]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert main(["--help"]) == 0


def test_output_file_and_config_fail_on(tmp_path):
    conf = tmp_path / "c.toml"
    conf.write_text('[compliance]\nfail_on = "critical"\n')
    failing = FIXTURES / "terraform" / "OPS-TF-EBS-001" / "fail.tf"
    out = tmp_path / "r.sarif"
    assert main([str(failing), "--config", str(conf), "--format", "sarif", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert main([str(failing), "--output", str(tmp_path / "no" / "dir" / "r.txt")]) == 2


def test_config_suppression_turns_exit_code_green(tmp_path):
    conf = tmp_path / "c.toml"
    conf.write_text('[[compliance.suppressions]]\nrule = "OPS-TF-EBS-001"\nreason = "scratch volume"\nexpires = "2999-01-01"\n')
    failing = FIXTURES / "terraform" / "OPS-TF-EBS-001" / "fail.tf"
    assert main([str(failing), "--config", str(conf), "--fail-on", "high"]) == 0


def test_live_source_unavailable_is_reported_and_exits_2(tmp_path, capsys):
    clean = FIXTURES / "terraform" / "OPS-TF-EBS-001" / "pass.tf"
    code = main([str(clean), "--live", "docker", "--format", "json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 2  # a CI job must not pass having checked nothing there
    assert "live source unavailable" in captured.err
    notes = [f for f in doc["findings"] if f["rule_id"] == "OPS-LIVE-001"]
    assert notes and notes[0]["message"].startswith("live source unavailable")


def test_scan_is_usable_without_a_config():
    assert scan([FIXTURES / "terraform" / "OPS-TF-EBS-001" / "pass.tf"], config=Config()).findings is not None


def test_list_rules(capsys):
    assert main(["--list-rules"]) == 0
    out = capsys.readouterr().out
    assert "OPS-TF-S3-001" in out and "OPS-DF-001" in out and out.rstrip().endswith("rules")
    assert main(["--list-rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {"id", "severity", "applies_to", "remediation", "reference"} <= set(rules[0])
