"""A file the run cannot check fails it; one bad file never loses the others' findings."""

from __future__ import annotations

import json
import os
from pathlib import Path

from checks.cli import main
from checks.engine import scan
from checks.reporters import FORMATS

FIXTURES = Path(__file__).parent / "fixtures"
SNS = 'resource "aws_sns_topic" "t" {\n  name = "t"\n}\n'


def by_rule(result, rule_id):
    return [f for f in result.findings if f.rule_id == rule_id]


def test_a_nul_byte_in_a_dockerfile_does_not_hide_its_findings(tmp_path):
    (tmp_path / "Dockerfile").write_bytes(b"FROM ubuntu:latest\x00\nRUN sudo make install\n")
    result = scan([tmp_path], use_cache=False)
    assert {"OPS-DF-001", "OPS-DF-015"} <= {f.rule_id for f in result.findings}
    assert main([str(tmp_path), "--no-cache"]) == 1


def test_a_terraform_file_past_the_size_cap_fails_the_run_at_any_threshold(tmp_path):
    (tmp_path / "huge.tf").write_text(SNS + "# padding\n" * 240_000)  # > 2 MiB
    result = scan([tmp_path], use_cache=False)
    notes = by_rule(result, "OPS-SCAN-002")
    assert notes and notes[0].location.path.endswith("huge.tf") and "larger than" in notes[0].message
    assert main([str(tmp_path), "--no-cache", "--fail-on", "critical"]) == 1


def test_a_deeply_nested_manifest_is_a_finding_and_the_rest_is_kept(tmp_path):
    (tmp_path / "deep.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "
                                        + "[" * 100_000 + "]" * 100_000 + "\n")
    (tmp_path / "deep.json").write_text('{"apiVersion": "v1", "kind": "Pod", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (tmp_path / "main.tf").write_text(SNS)
    result = scan([tmp_path], use_cache=False)
    named = {f.location.path.rsplit("/", 1)[-1] for f in by_rule(result, "OPS-SCAN-002")}
    assert {"deep.yaml", "deep.json"} <= named
    assert by_rule(result, "OPS-TF-SNS-001")
    assert main([str(tmp_path), "--no-cache", "--format", "json"]) == 1


def test_a_directory_that_cannot_be_listed_is_a_finding_and_the_run_goes_on(tmp_path):
    # A path past PATH_MAX cannot be listed, even by root (where mode 000 would not stop us).
    (tmp_path / "main.tf").write_text(SNS)
    deep = tmp_path / "deep"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    try:
        for _ in range(18):
            os.mkdir("d" * 250, dir_fd=fd)
            nxt = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
    finally:
        os.close(fd)
    result = scan([tmp_path], use_cache=False)
    notes = by_rule(result, "OPS-SCAN-002")
    assert notes and "unreadable directory" in notes[0].message and "deep" in notes[0].location.path
    assert by_rule(result, "OPS-TF-SNS-001")
    assert main([str(tmp_path), "--no-cache", "--fail-on", "critical"]) == 1


def test_a_newline_in_a_file_name_stays_on_its_report_line(tmp_path):
    (tmp_path / "x\nCRITICAL OPS-FAKE-999 forged.tf").write_text(SNS)
    report = FORMATS["text"](scan([tmp_path], use_cache=False))
    assert not any(line.startswith("CRITICAL OPS-FAKE") for line in report.splitlines())
    assert "x\\nCRITICAL OPS-FAKE-999 forged.tf" in report


def test_helm_templates_and_json_manifests_are_not_skipped_silently(tmp_path):
    (tmp_path / "deploy.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n")
    (tmp_path / "pod.json").write_text(json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
                                                   "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, indent=2))
    result = scan([tmp_path], use_cache=False)
    notes = [f for f in by_rule(result, "OPS-SCAN-001") if f.location.path.endswith("deploy.yaml")]
    assert notes and "template" in notes[0].message
    assert [f.resource for f in by_rule(result, "OPS-K8S-013")] == ["Pod/j"]


def test_a_file_that_cannot_be_parsed_fails_the_run_at_any_threshold(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nFROBNICATE all\n")
    assert main([str(tmp_path), "--no-cache", "--fail-on", "critical"]) == 1


def test_live_kubernetes_unreachable_exits_2(tmp_path, monkeypatch, capsys):
    import socket

    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster:
    server: http://127.0.0.1:{port}
contexts:
- name: gone
  context:
    cluster: gone
    user: u
current-context: gone
users:
- name: u
  user:
    token: t
""")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    (tmp_path / "main.tf").write_text(SNS)
    code = main([str(tmp_path / "main.tf"), "--live", "kubernetes", "--format", "json", "--no-cache"])
    captured = capsys.readouterr()
    assert code == 2
    assert "live source unavailable" in captured.err
    assert any(f["rule_id"] == "OPS-LIVE-001" for f in json.loads(captured.out)["findings"])
