"""Secrets in user data and committed files: AWS secret keys, literal passwords/tokens; masked evidence."""

from __future__ import annotations

import json

import pytest

from checks.cli import main
from checks.engine import scan
from checks.evidence import mask_secrets
from checks.reporters import FORMATS
from console.text import MASK

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PASSWORD = "Sup3rS3cretPassw0rd"
USER_DATA_TF = ('resource "aws_instance" "web" {\n  ami = "ami-123"\n'
                f'  user_data = "export AWS_SECRET_ACCESS_KEY={SECRET_KEY}\\nexport DB_PASSWORD={PASSWORD}"\n}}\n')


def rules_at(findings, name):
    return sorted((f.rule_id, f.location.line) for f in findings if f.location.path.endswith(name))


def test_user_data_with_secret_key_and_password_is_flagged(tmp_path):
    (tmp_path / "main.tf").write_text(USER_DATA_TF)
    findings = scan([tmp_path], use_cache=False).findings
    ec2 = [f for f in findings if f.rule_id == "OPS-TF-EC2-003"]
    messages = " ".join(f.message for f in ec2)
    assert "AWS secret access key" in messages and "DB_PASSWORD" in messages
    assert ("OPS-REPO-003", 3) in rules_at(findings, "main.tf")
    assert all(SECRET_KEY not in f.evidence and PASSWORD not in f.evidence for f in findings)


@pytest.mark.parametrize("name, text, rule", [
    ("creds.ini", f"[default]\naws_secret_access_key = {SECRET_KEY}\n", "OPS-REPO-003"),
    ("app.cfg", f"[db]\npassword = {PASSWORD}\n", "OPS-REPO-004"),
    (".env", f"DB_PASSWORD={PASSWORD}\n", "OPS-REPO-004"),
    ("app.properties", f"api.token={PASSWORD}\n", "OPS-REPO-004"),
    ("values.yaml", f"db:\n  password: {PASSWORD}\n", "OPS-REPO-004"),
    ("settings.json", json.dumps({"client_secret": PASSWORD}), "OPS-REPO-004"),
    ("main.tf", f'variable "x" {{\n  default = "x"\n}}\nlocals {{\n  db_password = "{PASSWORD}"\n}}\n', "OPS-REPO-004"),
])
def test_secret_files_raise_a_repository_finding(tmp_path, name, text, rule):
    (tmp_path / name).write_text(text)
    findings = scan([tmp_path], use_cache=False).findings
    assert rule in [r for r, _ in rules_at(findings, name)]


@pytest.mark.parametrize("line", [
    "password = changeme", "token = ${var.x}", 'api_key = "<your key here>"', "password: example",
    "secret_key = ${SECRET_KEY}", "password = $DB_PASSWORD", "client_secret: {{ .Values.secret }}",
    "aws_secret_access_key = xxxxxxxxxxxxxxxx", "password = get_password_from_vault()",
    "token = self.session.token", "password_file = /run/secrets/db",
])
def test_placeholders_and_references_are_not_secrets(tmp_path, line):
    (tmp_path / "app.ini").write_text(f"[a]\n{line}\n")
    findings = scan([tmp_path], use_cache=False).findings
    assert not [f for f in findings if f.rule_id.startswith("OPS-REPO-00") and f.rule_id != "OPS-REPO-001"]


def test_example_inside_a_real_looking_value_is_still_a_secret(tmp_path):
    (tmp_path / "creds.ini").write_text(f"aws_secret_access_key = {SECRET_KEY}\n")
    assert any(f.rule_id == "OPS-REPO-003" for f in scan([tmp_path], use_cache=False).findings)


@pytest.mark.parametrize("text, secret", [
    ('reason="see Bearer abcdefghijklmnop, key AKIAIOSFODNN7EXAMPLE"', "abcdefghijklmnop"),
    ("Authorization: Basic dXNlcjpodW50ZXIycGFzcw==", "dXNlcjpodW50ZXIycGFzcw=="),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIz", "eyJzdWIiOiIxMjM0NTY3ODkwIn0"),
    ("url = postgres://app:hunter2pass@db:5432/app", "hunter2pass"),
    (f"export AWS_SECRET_ACCESS_KEY={SECRET_KEY}\\nexport X=1", SECRET_KEY),
])
def test_evidence_masks_bearer_tokens_and_other_formats(text, secret):
    masked = mask_secrets(text)
    assert secret not in masked and MASK in masked
    assert mask_secrets(masked) == masked


def test_every_output_format_masks_a_bearer_token_in_evidence(tmp_path):
    token = "abcdefghijklmnop1234"
    (tmp_path / "Dockerfile").write_text(f'FROM ubuntu\nRUN curl -H "Authorization: Bearer {token}" http://x\n')
    result = scan([tmp_path], use_cache=False)
    assert any(f.evidence for f in result.findings)
    for fmt, render in FORMATS.items():
        assert token not in render(result), fmt


def test_cli_reports_user_data_secrets(tmp_path, capsys):
    (tmp_path / "main.tf").write_text(USER_DATA_TF)
    main([str(tmp_path), "--format", "json", "--no-cache"])
    out = capsys.readouterr().out
    assert "OPS-TF-EC2-003" in out and SECRET_KEY not in out and PASSWORD not in out


def test_a_name_after_an_escaped_newline_is_reported_by_its_own_name(tmp_path):
    (tmp_path / "setup.py").write_text(f'open(".env", "w").write("X=1\\nAPI_TOKEN={PASSWORD}\\n")\n')
    messages = [f.message for f in scan([tmp_path], use_cache=False).findings if f.rule_id == "OPS-REPO-004"]
    assert messages and messages[0].startswith("API_TOKEN ")
