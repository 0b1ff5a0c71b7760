"""Docker over ``ssh://``: the system ``ssh`` binary, as ``docker -H ssh://`` does.

Like the docker CLI (and the docker SDK's ``use_ssh_client=True``), every engine
connection runs ``ssh [-l USER] [-p PORT] -- HOST docker system dial-stdio``, so
``~/.ssh/config`` (Port, User, IdentityFile, UserKnownHostsFile, ProxyJump), the agent
and known_hosts behave exactly as in a terminal. Unlike the SDK's pipe wrapper, whose
reads ignore the client timeout (a stuck remote would hang a worker forever), each ssh
process is given one end of a real socket: the SDK talks HTTP to a private unix socket
(0700 temp dir) with its ordinary timeouts, and this relay hands every accepted
connection to a new ``ssh`` as its stdin/stdout.

``BatchMode=yes`` (no password or passphrase prompt can take over the TUI's terminal;
use keys or an agent), ``ConnectTimeout`` from ``[docker] timeout``, and the ssh
processes run in their own session, so ``ctrl+c`` in the console never reaches them.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from console.errors import InvalidInput, TimedOut, Unavailable

log = logging.getLogger(__name__)

REMOTE_COMMAND = ("docker", "system", "dial-stdio")


def ssh_command(url: str, timeout: float, ssh: str = "ssh") -> list[str]:
    """The ssh argv for one engine connection to ``ssh://[user@]host[:port]``."""
    parts = urlsplit(url)
    if parts.scheme != "ssh" or not parts.hostname:
        raise InvalidInput(f"{url}: expected ssh://[user@]host[:port]", source="docker.host")
    if parts.path not in ("", "/"):
        raise InvalidInput(f"{url}: an ssh:// Docker host takes no path (the remote docker CLI finds its engine)",
                           source="docker.host")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{url}: the port is not a number", source="docker.host") from None
    argv = [ssh, "-T", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={max(1, round(timeout))}"]
    if parts.username:
        argv += ["-l", unquote(parts.username)]
    if port:
        argv += ["-p", str(port)]
    host = parts.hostname
    return [*argv, "--", host, *REMOTE_COMMAND]


class SshRelay:
    """A private unix socket whose every connection is relayed through a new ``ssh``."""

    def __init__(self, url: str, timeout: float) -> None:
        ssh = shutil.which("ssh")
        if ssh is None:
            raise Unavailable(f"{url}: ssh:// needs the ssh client (apt-get install openssh-client)",
                              source="docker.connect")
        self.url = url
        self.argv = ssh_command(url, timeout, ssh)
        self._dir = Path(tempfile.mkdtemp(prefix="opsconsole-ssh-"))  # 0700
        self.socket_path = self._dir / "docker.sock"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.socket_path))
        self._listener.listen(64)
        self._procs: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._closed = False
        self._count = 0
        self._thread = threading.Thread(target=self._accept_loop, name=f"docker-ssh {url}", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"unix://{self.socket_path}"

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            if self._closed:
                conn.close()
                return
            try:
                self._spawn(conn)
            except OSError as exc:
                log.warning("docker over ssh: cannot run ssh for %s: %s", self.url, exc)
            finally:
                conn.close()  # the child holds its own copy

    def _spawn(self, conn: socket.socket) -> None:
        with self._lock:
            if self._closed:
                return
            self._count += 1
            err_path = self._dir / f"ssh-{self._count % 8}.err"
            self._procs = [p for p in self._procs if p.poll() is None]
            with open(err_path, "wb") as err:
                self._procs.append(subprocess.Popen(  # noqa: S603 - argv from a parsed ssh:// URL, no shell
                    self.argv, stdin=conn.fileno(), stdout=conn.fileno(), stderr=err, close_fds=True,
                    start_new_session=True))

    def last_error(self) -> str:
        """The last thing an ssh process wrote to stderr (why a connection was dropped)."""
        newest = sorted(self._dir.glob("ssh-*.err"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in newest:
            try:
                text = path.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                continue
            if text:
                return " ".join(text.splitlines()[-3:])[:400]
        return ""

    def check(self, timeout: float) -> None:
        """Run the remote ``docker version`` once over ssh: a clear reason (auth, host key,
        no docker CLI) instead of a dropped connection."""
        argv = [*self.argv[: -len(REMOTE_COMMAND)], "docker", "version", "--format", "{{.Server.Version}}"]
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,  # noqa: S603
                                  timeout=timeout + 5, check=False, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise TimedOut(f"{self.url}: ssh did not answer in {timeout + 5:.0f} s", source="docker.connect") from None
        if proc.returncode != 0:
            why = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])[:400] or f"exit {proc.returncode}"
            raise Unavailable(f"{self.url}: ssh failed: {why}", source="docker.connect")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            procs, self._procs = self._procs, []
        try:  # wake the accept loop; it sees _closed and spawns nothing
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
                wake.settimeout(1)
                wake.connect(str(self.socket_path))
        except OSError:
            log.debug("docker over ssh: accept loop already gone")
        self._listener.close()
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=2)
        self._thread.join(timeout=2)
        shutil.rmtree(self._dir, ignore_errors=True)


def is_ssh(url: str) -> bool:
    return url.startswith("ssh://")


__all__ = ["SshRelay", "is_ssh", "ssh_command"]
