"""Valid Dockerfiles hadolint accepts are parsed; shell commands are read word by word."""

from __future__ import annotations

import pytest

from checks.rules.dockerfile import parse, scan_dockerfile


def ids(text):
    return sorted({f.rule_id for f in scan_dockerfile("Dockerfile", text)})


def test_a_tab_after_the_instruction_keyword_is_valid():
    ins = parse("FROM\tdebian:12\nRUN\tapt-get update\n")
    assert [(i.keyword, i.args) for i in ins] == [("FROM", "debian:12"), ("RUN", "apt-get update")]


def test_comment_and_blank_lines_inside_a_continuation_are_skipped():
    ins = parse("FROM debian:12\nRUN apt-get update && \\\n# the tools\n    apt-get install -y curl \\\n\n    && echo done\n"
                "USER 1000\n")
    run = ins[1]
    assert run.keyword == "RUN" and "install -y curl" in run.args and "echo done" in run.args
    assert ins[2].keyword == "USER"
    assert "OPS-PARSE-001" not in ids("FROM debian:12\nRUN a \\\n  # c\n  b\n")


@pytest.mark.parametrize("run", [
    "apt-get update && apt-get install -y --no-install-recommends sudo && rm -rf /var/lib/apt/lists/*",
    "apk add --no-cache sudo",
])
def test_installing_the_sudo_package_is_not_using_sudo(run):
    assert "OPS-DF-015" not in ids(f"FROM debian:12\nRUN {run}\n")


def test_sudo_as_a_command_is_still_reported():
    assert "OPS-DF-015" in ids("FROM debian:12\nRUN sudo make install\n")
    assert "OPS-DF-015" in ids("FROM debian:12\nRUN make && sudo -E make install\n")


def test_apt_get_source_then_make_install_is_not_an_apt_install():
    found = ids("FROM debian:12\nRUN apt-get source hello && cd hello-2.10 && ./configure && make install\n")
    assert not {"OPS-DF-007", "OPS-DF-008", "OPS-DF-019"} & set(found)


def test_apt_install_variants_are_still_reported():
    assert {"OPS-DF-007", "OPS-DF-008", "OPS-DF-019"} <= set(ids("FROM debian:12\nRUN apt-get -o Acquire::Retries=3 install curl\n"))
    assert "OPS-DF-019" not in ids("FROM debian:12\nRUN apt-get -qqy install curl\n")


def test_curl_pipe_sh_links_a_checksum_reference_not_pipefail():
    finding = next(f for f in scan_dockerfile("Dockerfile", "FROM debian:12\nRUN curl -s https://x.sh | sh\n")
                   if f.rule_id == "OPS-DF-016")
    assert "DL4006" not in finding.reference
