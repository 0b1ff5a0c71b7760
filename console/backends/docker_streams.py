"""Long-lived engine streams (followed logs, events) as closable line/event iterators.

Both run on a client without a read timeout (a quiet container or engine is not an
error); ``close()`` from any thread unblocks the reader. Memory is bounded: a line
longer than ``max_line`` bytes is cut into pieces instead of growing a buffer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from console.backends.docker_convert import translate
from console.errors import OpsError
from console.models.docker import DockerEvent

MAX_LINE = 64 * 1024


class _Closable:
    def __init__(self, stream: Any, call: str, host: str = "") -> None:
        self._stream = stream
        self._call = call
        self._host = host
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Stop the stream (thread-safe; the iterator then ends)."""
        if not self._closed.is_set():
            self._closed.set()
            close = getattr(self._stream, "close", None)
            if close is not None:
                try:
                    close()
                except OSError:
                    return  # the socket is already gone: closed is what we wanted

    def __enter__(self) -> _Closable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _chunks(self) -> Iterator[Any]:
        try:
            yield from self._stream
        except OpsError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated; a close() from us ends quietly
            if not self.closed:
                raise translate(exc, self._call, self._host) from exc


class LogStream(_Closable):
    """Lines of a followed container log (decoded, newline removed)."""

    def __init__(self, stream: Any, call: str = "follow_logs", max_line: int = MAX_LINE, host: str = "") -> None:
        super().__init__(stream, call, host)
        self.max_line = max_line

    def __iter__(self) -> Iterator[str]:
        buf = b""
        for chunk in self._chunks():
            if self.closed:
                return
            buf += chunk
            while True:
                nl = buf.find(b"\n")
                if nl < 0:
                    break
                line, buf = buf[:nl], buf[nl + 1:]
                yield from _pieces(line, self.max_line)
            if len(buf) > self.max_line:
                yield from _pieces(buf, self.max_line)
                buf = b""
        if buf and not self.closed:
            yield from _pieces(buf, self.max_line)


def _pieces(line: bytes, size: int) -> Iterator[str]:
    for i in range(0, max(len(line), 1), size):
        yield line[i:i + size].decode("utf-8", errors="replace").rstrip("\r")


class EventStream(_Closable):
    """Engine events as ``DockerEvent``; ends when closed, at ``until``, or raises when the engine goes."""

    def __init__(self, stream: Any, call: str = "events", host: str = "") -> None:
        super().__init__(stream, call, host)

    def __iter__(self) -> Iterator[DockerEvent]:
        for raw in self._chunks():
            if self.closed:
                return
            event = raw if isinstance(raw, dict) else json.loads(raw)
            yield event_from_json(event)


def event_from_json(event: dict[str, Any]) -> DockerEvent:
    actor = event.get("Actor") or {}
    attrs = actor.get("Attributes") or {}
    return DockerEvent(
        type=str(event.get("Type", "")),
        action=str(event.get("Action") or event.get("status", "")),
        id=str(actor.get("ID") or event.get("id", "")),
        name=str(attrs.get("name", "")),
        time=float(event.get("timeNano", 0)) / 1e9 or float(event.get("time", 0)),
    )
