"""A watch cache for one kind in one namespace scope (an informer, in client-go words).

List (in pages: the first list's rows show page by page), then watch from the list's
resourceVersion; apply ADDED/MODIFIED/DELETED to a dict
of rows; on ``410 Gone`` relist; when the stream breaks, mark the cache stale (the rows
stay) and reconnect with backoff from the last seen version. A server-side
``timeoutSeconds`` ends each watch cleanly now and then; it is resumed at once. There
is no re-list polling: after the first list, only events change the cache.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import urllib3
from kubernetes.watch.watch import iter_resp_lines

from console import gctune
from console.backends.kube_http import KubeHttp, resource_path, translate
from console.backends.kube_rows import to_row
from console.errors import Denied, OpsError, Unavailable
from console.models.kubernetes import KubeRow, WatchState

BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
WATCH_SECONDS = 55  # server-side timeout of one watch request; then the watch resumes
WATCH_SILENCE = 10  # a watch silent this long past its server-side end: the server is frozen (stale)


class Gone(Exception):
    """The watch's resourceVersion is too old (410): relist."""


def _key(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace') or ''}/{meta.get('name', '')}"


class WatchCache:
    def __init__(self, http: KubeHttp, kind: str, namespace: str, on_change: Callable[[], None] | None = None,
                 backoff: tuple[float, ...] = BACKOFF, watch_seconds: int = WATCH_SECONDS) -> None:
        self.http, self.kind, self.namespace = http, kind, namespace
        self.on_change = on_change
        self.backoff, self.watch_seconds = backoff, watch_seconds
        self._rows: dict[str, KubeRow] = {}
        self._rv: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._synced = threading.Event()  # the first list arrived whole
        self._ready = threading.Event()  # its first page arrived (rows() has some, more may follow)
        self._loading = False
        self._resp: urllib3.HTTPResponse | None = None
        self._stale, self._reason, self._denied = False, "", False
        self._relists, self._reconnects, self._events = 0, 0, 0
        self._thread = threading.Thread(target=self._run, name=f"kube-watch-{kind}-{namespace}", daemon=True)

    # -- public ----------------------------------------------------------------------------
    def start(self) -> WatchCache:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        resp = self._resp
        if resp is not None:
            try:
                resp.shutdown()
            except (OSError, AttributeError, urllib3.exceptions.HTTPError):
                resp.close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def wait_synced(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    def wait_ready(self, timeout: float) -> bool:
        """The first page is in (``state().loading`` says whether more pages follow)."""
        return self._ready.wait(timeout)

    def rows(self) -> tuple[KubeRow, ...]:
        with self._lock:
            return tuple(self._rows.values())

    def state(self) -> WatchState:
        with self._lock:
            return WatchState(kind=self.kind, namespace=self.namespace, synced=self._synced.is_set(),
                              stale=self._stale, reason=self._reason, relists=self._relists, loading=self._loading,
                              reconnects=self._reconnects, events=self._events, denied=self._denied)

    # -- the loop ---------------------------------------------------------------------------
    def _notify(self) -> None:
        if self.on_change is not None and not self._stop.is_set():
            self.on_change()

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                if self._rv is None:
                    self._relist()
                self._watch()
                attempt = 0
            except Gone:
                self._rv = None
                with self._lock:
                    self._relists += 1
            except Denied as exc:  # retrying will not help: say so once and stop
                with self._lock:
                    self._stale, self._reason, self._denied = True, exc.body, True
                self._notify()
                self._stop.set()
            except OpsError as exc:
                if self._stop.is_set():
                    break
                with self._lock:
                    self._stale, self._reason = True, f"{exc.title}: {exc}"
                    self._reconnects += 1
                self._notify()
                self._stop.wait(self.backoff[min(attempt, len(self.backoff) - 1)])
                attempt += 1

    def _relist(self) -> None:
        """List in pages. The first list shows its rows page by page (``ready`` after the first
        page, ``synced`` after the last); a relist builds the new rows aside and swaps them in."""
        call = f"kubernetes.list {self.kind}"
        first_list = not self._synced.is_set()
        rows: dict[str, KubeRow] = {}
        data: dict = {}
        with gctune.bulk_load():
            for data, restarted in self.http.list_pages(resource_path(self.kind, self.namespace), call=call):
                items = data.get("items")
                if not isinstance(items, list):
                    raise Unavailable("list answer has no items", source=call)
                if restarted:
                    rows = {}
                for obj in items:
                    if isinstance(obj, dict):
                        rows[_key(obj)] = to_row(self.kind, obj)
                if first_list and (data.get("metadata") or {}).get("continue"):
                    with self._lock:
                        self._rows = dict(rows)
                        self._stale, self._reason, self._loading = False, "", True
                    self._ready.set()
                    self._notify()
        with self._lock:
            self._rows = rows
            self._rv = str((data.get("metadata") or {}).get("resourceVersion") or "0")
            self._stale, self._reason, self._loading = False, "", False
        self._ready.set()
        self._synced.set()
        self._notify()

    def _watch(self) -> None:
        call = f"kubernetes.watch {self.kind}"
        query = {"watch": "true", "resourceVersion": self._rv, "timeoutSeconds": self.watch_seconds,
                 "allowWatchBookmarks": "true"}
        connect = min(self.http.timeout, 10.0)
        resp = self.http.raw("GET", resource_path(self.kind, self.namespace), query=query,
                             timeout=(connect, self.watch_seconds + WATCH_SILENCE), call=call)
        self._resp = resp
        if self._stale:
            with self._lock:
                self._stale, self._reason = False, ""
            self._notify()
        try:
            for line in iter_resp_lines(resp):
                if self._stop.is_set():
                    return
                if line:
                    self._apply(json.loads(line), call)
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            if not self._stop.is_set():
                raise translate(exc, call) from exc
        finally:
            self._resp = None
            resp.release_conn()

    def _apply(self, event: dict, call: str) -> None:
        typ, obj = event.get("type"), event.get("object") or {}
        if typ == "ERROR":
            if obj.get("code") == 410:
                raise Gone()
            raise Unavailable(f"watch error {obj.get('code')}: {obj.get('message', '')}", source=call)
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if typ == "BOOKMARK":
            self._rv = rv or self._rv
            return
        key = _key(obj)
        with self._lock:
            if typ == "DELETED":
                self._rows.pop(key, None)
            elif typ in ("ADDED", "MODIFIED"):
                self._rows[key] = to_row(self.kind, obj)
            self._events += 1
            self._rv = rv or self._rv
        self._notify()
