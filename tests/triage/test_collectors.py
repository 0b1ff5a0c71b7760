"""The collectors on real adapter rows: the sandbox estate from the kmock emulator."""

from __future__ import annotations

from datetime import UTC, datetime

from console.backends.kubernetes import KubernetesBackend
from console.triage import kube as kube_rows
from console.triage.model import Level, rank


def estate_rows(config) -> dict:
    backend = KubernetesBackend(config)
    backend.connect()
    try:
        return {kind: backend.list(kind) for kind in kube_rows.WATCHED}
    finally:
        backend.close()


def test_kube_problems_in_words(kube):
    now = datetime.now(UTC)
    kube.seed(now=now)
    found = kube_rows.collect("sandbox-dev", estate_rows(kube.config), "kube:sandbox-dev", now)
    for p in rank(found.problems):
        print(p.level, p.what, p.where, p.reason)
    prod = kube_rows.collect("sandbox-prod", estate_rows(kube.with_context("sandbox-prod")), "kube:sandbox-prod", now)
    for p in rank(prod.problems):
        print(p.level, p.what, p.where, p.reason)
    for c in found.changes:
        print(c.at, c.subject, c.text)
    assert Level.CRITICAL
