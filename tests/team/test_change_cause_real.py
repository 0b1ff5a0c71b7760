"""On the real control plane: `kubectl rollout history` reads the change-cause from the
ReplicaSets, which the real deployment controller copies from the Deployment."""

from __future__ import annotations

from console.actor import ActingAs, acting_as
from console.backends.rollout import RolloutBackend
from tests.backends.kube_objects import deployment
from tests.fixtures.kube_real import poll


def test_deploy_change_cause_reaches_the_rollout_history(kube_real):
    env = kube_real
    env.create("deployments", deployment("web"))
    poll(lambda: (env.get("deployments", "web").get("status") or {}).get("readyReplicas") == 1, what="web ready")
    rollout = RolloutBackend(env.config)
    try:
        with acting_as(ActingAs(operator="alice@bastion-2", reason="INC-77", action_id="a-1", verb="set image")):
            rollout.set_image(env.namespace, "web", {"app": "registry.local/web:2.0"}, timeout=10.0)

        def revision_two() -> dict | None:
            rs = env.request("GET", f"/apis/apps/v1/namespaces/{env.namespace}/replicasets")["items"]
            return next((r for r in rs if r["metadata"].get("annotations", {})
                         .get("deployment.kubernetes.io/revision") == "2"), None)

        poll(lambda: revision_two() is not None, what="revision 2's ReplicaSet")
        cause = revision_two()["metadata"]["annotations"]["kubernetes.io/change-cause"]
        assert "by alice@bastion-2: INC-77" in cause and "registry.local/web:2.0" in cause
        history = {r.number: r.change_cause for r in rollout.history(env.namespace, "web")}
        assert "INC-77" in history[2]  # the console's own history view says the same
    finally:
        rollout.close()
