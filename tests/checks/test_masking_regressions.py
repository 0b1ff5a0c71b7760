"""Secrets flagged by the rules never reach a report; masking leaves ordinary words alone;
the secret scanner stays linear on huge tokens."""

from __future__ import annotations

import json

import pytest

from checks import runs
from checks.engine import scan
from checks.evidence import mask_secrets
from checks.reporters import FORMATS
from checks.rules import repo
from console.config import Config
from console.text import MASK

POD = """apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
spec:
  containers:
  - name: api
    image: shop/api:1.2.3
    env:
    - name: DB_PASSWORD
      value: hunter2
    - name: API_TOKEN
      value: "tok3n-val"
"""


@pytest.mark.parametrize("text, secret", [
    ("- name: DB_PASSWORD\n  value: hunter2", "hunter2"),
    ('{"name": "API_TOKEN", "value": "s3cr3tvalue"}', "s3cr3tvalue"),
    ('environment = [{ name = "DB_PASSWORD", value = "hunter2" }]', "hunter2"),
    ("ENV DB_PASSWORD letmein", "letmein"),
    ("mysql --password hunter2 -h db", "hunter2"),
    ("password: hunter2", "hunter2"),
    ('password = "#h8x!Qv2"', "#h8x!Qv2"),
])
def test_name_value_pairs_and_spaced_values_are_masked(text, secret):
    masked = mask_secrets(text)
    assert secret not in masked and MASK in masked
    assert mask_secrets(masked) == masked


@pytest.mark.parametrize("text", [
    "# the token expires after an hour", "password required for this step",
    "secret: #REQUIRED_FIELD", "Rotate the API token regularly",
])
def test_ordinary_words_are_not_masked(text):
    assert mask_secrets(text) == text


def test_a_flagged_env_secret_appears_in_no_report_and_no_stored_run(tmp_path):
    (tmp_path / "pod.yaml").write_text(POD)
    result = scan([tmp_path], use_cache=False)
    assert any(f.rule_id == "OPS-K8S-021" for f in result.findings)
    for fmt, render in FORMATS.items():
        out = render(result)
        assert "hunter2" not in out and "tok3n-val" not in out, fmt
    saved = runs.save(Config().state_dir, result.targets, result.findings)
    assert "hunter2" not in saved.read_text() and "tok3n-val" not in saved.read_text()


def test_the_identifier_pattern_scans_a_10000_character_token_in_linear_time():
    token = "a" * 10_000 + "!"  # the old nested quantifier backtracked exponentially on this
    assert repo.IDENTIFIER.match(token) is None
    assert repo.IDENTIFIER.match("a." * 5000)
    assert not repo.looks_like_secret_value("password", token)
    line = f"password = {'Ab1' * 3334}\nsecret_token: {'x' * 10_000}!"
    repo.secret_assignments(line)
    mask_secrets(line)


def test_a_kubernetes_secret_with_a_long_value_is_scanned(tmp_path):
    value = "Qm9vayBvZiB0aGUgRGVhZA" * 460  # ~10,000 characters
    (tmp_path / "secret.yaml").write_text(
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: app\nstringData:\n  api_token: {value}\n")
    result = scan([tmp_path], use_cache=False)
    assert all(value not in json.dumps(f.to_dict()) for f in result.findings)


@pytest.mark.parametrize("value", ["INSERT_YOUR_API_TOKEN_HERE", "insert-github-token", "your_token_here",
                                   "REPLACE_ME_WITH_TOKEN1"])
def test_placeholder_secrets_are_not_reported(tmp_path, value):
    (tmp_path / "app.ini").write_text(f"[a]\napi_token = {value}\n")
    (tmp_path / "pod.yaml").write_text(POD.replace("hunter2", value).replace('"tok3n-val"', value))
    findings = scan([tmp_path], use_cache=False).findings
    assert not [f for f in findings if f.rule_id in ("OPS-REPO-004", "OPS-K8S-021")]


@pytest.mark.parametrize("text", [
    "x" * 10_000 + "://" + "u" * 10_000 + ":" + "p" * 10_000,  # the URL-password pattern was quadratic here
    "name: " + "token" * 2000 + "\n value: x",
    "name: token\n" * 3000,
    f"password: {'a' * 10_000}!",
])
def test_masking_pathological_inputs_finishes(text):
    assert mask_secrets(text)


def test_settings_about_secrets_are_not_masked():
    assert mask_secrets('http_tokens = "required"') == 'http_tokens = "required"'
    assert mask_secrets("password_length = 16") == "password_length = 16"


def test_evidence_comes_from_the_document_masked_as_a_whole(tmp_path):
    from checks.rules.kubernetes import _findings_in_document

    lines = POD.splitlines()
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api"},
           "spec": {"hostNetwork": True, "containers": [{"name": "api", "image": "x:1"}]}}
    whole = _findings_in_document("pod.yaml", obj, lines, 1, len(lines))
    assert whole and all("hunter2" not in f.evidence for f in whole)
