"""Report paths relative to a base directory (GitHub code scanning wants repository-relative URIs)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


def default_base(targets: tuple[str, ...]) -> Path:
    """The repository root around the first scanned directory (a ``.git`` above it), else that
    directory itself, else the working directory."""
    for target in targets:
        if target.startswith("live:"):
            continue
        start = Path(os.path.abspath(target))
        start = start if start.is_dir() else start.parent
        for folder in (start, *start.parents):
            if (folder / ".git").exists():
                return folder
        return start
    return Path.cwd()


def relative_uri(path: str, base: Path) -> str:
    """``path`` as a POSIX path relative to ``base`` (``../`` for a module outside it); never absolute."""
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, os.path.abspath(base))
    except ValueError:  # another drive: keep what we have, without the root
        rel = full.lstrip("/\\")
    posix = PurePosixPath(rel.replace("\\", "/")).as_posix()
    return posix[2:] if posix.startswith("./") else posix


def base_of(result) -> Path:
    base = getattr(result, "base_path", None)
    return Path(base) if base else default_base(tuple(getattr(result, "targets", ())))
