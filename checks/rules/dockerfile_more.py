"""Dockerfile rules read word by word: version pinning per package manager, pipefail, consecutive
RUNs, USER, apt vs apt-get, label keys (hadolint DL3008/3018/3013/3016/3028, DL4006, DL3059,
DL3027, DL3048)."""

from __future__ import annotations

import re
import shlex

from checks.model import Hit, Severity
from checks.registry import rule
from checks.rules.dockerfile_shell import package_installs, run_script, simple_commands, unwrap

REF = "https://github.com/hadolint/hadolint/wiki"
LABEL_KEY = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")


def _df_rule(id, title, severity, category, remediation, reference):
    return rule(id, title, severity, category, "dockerfile:file", remediation, reference)


def _runs(ins_list):
    return (i for i in ins_list if i.keyword == "RUN")


def _unpinned(ins_list, tools, verb, pinned, skip=lambda w: False):
    for ins in _runs(ins_list):
        for _, packages in package_installs(run_script(ins.args), tools, verb):
            loose = [p for p in packages if not skip(p) and not pinned(p)]
            if loose:
                yield Hit(f"{tools[0]} {verb} {', '.join(loose[:5])} without a version", line=ins.line)
                break


def _pin_rule(id, title, tools, verb, pinned, remediation, code, skip=lambda w: False):
    @_df_rule(id, title, Severity.MEDIUM, "supply-chain", remediation, f"{REF}/{code}")
    def check(ins_list):
        yield from _unpinned(ins_list, tools, verb, pinned, skip)
    return check


def _local(word: str) -> bool:
    return word.startswith((".", "/", "$", "-")) or "://" in word or word.endswith((".whl", ".tar.gz", ".zip", ".tgz"))


_pin_rule("OPS-DF-021", "apt package version not pinned", ("apt-get", "apt"), "install", lambda p: "=" in p,
          "Pin versions: apt-get install -y curl=7.88.1-10+deb12u5.", "DL3008", lambda p: p.endswith(".deb"))
_pin_rule("OPS-DF-022", "apk package version not pinned", ("apk",), "add", lambda p: "=" in p,
          "Pin versions: apk add --no-cache curl=8.5.0-r0.", "DL3018")
_pin_rule("OPS-DF-023", "pip package version not pinned", ("pip", "pip3"), "install",
          lambda p: bool(re.search(r"==|===|@", p)), "Pin versions (pip install flask==3.0.3) or install -r a locked file.",
          "DL3013", _local)
_pin_rule("OPS-DF-024", "npm package version not pinned", ("npm",), "install",
          lambda p: bool(re.search(r".@[^/]", p)), "Pin versions: npm install express@4.19.2 (or npm ci).", "DL3016", _local)
_pin_rule("OPS-DF-026", "go install without a version", ("go",), "install",
          lambda p: "@" in p and not p.endswith("@latest"), "Install a version: go install example.com/tool@v1.2.3.",
          "DL3062", _local)


@_df_rule("OPS-DF-025", "gem install without a version", Severity.MEDIUM, "supply-chain",
          "Pin versions: gem install rails -v 7.1.3 (or rails:7.1.3).", f"{REF}/DL3028")
def gem_pinned(ins_list):
    for ins in _runs(ins_list):
        for words, packages in package_installs(run_script(ins.args), ("gem",), "install"):
            if any(w in ("-v", "--version") or w.startswith("--version=") for w in words):
                continue
            loose = [p for p in packages if ":" not in p and not _local(p)]
            if loose:
                yield Hit(f"gem install {', '.join(loose[:5])} without a version", line=ins.line)
                break


def _has_pipe(script: str) -> bool:
    return bool(re.search(r"(?<!\|)\|(?!\|)", script))


@_df_rule("OPS-DF-027", "Pipe in RUN without pipefail", Severity.LOW, "reliability",
          "Put SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before RUN steps that pipe, so a failing "
          "first command fails the build.", f"{REF}/DL4006")
def pipefail(ins_list):
    safe = False
    for ins in ins_list:
        if ins.keyword == "FROM":
            safe = False
        elif ins.keyword == "SHELL":
            safe = "pipefail" in ins.args
        elif ins.keyword == "RUN" and not safe:
            script = run_script(ins.args)
            if _has_pipe(script) and "pipefail" not in script and not ins.args.lstrip().startswith("["):
                yield Hit("RUN pipes without -o pipefail: the build only sees the last command's status", line=ins.line)


@_df_rule("OPS-DF-028", "Consecutive RUN instructions", Severity.LOW, "hygiene",
          "Join consecutive RUN steps with && to save layers (keep them apart only for cache reasons).", f"{REF}/DL3059")
def consecutive_runs(ins_list):
    previous = None
    reported = False
    for ins in ins_list:
        if ins.keyword == "RUN" and previous is not None and previous.keyword == "RUN" and "--mount" not in ins.args:
            if not reported:
                yield Hit(f"RUN at line {previous.line} is followed by another RUN", line=ins.line)
            reported = True
        else:
            reported = False if ins.keyword != "RUN" else reported
        previous = ins


@_df_rule("OPS-DF-029", "USER is not a numeric uid", Severity.LOW, "runtime",
          "Use USER 10001 (or 10001:10001): a name cannot be verified as non-root by Kubernetes runAsNonRoot.",
          "https://kubernetes.io/docs/concepts/security/pod-security-standards/")
def numeric_user(ins_list):
    stages = [n for n, ins in enumerate(ins_list) if ins.keyword == "FROM"]
    final = ins_list[stages[-1]:] if stages else ins_list
    users = [i for i in final if i.keyword == "USER"]
    if users and not re.match(r"^\d+(:\d+)?$", users[-1].args.strip()) and users[-1].args.split(":")[0] not in ("root",):
        yield Hit(f"USER {users[-1].args} is a name", line=users[-1].line)


@_df_rule("OPS-DF-030", "apt used instead of apt-get", Severity.LOW, "hygiene",
          "Use apt-get (or apt-cache): apt's interface is not stable for scripts.", f"{REF}/DL3027")
def apt_not_apt_get(ins_list):
    for ins in _runs(ins_list):
        if any(unwrap(words)[0][:1] == ["apt"] for words in simple_commands(run_script(ins.args))):
            yield Hit("RUN uses apt", line=ins.line)


def label_keys(args: str) -> list[str]:
    try:
        words = shlex.split(args)
    except ValueError:
        words = args.split()
    if words and "=" not in words[0]:
        return [words[0]]  # legacy LABEL key value
    return [w.split("=", 1)[0] for w in words if "=" in w]


@_df_rule("OPS-DF-031", "Label key outside the OCI schema", Severity.LOW, "hygiene",
          "Use lower-case reverse-DNS keys, org.opencontainers.image.* (not org.label-schema.*).",
          "https://github.com/opencontainers/image-spec/blob/main/annotations.md")
def label_schema(ins_list):
    for ins in ins_list:
        if ins.keyword != "LABEL":
            continue
        for key in label_keys(ins.args):
            if key.startswith("org.label-schema."):
                yield Hit(f"label {key} uses the deprecated label-schema.org keys", line=ins.line)
            elif not LABEL_KEY.match(key):
                yield Hit(f"label key {key!r} is not a lower-case reverse-DNS key", line=ins.line)
