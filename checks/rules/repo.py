"""Repository hygiene: a CHANGELOG, pinned dependencies, no committed secrets."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

from checks.evidence import mask_secrets, mask_value
from checks.model import Finding, Hit, Location, Severity, finding_for
from checks.registry import rule

GITLEAKS = "https://github.com/gitleaks/gitleaks"
KEY_FORMATS = {
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\bsk_live_[0-9a-zA-Z]{24,}\b"),
    "GitLab token": re.compile(r"\bglpat-[0-9A-Za-z_-]{20}\b"),
    "private key": re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA |PGP )?PRIVATE KEY( BLOCK)?-----"),
}
KEY_PREFIXES = ("AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "AIza", "sk_live_", "glpat-", "PRIVATE KEY")
SECRET_WORDS = ("secret", "token", "passw", "key", "credential")
ANY_KEY = re.compile("|".join(f"(?:{p.pattern})" for p in KEY_FORMATS.values()))
AWS_SECRET_KEY = re.compile(
    r"""aws_?secret_?access_?key["']?[ \t]*[:=][ \t]*["']?(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])""",
    re.IGNORECASE,
)
# key = "value", key: value, KEY=value (quoted or not: .tf strings, .ini/.cfg/.env/.properties, YAML, JSON)
ASSIGNMENT = re.compile(
    r"""(?:(?<=\\[nrt])|(?<![A-Za-z0-9_.\\-]))  # a name starts after "\n" in a string, not at its "n"
        (?P<key>[A-Za-z0-9_.-]{0,64}(?:secret|token|passw(?:or)?d|api[_-]?key|access[_-]?key|private[_-]?key|credential)[A-Za-z0-9_.-]{0,64})
        ["']?[ \t]*[:=][ \t]*(?P<q>["']?)(?P<value>[A-Za-z0-9+/=_\-.~!@#$%^&*]{12,})(?=["'\\\s,;]|$)""",
    re.IGNORECASE | re.VERBOSE,
)
# A value is ignored only when the WHOLE value is a placeholder (or a reference to another value).
PLACEHOLDER = re.compile(
    r"^(?:(?:example|changeme|change[_-]me|placeholder|dummy|redacted|secret|password|none|null|todo|fixme)"
    r"[_-]?\w{0,8}|x{3,}|\*+|<[^>]*>|(?:your|insert|replace|enter|put|add)[_-].*|.*[_-](?:here|goes[_-]here)"
    r"|[%$]\{?.*|\{\{.*)$|\$\{",
    re.IGNORECASE,
)
NOT_A_VALUE_KEY = re.compile(r"(_|-|\.)?(file|path|url|uri|env|var|name|type|header|field|endpoint|arn)$", re.IGNORECASE)
# words, dotted names, ENV_VAR_NAMES; linear: letter runs joined by single separators (no nested quantifier)
IDENTIFIER = re.compile(r"^[A-Za-z]+(?:[._-][A-Za-z]+)*[._-]?$|^[A-Z0-9_]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    """``INSERT_YOUR_TOKEN``, ``<password>``, ``changeme``, ``${VAR}``: not a committed secret."""
    return bool(PLACEHOLDER.search(value.strip().strip("\"'")))


def looks_like_secret_value(key: str, value: str) -> bool:
    """High entropy, letters and digits mixed, and not an identifier, UUID, path or placeholder."""
    if NOT_A_VALUE_KEY.search(key) or PLACEHOLDER.search(value) or IDENTIFIER.match(value) or UUID.match(value):
        return False
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    if _has_key_prefix(value) and ANY_KEY.search(value):
        return False  # reported by the known-format rule
    return entropy(value) >= 3.5


def _has_key_prefix(text: str) -> bool:
    return any(prefix in text for prefix in KEY_PREFIXES) or "secret" in text.lower()


def known_key(line: str) -> str:
    """A masked description of the known-format key on ``line``, or ""."""
    m = AWS_SECRET_KEY.search(line)
    if m:
        return f"AWS secret access key {mask_value(m.group('value'))}"
    for label, pattern in KEY_FORMATS.items():
        m = pattern.search(line)
        if m:
            return f"{label} {mask_value(m.group(0))}"
    return ""


def secret_assignments(line: str) -> list[str]:
    """Names assigned a literal, secret-looking value on ``line`` (known key formats excluded)."""
    return [m.group("key") for m in ASSIGNMENT.finditer(line)
            if not AWS_SECRET_KEY.search(m.group(0)) and looks_like_secret_value(m.group("key"), m.group("value"))]


def entropy(value: str) -> float:
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


@rule("OPS-REPO-001", "CHANGELOG.md missing", Severity.LOW, "hygiene", "repo:root",
      "Add a CHANGELOG.md (Keep a Changelog format) at the repository root.", "https://keepachangelog.com/en/1.1.0/")
def repo_changelog(root: Path):
    if not any((root / name).is_file() for name in ("CHANGELOG.md", "CHANGELOG", "CHANGELOG.rst", "CHANGES.md")):
        yield Hit(f"no CHANGELOG.md in {root}")


@rule("OPS-REPO-002", "Dependency version not pinned", Severity.MEDIUM, "supply-chain", "repo:dependencies",
      "Pin exact versions (==) or commit a lock file.", "https://pip.pypa.io/en/stable/topics/repeatable-installs/")
def repo_pinned(name: str, text: str):
    if name.startswith("requirements") and name.endswith(".txt"):
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith(("-", "git+", "http://", "https://", ".", "/")):
                continue
            if "==" not in line and "@" not in line:
                yield Hit(f"{line} is not pinned with ==", line=number)
    elif name == "pyproject.toml":
        try:
            deps = (tomllib.loads(text).get("project") or {}).get("dependencies") or []
        except tomllib.TOMLDecodeError:
            return
        for dep in deps:
            if isinstance(dep, str) and "==" not in dep and "@" not in dep:
                number = next((n for n, line in enumerate(text.splitlines(), 1) if dep in line), 1)
                yield Hit(f"{dep} is not pinned with ==", line=number)
    elif name == "package.json":
        try:
            data = json.loads(text)
        except ValueError:
            return
        for section in ("dependencies", "devDependencies"):
            for pkg, version in (data.get(section) or {}).items() if isinstance(data, dict) else ():
                if isinstance(version, str) and (version[:1] in "^~*><" or version in ("latest", "")):
                    number = next((n for n, line in enumerate(text.splitlines(), 1) if f'"{pkg}"' in line), 1)
                    yield Hit(f"{pkg} {version} is a range", line=number)


@rule("OPS-REPO-003", "Committed secret (known key format)", Severity.CRITICAL, "secrets", "repo:text",
      "Revoke the key now, remove it from history, and load it from a secret store.", GITLEAKS)
def repo_known_keys(text: str):
    if not _has_key_prefix(text):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        found = known_key(line)
        if found:
            yield Hit(found, line=number)


@rule("OPS-REPO-004", "Committed secret (high-entropy assignment)", Severity.HIGH, "secrets", "repo:text",
      "Move the value to a secret store or environment variable and rotate it.", GITLEAKS)
def repo_entropy(text: str):
    lowered = text.lower()
    if not any(word in lowered for word in SECRET_WORDS):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        low = line.lower()
        if not any(word in low for word in SECRET_WORDS):
            continue
        for m in ASSIGNMENT.finditer(line):
            if AWS_SECRET_KEY.search(m.group(0)) or not looks_like_secret_value(m.group("key"), m.group("value")):
                continue
            yield Hit(f"{m.group('key')} is assigned a high-entropy literal ({len(m.group('value'))} chars)", line=number)


def scan_secrets(display: str, text: str) -> list[Finding]:
    lowered = text.lower()
    if not _has_key_prefix(text) and not any(word in lowered for word in SECRET_WORDS):
        return []
    lines = text.splitlines()
    out = []
    for r in (repo_known_keys, repo_entropy):
        for hit in r.check(text):
            evidence = mask_secrets(lines[hit.line - 1].strip()[:200]) if hit.line else ""
            out.append(finding_for(r, hit, Location(display, hit.line or 0, hit.line or 0), "", evidence))
    return out


def scan_dependencies(display: str, name: str, text: str) -> list[Finding]:
    lines = text.splitlines()
    return [finding_for(repo_pinned, hit, Location(display, hit.line or 0, hit.line or 0), name,
                        lines[hit.line - 1].strip() if hit.line and hit.line <= len(lines) else "")
            for hit in repo_pinned.check(name, text)]


REPO_MARKERS = (".git", "pyproject.toml", "package.json", "setup.py", "go.mod", "Cargo.toml")


def check_repository(root: Path) -> list[Finding]:
    """Repository-level rules, for a scanned directory that is a repository root."""
    if not any((root / marker).exists() for marker in REPO_MARKERS):
        return []
    return [finding_for(repo_changelog, hit, Location(str(root)), str(root), "") for hit in repo_changelog.check(root)]
