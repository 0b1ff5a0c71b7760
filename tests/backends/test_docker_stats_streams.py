"""Live stats (console.backends.docker_streams.StatsFeeds): one stream per running container,
the newest sample kept, streams ended when no longer asked for."""

from __future__ import annotations

import queue
import threading

import pytest

from console.backends.docker import DockerBackend
from console.backends.docker_streams import StatsFeeds
from console.config import Config, DockerConfig
from tests.fixtures.dockerd import wait_until


class FakeStream:
    """A closable iterator of samples put by the test."""

    def __init__(self) -> None:
        self.q: queue.Queue = queue.Queue()
        self.closed = threading.Event()

    def __iter__(self):
        while True:
            item = self.q.get()
            if item is None or self.closed.is_set():
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.closed.set()
        self.q.put(None)


def fake_feeds(idle: float = 60.0) -> tuple[StatsFeeds, dict[str, list[FakeStream]]]:
    opened: dict[str, list[FakeStream]] = {}

    def open_stream(cid: str) -> FakeStream:
        stream = FakeStream()
        opened.setdefault(cid, []).append(stream)
        stream.q.put({"n": 0})  # the engine sends its first sample at once
        return stream

    return StatsFeeds(open_stream, lambda cid, raw: (cid, raw["n"]), idle=idle), opened


def test_latest_opens_a_stream_per_container_and_keeps_the_newest_sample():
    feeds, opened = fake_feeds()
    assert feeds.latest(["a", "b"], wait=5.0) == {"a": ("a", 0), "b": ("b", 0)}
    opened["a"][0].q.put({"n": 1})
    wait_until(lambda: feeds.latest(["a", "b"])["a"] == ("a", 1), 5.0, what="the newer sample")
    assert len(opened["a"]) == 1 and len(opened["b"]) == 1  # asked again: no new stream
    feeds.close()
    wait_until(lambda: all(s.closed.is_set() for ss in opened.values() for s in ss), 5.0, what="closed")


def test_a_container_no_longer_asked_for_has_its_stream_closed():
    feeds, opened = fake_feeds()
    feeds.latest(["a", "b"], wait=5.0)
    assert set(feeds.latest(["a"])) == {"a"}
    assert opened["b"][0].closed.is_set() and not opened["a"][0].closed.is_set()
    feeds.close()


def test_a_stream_nobody_asks_for_ends_and_one_that_failed_opens_again():
    feeds, opened = fake_feeds(idle=0.0)
    feeds.latest(["a"], wait=5.0)
    opened["a"][0].q.put({"n": 1})  # the next sample finds nobody asked for a while: the stream ends
    wait_until(lambda: opened["a"][0].closed.is_set() and len(feeds) == 0, 5.0, what="the idle stream ended")
    feeds, opened = fake_feeds()
    feeds.latest(["a"], wait=5.0)
    opened["a"][0].q.put(OSError("engine gone"))
    wait_until(lambda: len(feeds) == 0, 5.0, what="the failed stream dropped")
    assert feeds.latest(["a"], wait=5.0) == {"a": ("a", 0)} and len(opened["a"]) == 2
    feeds.close()


@pytest.mark.docker
def test_live_snapshot_streams_stats_of_running_containers(docker_engine):
    backend = DockerBackend(Config(docker=DockerConfig(host=docker_engine.host, timeout=20)))
    backend.connect()
    try:
        up, other = docker_engine.run(mem_limit="16m"), docker_engine.run()
        first = backend.snapshot(all=True, live=True)
        assert {up["id"], other["id"]} <= set(first.stats) and first.stats[up["id"]].mem_limit == 16 * 1024 * 1024
        # the engine's next pushed sample carries the previous one: a CPU % a second later
        wait_until(lambda: backend.snapshot(live=True).stats[up["id"]].cpu_percent is not None, 10.0,
                   interval=0.3, what="a CPU % from the stream")
        docker_engine.client.stop(other["id"], timeout=0)
        docker_engine.wait_state(other["id"], "exited")
        data = backend.snapshot(all=True, live=True)
        assert other["id"] not in data.stats and up["id"] in data.stats
        assert other["id"] not in backend._live._feeds
    finally:
        backend.close()
    assert len(backend._live) == 0
