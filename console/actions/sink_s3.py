"""The team audit sink on S3: one object per audit record, never overwritten.

Key: ``<prefix><YYYY-MM-DD>/<time>-<action id>.<outcome>.json`` (see sink_queue.file_name).
Each record is written with ``IfNoneMatch='*'`` (a conditional create): an object that
exists already is refused by S3 with 412, which means this record was delivered before
(a re-delivery after a crash), so it counts as delivered and nothing is overwritten.
Reading lists the last ``days`` date prefixes (UTC) and fetches only the objects not seen
before (they never change), so a reload costs a few list calls however old the bucket is.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from console.actions.sink_queue import file_name
from console.errors import Conflict, OpsError

FETCHERS = 8  # objects fetched at once when the view reads the team's records


class S3Sink:
    kind = "s3"

    def __init__(self, backend: Any, bucket: str, prefix: str, timeout: float = 10.0, days: int = 7) -> None:
        self.backend = backend  # a console.backends.aws.AwsBackend: typed errors, timeouts
        self.bucket = bucket
        self.prefix = prefix
        self.timeout = timeout
        self.days = days
        self._seen: dict[str, dict[str, Any] | None] = {}  # key -> record (None: unreadable)
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, record: dict[str, Any]) -> str:
        return f"{self.prefix}{str(record.get('time', ''))[:10]}/{file_name(record)}"

    def deliver(self, record: dict[str, Any]) -> None:
        body = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
        try:
            self.backend.call("s3", "put_object", timeout=self.timeout, Bucket=self.bucket, Key=self.key(record),
                              Body=body, ContentType="application/json", IfNoneMatch="*")
        except Conflict:
            return  # 412: the object exists, this record was delivered before

    def _fetch(self, key: str) -> dict[str, Any] | None:
        from console.backends.aws import translate

        answer = self.backend.call("s3", "get_object", timeout=self.timeout, Bucket=self.bucket, Key=key)
        try:
            data = answer["Body"].read()
        except Exception as exc:  # noqa: BLE001 - a broken stream, translated once
            raise translate(exc, f"s3.get_object {key}") from exc
        try:
            record = json.loads(data)
        except ValueError:
            return None
        return record if isinstance(record, dict) and "action_id" in record else None

    def read(self) -> tuple[list[dict[str, Any]], int]:
        """Every record in the sink (oldest first by key) and how many objects were unreadable."""
        today = datetime.now(UTC).date()
        keys = sorted(obj["Key"] for day in range(self.days)
                      for obj in self.backend.pages("s3", "list_objects_v2", "Contents", Bucket=self.bucket,
                                                    Prefix=f"{self.prefix}{today - timedelta(days=day)}/"))
        with self._lock:
            new = [k for k in keys if k not in self._seen]
        if new:
            with ThreadPoolExecutor(max_workers=FETCHERS, thread_name_prefix="team sink read") as pool:
                fetched = list(pool.map(self._safe_fetch, new))
            with self._lock:
                for key, record in zip(new, fetched, strict=True):
                    if not isinstance(record, OpsError):
                        self._seen[key] = record
            failed = next((r for r in fetched if isinstance(r, OpsError)), None)
            if failed is not None:
                raise failed
        with self._lock:
            records = [self._seen[k] for k in keys if k in self._seen]
        return [r for r in records if r is not None], sum(1 for r in records if r is None)

    def _safe_fetch(self, key: str) -> dict[str, Any] | None | OpsError:
        try:
            return self._fetch(key)
        except OpsError as exc:
            return exc
