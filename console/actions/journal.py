"""The operations changelog (Markdown) and the audit log (JSON lines), append-only.

Each append is one ``os.write`` of the whole entry to a file opened with ``O_APPEND``,
under an exclusive ``fcntl.flock`` on that file, then ``fsync``. So two consoles (two
processes) never interleave or lose entries, and earlier entries are never rewritten.

Crash safety: a writer killed mid-append can leave a torn last line/entry. Readers skip
it (:func:`read_audit`, :func:`read_changelog`), and the next writer, seeing the file does
not end with a newline, starts its entry on a fresh line so the torn bytes stay isolated.

No Textual here; call it from worker threads (it does blocking file I/O).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.actions.records import ChangelogEntry, parse_changelog, render_markdown
from console.errors import OpsError
from console.fsutil import PRIVATE_FILE, private_dir

log = logging.getLogger(__name__)

CHANGELOG_HEADER = "# Operations changelog\n\nWritten by opsconsole: one entry per action, newest last.\n\n"


class JournalUnwritable(OpsError):
    """The changelog or audit log cannot be written: actions are refused."""

    title = "Changelog/audit not writable"


def _describe_os_error(kind: str, path: Path, exc: OSError) -> str:
    parent = path.parent
    if isinstance(exc, (NotADirectoryError, FileExistsError)) or (parent.exists() and not parent.is_dir()):
        why = "a parent of it is not a directory"
        for candidate in (parent, *parent.parents):
            if candidate.exists() and not candidate.is_dir():
                why = f"{candidate} is a file, not a directory"
                break
    elif isinstance(exc, IsADirectoryError):
        why = "it is a directory"
    elif isinstance(exc, PermissionError):
        why = "permission denied"
    else:
        why = exc.strerror or str(exc)
    return f"cannot write the {kind} {path}: {why}"


def _append(path: Path, data: bytes, kind: str, header: bytes = b"") -> None:
    """Append ``data`` atomically under an exclusive lock, flushed and fsync'd."""
    try:
        private_dir(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    except OSError as exc:
        raise JournalUnwritable(_describe_os_error(kind, path, exc), source="journal") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size == 0:
            data = header + data
        elif os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # a writer died mid-entry: isolate its torn bytes
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        raise JournalUnwritable(_describe_os_error(kind, path, exc), source="journal") from exc
    finally:
        os.close(fd)  # closing releases the lock
    if size == 0:
        _fsync_dir(path.parent)  # a new file: make its directory entry durable too


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        log.debug("cannot open %s to fsync it: %s", directory, exc)
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems refuse fsync on directories (EINVAL)
        log.debug("fsync of directory %s: %s", directory, exc)
    finally:
        os.close(fd)


RESERVE_PER_TARGET = 16 * 1024  # bytes proven/reserved per target and file before an action runs
_FALLOC_FL_KEEP_SIZE = 1


def _fallocate(fd: int, offset: int, length: int) -> bool:
    """Reserve blocks past the end without changing the size (Linux); False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fallocate = libc.fallocate
    except (OSError, AttributeError):
        return False
    fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
    if fallocate(fd, _FALLOC_FL_KEEP_SIZE, offset, length) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(err, os.strerror(err))


def _prove_space(path: Path, length: int) -> None:
    """Where blocks cannot be reserved: write ``length`` bytes beside ``path``, fsync, delete."""
    probe = path.with_name(f".{path.name}.space-check-{os.getpid()}")
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(b"\0" * length)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
        probe.unlink(missing_ok=True)


def _check(path: Path, kind: str, reserve: int = 0) -> None:
    """Open ``path`` for appending and reserve ``reserve`` bytes for it (a full disk fails here)."""
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            reserved = reserve <= 0 or _fallocate(fd, os.fstat(fd).st_size, reserve)
        finally:
            os.close(fd)
        if not reserved:
            _prove_space(path, reserve)
    except OSError as exc:
        raise JournalUnwritable(_describe_os_error(kind, path, exc), source="journal") from exc


@dataclass(frozen=True)
class AuditLog:
    """The audit records read back, newest last, and how many lines were unreadable."""

    records: list[dict[str, Any]]
    torn: int = 0


def read_audit(path: Path) -> AuditLog:
    """Parse the audit log; a torn line (crash mid-append) is skipped, never fatal."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return AuditLog([])
    records, torn = [], 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            torn += 1
            continue
        if isinstance(record, dict) and "action_id" in record and "outcome" in record:
            records.append(record)
        else:
            torn += 1
    return AuditLog(records, torn)


def read_changelog(path: Path) -> tuple[list[ChangelogEntry], int]:
    """The changelog entries and how many were torn; other Markdown is skipped."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return [], 0
    return parse_changelog(text)


class Journal:
    """Where guarded actions leave their trace: a changelog and an audit log."""

    def __init__(self, changelog_path: str | os.PathLike[str], audit_path: str | os.PathLike[str]) -> None:
        self.changelog_path = Path(changelog_path).expanduser()
        self.audit_path = Path(audit_path).expanduser()
        self._pending: list[dict[str, Any]] = []
        self._pending_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Journal(changelog={self.changelog_path}, audit={self.audit_path})"

    def check_writable(self, reserve: int = 0) -> None:
        """Raise :class:`JournalUnwritable` naming the path unless both files can be appended to.

        ``reserve`` targets: the space their records need is reserved (or, where the
        filesystem cannot reserve, proven by a write), so a full disk refuses the action
        before anything runs instead of losing its entries afterwards.
        """
        size = min(RESERVE_PER_TARGET * max(0, reserve), 4 * 1024 * 1024)
        _check(self.audit_path, "audit log", size)
        _check(self.changelog_path, "changelog", size)

    def keep_pending(self, record: Mapping[str, Any], why: str) -> None:
        """A changelog entry that could not be written: kept (its audit record has the data) for a retry."""
        log.warning("changelog entry for %s pending: %s", record.get("action_id"), why)
        with self._pending_lock:
            self._pending.append(dict(record))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def retry_pending(self) -> int:
        """Write the pending changelog entries that fit now; how many are still pending."""
        with self._pending_lock:
            pending, self._pending = self._pending, []
            for index, record in enumerate(pending):
                try:
                    self.changelog(record)
                except JournalUnwritable:
                    self._pending = pending[index:] + self._pending
                    break
            return len(self._pending)

    @contextmanager
    def reconcile_lock(self, shared: bool = False) -> Iterator[None]:
        """A lock beside the audit log. Exclusive: one console at a time reconciles. Shared:
        a writer holds it over an outcome's audit line and changelog entry, so a reconciler
        never sees one without the other from a live writer (and never writes it twice)."""
        path = self.audit_path.with_name(f".{self.audit_path.name}.reconcile.lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as exc:
            raise JournalUnwritable(_describe_os_error("reconciliation lock", path, exc), source="journal") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def audit(self, record: Mapping[str, Any]) -> None:
        """Append one JSON line (the record must already be scrubbed: see records.make_record)."""
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        _append(self.audit_path, line.encode("utf-8"), "audit log")

    def changelog(self, record: Mapping[str, Any]) -> None:
        """Append the Markdown entry for ``record`` at the end of the changelog.

        A new file gets a short header; an existing one (e.g. an ops repository's
        CHANGELOG.md) is only appended to.
        """
        data = render_markdown(record).encode("utf-8")
        _append(self.changelog_path, data, "changelog", header=CHANGELOG_HEADER.encode())

    def write(self, record: Mapping[str, Any], *, changelog: bool = True) -> None:
        """The audit line first (the machine record), then the changelog entry."""
        self.audit(record)
        if changelog:
            self.changelog(record)

    def read_audit(self) -> AuditLog:
        return read_audit(self.audit_path)

    def read_changelog(self) -> tuple[list[ChangelogEntry], int]:
        return read_changelog(self.changelog_path)
