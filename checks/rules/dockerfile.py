"""Dockerfile rules (hadolint-grade): a small parser and the rules that read its output."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from checks.evidence import mask_secrets
from checks.model import PARSE_ERROR, Finding, Hit, Location, Severity, finding_for, scan_note
from checks.plain import looks_secret
from checks.registry import rule, rules_for
from checks.rules.dockerfile_shell import package_installs, run_script, simple_commands, unwrap
from checks.rules.repo import is_placeholder

REF = "https://github.com/hadolint/hadolint/wiki"
DOCKER_REF = "https://docs.docker.com/reference/dockerfile"
INSTRUCTIONS = frozenset({"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
                          "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"})


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int
    end_line: int
    raw: str


class DockerfileError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def parse(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined; heredocs kept with their RUN/COPY."""
    out: list[Instruction] = []
    lines = text.splitlines()
    escape = "\\"
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if i == 0 or not out:
            m = re.match(r"#\s*escape\s*=\s*(\S)", stripped)
            if m:
                escape = m.group(1)
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = [stripped]
        while parts[-1].endswith(escape) and i + 1 < len(lines):
            parts[-1] = parts[-1][:-1]
            i += 1
            nxt = lines[i].strip()
            while (nxt.startswith("#") or not nxt) and i + 1 < len(lines):  # comments and blank lines inside a
                i += 1  # continuation are dropped by the builder; the continuation goes on
                nxt = lines[i].strip()
            if nxt.startswith("#"):
                break
            parts.append(nxt)
        heredoc = re.search(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?", parts[0])
        if heredoc:
            marker = heredoc.group(1)
            while i + 1 < len(lines) and lines[i + 1].strip() != marker:
                i += 1
                parts.append(lines[i])
            if i + 1 >= len(lines):
                raise DockerfileError(start + 1, f"heredoc <<{marker} is never closed")
            i += 1
        joined = " ".join(p for p in parts if p)
        keyword, _, args = re.sub(r"\s", " ", joined, count=1).partition(" ")  # "RUN\tmake" is valid
        if keyword.upper() not in INSTRUCTIONS:
            raise DockerfileError(start + 1, f"unknown instruction {keyword[:40]!r}")
        out.append(Instruction(keyword.upper(), args.strip(), start + 1, i + 1, "\n".join(lines[start:i + 1])))
        i += 1
    if out and out[0].keyword not in ("FROM", "ARG"):
        raise DockerfileError(out[0].line, f"the first instruction must be FROM (or ARG), got {out[0].keyword}")
    if not any(ins.keyword == "FROM" for ins in out):
        raise DockerfileError(1, "no FROM instruction")
    return out


def _df_rule(id, title, severity, category, remediation, reference=REF):
    return rule(id, title, severity, category, "dockerfile:file", remediation, reference)


def _runs(ins_list) -> Iterator[Instruction]:
    return (i for i in ins_list if i.keyword == "RUN")


def _apt_installs(ins: Instruction) -> list[list[str]]:
    return [words for words, _ in package_installs(run_script(ins.args), ("apt-get", "apt"), "install")]


def _final_stage(ins_list: list[Instruction]) -> list[Instruction]:
    starts = [n for n, ins in enumerate(ins_list) if ins.keyword == "FROM"]
    return ins_list[starts[-1]:] if starts else ins_list


@_df_rule("OPS-DF-001", "Container runs as root (no USER, or USER root last)", Severity.HIGH, "runtime",
          "Add `USER <non-root uid>` after installing packages in the final stage.", f"{REF}/DL3002")
def df_user(ins_list):
    users = [i for i in _final_stage(ins_list) if i.keyword == "USER"]
    if not users:
        yield Hit("the final stage has no USER instruction: the process runs as root", line=_final_stage(ins_list)[0].line)
    elif users[-1].args.split(":")[0] in ("root", "0"):
        yield Hit(f"last USER is {users[-1].args}", line=users[-1].line)


def _stage_names(ins_list):
    names = set()
    for ins in ins_list:
        if ins.keyword == "FROM":
            m = re.search(r"\s+AS\s+(\S+)", ins.args, re.IGNORECASE)
            if m:
                names.add(m.group(1).lower())
    return names


def _images(ins_list):
    stages = _stage_names(ins_list)
    for ins in ins_list:
        if ins.keyword != "FROM":
            continue
        image = [t for t in ins.args.split() if not t.startswith("--")][0] if ins.args.split() else ""
        if image.lower() in stages or image == "scratch" or "$" in image:
            continue
        yield ins, image


@_df_rule("OPS-DF-002", "Base image not pinned (latest or no tag)", Severity.MEDIUM, "supply-chain",
          "Pin the base image to a version tag, ideally with @sha256 digest.", f"{REF}/DL3007")
def df_latest(ins_list):
    for ins, image in _images(ins_list):
        if "@" in image:
            continue
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest":
            yield Hit(f"FROM {image} uses {'latest' if tag else 'no tag (latest)'}", line=ins.line)


@_df_rule("OPS-DF-003", "Base image not pinned by digest", Severity.LOW, "supply-chain",
          "Use FROM image:tag@sha256:<digest> so rebuilds get the same bytes.", f"{DOCKER_REF}/#from")
def df_digest(ins_list):
    for ins, image in _images(ins_list):
        if "@sha256:" not in image and ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"):
            yield Hit(f"FROM {image} has a tag but no digest", line=ins.line)


@_df_rule("OPS-DF-004", "No HEALTHCHECK", Severity.LOW, "runtime", "Add HEALTHCHECK CMD <probe> so the engine knows when it is unhealthy.",
          f"{DOCKER_REF}/#healthcheck")
def df_healthcheck(ins_list):
    if not any(i.keyword == "HEALTHCHECK" for i in _final_stage(ins_list)):
        yield Hit("the final stage has no HEALTHCHECK", line=_final_stage(ins_list)[0].line)


@_df_rule("OPS-DF-005", "ADD fetches a remote URL", Severity.HIGH, "supply-chain",
          "Download with curl/wget in a RUN step and verify a checksum, or use COPY for local files.", f"{REF}/DL3020")
def df_add_url(ins_list):
    for ins in ins_list:
        if ins.keyword == "ADD" and re.search(r"\b(https?|ftp)://", ins.args):
            yield Hit("ADD downloads from a URL without checksum verification", line=ins.line)


@_df_rule("OPS-DF-006", "ADD used for local files", Severity.LOW, "hygiene", "Use COPY for files and directories.", f"{REF}/DL3020")
def df_add_local(ins_list):
    for ins in ins_list:
        if ins.keyword == "ADD" and not re.search(r"://|\.(tar|tgz|tar\.gz|tar\.bz2|tar\.xz)\b", ins.args):
            yield Hit(f"ADD {ins.args[:60]}: COPY is explicit", line=ins.line)


@_df_rule("OPS-DF-007", "apt-get install without --no-install-recommends", Severity.LOW, "hygiene",
          "Use apt-get install -y --no-install-recommends.", f"{REF}/DL3015")
def df_apt_recommends(ins_list):
    for ins in _runs(ins_list):
        if _apt_installs(ins) and "--no-install-recommends" not in ins.args \
                and "APT::Install-Recommends" not in ins.args:
            yield Hit("apt-get install pulls recommended packages", line=ins.line)


@_df_rule("OPS-DF-008", "apt lists not removed after install", Severity.LOW, "hygiene",
          "End the RUN with `&& rm -rf /var/lib/apt/lists/*`.", f"{REF}/DL3009")
def df_apt_cleanup(ins_list):
    for ins in _runs(ins_list):
        if _apt_installs(ins) and "/var/lib/apt/lists" not in ins.args:
            yield Hit("apt-get install without removing /var/lib/apt/lists", line=ins.line)


@_df_rule("OPS-DF-009", "Package manager upgrade in the image", Severity.LOW, "hygiene",
          "Don't run apt-get upgrade/dist-upgrade; use a newer base image.", f"{REF}/DL3005")
def df_upgrade(ins_list):
    for ins in _runs(ins_list):
        if any(list(package_installs(run_script(ins.args), ("apt-get", "apt"), verb)) for verb in ("upgrade", "dist-upgrade")):
            yield Hit("apt-get upgrade in a RUN step", line=ins.line)


@_df_rule("OPS-DF-010", "apk add without --no-cache", Severity.LOW, "hygiene", "Use apk add --no-cache.", f"{REF}/DL3019")
def df_apk(ins_list):
    for ins in _runs(ins_list):
        if list(package_installs(run_script(ins.args), ("apk",), "add")) and "--no-cache" not in ins.args:
            yield Hit("apk add keeps its cache in the layer", line=ins.line)


@_df_rule("OPS-DF-011", "pip install without --no-cache-dir", Severity.LOW, "hygiene", "Use pip install --no-cache-dir.", f"{REF}/DL3042")
def df_pip(ins_list):
    for ins in _runs(ins_list):
        if re.search(r"pip3?\s+install", ins.args) and "--no-cache-dir" not in ins.args and "PIP_NO_CACHE_DIR" not in ins.args:
            yield Hit("pip install keeps its cache in the layer", line=ins.line)


@_df_rule("OPS-DF-012", "Secret in ENV or ARG", Severity.HIGH, "secrets",
          "Pass secrets at run time or with RUN --mount=type=secret; never bake them into the image.",
          f"{DOCKER_REF}/#run---mounttypesecret")
def df_secrets(ins_list):
    for ins in ins_list:
        if ins.keyword not in ("ENV", "ARG"):
            continue
        pairs = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)(?:=|\s+)(\"[^\"]*\"|'[^']*'|\S+)?", ins.args)
        for key, value in pairs:
            if looks_secret(key) and value and value.strip("\"'") and "$" not in value and not is_placeholder(value):
                yield Hit(f"{ins.keyword} {key} holds a literal secret value", line=ins.line)
                break


@_df_rule("OPS-DF-013", "Relative WORKDIR", Severity.MEDIUM, "hygiene", "Use an absolute WORKDIR path.", f"{REF}/DL3000")
def df_workdir(ins_list):
    for ins in ins_list:
        if ins.keyword == "WORKDIR" and not (ins.args.startswith(("/", "$", "\"/")) or re.match(r"^[A-Za-z]:", ins.args)):
            yield Hit(f"WORKDIR {ins.args} is relative", line=ins.line)


@_df_rule("OPS-DF-014", "cd inside RUN", Severity.LOW, "hygiene", "Use WORKDIR to change directory.", f"{REF}/DL3003")
def df_cd(ins_list):
    for ins in _runs(ins_list):
        if any(words[0].lstrip("(") == "cd" or words[0] == "pushd" for words in simple_commands(run_script(ins.args))):
            yield Hit("RUN changes directory with cd", line=ins.line)


@_df_rule("OPS-DF-015", "sudo in RUN", Severity.MEDIUM, "runtime", "Drop sudo: build steps already run as the current USER.", f"{REF}/DL3004")
def df_sudo(ins_list):
    for ins in _runs(ins_list):
        if any(unwrap(words)[1] for words in simple_commands(run_script(ins.args))):  # sudo as a command, not a package
            yield Hit("RUN uses sudo", line=ins.line)


@_df_rule("OPS-DF-016", "Remote script piped to a shell", Severity.HIGH, "supply-chain",
          "Download, verify the checksum, then run the script.", f"{DOCKER_REF}/#add---checksum")
def df_curl_pipe(ins_list):
    for ins in _runs(ins_list):
        if re.search(r"(curl|wget)[^|;&]*\|\s*(sudo\s+)?(ba|z|da)?sh\b", ins.args):
            yield Hit("a downloaded script is piped straight into a shell", line=ins.line)


@_df_rule("OPS-DF-017", "MAINTAINER is deprecated", Severity.LOW, "hygiene",
          "Use LABEL org.opencontainers.image.authors=...", f"{REF}/DL4000")
def df_maintainer(ins_list):
    for ins in ins_list:
        if ins.keyword == "MAINTAINER":
            yield Hit("MAINTAINER instruction", line=ins.line)


@_df_rule("OPS-DF-018", "Several CMD or ENTRYPOINT in one stage", Severity.MEDIUM, "runtime",
          "Keep one CMD and one ENTRYPOINT per stage; only the last takes effect.", f"{REF}/DL4003")
def df_multiple_cmd(ins_list):
    for keyword in ("CMD", "ENTRYPOINT"):
        found = [i for i in _final_stage(ins_list) if i.keyword == keyword]
        if len(found) > 1:
            yield Hit(f"{len(found)} {keyword} instructions; only the last applies", line=found[-1].line)


@_df_rule("OPS-DF-019", "apt-get install without -y", Severity.MEDIUM, "hygiene", "Add -y (non-interactive builds).", f"{REF}/DL3014")
def df_apt_yes(ins_list):
    for ins in _runs(ins_list):
        for words in _apt_installs(ins):
            if not any(re.match(r"^(-\w*y\w*|--yes|--assume-yes|-qq)$", w) for w in words):
                yield Hit("apt-get install would wait for confirmation", line=ins.line)
                return


@_df_rule("OPS-DF-020", "SSH port exposed", Severity.MEDIUM, "network", "Don't run sshd in containers; use docker exec.", f"{DOCKER_REF}/#expose")
def df_expose_ssh(ins_list):
    for ins in ins_list:
        if ins.keyword == "EXPOSE" and re.search(r"(^|\s)22(/tcp)?(\s|$)", ins.args):
            yield Hit("EXPOSE 22", line=ins.line)


def scan_dockerfile(display: str, text: str) -> list[Finding]:
    lines = text.splitlines()
    try:
        instructions = parse(text)
    except DockerfileError as exc:
        evidence = lines[exc.line - 1] if 0 < exc.line <= len(lines) else ""
        return [scan_note(PARSE_ERROR, f"Dockerfile parse error: {exc}", Location(display, exc.line, exc.line), mask_secrets(evidence))]
    out = []
    for r in rules_for("dockerfile:file"):
        for hit in r.check(instructions):
            line = hit.line or 1
            ins = next((i for i in instructions if i.line == line), None)
            evidence = ins.raw if ins else (lines[line - 1] if 0 < line <= len(lines) else "")
            end = ins.end_line if ins else line
            out.append(finding_for(r, hit, Location(display, line, end), "Dockerfile", mask_secrets(evidence[:400])))
    return out
