"""The endless answers of the sandbox API: watch streams and pod log streams.

Split from console.sandbox.kube_emulator (the emulator calls these with itself).
A watch starts from ``resourceVersion`` ("0": the current objects as ADDED events, else
the retained history after it), answers an ERROR event with code 410 when that version
was compacted, honours ``timeoutSeconds`` and label/field selectors. Logs are stored as
"RFC3339 text" lines per (namespace, pod, container, previous).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp.web
from kmock import Request

from console.sandbox.kube_selectors import matches_fields, matches_labels

if TYPE_CHECKING:  # pragma: no cover
    from console.sandbox.kube_emulator import SandboxKubeEmulator


class StreamError(Exception):
    """Raised before a stream starts; the emulator answers it as a Status."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message

    def status(self) -> dict:
        return {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure",
                "code": self.code, "reason": self.reason, "message": self.message}


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


async def serve_watch(emu: SandboxKubeEmulator, request: Request, plural: str, ns: str | None) -> aiohttp.web.StreamResponse:
    params = request.params
    labels, fields = params.get("labelSelector", ""), params.get("fieldSelector", "")
    matches_labels({}, labels)  # raise on a bad selector before the stream starts
    since = params.get("resourceVersion") or "0"
    if not since.isdigit():
        raise StreamError(400, "BadRequest", f"resourceVersion {since!r} is not a number")
    timeout = float(params.get("timeoutSeconds") or 0) or None

    def wanted(obj: dict) -> bool:
        in_ns = ns is None or obj.get("metadata", {}).get("namespace") == ns
        return in_ns and matches_labels(obj, labels) and matches_fields(obj, fields)

    async with emu._lock:
        bus = emu._bus(plural)
        mark = await bus.mark()
        gone = since != "0" and int(since) < emu._compacted_rv
        if since == "0":
            backlog = [{"type": "ADDED", "object": o} for o in emu.list_objects(plural, ns)]
        else:
            backlog = [item for rv, p, item in emu._history if p == plural and rv > int(since)]
        upto = emu._rv
    response = aiohttp.web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    await response.prepare(request._raw_request)
    try:
        if gone:
            error = StreamError(410, "Expired", f"too old resource version: {since} ({emu._compacted_rv})")
            await response.write(json.dumps({"type": "ERROR", "object": error.status()}).encode() + b"\n")
            return response
        for item in backlog:
            if wanted(item["object"]):
                await response.write(json.dumps(item).encode() + b"\n")
        try:
            async with asyncio.timeout(timeout):
                async for rv, item in bus.stream(since=mark):
                    if rv > upto and wanted(item["object"]):
                        await response.write(json.dumps(item).encode() + b"\n")
        except TimeoutError:
            pass
        await response.write_eof()
        return response
    finally:
        await bus.unmark(mark)

async def serve_log(emu: SandboxKubeEmulator, request: Request, ns: str, pod_name: str) -> aiohttp.web.StreamResponse:
    pod = emu.require("pods", ns, pod_name)
    containers = [c.get("name", "") for c in pod.get("spec", {}).get("containers", [])]
    params = request.params
    container = params.get("container") or (containers[0] if containers else "")
    if container not in containers:
        raise StreamError(400, "BadRequest", f"container {container} is not valid for pod {pod_name}")
    previous = _truthy(params.get("previous"))
    key = (ns, pod_name, container, previous)
    if previous and key not in emu._logs:
        raise StreamError(400, "BadRequest", f'previous terminated container "{container}" in pod "{pod_name}" not found')
    lines = list(emu._logs.get(key, []))
    if params.get("sinceSeconds", "").isdigit():
        lines = _since(lines, int(params["sinceSeconds"]))
    if params.get("tailLines", "").isdigit():
        lines = lines[-int(params["tailLines"]):] if int(params["tailLines"]) else []
    stamped = _truthy(params.get("timestamps"))
    text = "".join(_render_line(line, stamped) for line in lines)
    if not _truthy(params.get("follow")):
        return aiohttp.web.Response(text=text, content_type="text/plain")
    return await _follow_log(emu, request, key, text, stamped)

async def _follow_log(emu: SandboxKubeEmulator, request: Request, key: tuple, text: str, stamped: bool) -> aiohttp.web.StreamResponse:
    response = aiohttp.web.StreamResponse(status=200, headers={"Content-Type": "text/plain"})
    await response.prepare(request._raw_request)
    if emu._log_changed is None:
        emu._log_changed = asyncio.Condition()
    await response.write(text.encode())
    sent = len(emu._logs.get(key, []))
    while emu.get_object("pods", key[0], key[1]) is not None:
        async with emu._log_changed:
            await emu._log_changed.wait()
        new = emu._logs.get(key, [])[sent:]
        sent += len(new)
        if new:
            await response.write("".join(_render_line(line, stamped) for line in new).encode())
    await response.write_eof()
    return response


def _split_stamp(line: str) -> tuple[datetime | None, str]:
    stamp, sep, rest = line.partition(" ")
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")), rest
    except ValueError:
        return None, line


def _render_line(line: str, stamped: bool) -> str:
    """Log lines are stored as "RFC3339 text"; without ``timestamps`` only the text goes out."""
    return (line if stamped else _split_stamp(line)[1]) + "\n"


def _since(lines: list[str], seconds: int) -> list[str]:
    cutoff = datetime.now(UTC) - timedelta(seconds=seconds)
    return [line for line in lines if (_split_stamp(line)[0] or cutoff) >= cutoff]
