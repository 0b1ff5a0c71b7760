"""Going back to the kind seen a moment ago reuses its running watch (no second full list
of 20k pods); older watches stop, pinned ones (Triage's) never do."""

from __future__ import annotations

from console.backends.kubernetes import KEEP_RECENT, KubernetesBackend


def test_recent_watches_keep_running_and_older_ones_stop(kube):
    kube.seed()
    b = KubernetesBackend(kube.config)
    b.connect()
    try:
        pinned = b.watch("nodes", None, keep_others=True)  # as Triage asks
        pods = b.watch("pods")
        assert pods.wait_synced(30)
        deployments = b.watch("deployments")
        assert b.watch("pods") is pods and pods.running  # back to pods: the same cache, no new list
        assert deployments.running
        others = ["services", "jobs", "statefulsets", "daemonsets"][:KEEP_RECENT]
        for kind in others:
            b.watch(kind)
        assert not pods.running and not deployments.running  # the least recently used stopped
        assert pinned.running  # pinned: kept whatever is shown
        assert b.watch("pods") is not pods  # a stopped cache is started afresh
    finally:
        b.close()
    assert not pinned.running
