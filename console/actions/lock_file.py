"""Action locks for Docker targets: a lock file on this machine — LOCAL ONLY.

Docker has no lock primitive of its own, so two consoles on the *same* host (two
operators on one bastion, or two terminals of one) are kept apart with an exclusive
``fcntl.flock`` on ``<locks dir>/<hash of the target>.lock``, held by an open descriptor
for as long as the action runs. The kernel drops the lock when the process dies, so a
console killed mid-action never leaves a stale lock behind. Consoles on other machines
do not see these locks: that is documented in README ("On call as a team").
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from console.errors import Unavailable
from console.models.locks import Held, Lock, NoLock


def target_key(target: Any) -> str:
    return f"{target.backend}:{target.context}:{target.namespace}:{target.kind}:{target.id or target.name}"


class FileLocks:
    """The LockProvider for Docker targets (see console/actions/locks.py)."""

    name = "lock file"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory).expanduser()
        self._fds: dict[str, int] = {}  # action id -> the open descriptor holding the lock

    def path(self, target: Any) -> Path:
        return self.directory / f"{hashlib.sha256(target_key(target).encode()).hexdigest()[:24]}.lock"

    def _open(self, path: Path) -> int:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise Unavailable(f"cannot open the lock file {path}: {exc.strerror or exc}", source="locks.file") from exc

    def _read(self, path: Path, target: Any) -> Held:
        try:
            info = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        info = info if isinstance(info, dict) else {}
        return Held(who=str(info.get("holder", "another console on this host")), since=float(info.get("since") or 0),
                    why=str(info.get("reason", "")), verb=str(info.get("verb", "")), target=target.name,
                    where=f"lock file {path}")

    def peek(self, target: Any) -> Held | NoLock | None:
        path = self.path(target)
        fd = self._open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return self._read(path, target)
        finally:
            os.close(fd)  # a probe only: closing drops the lock it may have taken
        return None

    def acquire(self, target: Any, holder: str, reason: str, action_id: str, duration: float,
                verb: str = "") -> Lock | Held | NoLock:
        path = self.path(target)
        fd = self._open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return self._read(path, target)
        info = {"holder": holder, "reason": reason, "verb": verb, "action_id": action_id, "since": time.time(),
                "pid": os.getpid(), "target": target_key(target)}
        data = json.dumps(info).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        self._fds[action_id] = fd
        return Lock(self.name, f"lock file {path} (this host only)", action_id, holder, duration, {"path": str(path)})

    def renew(self, lock: Lock) -> bool:
        return lock.action_id in self._fds  # held by the open descriptor: nothing expires

    def release(self, lock: Lock) -> None:
        fd = self._fds.pop(lock.action_id, None)
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # drops the flock
