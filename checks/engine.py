"""The compliance engine: files and live sources in, findings out (no Textual here)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checks import suppress
from checks.files import (
    CHECKED_KINDS,
    KIND_DEPENDENCIES,
    KIND_DIRECTORY,
    KIND_DOCKERFILE,
    KIND_JSON,
    KIND_OTHER,
    KIND_TERRAFORM,
    KIND_YAML,
    Candidate,
    read_text,
    walk,
)
from checks.hcl_cache import HclCache
from checks.model import (
    LIVE_UNAVAILABLE,
    NOT_EVALUATED,
    PARSE_ERROR,
    SKIPPED_FILE,
    UNCHECKED_FILE,
    Finding,
    Location,
    Severity,
    scan_note,
)
from checks.rules import dockerfile, kubernetes, repo
from checks.terraform import TerraformScan
from console.config import Config, Suppression
from console.errors import InvalidInput

Progress = Callable[[float, str], None]  # (fraction done 0..1, what is happening)
LIVE_SOURCES = ("docker", "kubernetes", "aws")
UNCHECKED_RULES = frozenset({UNCHECKED_FILE.id, LIVE_UNAVAILABLE.id, PARSE_ERROR.id})


@dataclass
class ScanResult:
    findings: list[Finding]
    targets: tuple[str, ...]
    files: int = 0
    started: float = 0.0
    seconds: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0
    notes: list[str] = field(default_factory=list)
    threshold: Severity = Severity.HIGH  # --fail-on: what the JUnit report counts as failures
    base_path: Path | None = None  # report paths relative to this (SARIF/JUnit); default: the scan root

    def active(self, threshold: Severity) -> list[Finding]:
        """Unsuppressed findings at or above ``threshold`` (what fails a CI run)."""
        return [f for f in self.findings if not f.suppressed and f.severity >= threshold]

    def unchecked(self) -> list[Finding]:
        """Files, directories or live sources the run could not check: they fail it at any --fail-on."""
        return [f for f in self.findings if not f.suppressed and f.rule_id in UNCHECKED_RULES]

    def not_evaluated(self) -> int:
        """Rule checks that could not decide because a value is unknown (see OPS-TF-EVAL-001)."""
        return sum(1 for f in self.findings if f.rule_id == NOT_EVALUATED.id and not f.suppressed)

    def fails(self, threshold: Severity) -> bool:
        return bool(self.active(threshold) or self.unchecked())

    def live_unavailable(self) -> list[Finding]:
        """Live sources asked for that could not be read: the run checked nothing there (exit 2)."""
        return [f for f in self.findings if f.rule_id == LIVE_UNAVAILABLE.id and not f.suppressed]


def suppressions_file(config: Config) -> Path:
    return config.state_dir / "compliance" / "suppressions.json"


def all_suppressions(config: Config) -> tuple[tuple[Suppression, ...], str]:
    """Config suppressions plus the tab's file; a broken file is reported, never fatal."""
    try:
        return tuple(config.compliance.suppressions) + suppress.load_file(suppressions_file(config)), ""
    except InvalidInput as exc:
        return tuple(config.compliance.suppressions), str(exc)


def _skipped(kind: str, reason: str, display: str) -> Finding:
    """A file of a checked kind (or a directory) that could not be read fails closed (OPS-SCAN-002)."""
    if (kind in CHECKED_KINDS or kind == KIND_DIRECTORY) and reason.startswith(("larger than", "unreadable")):
        return scan_note(UNCHECKED_FILE, f"not checked: {reason}", Location(display))
    return scan_note(SKIPPED_FILE, f"not checked: {reason}", Location(display))


def _check_file(cand: Candidate, text: str, manifests: list | None = None) -> list[Finding]:
    """The per-file packs; one file that breaks a rule is a finding naming it, the run goes on."""
    out: list[Finding] = []
    try:
        out.extend(repo.scan_secrets(cand.display, text))
        if cand.kind == KIND_DOCKERFILE:
            out.extend(dockerfile.scan_dockerfile(cand.display, text))
        elif cand.kind in (KIND_YAML, KIND_JSON):
            out.extend(kubernetes.scan_manifests(cand.display, text, json_text=cand.kind == KIND_JSON, sink=manifests))
        elif cand.kind == KIND_DEPENDENCIES:
            out.extend(repo.scan_dependencies(cand.display, cand.path.name, text))
    except RecursionError:
        out.append(scan_note(UNCHECKED_FILE, "not checked: nested too deeply to parse", Location(cand.display)))
    except Exception as exc:  # noqa: BLE001 - a rule bug on one file must not lose every other finding
        out.append(scan_note(UNCHECKED_FILE, f"not checked: internal error {type(exc).__name__}: {str(exc)[:200]}",
                             Location(cand.display)))
    return out


def scan(paths: Iterable[str | Path], live: Iterable[str] = (), config: Config | None = None,
         services: Any = None, progress: Progress | None = None, use_cache: bool = True) -> ScanResult:
    """Check ``paths`` (files or directories) and the ``live`` backends; never raises on bad input."""
    config = config or Config()
    started = time.time()
    t0 = time.perf_counter()
    report = progress or (lambda _f, _m: None)
    roots = [Path(p) for p in paths]
    live = tuple(live)
    findings: list[Finding] = []
    inline: list[suppress.InlineIgnore] = []
    report(0.0, "listing files")
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for item in walk(roots):
        if isinstance(item, Candidate):
            real = os.path.realpath(item.path)
            if real not in seen:  # overlapping roots or symlinked copies: check each file once
                seen.add(real)
                candidates.append(item)
        elif item.kind != KIND_OTHER or not item.reason.startswith("binary"):
            findings.append(_skipped(item.kind, item.reason, item.display))
    tf_files: dict[str, tuple[Path, str]] = {}
    manifests: list = []  # every Kubernetes object of the scan, for rules over the whole set
    total = max(len(candidates), 1)
    for index, cand in enumerate(candidates):
        text, why = read_text(cand.path, allow_nul=cand.kind in CHECKED_KINDS)
        if text is None:
            if cand.kind != KIND_OTHER:
                findings.append(_skipped(cand.kind, why, cand.display))
            continue
        inline.extend(suppress.inline_ignores(cand.display, text))
        if cand.kind == KIND_TERRAFORM:
            tf_files[cand.display] = (cand.path, text)
        findings.extend(_check_file(cand, text, manifests))
        if index % 50 == 0:
            report(0.4 * index / total, f"reading {cand.display}")
    if manifests:
        findings.extend(kubernetes.collection_findings(manifests))
    for root in roots:
        if root.is_dir():
            findings.extend(repo.check_repository(root))
    cache = HclCache(config.cache_dir / "hcl" if use_cache else None)
    if tf_files:
        report(0.45, f"terraform: {len(tf_files)} files")
        tf_scan = TerraformScan(cache)
        try:
            findings.extend(tf_scan.run(tf_files, lambda m: report(0.7, m)))
        except RecursionError:  # a pathological nesting: said, never a lost run
            findings.extend(tf_scan.findings)
            findings.append(scan_note(UNCHECKED_FILE, "terraform evaluation stopped: nesting too deep",
                                      Location(next(iter(tf_files)))))
        for src in tf_scan.sources.values():  # child modules read from outside the scanned paths
            for display, lines in src.lines.items():
                if display not in tf_files:
                    inline.extend(suppress.inline_ignores(display, "\n".join(lines)))
    for index, name in enumerate(live):
        report(0.75 + 0.2 * index / max(len(live), 1), f"live: {name}")
        from checks import live as live_sources

        findings.extend(live_sources.collect(name, config, services))
    report(0.97, "applying suppressions")
    configured, problem = all_suppressions(config)
    if problem:
        findings.append(scan_note(SKIPPED_FILE, f"suppressions not applied: {problem}",
                                  Location(str(suppressions_file(config)))))
    findings = suppress.apply(findings, inline, configured)
    findings.sort(key=lambda f: (-f.severity, f.rule_id, f.location.path, f.location.line, f.location.live))
    targets = tuple(str(r) for r in roots) + tuple(f"live:{n}" for n in live)
    report(1.0, f"{len(findings)} findings")
    return ScanResult(findings, targets, len(candidates), started, time.perf_counter() - t0, cache.hits, cache.misses)
