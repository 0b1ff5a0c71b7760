"""SARIF and JUnit paths are relative (scan root / repository root / --base-path); JUnit honours --fail-on."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from checks.cli import main

CALLER = 'module "net" {\n  source = "../modules/net"\n}\n'
CHILD = 'resource "aws_sns_topic" "t" {\n  name = "t"\n}\n'


def layout(tmp_path):
    (tmp_path / ".git").mkdir()
    env = tmp_path / "envs" / "prod"
    env.mkdir(parents=True)
    (env / "main.tf").write_text(CALLER)
    (tmp_path / "envs" / "modules" / "net").mkdir(parents=True)
    (tmp_path / "envs" / "modules" / "net" / "main.tf").write_text(CHILD)
    return env


def uris(path):
    doc = json.loads(path.read_text())
    return {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r.get("locations", []) if "physicalLocation" in loc}


def test_sarif_uris_are_repository_relative_even_for_modules_outside_the_scanned_directory(tmp_path):
    env = layout(tmp_path)
    out = tmp_path / "r.sarif"
    main([str(env), "--format", "sarif", "--output", str(out), "--no-cache"])
    found = uris(out)
    assert "envs/modules/net/main.tf" in found
    assert not any(u.startswith("/") for u in found)


def test_base_path_option(tmp_path):
    env = layout(tmp_path)
    out = tmp_path / "r.sarif"
    main([str(env), "--format", "sarif", "--output", str(out), "--no-cache", "--base-path", str(tmp_path / "envs")])
    assert "modules/net/main.tf" in uris(out)
    assert main([str(env), "--base-path", str(tmp_path / "nope")]) == 2


def test_junit_failures_follow_fail_on(tmp_path):
    (tmp_path / "main.tf").write_text(CHILD)  # OPS-TF-SNS-001 is below critical
    out = tmp_path / "r.xml"
    assert main([str(tmp_path), "--format", "junit", "--output", str(out), "--fail-on", "critical", "--no-cache"]) == 0
    root = ET.fromstring(out.read_text())
    assert root.get("failures") == "0" and not root.findall(".//failure")
    assert main([str(tmp_path), "--format", "junit", "--output", str(out), "--fail-on", "low", "--no-cache"]) == 1
    assert ET.fromstring(out.read_text()).findall(".//failure")
