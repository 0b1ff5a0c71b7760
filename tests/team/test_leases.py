"""Lease contract: free → taken, held → refused with who/since/why, released, expired → taken over, 403 → NoLock."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from console.actions.spec import Target
from console.backends.kube_http import resource_path
from console.backends.kube_lease import KubeLeaseLocks, lease_name
from console.models.locks import Held, Lock, NoLock

WEB = Target("deployment", "web", "kubernetes", "sandbox-dev", "shop")


def lease(http, name: str = "opsconsole-deployment-web", namespace: str = "shop") -> dict:
    return http.json("GET", resource_path("leases", namespace, name))


def test_free_lease_is_taken_and_a_second_console_is_refused_with_the_holder(lease_api):
    http = lease_api.http()
    alice, bob = KubeLeaseLocks(lambda: http), KubeLeaseLocks(lambda: http)
    lock = alice.acquire(WEB, "alice@bastion-2", "INC-42", "a-1", 30, verb="rollback")
    assert isinstance(lock, Lock) and lock.where == "Lease shop/opsconsole-deployment-web"
    stored = lease(http)
    assert stored["spec"]["holderIdentity"] == "alice@bastion-2"
    assert stored["spec"]["leaseDurationSeconds"] == 30
    assert stored["metadata"]["annotations"]["opsconsole.io/reason"] == "INC-42"

    held = bob.acquire(WEB, "bob@bastion-1", "", "b-1", 30, verb="scale")
    assert isinstance(held, Held)
    assert abs(held.since - time.time()) < 120
    assert held.message == f"alice@bastion-2 is rolling back web since {held_minute(held)} UTC — INC-42"
    assert isinstance(bob.peek(WEB), Held)


def held_minute(held: Held) -> str:
    return datetime.fromtimestamp(held.since, UTC).strftime("%H:%M")


def test_release_frees_the_lease_and_only_its_owner_can_release(lease_api):
    http = lease_api.http()
    alice, bob = KubeLeaseLocks(lambda: http), KubeLeaseLocks(lambda: http)
    lock = alice.acquire(WEB, "alice@bastion-2", "INC-42", "a-1", 30, verb="scale")
    assert alice.renew(lock)
    alice.release(lock)
    assert "holderIdentity" not in lease(http)["spec"]
    assert bob.peek(WEB) is None
    taken = bob.acquire(WEB, "bob@bastion-1", "CHG-7", "b-1", 30, verb="scale")
    assert isinstance(taken, Lock)
    alice.release(lock)  # a stale handle: must not free bob's lease
    assert lease(http)["spec"]["holderIdentity"] == "bob@bastion-1"


def test_expired_lease_is_taken_over_and_the_old_holder_sees_it_lost(lease_api):
    http = lease_api.http()
    alice = KubeLeaseLocks(lambda: http)
    later = KubeLeaseLocks(lambda: http, clock=lambda: time.time() + 31)
    lock = alice.acquire(WEB, "alice@bastion-2", "INC-42", "a-1", 30, verb="rollback")
    taken = later.acquire(WEB, "bob@bastion-1", "", "b-1", 30, verb="scale")
    assert isinstance(taken, Lock)
    stored = lease(http)["spec"]
    assert stored["holderIdentity"] == "bob@bastion-1" and stored["leaseTransitions"] == 1
    assert alice.renew(lock) is False


def test_two_consoles_racing_for_a_free_lease_one_wins(lease_api):
    http = lease_api.http()
    barrier = threading.Barrier(6)
    results: list = []

    def race(i: int) -> None:
        barrier.wait()
        results.append(KubeLeaseLocks(lambda: http).acquire(WEB, f"op{i}@host", "", f"id-{i}", 30, verb="scale"))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(isinstance(r, Lock) for r in results) == 1
    assert sum(isinstance(r, Held) for r in results) == 5


def test_node_leases_live_in_default_and_long_names_are_valid(lease_api):
    http = lease_api.http()
    node = Target("node", "worker-1", "kubernetes", "sandbox-dev")
    assert isinstance(KubeLeaseLocks(lambda: http).acquire(node, "a@h", "", "n-1", 10, verb="cordon"), Lock)
    assert lease(http, "opsconsole-node-worker-1", "default")["spec"]["holderIdentity"] == "a@h"
    name = lease_name("deployment", "x" * 80)
    assert len(name) <= 63 and name.startswith("opsconsole-deployment-x")


class Forbidden(BaseHTTPRequestHandler):
    """A loopback API that answers every call with 403, as RBAC does without a lease Role."""

    def _deny(self) -> None:
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
                           "message": 'leases.coordination.k8s.io is forbidden: User "bob" cannot get resource'}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _deny

    def log_message(self, *args) -> None:
        return None


def test_forbidden_degrades_to_no_lock_permission():
    from kubernetes import client

    from console.backends.kube_http import KubeHttp

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forbidden)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        configuration = client.Configuration()
        configuration.host = f"http://127.0.0.1:{server.server_address[1]}"
        http = KubeHttp(client.ApiClient(configuration), 5.0)
        got = KubeLeaseLocks(lambda: http).acquire(WEB, "bob@h", "", "b-1", 30, verb="scale")
        assert isinstance(got, NoLock) and got.message.startswith("no lock (permission: cannot take Lease shop/")
        peeked = KubeLeaseLocks(lambda: http).peek(WEB)
        assert isinstance(peeked, NoLock) and "permission" in peeked.message
    finally:
        server.shutdown()
