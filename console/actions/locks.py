"""Action locks: no two consoles act on the same target at once.

A :class:`LockProvider` per backend, each on the backend's own primitive:

- Kubernetes: a ``coordination.k8s.io/v1`` Lease (console/backends/kube_lease.py), on
  the Kubernetes adapter's own client;
- AWS (ECS services, pipelines, waste-finder volumes…): a conditional write in a
  DynamoDB table (console/backends/aws_locks.py, ``[locks] dynamodb_table``);
- Docker: a lock file on this host (console/actions/lock_file.py) — local only.

``acquire(target, holder, reason, action_id, duration, verb)`` answers a
:class:`~console.models.locks.Lock` (taken), :class:`Held` (someone else acts: the
action is refused with "alice@bastion-2 is rolling back web since 03:12 — INC-42") or
:class:`NoLock` (no lock possible — permission, not configured, disabled: the action
goes on and the confirmation and result say so). The :class:`LockBroker` picks the
provider by ``target.backend``, keeps a taken lock renewed (every third of its duration)
until released, and turns a provider failure into a refusal naming the lock: never a
silent skip, never fail-open.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from console.actions.spec import ActionSpec, Progress, Target
from console.errors import OpsError, Unconfigured
from console.models.locks import Held, Lock, NoLock

log = logging.getLogger(__name__)
HELD_NOTE = "LOCK HELD: "  # screens/confirm.py shows notes starting with it in bold red


class LockProvider(Protocol):
    name: str

    def peek(self, target: Target) -> Held | NoLock | None: ...

    def acquire(self, target: Target, holder: str, reason: str, action_id: str, duration: float,
                verb: str = "") -> Lock | Held | NoLock: ...

    def renew(self, lock: Lock) -> bool: ...

    def release(self, lock: Lock) -> None: ...


# backend name -> a factory giving the provider for one target (or a NoLock saying why none)
ProviderFactory = Callable[[Target], "LockProvider | NoLock"]


def lock_duration(spec: ActionSpec) -> float:
    """The action's deadline: execution plus verification."""
    return spec.timeout + (spec.verify_timeout if spec.verify is not None else 0.0)


class Renewer:
    """Renews ``lock`` every third of its duration until :meth:`stop`; reports a lost lock once."""

    def __init__(self, provider: LockProvider, lock: Lock, progress: Progress) -> None:
        self.provider, self.lock, self.progress = provider, lock, progress
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._run, name=f"lock renewer {lock.where}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        interval = max(0.2, self.lock.duration / 3)
        while not self._stop.wait(interval):
            try:
                if self.provider.renew(self.lock):
                    continue
                self.lost = True
                self.progress(f"lock lost: {self.lock.where} was taken over (this console was too slow to renew)")
                return
            except OpsError as exc:
                self.progress(f"lock {self.lock.where}: renewal failed, will retry: {exc.title}: {exc.body}")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)


@dataclass
class Taken:
    """The lock side of one target's execution: a refusal, or go (with a note), then :meth:`release`."""

    refusal: str | None = None
    note: str = ""  # "lock: Lease shop/opsconsole-deployment-web" or "no lock (permission: …)"
    provider: LockProvider | None = None
    lock: Lock | None = None
    renewer: Renewer | None = None

    def release(self) -> str:
        """Stop renewing and free the lock; a failure is returned as a note, never raised."""
        if self.renewer is not None:
            self.renewer.stop()
        if self.provider is None or self.lock is None:
            return ""
        try:
            self.provider.release(self.lock)
        except OpsError as exc:
            return f"lock {self.lock.where} not released ({exc.title}: {exc.body}); it expires by itself"
        return ""


class LockBroker:
    """Which provider locks which target; ``enabled`` False answers NoLock("disabled") for all."""

    def __init__(self, factories: Mapping[str, ProviderFactory], enabled: bool = True) -> None:
        self.factories = dict(factories)
        self.enabled = enabled

    def provider(self, target: Target) -> LockProvider | NoLock | None:
        """None: this kind of target is never locked (local files)."""
        factory = self.factories.get(target.backend)
        if factory is None:
            return None
        if not self.enabled:
            return None  # the operator turned locks off: no note on every action
        return factory(target)

    def status(self, target: Target) -> str:
        """One line for the confirmation: who holds the target's lock, or which lock will be taken."""
        try:
            provider = self.provider(target)
            if provider is None or isinstance(provider, NoLock):
                return provider.message if provider is not None else ""
            state = provider.peek(target)
        except Unconfigured as exc:
            return NoLock(f"not configured: {exc.body}").message
        except OpsError as exc:
            return f"lock state unknown ({exc.title}: {exc.body}); checked again before executing"
        if isinstance(state, Held):
            return HELD_NOTE + state.message
        if isinstance(state, NoLock):
            return state.message
        return f"lock: free; a {provider.name} is taken for the action and released after it"

    def take(self, spec: ActionSpec, target: Target, holder: str, reason: str, action_id: str,
             progress: Progress) -> Taken:
        try:
            provider = self.provider(target)
            if provider is None or isinstance(provider, NoLock):
                return Taken(note=provider.message if provider is not None else "")
            got = provider.acquire(target, holder, reason, action_id, lock_duration(spec), verb=spec.verb)
        except Unconfigured as exc:  # no connection to that backend configured: nobody to share a lock with
            return Taken(note=NoLock(f"not configured: {exc.body}").message)
        except OpsError as exc:
            return Taken(refusal=f"refused: the lock on {target.label} could not be taken ({exc.title}: {exc.body})")
        if isinstance(got, Held):
            return Taken(refusal=f"refused: {got.message}")
        if isinstance(got, NoLock):
            progress(f"{spec.verb} {target.label}: {got.message}")
            return Taken(note=got.message)
        progress(f"{spec.verb} {target.label}: lock taken ({got.where})")
        return Taken(note=f"lock: {got.where}", provider=provider, lock=got, renewer=Renewer(provider, got, progress))


def build_broker(config: Any, services: Any) -> LockBroker:
    """The broker for a console: its config's ``[locks]`` and its Services' adapters (imported lazily)."""
    locks = config.locks

    def kubernetes(target: Target) -> LockProvider:
        from console.backends.kube_lease import KubeLeaseLocks

        return KubeLeaseLocks(lambda: kube_http_for(services, target), namespace=locks.namespace,
                              timeout=config.kubernetes.timeout)

    def aws(target: Target) -> LockProvider | NoLock:
        if not locks.dynamodb_table:
            return NoLock("not configured: set [locks] dynamodb_table to lock AWS targets")
        from console.backends.aws_locks import DynamoDbLocks

        return DynamoDbLocks(lambda: services.aws().client("dynamodb"), locks.dynamodb_table)

    files: list[Any] = []  # one FileLocks per console: it owns the descriptors holding the locks

    def docker(target: Target) -> LockProvider:
        if not files:
            from console.actions.lock_file import FileLocks

            files.append(FileLocks(locks.dir or config.state_dir / "locks"))
        return files[0]

    return LockBroker({"kubernetes": kubernetes, "aws": aws, "docker": docker}, enabled=locks.enabled)


def kube_http_for(services: Any, target: Target) -> Any:
    """The client of the backend Services owns for the target's context, connected: the
    current context's, or the one a multi-context view (Triage, ``:ctx a,b``) acts through."""
    from console.errors import Conflict, Unavailable

    adapter = services.kubernetes()
    if target.context and adapter.context and adapter.context != target.context:
        adapter = services.kubernetes_for(target.context)
    try:
        http = adapter.http
    except Unavailable:
        adapter.connect()
        http = adapter.http
    if target.context and adapter.context and adapter.context != target.context:
        raise Conflict(f"the console is on context {adapter.context}, the target is in {target.context}",
                       source="locks.kubernetes")
    return http
