"""The bulk reader of followed logs (console/backends/docker_logs.py): HTTP chunks and the
engine's frame headers cut out of 64 KiB reads, lines split per block by ``LogStream``.

The framing is checked over random cuts of a synthesized answer (any read can end
anywhere: inside a chunk-size line, a CRLF, a frame header, a UTF-8 character), then
against a real dockerd: every line of a fast burst in order, a TTY container, a quiet
stream that outlives the client's timeout, a close from another thread."""

from __future__ import annotations

import io
import random
import threading
import time

import pytest

from console.backends.docker import DockerBackend
from console.backends.docker_logs import dechunk, demux
from console.backends.docker_streams import LogStream
from console.config import Config, DockerConfig
from console.logbuffer import STAMP, without_stamp
from tests.fixtures.dockerd import wait_until


class _Cuts(io.RawIOBase):
    """A socket file whose every read returns a random number of bytes."""

    def __init__(self, data: bytes, rng: random.Random) -> None:
        self.data, self.pos, self.rng = data, 0, rng

    def read1(self, n: int = -1) -> bytes:
        take = min(n, self.rng.choice((1, 2, 3, 7, 8, 9, 100, 4096, 70_000)))
        out = self.data[self.pos:self.pos + take]
        self.pos += len(out)
        return out


def _frames(payloads: list[bytes]) -> bytes:
    return b"".join(bytes([1 + i % 2, 0, 0, 0]) + len(p).to_bytes(4, "big") + p for i, p in enumerate(payloads))


def _chunked(body: bytes, rng: random.Random) -> bytes:
    out, pos = [], 0
    while pos < len(body):
        size = rng.choice((1, 5, 80, 300, 16_384, 70_000))
        piece = body[pos:pos + size]
        out.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
        pos += len(piece)
    return b"".join(out) + b"0\r\n\r\n"


def _lines(rng: random.Random) -> list[str]:
    words = ["level=info", "päth=/ä/ö", "✓", "x" * 70_000, "", "tab\there", "crlf\r"]
    return [f"{i} " + " ".join(rng.choice(words) for _ in range(rng.randint(0, 4))) for i in range(400)]


@pytest.mark.parametrize("seed", range(30))
def test_any_cut_of_a_chunked_multiplexed_answer_gives_every_line(seed):
    rng = random.Random(seed)
    lines = _lines(rng)
    text = "".join(line + "\n" for line in lines).encode()
    payloads, pos = [], 0
    while pos < len(text):  # frames cut anywhere too (the engine splits lines over 16 KiB)
        size = rng.choice((1, 30, 100, 16_384))
        payloads.append(text[pos:pos + size])
        pos += size
    payloads.insert(rng.randrange(len(payloads)), b"")  # an empty frame
    wire = _chunked(_frames(payloads), rng) + b"HTTP/1.1 200 OK\r\n"  # nothing after the last chunk is read
    blocks = list(demux(dechunk(_Cuts(wire, rng))))
    body = b"".join(blocks)
    same = body == text  # compared outside assert: pytest's diff of megabytes takes minutes
    assert same, f"{len(body)} bytes read, {len(text)} sent, first difference at {_differs(body, text)}"
    got = list(LogStream(iter(blocks), max_line=1 << 20))
    same = got == [line.rstrip("\r") for line in lines]
    assert same, f"{len(got)} lines read, {len(lines)} sent"


def _differs(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def test_a_line_past_the_bound_goes_on_in_pieces_whatever_the_reads():
    line = "ä" + "x" * 200_000
    for seed in range(5):
        blocks = list(demux(dechunk(_Cuts(_chunked(_frames([line.encode() + b"\nnext\n"]), random.Random(seed))
                                           + b"0\r\n\r\n", random.Random(seed)))))
        got = list(LogStream(iter(blocks), max_line=65_536))
        ok = got[-1] == "next" and all(len(p.encode()) <= 65_536 for p in got)
        assert ok, f"{len(got)} pieces of {[len(p) for p in got]} characters"
        whole = "".join(got[:-1]).replace("\ufffd", "")
        assert whole in (line, line.replace("ä", "")), f"{len(whole)} characters, not the line"


def test_a_connection_closed_mid_chunk_ends_the_body():
    wire = b"10\r\n" + _frames([b"one\ntw"])[:10]
    assert b"".join(demux(dechunk(io.BytesIO(wire)))) == b"on"


@pytest.fixture
def backend(docker_engine):
    b = DockerBackend(Config(docker=DockerConfig(host=docker_engine.host, timeout=2)))
    b.connect()
    yield b
    b.close()


def _read(stream, got):
    reader = threading.Thread(target=lambda: got.extend(stream), daemon=True)
    reader.start()
    return reader


@pytest.mark.docker
def test_a_fast_burst_arrives_whole_and_in_order_with_timestamps(backend, docker_engine):
    c = docker_engine.run(["sh", "-c", "seq 1 30000; echo done >&2; sleep 600"])
    stream = backend.follow_logs(c["id"], tail=-1, timestamps=True)
    got: list[str] = []
    reader = _read(stream, got)
    wait_until(lambda: len(got) >= 30001, what="30,001 followed lines", timeout=60)
    stream.close()
    reader.join(10)
    assert not reader.is_alive()
    assert all(STAMP.match(line) for line in got)
    shown = [without_stamp(line) for line in got]
    same = len(shown) == 30001 and "done" in shown and [s for s in shown if s != "done"] == [
        str(i) for i in range(1, 30001)]  # stdout whole and in order, stderr's line among it
    assert same, f"{len(shown)} lines: {shown[:3]} … {shown[-3:]}"


@pytest.mark.docker
def test_a_tty_container_and_a_quiet_stream_past_the_client_timeout(backend, docker_engine):
    c = docker_engine.run(["sh", "-c", "echo first; sleep 4; echo second; sleep 600"], tty=True)
    stream = backend.follow_logs(c["id"], tail=-1)
    got: list[str] = []
    reader = _read(stream, got)
    wait_until(lambda: got, what="the first line")
    wait_until(lambda: len(got) >= 2, what="a line 4 s later (the client's timeout is 2 s)", timeout=30)
    assert got[:2] == ["first", "second"] and reader.is_alive()
    started = time.monotonic()
    stream.close()
    reader.join(10)
    assert not reader.is_alive() and time.monotonic() - started < 10
