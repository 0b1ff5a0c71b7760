"""Run the Terraform rule packs over the .tf files of a scan."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from checks.evidence import mask_secrets
from checks.files import read_text
from checks.hcl_cache import HclCache, Parsed
from checks.model import PARSE_ERROR, Finding, Location, finding_for, scan_note
from checks.registry import rules_for
from checks.tf_eval import ModuleSource, TfModule, evaluate, local_source_dir


class TerraformScan:
    def __init__(self, cache: HclCache) -> None:
        self.cache = cache
        self.sources: dict[Path, ModuleSource] = {}
        self.findings: list[Finding] = []
        self.modules: list[TfModule] = []

    def run(self, files: dict[str, tuple[Path, str]], progress: Callable[[str], None] | None = None) -> list[Finding]:
        """``files``: display path -> (real path, text)."""
        parsed = self.cache.parse_all({name: text for name, (_, text) in files.items()})
        real_dirs: dict[Path, Path] = {}
        for display, (real, text) in files.items():
            directory = real_dirs.get(real.parent)
            if directory is None:
                directory = real_dirs[real.parent] = Path(os.path.realpath(real.parent))
            src = self.sources.setdefault(directory, ModuleSource(directory, {}, {}))
            src.files[display] = parsed[display]
            src.lines[display] = text.splitlines()
            self._parse_error(display, parsed[display], src.lines[display])
        called: set[Path] = set()
        for src in self.sources.values():
            for entry in _module_calls(src):
                child = local_source_dir(src.directory, entry)
                if child is not None:
                    called.add(child)
        roots = [s for d, s in sorted(self.sources.items()) if d not in called]
        if not roots and self.sources:  # every directory calls another: a cycle; start anywhere
            roots = [next(iter(self.sources.values()))]
        for src in roots:
            if progress:
                progress(f"terraform {src.directory.name}")
            for module in evaluate(src, self._load_dir):
                self.modules.append(module)
                self._check(module)
        return self.findings

    def _parse_error(self, display: str, parsed: Parsed, lines: list[str]) -> None:
        if parsed.tree is not None:
            return
        line = parsed.error_line
        evidence = lines[line - 1].rstrip() if 0 < line <= len(lines) else ""
        self.findings.append(scan_note(PARSE_ERROR, f"HCL parse error: {parsed.error}",
                                       Location(display, line, line), mask_secrets(evidence)))

    def _load_dir(self, directory: Path) -> ModuleSource | None:
        if directory in self.sources:
            return self.sources[directory]
        if not directory.is_dir():
            return None
        texts: dict[str, str] = {}
        for path in sorted(directory.glob("*.tf")):
            text, why = read_text(path)
            if text is None:
                self.findings.append(scan_note(PARSE_ERROR, f"module file not checked: {why}", Location(str(path))))
                continue
            texts[str(path)] = text
        parsed = self.cache.parse_all(texts)
        src = ModuleSource(directory, {}, {})
        for display, text in texts.items():
            src.files[display] = parsed[display]
            src.lines[display] = text.splitlines()
            self._parse_error(display, parsed[display], src.lines[display])
        self.sources[directory] = src
        return src

    def _check(self, module: TfModule) -> None:
        for res in module.resources:
            prefix = "terraform:" if res.kind == "resource" else "terraform:data."
            for rule in rules_for(prefix + res.type):
                for hit in rule.check(res, module):
                    line = hit.line or module.line_of(res, hit.attribute)
                    evidence = mask_secrets(module.snippet(res.path, line))
                    self.findings.append(finding_for(rule, hit, Location(res.path, line, res.end_line), res.address, evidence))


def _module_calls(src: ModuleSource) -> list[dict]:
    calls = []
    for parsed in src.files.values():
        for entry in (parsed.tree or {}).get("module", []) or []:
            if isinstance(entry, dict):
                calls.extend(v for v in entry.values() if isinstance(v, dict))
    return calls
