"""Inline and configured suppressions; suppressed findings stay visible; expired ones stop applying."""

from __future__ import annotations

from datetime import date

import pytest

from checks import suppress
from checks.engine import scan, suppressions_file
from console.config import ComplianceConfig, Config, Suppression
from console.errors import InvalidInput

OPEN_SSH = ('resource "aws_security_group" "s" {{\n  description = "x"\n{comment}  ingress {{\n    description = "ssh"\n'
            '    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n')


def ssh_finding(tmp_path, config=None, comment=""):
    (tmp_path / "main.tf").write_text(OPEN_SSH.format(comment=comment))
    found = [f for f in scan([tmp_path], config=config or Config(), use_cache=False).findings if f.rule_id == "OPS-TF-NET-001"]
    assert len(found) == 1
    return found[0]


def test_unsuppressed(tmp_path):
    f = ssh_finding(tmp_path)
    assert not f.suppressed and f.suppression == ""


def test_inline_comment_suppresses_with_reason(tmp_path):
    f = ssh_finding(tmp_path, comment="  # opsconsole:ignore OPS-TF-NET-001 bastion host, ticket OPS-12\n")
    assert f.suppressed
    assert "bastion host, ticket OPS-12" in f.suppression and "main.tf:3" in f.suppression


def test_inline_comment_for_another_rule_does_not_apply(tmp_path):
    assert not ssh_finding(tmp_path, comment="  # opsconsole:ignore OPS-TF-NET-002 rdp only\n").suppressed


def cfg(*sups):
    return Config(compliance=ComplianceConfig(suppressions=tuple(sups)))


def test_config_suppression_with_future_expiry(tmp_path):
    f = ssh_finding(tmp_path, cfg(Suppression("OPS-TF-NET-*", "migration to SSM", "2999-01-01", "*main.tf")))
    assert f.suppressed and "migration to SSM until 2999-01-01" == f.suppression


def test_expired_config_suppression_stops_applying_and_says_so(tmp_path):
    f = ssh_finding(tmp_path, cfg(Suppression("OPS-TF-NET-001", "temporary", "2020-01-01")))
    assert not f.suppressed
    assert f.suppression == "suppression expired on 2020-01-01 (was: temporary)"


def test_config_suppression_path_must_match(tmp_path):
    assert not ssh_finding(tmp_path, cfg(Suppression("OPS-TF-NET-001", "x", None, "*/other.tf"))).suppressed


def test_suppression_by_resource_address(tmp_path):
    assert ssh_finding(tmp_path, cfg(Suppression("OPS-TF-NET-001", "x", None, "aws_security_group.s"))).suppressed


def test_tab_suppressions_file_round_trip(tmp_path):
    config = Config()
    path = suppressions_file(config)
    suppress.append_file(path, Suppression("OPS-TF-NET-001", "accepted risk", "2999-12-31", None))
    assert suppress.load_file(path) == (Suppression("OPS-TF-NET-001", "accepted risk", "2999-12-31", None),)
    assert ssh_finding(tmp_path, config).suppressed


def test_bad_suppressions_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text('[{"rule": "X", "reason": "r", "expires": "tomorrow"}]')
    with pytest.raises(InvalidInput, match=r"s.json\[0\].expires"):
        suppress.load_file(bad)
    bad.write_text("{not json")
    with pytest.raises(InvalidInput, match="not a readable suppressions file"):
        suppress.load_file(bad)


def test_expiry_is_checked_against_today():
    from checks.model import Finding, Location, Severity

    f = Finding("R-1", "t", Severity.HIGH, "c", "m", Location("a.tf", 1))
    sup = Suppression("R-1", "why", "2026-01-31")
    assert suppress.apply([f], [], [sup], today=date(2026, 1, 31))[0].suppressed
    assert not suppress.apply([f], [], [sup], today=date(2026, 2, 1))[0].suppressed


def test_exact_pattern_matches_only_that_finding_even_with_wildcards_in_the_name():
    from checks.model import Finding, Location, Severity

    def at(path, line=0, live=""):
        return Finding("OPS-REPO-003", "t", Severity.HIGH, "secrets", "m", Location(path, line, line, live))

    one = at("tests/[a]*.py", 76)
    sup = Suppression("OPS-REPO-003", "r", None, suppress.exact_pattern(one))
    result = suppress.apply([one, at("tests/[a]*.py", 81), at("tests/a1.py", 76)], [], [sup])
    assert [f.suppressed for f in result] == [True, False, False]
    live = at("", live="aws://s3/logs")
    other = at("", live="aws://s3/logs-2")
    sup = Suppression("OPS-REPO-003", "r", None, suppress.exact_pattern(live))
    assert [f.suppressed for f in suppress.apply([live, other], [], [sup])] == [True, False]
