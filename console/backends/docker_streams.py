"""Long-lived engine streams (followed logs, events) as closable line/event iterators.

Both are opened with a bounded request (see ``open_within``), then read without a read timeout (a quiet container or engine is not an
error); ``close()`` from any thread unblocks the reader. Memory is bounded: a line
longer than ``max_line`` bytes is cut into pieces instead of growing a buffer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from docker.types.daemon import CancellableStream

from console.backends.docker_convert import translate
from console.backends.docker_logs import dechunk
from console.errors import OpsError, TimedOut
from console.models.docker import STATE_EVENTS, ContainerStats, DockerEvent

MAX_LINE = 64 * 1024
STATS_IDLE = 10.0  # s: a stats stream nobody asked for in this long ends (a hidden tab samples nothing)


def open_within(timeout: float, open_stream: Any, message: str, source: str) -> Any:
    """Open a stream whose SDK call has no timeout (the events endpoint) within ``timeout``
    seconds: the call runs in a daemon thread; when it has not answered in time the caller
    gets ``TimedOut`` and a stream that still opens later is closed at once."""
    lock = threading.Lock()
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            value = open_stream()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc
            done.set()
            return
        with lock:
            if box.get("abandoned"):
                close = getattr(value, "close", None)
                if close is not None:
                    close()
                return
            box["value"] = value
        done.set()

    threading.Thread(target=run, daemon=True, name=f"open-{source}").start()
    if not done.wait(timeout):
        with lock:
            if "value" not in box:
                box["abandoned"] = True
                raise TimedOut(f"{message} within {timeout:g}s", source=source)
    if "error" in box:
        raise box["error"]
    return box["value"]


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
        """Blocks of any size (a frame's payload, or 64 KiB read in bulk: ``docker_logs``)
        are split into lines at C speed: one decode and one split per block."""
        held: list[bytes] = []  # the start of a line whose newline has not come (joined once it has)
        held_bytes = 0
        size = self.max_line
        for chunk in self._chunks():
            if self.closed:
                return
            if b"\n" not in chunk:
                held.append(chunk)
                held_bytes += len(chunk)
                if held_bytes > size:  # a long line goes on in pieces
                    yield from _pieces(b"".join(held), size)
                    held, held_bytes = [], 0
                continue
            if held:
                held.append(chunk)
                chunk = b"".join(held)
            head, _, rest = chunk.rpartition(b"\n")
            text = head.decode("utf-8", errors="replace")  # a newline never splits a character
            lines = text.split("\n")
            if "\r" in text:
                lines = [line.rstrip("\r") for line in lines]
            if len(head) > size and max(map(len, lines)) > size:
                lines = [line[i:i + size] for line in lines for i in range(0, max(len(line), 1), size)]
            yield from lines
            if len(rest) > size:
                yield from _pieces(rest, size)
                rest = b""
            held, held_bytes = ([rest], len(rest)) if rest else ([], 0)
        if held and not self.closed:
            yield from _pieces(b"".join(held), size)


def _pieces(line: bytes, size: int) -> Iterator[str]:
    for i in range(0, max(len(line), 1), size):
        yield line[i:i + size].decode("utf-8", errors="replace").rstrip("\r")


class InspectCache:
    """Inspect answers kept only while a live events stream watches every state change.

    Each container event invalidates its container; a stream that starts or ends clears
    everything. A refresh then re-inspects only the containers that changed. A write
    racing with an invalidation is dropped (per-container generation numbers).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._generation: dict[str, int] = {}
        self._epoch = 0
        self._live = 0

    def get(self, container_id: str, state: str) -> tuple[dict[str, Any] | None, tuple[int, int]]:
        """The cached answer when still valid for a container listed in ``state``, and a token for ``put``."""
        with self._lock:
            token = (self._epoch, self._generation.get(container_id, 0))
            info = self._entries.get(container_id) if self._live else None
            if info is not None and (info.get("State") or {}).get("Status") == state:
                return info, token
            return None, token

    def put(self, container_id: str, info: dict[str, Any], token: tuple[int, int]) -> None:
        with self._lock:
            if self._live and token == (self._epoch, self._generation.get(container_id, 0)):
                self._entries[container_id] = info

    def invalidate(self, container_id: str) -> None:
        with self._lock:
            self._entries.pop(container_id, None)
            self._generation[container_id] = self._generation.get(container_id, 0) + 1

    def _reset(self, live_delta: int) -> None:
        with self._lock:
            self._live += live_delta
            self._entries.clear()
            self._epoch += 1

    def stream_started(self) -> None:
        self._reset(+1)

    def stream_ended(self) -> None:
        self._reset(-1)

    def __len__(self) -> int:
        return len(self._entries)


def watches_all_state_changes(since: float | None, until: float | None, filters: dict[str, Any] | None) -> bool:
    """Whether a stream with these arguments sees every container state change from now on."""
    if since is not None or until is not None:
        return False
    filters = filters or {}
    types, events = filters.get("type"), filters.get("event")
    types = [types] if isinstance(types, str) else types
    events = [events] if isinstance(events, str) else events
    other_keys = set(filters) - {"type", "event"}
    return (not other_keys and (types is None or "container" in types)
            and (events is None or set(STATE_EVENTS) <= set(events)))


class EventStream(_Closable):
    """Engine events as ``DockerEvent``; ends when closed, at ``until``, or raises when the engine goes.

    With a ``cache``, each container event invalidates that container's cached inspect
    while the stream lives, and the cache is cleared when the stream ends.
    """

    def __init__(self, stream: Any, call: str = "events", host: str = "", cache: InspectCache | None = None) -> None:
        super().__init__(stream, call, host)
        self._cache = cache
        self._ended = threading.Event()
        if cache is not None:
            cache.stream_started()

    def _end(self) -> None:
        if self._cache is not None and not self._ended.is_set():
            self._ended.set()
            self._cache.stream_ended()

    def close(self) -> None:
        self._end()
        super().close()

    def __iter__(self) -> Iterator[DockerEvent]:
        try:
            for raw in self._chunks():
                if self.closed:
                    return
                event = event_from_json(raw if isinstance(raw, dict) else json.loads(raw))
                if self._cache is not None and event.type == "container":
                    self._cache.invalidate(event.id)
                yield event
        finally:
            self._end()


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


def open_stats(client: Any, container_id: str) -> CancellableStream:
    """A container's stats stream from an SDK client (a sample a second), closable from
    another thread like the SDK's events stream (``stats(stream=True)`` is a bare generator)."""
    response = client._get(client._url("/containers/{0}/stats", container_id), params={"stream": True}, stream=True)
    client._raise_for_status(response)
    chunked = getattr(response.raw._fp, "chunked", False)  # the http.client response the SDK's close() shuts
    return CancellableStream(_chunks_of_json(response.raw._fp.fp) if chunked
                             else client._stream_helper(response, decode=True), response)


def _chunks_of_json(fp: Any, max_line: int = MAX_LINE) -> Iterator[bytes]:
    """JSON lines (undecoded) of a chunked answer read straight off its socket file
    (``docker_logs.dechunk``): the SDK's reader goes through urllib3, http.client and a JSON
    splitter for every sample, which was most of a stream's CPU. A line longer than
    ``max_line`` is dropped."""
    buf = b""
    for block in dechunk(fp):
        buf += block
        *lines, buf = buf.split(b"\n")
        yield from (line for line in lines if line.strip())
        if len(buf) > max_line:
            buf = b""


class _Feed:
    def __init__(self, container_id: str) -> None:
        self.id = container_id
        self.raw: Any = None  # the newest sample as read (JSON bytes, or a dict)
        self.sample: ContainerStats | None = None  # ``raw`` converted, when asked for
        self.converted: Any = None  # the raw sample ``sample`` was converted from
        self.first = threading.Event()  # the first sample came, or the stream ended
        self.stream: Any = None
        self.stopped = False
        self.ended_by: BaseException | None = None  # why the stream ended, when it failed

    def close(self) -> None:
        self.stopped = True
        if self.stream is not None:
            try:
                self.stream.close()
            except OSError:
                return  # the socket is already gone


class StatsFeeds:
    """Live stats as ``docker stats`` reads them: one streaming connection per running
    container; the engine pushes a sample a second and the newest is kept.

    A streamed sample costs this process ~0.3 ms of CPU; a one-shot request per container
    per tick ~2 ms (and its answer waits for the engine's 1 s collection tick all the same).
    ``latest(ids)`` starts the streams it lacks and ends those no longer asked for; a stream
    nobody asked for in ``idle`` s ends by itself; ``close()`` ends them all.
    ``open_stream(id)`` gives a closable iterator of raw samples (JSON bytes or dicts),
    ``convert(id, sample)`` a ``ContainerStats`` (None for a container that is not running);
    a sample is decoded only when asked for (one in three at a 3 s tick).
    """

    def __init__(self, open_stream: Callable[[str], Any], convert: Callable[[str, dict[str, Any]], Any],
                 idle: float = STATS_IDLE) -> None:
        self._open = open_stream
        self._convert = convert
        self._idle = idle
        self._lock = threading.Lock()
        self._feeds: dict[str, _Feed] = {}
        self._asked = time.monotonic()

    def latest(self, ids: Iterable[str], wait: float = 0.0) -> dict[str, ContainerStats]:
        """The newest sample of each container; a stream started now is waited for up to
        ``wait`` s (the engine sends its first sample at once)."""
        wanted = list(dict.fromkeys(ids))
        keep = set(wanted)
        with self._lock:
            self._asked = time.monotonic()
            gone = [f for cid, f in self._feeds.items() if cid not in keep]
            for f in gone:
                del self._feeds[f.id]
            new = [self._feeds.setdefault(cid, _Feed(cid)) for cid in wanted if cid not in self._feeds]
        for f in gone:
            f.close()
        for f in new:
            threading.Thread(target=self._run, args=(f,), daemon=True, name=f"docker-stats-{f.id[:12]}").start()
        deadline = time.monotonic() + wait
        for f in new:
            f.first.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            feeds = [f for f in (self._feeds.get(cid) for cid in wanted) if f is not None]
            for f in feeds:
                raw = f.raw
                if raw is not None and raw is not f.converted:
                    f.converted = raw
                    try:
                        f.sample = self._convert(f.id, raw if isinstance(raw, dict) else json.loads(raw))
                    except ValueError:  # a torn sample: the previous one stands, the next comes in a second
                        continue
        return {f.id: f.sample for f in feeds if f.sample is not None}

    def _run(self, feed: _Feed) -> None:
        """THREAD: one container's stream, until stopped, idle, or ended by the engine."""
        try:
            stream = self._open(feed.id)
            with self._lock:
                feed.stream, stopped = stream, feed.stopped
            if stopped:
                stream.close()
                return
            for raw in stream:
                if feed.stopped or time.monotonic() - self._asked > self._idle:
                    break
                feed.raw = raw
                feed.first.set()
        except Exception as exc:  # noqa: BLE001 - the next latest() opens it again
            feed.ended_by = exc
        finally:
            feed.first.set()
            with self._lock:
                if self._feeds.get(feed.id) is feed:
                    del self._feeds[feed.id]
            feed.close()

    def close(self) -> None:
        with self._lock:
            feeds, self._feeds = list(self._feeds.values()), {}
        for f in feeds:
            f.close()

    def __len__(self) -> int:
        return len(self._feeds)
