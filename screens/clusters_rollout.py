"""Deploy, roll back, history and rollout watch of the highlighted Deployment.

A mixin for the Clusters tab: each key opens one of the guided screens
(screens/deploy_wizard.py, rollback_wizard.py, revisions.py, rollout_watch.py), which
run every change through the guarded-action path.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

ROLLOUT_ACTIONS = {"deploy": {"deployments"}, "rollback": {"deployments"}, "history": {"deployments"},
                   "watch_rollout": {"deployments"}}

ROLLOUT_BINDINGS = [
    Binding("i", "deploy", "Deploy image", id="clusters.deploy", tooltip="Guided deploy: new image, plan, dry run"),
    Binding("b", "rollback", "Roll back", id="clusters.rollback",
            tooltip="Guided rollback to a previous revision (default: the last healthy one)"),
    Binding("h", "history", "History", id="clusters.history", tooltip="Revision history and template diff"),
    Binding("w", "watch_rollout", "Watch rollout", id="clusters.watch_rollout", show=False,
            tooltip="Follow the rollout until healthy or failed"),
]


class RolloutKeys:
    """Needs ``_selected``, ``_guard``, ``app``, ``services`` from the Clusters tab."""

    def _deployment(self, action: str, guarded: bool) -> Any:
        row = self._guard(action) if guarded else self._selected(action)  # type: ignore[attr-defined]
        return row

    def action_deploy(self) -> None:
        from screens.deploy_wizard import open_deploy_wizard

        if (row := self._deployment("deploy", guarded=True)) is not None:
            open_deploy_wizard(self.app, self.services, row.namespace, row.name, origin=self)  # type: ignore[attr-defined]

    def action_rollback(self) -> None:
        from screens.rollback_wizard import open_rollback_wizard

        if (row := self._deployment("rollback", guarded=True)) is not None:
            open_rollback_wizard(self.app, self.services, row.namespace, row.name, origin=self)  # type: ignore[attr-defined]

    def action_history(self) -> None:
        from screens.revisions import open_revisions

        if (row := self._deployment("history", guarded=False)) is not None:
            open_revisions(self.app, self.services, row.namespace, row.name, origin=self)  # type: ignore[attr-defined]

    def action_watch_rollout(self) -> None:
        from screens.rollout_watch import open_rollout_watch

        if (row := self._deployment("watch_rollout", guarded=False)) is not None:
            open_rollout_watch(self.app, self.services, row.namespace, row.name, origin=self)  # type: ignore[attr-defined]
