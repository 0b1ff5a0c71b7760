"""Import-layer contract: the core stays free of Textual, the screens free of SDKs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDKS = ("docker", "kubernetes", "boto3", "botocore", "hcl2", "moto", "kmock", "urllib3", "requests")
UI = ("textual",)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files(*parts: str) -> list[Path]:
    return sorted(p for p in ROOT.joinpath(*parts).rglob("*.py") if "__snapshots__" not in p.parts)


def offending(paths: list[Path], banned: tuple[str, ...]) -> list[str]:
    bad = []
    for path in paths:
        for mod in imported_modules(path):
            if mod.split(".")[0] in banned:
                bad.append(f"{path.relative_to(ROOT)} imports {mod}")
    return bad


CORE = [p for p in files("console") if p.name not in ("app.py",) and "sandbox" not in p.parts]


@pytest.mark.parametrize(
    "paths, banned, rule",
    [
        (CORE, UI, "console/ (except app.py) imports no Textual"),
        (files("console", "actions"), UI, "console/actions/ imports no Textual"),
        (files("checks"), UI, "checks/ imports no Textual"),
        (files("screens"), SDKS, "screens/ import no SDK"),
        (files("themes"), SDKS, "themes/ import no SDK"),
    ],
    ids=["console-core", "console-actions", "checks", "screens", "themes"],
)
def test_layers(paths, banned, rule):
    assert paths, f"no files found for: {rule}"
    assert offending(paths, banned) == [], rule


def test_no_module_over_limit():
    """Small modules with names that explain themselves (HACKING.md: under 400 lines)."""
    big = [f"{p.relative_to(ROOT)} ({n} lines)" for p in files("console") + files("screens") + files("checks")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert big == []
