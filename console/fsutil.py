"""Private files and directories for every cache and state file: 0600 files in 0700 dirs.

The caches (Cost Explorer answers, parses), the audit log, the changelog in the state
dir, compliance runs and suppressions, and the sandbox kubeconfig can hold account ids,
resource names or tokens; other users on a shared bastion must not read them. No
Textual, no SDK: every layer may use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: str | os.PathLike[str], *, tighten: bool = False) -> Path:
    """Create ``path`` (and any missing parent) 0700. Directories that already exist are
    left as they are (``~/.cache``, ``/tmp`` are not ours) unless ``tighten`` says ``path``
    is one of opsconsole's own (``$XDG_CACHE_HOME/opsconsole/aws-costs``): then it is made
    0700 too, as left by an older version."""
    p = Path(path)
    missing = []
    for candidate in (p, *p.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it meanwhile
        os.chmod(candidate, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    if tighten and not missing and p.is_dir() and p.stat().st_mode & 0o077 and p.stat().st_uid == os.getuid():
        os.chmod(p, PRIVATE_DIR)
    return p


def write_private(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Replace ``path`` atomically with ``data``, as a 0600 file (a missing directory is
    created 0700)."""
    p = Path(path)
    private_dir(p.parent)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def open_private(path: str | os.PathLike[str], flags: int) -> int:
    """``os.open`` that creates a missing file 0600 in a 0700 directory (an existing file
    keeps its mode: an ops repository's CHANGELOG.md is the operator's to decide)."""
    p = Path(path)
    private_dir(p.parent)
    return os.open(p, flags | os.O_CREAT, PRIVATE_FILE)
