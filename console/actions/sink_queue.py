"""The local outbox of the team audit sink: nothing lost while the sink is down, nothing sent twice.

Every audit record is first written as one file ``<dir>/<time>-<record id>.json``
(written to a dot-file, fsync'd, then renamed: a reader never sees half a record); a
flusher thread delivers the files oldest first and deletes each one once the sink has
it. When the sink is down (any typed error) the round stops and the rest stays queued;
the next round (woken by the next record, or every ``retry_seconds``) goes on where it
stopped. One flusher at a time across processes (an ``flock`` on ``<dir>/.flush``), so
two consoles of one operator never deliver the same file twice. The record id is part
of the sink's object key (S3: a conditional create, so a re-delivery after a crash
between "sent" and "deleted" is refused by S3 and counted as delivered).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from console.errors import OpsError

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def record_id(record: Mapping[str, Any]) -> str:
    """One id per audit record: the action id and the outcome (each is written once per action)."""
    outcome = _UNSAFE.sub("-", str(record.get("outcome", "")))
    return f"{_UNSAFE.sub('-', str(record.get('action_id', '')))}.{outcome}"


def file_name(record: Mapping[str, Any]) -> str:
    stamp = _UNSAFE.sub("", str(record.get("time", "")))  # 20261201T214816Z: sorts by time
    return f"{stamp}-{record_id(record)}.json"


class Outbox:
    """Queue files in ``directory``; ``deliver(record)`` raises an OpsError while the sink is down."""

    def __init__(self, directory: str | os.PathLike[str], deliver: Callable[[dict[str, Any]], None],
                 retry_seconds: float = 5.0) -> None:
        self.directory = Path(directory).expanduser()
        self.deliver = deliver
        self.retry_seconds = retry_seconds
        self.last_error = ""
        self.delivered = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- enqueue ----------------------------------------------------------------------------
    def put(self, record: Mapping[str, Any]) -> Path:
        """Queue ``record`` durably (OSError when the queue dir cannot be written) and wake the flusher."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.directory / file_name(record)
        tmp = self.directory / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        self.start()
        self._wake.set()
        return path

    def pending(self) -> list[Path]:
        try:
            return sorted(p for p in self.directory.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
        except FileNotFoundError:
            return []

    # -- deliver ------------------------------------------------------------------------------
    def flush(self) -> int:
        """Deliver what is queued, oldest first; stops at the first failure. Returns how many were sent."""
        if not self.directory.is_dir():
            return 0
        fd = os.open(self.directory / ".flush", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            sent = 0
            for path in self.pending():
                try:
                    record = json.loads(path.read_bytes())
                except FileNotFoundError:
                    continue  # another flusher delivered it before we took the lock
                except ValueError as exc:  # not ours to fix: keep it aside, never lose it
                    log.warning("team sink: unreadable queued record %s moved aside: %s", path, exc)
                    os.replace(path, path.with_suffix(".unreadable"))
                    continue
                try:
                    self.deliver(record)
                except OpsError as exc:
                    self.last_error = f"{exc.title}: {exc.body}"
                    return sent
                path.unlink(missing_ok=True)
                sent += 1
                self.delivered += 1
            self.last_error = ""
            return sent
        finally:
            os.close(fd)

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="team audit sink", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.flush()
            except OSError as exc:
                self.last_error = f"queue {self.directory}: {exc.strerror or exc}"
                log.warning("team sink: %s", self.last_error)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
