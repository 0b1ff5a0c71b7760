"""A proxy in front of a real backend that can freeze: it keeps accepting connections and
reading requests, and never answers again (a hung dockerd, a frozen AWS endpoint).

``FreezableProxy.unix(upstream_socket_path, path)`` or ``.tcp(host, port)``; ``freeze()``
stops every answer (requests are still read, and are *not* forwarded), ``thaw()``
forwards again; ``mute()`` forwards the requests but holds every answer back (the server
does the work, the client never hears of it: a lost reply); ``close()`` stops it. Loopback / a private socket only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading


class FreezableProxy:
    def __init__(self, listener: socket.socket, connect: tuple[int, object]) -> None:
        self.listener = listener
        self.family, self.upstream = connect
        self.frozen = threading.Event()
        self.muted = threading.Event()
        self.closed = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="silent-proxy").start()

    @classmethod
    def unix(cls, upstream: str, path: str) -> FreezableProxy:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(64)
        return cls(sock, (socket.AF_UNIX, upstream))

    @classmethod
    def tcp(cls, host: str, port: int) -> FreezableProxy:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        return cls(sock, (socket.AF_INET, (host, port)))

    @property
    def address(self) -> str:
        name = self.listener.getsockname()
        return f"unix://{name}" if isinstance(name, str) else f"http://127.0.0.1:{name[1]}"

    def freeze(self) -> None:
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()
        self.muted.clear()

    def mute(self) -> None:
        self.muted.set()

    def close(self) -> None:
        self.closed.set()
        with self._lock:
            socks, self._socks = self._socks, []
        for s in [self.listener, *socks]:
            with contextlib.suppress(OSError):
                s.close()

    def _track(self, s: socket.socket) -> None:
        with self._lock:
            self._socks.append(s)

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._track(client)
            if self.frozen.is_set():
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.socket(self.family, socket.SOCK_STREAM)
                upstream.connect(self.upstream)
            except OSError:
                client.close()
                continue
            self._track(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _swallow(self, client: socket.socket) -> None:
        """Read and discard forever: the connection is open, the answer never comes."""
        while not self.closed.is_set():
            try:
                if not client.recv(65536):
                    return
            except OSError:
                return

    def _pump(self, src: socket.socket, dst: socket.socket, answers: bool = False) -> None:
        while not self.closed.is_set():
            try:
                data = src.recv(65536)
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)
                return
            if self.frozen.is_set():
                continue  # read, never forwarded, never answered
            if answers and self.muted.is_set():
                continue  # the server answered; the answer is lost
            try:
                dst.sendall(data)
            except OSError:
                return
