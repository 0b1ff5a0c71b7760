"""Malformed files become parse-error findings; odd files are skipped with a note; the scan goes on."""

from __future__ import annotations

import os

import pytest

from checks import files
from checks.engine import scan


def by_rule(result, rule_id):
    return [f for f in result.findings if f.rule_id == rule_id]


def test_malformed_files_are_parse_errors_with_file_and_line(tmp_path):
    (tmp_path / "bad.tf").write_text('resource "a" "b" {\n  x = 1\n  y = \n}\n')
    (tmp_path / "good.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nFROBNICATE all\n")
    (tmp_path / "Dockerfile.nofrom").write_text("RUN echo hi\n")
    result = scan([tmp_path], use_cache=False)
    errors = {(f.location.path.rsplit("/", 1)[-1], f.location.line) for f in by_rule(result, "OPS-PARSE-001")}
    assert ("bad.tf", 3) in errors and ("Dockerfile", 2) in errors and ("Dockerfile.nofrom", 1) in errors
    assert any(name == "bad.yaml" and line >= 4 for name, line in errors)
    assert by_rule(result, "OPS-TF-SNS-001")  # the good file was still checked


def test_binary_huge_unreadable_and_symlink_loops(tmp_path, monkeypatch):
    (tmp_path / "blob.tf").write_bytes(b"\x00\x01binary\x00")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00\x00")
    monkeypatch.setattr(files, "MAX_BYTES", 1024)
    (tmp_path / "huge.tf").write_text("# pad\n" * 400)
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path, tmp_path / "loop" / "back")  # a directory loop
    os.symlink(tmp_path / "self.tf", tmp_path / "self.tf")  # a file symlink loop
    os.symlink(tmp_path / "gone.tf", tmp_path / "dangling.tf")
    locked = tmp_path / "locked.tf"
    locked.write_text('resource "aws_sns_topic" "t" {}\n')
    locked.chmod(0)
    (tmp_path / "ok.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    result = scan([tmp_path], use_cache=False)
    notes = {f.location.path.rsplit("/", 1)[-1]: f.message for f in by_rule(result, "OPS-SCAN-001")}
    assert "blob.tf" not in notes  # NUL bytes in a checked kind: checked anyway (fail closed)
    unchecked = {f.location.path.rsplit("/", 1)[-1]: f.message for f in by_rule(result, "OPS-SCAN-002")}
    assert "larger than" in unchecked["huge.tf"]
    assert "symlink loop" in notes["self.tf"]
    assert "broken symlink" in notes["dangling.tf"]
    assert any("symlink loop" in m for m in notes.values() if "directory" in m)
    if os.geteuid() != 0:  # root reads mode-000 files anyway
        assert "unreadable" in notes["locked.tf"]
    assert "image.png" not in notes  # binaries of no checked kind are ignored quietly
    assert by_rule(result, "OPS-TF-SNS-001")


def test_undecodable_text_is_read_as_latin1(tmp_path):
    (tmp_path / "main.tf").write_bytes('resource "aws_sns_topic" "t" {\n  name = "caf\xe9"\n}\n'.encode("latin-1"))
    assert by_rule(scan([tmp_path], use_cache=False), "OPS-TF-SNS-001")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "terraform {}\n"])
def test_empty_or_trivial_files(tmp_path, text):
    (tmp_path / "main.tf").write_text(text)
    assert not by_rule(scan([tmp_path], use_cache=False), "OPS-PARSE-001")


def test_secrets_are_masked_in_evidence(tmp_path):
    (tmp_path / "app.env").write_text("AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nENV DB_PASSWORD=hunter2hunter2\n")
    result = scan([tmp_path], use_cache=False)
    for f in result.findings:
        assert "AKIAABCDEFGHIJKLMNOP" not in f.evidence + f.message
        assert "hunter2hunter2" not in f.evidence + f.message
    assert by_rule(result, "OPS-REPO-003") and by_rule(result, "OPS-DF-012")


def test_entropy_rule_ignores_identifiers_uuids_and_paths(tmp_path):
    (tmp_path / "settings.json").write_text(
        '{"output_token": "CloudFrontOriginAccessIdentityList.NextMarker",\n'
        ' "ENV_VAR_AUTH_TOKEN": "AWS_CONTAINER_AUTHORIZATION_TOKEN",\n'
        ' "LifecycleActionToken": "bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635",\n'
        ' "token_file": "/var/run/secrets/eks.amazonaws.com/token1",\n'
        ' "db_password": "Xk9#mQ2vL8pZ4wR7"}\n')
    hits = by_rule(scan([tmp_path], use_cache=False), "OPS-REPO-004")
    assert [f.location.line for f in hits] == [5]


def test_virtualenvs_and_code_named_like_dockerfiles_are_not_scanned(tmp_path):
    venv = tmp_path / "tools-env"
    (venv / "lib").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "leak.py").write_text('KEY = "AKIAABCDEFGHIJKLMNOP"\n')
    (tmp_path / "dockerfile.py").write_text('"""not a Dockerfile"""\n')
    result = scan([tmp_path], use_cache=False)
    assert not by_rule(result, "OPS-REPO-003") and not by_rule(result, "OPS-PARSE-001")


def test_kubernetes_list_documents_and_non_manifests(tmp_path):
    (tmp_path / "list.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n  spec:\n"
        "    containers:\n    - name: c\n      image: nginx:latest\n")
    (tmp_path / "ci.yml").write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
    (tmp_path / "chart.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n")
    result = scan([tmp_path], use_cache=False)
    assert [f.resource for f in by_rule(result, "OPS-K8S-013")] == ["Pod/a"]
    assert not by_rule(result, "OPS-PARSE-001")


def test_broken_suppressions_file_is_a_note_and_the_scan_goes_on(tmp_path):
    from checks.engine import suppressions_file
    from console.config import Config

    config = Config()
    path = suppressions_file(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{broken")
    (tmp_path / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    result = scan([tmp_path], config=config, use_cache=False)
    assert by_rule(result, "OPS-TF-SNS-001")
    notes = [f.message for f in by_rule(result, "OPS-SCAN-001")]
    assert any("suppressions not applied" in m and "suppressions.json" in m for m in notes)


def test_overlapping_roots_check_each_file_once(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "t"\n}\n')
    result = scan([tmp_path, tmp_path / "main.tf"], use_cache=False)
    assert len(by_rule(result, "OPS-TF-SNS-001")) == 1
