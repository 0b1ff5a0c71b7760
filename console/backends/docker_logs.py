"""A followed container log read in bulk off its socket (what ``LogStream`` consumes).

The SDK's reader (``logs(stream=True)``) makes two urllib3 reads per frame, each through
http.client's chunked decoder: ~10 µs of this process's GIL per log line, i.e. a fifth of
a core (and of the UI thread's turns) at 20,000 lines a second. Here the answer's socket
file is read 64 KiB at a time; the HTTP chunks and the engine's 8-byte frame headers are
cut out of that buffer, and the payload goes on as large blocks that ``LogStream`` splits
into lines at C speed.

``open_logs`` uses the SDK's request and its private response attributes as
``open_stats`` does (``client._get``, ``response.raw._fp``); an answer that is not chunked
(another transport) goes through the SDK's own reader instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docker.types.daemon import CancellableStream

READ_SIZE = 64 * 1024
MUX = "application/vnd.docker.multiplexed-stream"
RAW = "application/vnd.docker.raw-stream"


def open_logs(client: Any, container_id: str, params: dict[str, Any]) -> CancellableStream:
    """A followed log as a closable iterator of payload blocks (bytes; lines split later)."""
    response = client._get(client._url("/containers/{0}/logs", container_id), params=params, stream=True)
    client._raise_for_status(response)
    kind = response.headers.get("Content-Type", "").split(";")[0].strip()
    tty = kind == RAW or (kind != MUX and bool(((client.inspect_container(container_id) or {}).get("Config")
                                                 or {}).get("Tty")))
    fp = getattr(response.raw, "_fp", None)
    if not getattr(fp, "chunked", False) or not hasattr(fp, "fp"):
        blocks = client._stream_raw_result(response) if tty else client._multiplexed_response_stream_helper(response)
        return CancellableStream(blocks, response)
    client._disable_socket_timeout(client._get_raw_response_socket(response))  # a quiet container is no error
    body = dechunk(fp.fp)
    return CancellableStream(body if tty else demux(body), response)


def dechunk(fp: Any, read_size: int = READ_SIZE) -> Iterator[bytes]:
    """The body of a chunked HTTP answer read straight off its socket file, in blocks of
    whatever arrived (one read each); ends at the last chunk or when the connection closes."""
    buf = b""
    want = 0  # > 0: bytes of the current chunk still to come; < 0: bytes of its CRLF still to come
    while True:
        data = fp.read1(read_size)
        if not data:
            return
        buf = buf + data if buf else data
        out: list[bytes] = []
        pos, end = 0, len(buf)
        while pos < end:
            if want > 0:
                take = min(want, end - pos)
                out.append(buf[pos:pos + take])
                pos += take
                want -= take
                if want:
                    break
                want = -2  # the CRLF after the chunk
            if want < 0:
                if end - pos < -want:
                    want += end - pos
                    pos = end
                    break
                pos += -want
                want = 0
            nl = buf.find(b"\r\n", pos)
            if nl < 0:
                break
            size = int(buf[pos:nl].split(b";", 1)[0] or b"0", 16)
            pos = nl + 2
            if size == 0:
                if out:
                    yield b"".join(out)
                return  # the last chunk
            want = size
        buf = buf[pos:] if pos < end else b""
        if out:
            yield b"".join(out)


def demux(body: Iterator[bytes]) -> Iterator[bytes]:
    """The payload of the engine's multiplexed stream (stdout and stderr frames, each an
    8-byte header: stream, 3 zero bytes, big-endian length), frames joined per block."""
    buf = b""
    want = 0  # payload bytes of the current frame still to come
    for data in body:
        buf = buf + data if buf else data
        out: list[bytes] = []
        pos, end = 0, len(buf)
        while pos < end:
            if want:
                take = min(want, end - pos)
                out.append(buf[pos:pos + take])
                pos += take
                want -= take
                continue
            if end - pos < 8:
                break
            want = int.from_bytes(buf[pos + 4:pos + 8], "big")
            pos += 8
        buf = buf[pos:] if pos < end else b""
        if out:
            yield b"".join(out)
