"""Raw JSON calls through the official client's ApiClient, with errors translated once.

The adapter works on JSON dicts (see kube_rows); this module builds resource paths,
calls ``ApiClient.call_api`` with ``_preload_content=False`` and a timeout on every call,
and turns SDK/urllib3 exceptions into console.errors by HTTP status or exception type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from console.errors import Conflict, Denied, InvalidInput, NotFound, OpsError, Throttled, TimedOut, Unavailable

# kind -> (API prefix, namespaced)
PATHS: dict[str, tuple[str, bool]] = {
    "pods": ("/api/v1", True), "services": ("/api/v1", True), "events": ("/api/v1", True),
    "secrets": ("/api/v1", True), "configmaps": ("/api/v1", True), "nodes": ("/api/v1", False),
    "namespaces": ("/api/v1", False),
    "deployments": ("/apis/apps/v1", True), "statefulsets": ("/apis/apps/v1", True),
    "daemonsets": ("/apis/apps/v1", True), "replicasets": ("/apis/apps/v1", True),
    "jobs": ("/apis/batch/v1", True), "cronjobs": ("/apis/batch/v1", True),
    "leases": ("/apis/coordination.k8s.io/v1", True),
}
STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"


class Expired(Conflict):
    """410 Gone: a resourceVersion or list continue token too old for the server."""


def resource_path(kind: str, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
    prefix, namespaced = PATHS[kind]
    path = prefix
    if namespaced and namespace and namespace != "*":
        path += f"/namespaces/{namespace}"
    path += f"/{kind}"
    if name:
        path += f"/{name}"
    if sub:
        path += f"/{sub}"
    return path


def _status_message(exc: ApiException) -> str:
    try:
        body = json.loads(exc.body) if exc.body else {}
    except (TypeError, ValueError):
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    return str(message or exc.reason or "no detail")


def translate(exc: BaseException, call: str) -> OpsError:
    """One place that maps SDK and transport failures to typed errors (never by message text)."""
    if isinstance(exc, OpsError):
        return exc
    if isinstance(exc, ApiException):
        status, message = int(exc.status or 0), _status_message(exc)
        body = f"HTTP {status}: {message}"
        if status in (401, 403):
            return Denied(body, source=call)
        if status == 404:
            return NotFound(body, source=call)
        if status == 410:
            return Expired(body, source=call)
        if status == 409:
            return Conflict(body, source=call)
        if status in (400, 422):
            return InvalidInput(body, source=call)
        if status == 429:
            return Throttled(body, source=call)
        if status == 504:
            return TimedOut(body, source=call)
        return Unavailable(body, source=call)
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        return translate(exc.reason, call)
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # a ConnectTimeoutError subclass, but "refused"
        return Unavailable(f"API server unreachable: {exc}", source=call)
    if isinstance(exc, (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ConnectTimeoutError, TimeoutError)):
        return TimedOut(f"no answer in time: {type(exc).__name__}", source=call)
    if isinstance(exc, (urllib3.exceptions.HTTPError, OSError)):
        return Unavailable(f"API server unreachable: {type(exc).__name__}: {exc}", source=call)
    if isinstance(exc, ValueError):
        return InvalidInput(f"unexpected answer: {exc}", source=call)
    return Unavailable(f"{type(exc).__name__}: {exc}", source=call)


TRANSPORT_ERRORS = (ApiException, urllib3.exceptions.HTTPError, OSError, ValueError)


def request_timeout(timeout: float | tuple[float | None, float | None]) -> tuple[float | None, float | None]:
    """The ``_request_timeout`` the client really honours: a (connect, read) tuple.

    kubernetes client 35 applies an ``int`` or a 2-tuple and silently ignores a ``float``
    (the config's ``timeout = 10.0``), which left every call unbounded."""
    if isinstance(timeout, tuple):
        connect, read = timeout
        return (None if connect is None else float(connect), None if read is None else float(read))
    return (float(timeout), float(timeout))


class KubeHttp:
    """JSON in, JSON out, over one ApiClient; every call bounded by ``timeout`` seconds."""

    page_size = 500  # items of a list's first page (limit + continue): it paints early
    page_growth = 4  # the next pages are this many times larger: fewer round trips for the rest

    def __init__(self, api: client.ApiClient, timeout: float) -> None:
        self.api = api
        self.timeout = timeout
        self.requests = 0  # calls sent (tests and benchmarks read it)

    def raw(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None,
            content_type: str = "application/json", timeout: float | tuple[float, float] | None = None,
            call: str = "") -> urllib3.HTTPResponse:
        headers = {"Accept": "application/json, */*", "Content-Type": content_type}
        query_params = [(k, v) for k, v in (query or {}).items() if v is not None]
        self.requests += 1
        try:
            return self.api.call_api(path, method, query_params=query_params, header_params=headers, body=body,
                                     auth_settings=["BearerToken"], _preload_content=False,
                                     _return_http_data_only=True,
                                     _request_timeout=request_timeout(timeout if timeout is not None else self.timeout))
        except TRANSPORT_ERRORS as exc:
            raise translate(exc, call or f"kubernetes {method} {path}") from exc

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        call = kwargs.pop("call", "") or f"kubernetes {method} {path}"
        resp = self.raw(method, path, call=call, **kwargs)
        try:
            data = resp.data
            return json.loads(data) if data else {}
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise translate(exc, call) from exc
        except ValueError as exc:
            raise InvalidInput(f"answer is not JSON: {exc}", source=call) from None
        finally:
            resp.release_conn()

    def list_all(self, path: str, *, query: dict[str, Any] | None = None, call: str = "") -> dict[str, Any]:
        """A list in pages of ``page_size`` (``limit`` + ``continue``), merged into one answer whose
        resourceVersion is the snapshot's. An expired continue token (410) restarts the list once."""
        items: list[Any] = []
        last: dict[str, Any] = {}
        for page, first in self.list_pages(path, query=query, call=call):
            if first:
                items = []
            items.extend(page.get("items") or [])
            last = page
        return {**last, "items": items}

    def list_pages(self, path: str, *, query: dict[str, Any] | None = None,
                   call: str = "") -> Iterator[tuple[dict[str, Any], bool]]:
        """The pages of a list as they arrive (``page_size`` items, then ``page_growth`` times more
        per page): ``(page, first)``; ``first`` is True for the first
        page of a (re)started list, so a caller that painted pages of an expired list starts over.
        The last page carries the snapshot's resourceVersion and no ``continue``."""
        call = call or f"kubernetes list {path}"
        for attempt in (1, 2):
            token: str | None = None
            try:
                while True:
                    limit = self.page_size if token is None else self.page_size * self.page_growth
                    page = self.json("GET", path, query={**(query or {}), "limit": limit, "continue": token}, call=call)
                    if not isinstance(page, dict):
                        raise InvalidInput("list answer is not an object", source=call)
                    yield page, token is None
                    token = (page.get("metadata") or {}).get("continue") or None
                    if token is None:
                        return
            except Expired:
                if attempt == 2 or token is None:
                    raise
        raise Conflict("list kept expiring between pages", source=call)  # not reached: attempt 2 raises

    def text(self, path: str, *, query: dict[str, Any] | None = None, call: str = "") -> str:
        resp = self.raw("GET", path, query=query, call=call)
        try:
            return resp.data.decode("utf-8", errors="replace")
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise translate(exc, call or path) from exc
        finally:
            resp.release_conn()
