"""Paged lists (limit/continue) on kmock and the real API server: the first page reaches the
watch cache (and so the table) before the rest, and the rest arrives whole."""

from __future__ import annotations

import threading

from console.backends.kube_watch import WatchCache
from console.backends.kubernetes import KubernetesBackend
from console.filter import narrows

COUNT, PAGE = 53, 10  # a first page of 10, then pages of 40


def secret(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "labels": {"paging": "yes"}},
            "type": "Opaque", "data": {}}


def test_first_page_is_in_the_cache_before_the_rest(any_kube):
    for i in range(COUNT):
        any_kube.create("secrets", secret(f"paged-{i:02d}"))
    backend = KubernetesBackend(any_kube.config)
    backend.connect()
    backend.http.page_size = PAGE
    seen: list[tuple[int, bool, bool]] = []  # (rows, loading, synced) at each notification
    done = threading.Event()
    cache: WatchCache | None = None

    def changed() -> None:
        assert cache is not None
        state = cache.state()
        ours = sum(1 for r in cache.rows() if r.name.startswith("paged-"))
        seen.append((ours, state.loading, state.synced))
        if state.synced:
            done.set()

    try:
        cache = WatchCache(backend.http, "secrets", any_kube.namespace, on_change=changed)
        cache.start()
        assert done.wait(60), f"the list never completed: {seen}"
        assert cache.wait_ready(0) and cache.wait_synced(0)
        partial = [n for n, loading, synced in seen if loading and not synced]
        assert partial and partial[0] > 0 and partial[0] < COUNT, seen  # a first page, painted early
        assert partial == sorted(partial)  # pages add up, never start over
        assert seen[-1][1:] == (False, True)
        assert sorted(r.name for r in cache.rows() if r.name.startswith("paged-")) == [
            f"paged-{i:02d}" for i in range(COUNT)]
    finally:
        if cache is not None:
            cache.stop()
        backend.close()


def test_list_all_still_merges_every_page(any_kube):
    for i in range(COUNT):
        any_kube.create("secrets", secret(f"merged-{i:02d}"))
    backend = KubernetesBackend(any_kube.config)
    backend.connect()
    backend.http.page_size = PAGE
    try:
        before = backend.http.requests
        rows = backend.list("secrets", any_kube.namespace)
        assert sorted(r.name for r in rows if r.name.startswith("merged-")) == [f"merged-{i:02d}" for i in range(COUNT)]
        assert backend.http.requests - before >= 2  # 23 items: a first page of 10, then the rest
    finally:
        backend.close()


def test_a_grown_filter_narrows_only_when_it_keeps_a_subset():
    assert narrows("we", "web") and narrows("web", "web app=x") and narrows("app=w*", "app=web")
    assert narrows("", "anything") and narrows("a b", "b a")
    assert not narrows("app=we", "app=web")  # exact match: "web" is not a subset of "we"
    assert not narrows("app!=x", "app!=xy") and not narrows("web", "we") and not narrows("web", "app=web")
