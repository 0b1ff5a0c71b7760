"""Finding and reading the files a scan covers, safely.

Directories are walked with symlinks followed but each real directory visited once (so
a symlink loop ends the walk instead of hanging it). Files over the size cap, binary
files and unreadable files are reported as skipped, never raised.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 2 * 1024 * 1024  # a larger file is skipped with a note
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".venv", "venv",
                       ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache"})

KIND_TERRAFORM = "terraform"
KIND_DOCKERFILE = "dockerfile"
KIND_YAML = "yaml"
KIND_DEPENDENCIES = "dependencies"
KIND_JSON = "json"  # Kubernetes manifests in JSON, or any other JSON (checked for secrets)
KIND_OTHER = "other"
KIND_DIRECTORY = "directory"
CHECKED_KINDS = frozenset({KIND_TERRAFORM, KIND_DOCKERFILE, KIND_YAML, KIND_DEPENDENCIES})

DEPENDENCY_FILES = ("requirements*.txt", "pyproject.toml", "package.json", "Pipfile")


def kind_of(path: Path) -> str:
    name = path.name
    lower = name.lower()
    if lower.endswith(".tf"):
        return KIND_TERRAFORM
    if lower in ("dockerfile", "containerfile") or name.startswith(("Dockerfile.", "Containerfile.")) \
            or lower.endswith(".dockerfile"):
        return KIND_DOCKERFILE
    if lower.endswith((".yaml", ".yml")):
        return KIND_YAML
    if any(fnmatch.fnmatch(lower, pat.lower()) for pat in DEPENDENCY_FILES):
        return KIND_DEPENDENCIES
    if lower.endswith(".json"):
        return KIND_JSON
    return KIND_OTHER


@dataclass(frozen=True)
class Candidate:
    path: Path  # as found under the scan root
    display: str  # the path shown in findings
    kind: str


@dataclass(frozen=True)
class Skipped:
    display: str
    reason: str  # "binary", "larger than 2 MiB", "unreadable: Permission denied", "symlink loop"
    kind: str


def walk(roots: list[Path]) -> Iterator[Candidate | Skipped]:
    """Every file under ``roots`` (files given directly are taken as is)."""
    seen_dirs: set[tuple[int, int]] = set()
    for root in roots:
        if root.is_file() or (root.is_symlink() and not root.is_dir()):
            yield from _candidate(root, str(root))
            continue
        if not root.is_dir():
            yield Skipped(str(root), "not found", KIND_OTHER)
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=errors.append):
            while errors:  # a directory that could not be listed is reported, never silently skipped
                exc = errors.pop()
                where = Path(exc.filename) if exc.filename else Path(dirpath)
                yield Skipped(_display(root, where), f"unreadable directory: {exc.strerror or exc}", KIND_DIRECTORY)
            try:
                st = os.stat(dirpath)
            except OSError as exc:
                yield Skipped(dirpath, f"unreadable: {exc.strerror}", KIND_OTHER)
                dirnames[:] = []
                continue
            ident = (st.st_dev, st.st_ino)
            if ident in seen_dirs:
                yield Skipped(_display(root, Path(dirpath)), "symlink loop (directory already scanned)", KIND_OTHER)
                dirnames[:] = []
                continue
            seen_dirs.add(ident)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not _is_virtualenv(Path(dirpath) / d))
            for name in sorted(filenames):
                full = Path(dirpath) / name
                yield from _candidate(full, _display(root, full))
        while errors:
            exc = errors.pop()
            yield Skipped(_display(root, Path(exc.filename or root)), f"unreadable directory: {exc.strerror or exc}",
                          KIND_DIRECTORY)


def _is_virtualenv(path: Path) -> bool:
    """Installed packages are not the repository's code: skip venvs and site-packages."""
    try:
        return path.name in ("site-packages", "dist-packages") or (path / "pyvenv.cfg").is_file()
    except OSError:  # an unreadable directory: walked, so that os.walk reports it
        return False


def _display(root: Path, full: Path) -> str:
    try:
        rel = full.relative_to(root)
    except ValueError:
        return str(full)
    return str(root / rel) if str(root) not in (".", "") else str(rel)


def _candidate(full: Path, display: str) -> Iterator[Candidate | Skipped]:
    kind = kind_of(full)
    try:
        st = full.stat()
    except OSError as exc:
        reason = "symlink loop" if exc.errno == 40 else ("broken symlink" if full.is_symlink() else f"unreadable: {exc.strerror}")
        yield Skipped(display, reason, kind)
        return
    if not os.path.isfile(full):
        return  # sockets, fifos, devices: nothing to check
    if st.st_size > MAX_BYTES:
        yield Skipped(display, f"larger than {MAX_BYTES // (1024 * 1024)} MiB ({st.st_size} bytes)", kind)
        return
    yield Candidate(full, display, kind)


def read_text(path: Path, allow_nul: bool = False) -> tuple[str | None, str]:
    """(text, "") or (None, why it cannot be checked). With ``allow_nul`` (files of a checked
    kind) NUL bytes do not make the file "binary": they are replaced and the file is checked,
    so one stray byte cannot hide a file's findings."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    if len(data) > MAX_BYTES:
        return None, f"larger than {MAX_BYTES // (1024 * 1024)} MiB"
    if b"\x00" in data[:8192] and not allow_nul:
        return None, "binary file"
    data = data.replace(b"\x00", b" ") if allow_nul else data
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return data.decode("latin-1"), ""
