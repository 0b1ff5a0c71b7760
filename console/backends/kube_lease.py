"""Action locks as ``coordination.k8s.io/v1`` Leases, on the Kubernetes adapter's own client.

One Lease per target, named ``opsconsole-<kind>-<name>`` (DNS-1123, hashed when long), in
the target's namespace or ``[locks] namespace`` (cluster-scoped targets such as nodes:
"default"). ``spec.holderIdentity`` is the operator (``alice@bastion-2``),
``leaseDurationSeconds`` the action's deadline, ``renewTime`` is renewed while the action
runs; the reason, verb and action id are annotations, so ``kubectl get lease -o yaml``
tells a teammate the same as the refusal does.

Every write is compare-and-swap on ``metadata.resourceVersion`` (a create, or a PUT of the
version read), so two consoles racing for a free or expired Lease cannot both win: the
loser gets 409 and reads again. An expired Lease (renewTime + duration in the past: its
console died) is taken over. A 403 answers :class:`NoLock` ("permission"), never a silent
skip; other failures raise typed errors (the runner refuses the action).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from console.backends.kube_http import KubeHttp, resource_path
from console.errors import Conflict, Denied, NotFound
from console.models.locks import Held, Lock, NoLock

PREFIX = "opsconsole.io/"
ANN_REASON, ANN_VERB, ANN_ACTION, ANN_TARGET = (PREFIX + k for k in ("reason", "verb", "action-id", "target"))
CLUSTER_SCOPED_KINDS = frozenset({"node", "namespace"})
ATTEMPTS = 4  # reads + CAS writes before giving up on a contended lease


def lease_name(kind: str, name: str) -> str:
    raw = f"opsconsole-{kind}-{name}".lower()
    clean = re.sub(r"[^a-z0-9.-]+", "-", raw).strip("-.")
    if len(clean) <= 63 and clean == raw:
        return clean
    digest = hashlib.sha256(raw.encode()).hexdigest()[:10]
    return f"{clean[:52].rstrip('-.')}-{digest}"


def micro_time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: Any) -> float:
    """A MicroTime/Time string as epoch seconds; 0.0 when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return 0.0
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return 0.0


class KubeLeaseLocks:
    """The LockProvider for Kubernetes targets (see console/actions/locks.py)."""

    name = "kubernetes lease"

    def __init__(self, http: Callable[[], KubeHttp], namespace: str = "", timeout: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._http = http  # the adapter's client, asked for at each call (a context switch replaces it)
        self.namespace = namespace
        self.timeout = timeout
        self.clock = clock

    # -- helpers -----------------------------------------------------------------------
    def _where(self, target: Any) -> tuple[str, str]:
        namespace = self.namespace or ("default" if target.kind in CLUSTER_SCOPED_KINDS else target.namespace or "default")
        return namespace, lease_name(target.kind, target.name)

    def _get(self, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            return self._http().json("GET", resource_path("leases", namespace, name), timeout=self.timeout,
                                     call=f"kubernetes.get lease {namespace}/{name}")
        except NotFound:
            return None

    def _body(self, namespace: str, name: str, target: Any, holder: str, reason: str, action_id: str,
              duration: float, verb: str, old: dict[str, Any] | None) -> dict[str, Any]:
        now = micro_time(self.clock())
        spec_old = (old or {}).get("spec") or {}
        meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "opsconsole"},
                                "annotations": {ANN_REASON: reason, ANN_VERB: verb, ANN_ACTION: action_id,
                                                ANN_TARGET: f"{target.kind}/{target.name}"}}
        if old is not None:
            meta["resourceVersion"] = (old.get("metadata") or {}).get("resourceVersion")
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
                "spec": {"holderIdentity": holder, "leaseDurationSeconds": max(1, int(round(duration))),
                         "acquireTime": now, "renewTime": now,
                         "leaseTransitions": int(spec_old.get("leaseTransitions") or 0) + (1 if old else 0)}}

    def _held(self, lease: dict[str, Any], target: Any, namespace: str, name: str) -> Held | None:
        """Who holds ``lease`` now, or None when it is free (released) or expired."""
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity")
        if not holder:
            return None
        renewed = parse_time(spec.get("renewTime")) or parse_time(spec.get("acquireTime"))
        duration = float(spec.get("leaseDurationSeconds") or 0)
        if renewed + duration < self.clock():
            return None  # its console died or forgot it: expired, can be taken over
        ann = (lease.get("metadata") or {}).get("annotations") or {}
        return Held(who=str(holder), since=parse_time(spec.get("acquireTime")) or renewed, why=str(ann.get(ANN_REASON, "")),
                    verb=str(ann.get(ANN_VERB, "")), target=target.name, where=f"Lease {namespace}/{name}")

    # -- the protocol ---------------------------------------------------------------------
    def peek(self, target: Any) -> Held | NoLock | None:
        namespace, name = self._where(target)
        try:
            lease = self._get(namespace, name)
        except Denied as exc:
            return NoLock(f"permission: cannot read Lease {namespace}/{name}: {exc.body}")
        return None if lease is None else self._held(lease, target, namespace, name)

    def acquire(self, target: Any, holder: str, reason: str, action_id: str, duration: float,
                verb: str = "") -> Lock | Held | NoLock:
        namespace, name = self._where(target)
        where = f"Lease {namespace}/{name}"
        try:
            for _ in range(ATTEMPTS):
                lease = self._get(namespace, name)
                if lease is not None:
                    held = self._held(lease, target, namespace, name)
                    if held is not None:
                        return held
                body = self._body(namespace, name, target, holder, reason, action_id, duration, verb, lease)
                try:
                    if lease is None:
                        self._http().json("POST", resource_path("leases", namespace), body=body, timeout=self.timeout,
                                          call=f"kubernetes.create lease {namespace}/{name}")
                    else:
                        self._http().json("PUT", resource_path("leases", namespace, name), body=body,
                                          timeout=self.timeout, call=f"kubernetes.take over lease {namespace}/{name}")
                except Conflict:
                    continue  # another console won the race: read again
                return Lock(self.name, where, action_id, holder, duration, {"namespace": namespace, "name": name})
        except Denied as exc:
            return NoLock(f"permission: cannot take {where}: {exc.body}")
        raise Conflict(f"{where} kept changing under {ATTEMPTS} attempts to take it", source="locks.kubernetes")

    def _mine(self, lock: Lock) -> dict[str, Any] | None:
        lease = self._get(lock.token["namespace"], lock.token["name"])
        if lease is None:
            return None
        ann = (lease.get("metadata") or {}).get("annotations") or {}
        return lease if ann.get(ANN_ACTION) == lock.action_id and (lease.get("spec") or {}).get("holderIdentity") else None

    def renew(self, lock: Lock) -> bool:
        """Push renewTime forward; False when the lease is no longer ours (taken over)."""
        lease = self._mine(lock)
        if lease is None:
            return False
        lease["spec"]["renewTime"] = micro_time(self.clock())
        try:
            self._http().json("PUT", resource_path("leases", lock.token["namespace"], lock.token["name"]), body=lease,
                              timeout=self.timeout, call=f"kubernetes.renew {lock.where}")
        except Conflict:
            return self._mine(lock) is not None
        return True

    def release(self, lock: Lock) -> None:
        """Free the lease (holder cleared, last reason kept) if it is still ours."""
        for _ in range(ATTEMPTS):
            lease = self._mine(lock)
            if lease is None:
                return
            lease["spec"].pop("holderIdentity", None)
            lease["spec"]["renewTime"] = micro_time(self.clock())
            try:
                self._http().json("PUT", resource_path("leases", lock.token["namespace"], lock.token["name"]),
                                  body=lease, timeout=self.timeout, call=f"kubernetes.release {lock.where}")
                return
            except Conflict:
                continue
