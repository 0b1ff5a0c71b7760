"""Run the Terraform rule packs over the .tf files of a scan."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from checks.evidence import mask_secrets
from checks.files import read_text
from checks.hcl_cache import HclCache, Parsed
from checks.model import NOT_EVALUATED, PARSE_ERROR, Finding, Hit, Location, Rule, finding_for, scan_note
from checks.registry import rules_for
from checks.tf_eval import ModuleSource, TfModule, TfResource, evaluate, local_source_dir
from checks.tf_scope import META, Reads, tracked

_EXPR = re.compile(r"\$\{([^{}]{0,200})\}")


def readable(text: str) -> str:
    """Messages never show raw ``${...}``: ``${aws_iam_user.user.name}`` reads ``<aws_iam_user.user.name>``."""
    return _EXPR.sub(lambda m: f"<{m.group(1).strip()}>", text).replace("${", "<")


class TerraformScan:
    def __init__(self, cache: HclCache) -> None:
        self.cache = cache
        self.sources: dict[Path, ModuleSource] = {}
        self.findings: list[Finding] = []
        self.modules: list[TfModule] = []
        self._groups: dict[tuple[str, str, int, str], tuple[Finding, list[str]]] = {}

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
            for module in evaluate(src, self._load_dir, self.tfvars(src)):
                self.modules.append(module)
                self._check(module)
        self.findings.extend(self._grouped())
        return self.findings

    def tfvars(self, src: ModuleSource) -> dict[str, Any]:
        """terraform.tfvars, *.auto.tfvars (and their .json forms) of a root module: its variable values."""
        directory = src.directory
        paths = [directory / "terraform.tfvars", *sorted(directory.glob("*.auto.tfvars"))]
        texts = {}
        for path in paths:
            if path.is_file():
                text, _ = read_text(path)
                if text is not None:
                    texts[str(path)] = text
        values: dict[str, Any] = {}
        for json_path in [directory / "terraform.tfvars.json", *sorted(directory.glob("*.auto.tfvars.json"))]:
            text, _ = read_text(json_path) if json_path.is_file() else (None, "")
            try:
                data = json.loads(text) if text else {}
            except ValueError:
                data = {}
            values.update(data if isinstance(data, dict) else {})
        for parsed in self.cache.parse_all(texts).values():
            values.update({k: v for k, v in (parsed.tree or {}).items() if k not in META})
        return values

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
            prefix = {"resource": "terraform:", "data": "terraform:data.", "module": "terraform:"}[res.kind]
            reads = Reads()
            plain_attrs = res.attrs
            res.attrs = tracked(plain_attrs, reads)
            try:
                for rule in rules_for(prefix + res.type):
                    reads.clear()
                    hits = list(rule.check(res, module))
                    for hit in hits:
                        self._add(rule, hit, res, module)
                    if not hits and reads:  # decided nothing on an unknown value: said, never a silent pass
                        key, value = reads[0]
                        self._add(NOT_EVALUATED, Hit(f"{rule.id} ({rule.title}) could not evaluate {key} = "
                                                     f"{readable(value)}", key), res, module)
            finally:
                res.attrs = plain_attrs

    def _add(self, rule: Rule, hit: Hit, res: TfResource, module: TfModule) -> None:
        line = hit.line or module.line_of(res, hit.attribute)
        message = readable(hit.message)
        key = (rule.id, res.path, line, message)
        group = self._groups.get(key)
        if group is None:
            evidence = mask_secrets(module.snippet(res.path, line))
            self._groups[key] = (finding_for(rule, Hit(message), Location(res.path, line, res.end_line),
                                             res.code_address, evidence), [res.address])
        elif res.address not in group[1]:
            group[1].append(res.address)

    def _grouped(self) -> list[Finding]:
        """One finding per code location; the module/count/for_each instances it applies to listed."""
        out = []
        for finding, addresses in self._groups.values():
            if len(addresses) > 1 or addresses[0] != finding.resource:
                finding = replace(finding, extra=(("instances", ", ".join(addresses[:20])
                                                   + (f" (+{len(addresses) - 20} more)" if len(addresses) > 20 else "")),))
            out.append(finding)
        self._groups.clear()
        return out


def _module_calls(src: ModuleSource) -> list[dict]:
    calls = []
    for parsed in src.files.values():
        for entry in (parsed.tree or {}).get("module", []) or []:
            if isinstance(entry, dict):
                calls.extend(v for v in entry.values() if isinstance(v, dict))
    return calls
