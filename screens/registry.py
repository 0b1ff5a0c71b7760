"""The tabs, in order. Each is built as ``TabClass(services)``; imported lazily.

``LazyTabs`` (mixed into the App) builds a tab's widget the first time it is shown or
asked for (``tab(id)``, ``active_tab``); the others are mounted one at a time once the
start-up is over (``mount_hidden_tabs``), so they connect to their backends (the status
bar, Triage's cost cache) without making the first frame or the first key wait.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import TabPane


@dataclass(frozen=True)
class TabDef:
    id: str
    title: str
    path: str  # "module:Class"
    backend: str | None
    aliases: tuple[str, ...] = ()


TABS = (
    TabDef("triage", "Triage", "screens.triage:TriageTab", None, ("tr", "triage", "problems", "broken")),
    TabDef("containers", "Containers", "screens.containers:ContainersTab", "docker", ("docker", "co", "containers")),
    TabDef("clusters", "Clusters", "screens.clusters:ClustersTab", "kubernetes", ("k8s", "kube", "cl", "clusters")),
    TabDef("pipelines", "Pipelines", "screens.pipelines:PipelinesTab", "aws", ("pipe", "pl", "builds", "codebuild")),
    TabDef("costs", "Costs", "screens.costs:CostsTab", "aws", ("cost", "ce", "waste")),
    TabDef("compliance", "Compliance", "screens.compliance:ComplianceTab", None, ("checks", "comp", "findings")),
)
BY_ID = {t.id: t for t in TABS}
HIDDEN_TAB_GAP = 0.05  # seconds between two background tab mounts: keys are answered in between


def load_tab_class(tab: TabDef) -> type[Widget]:
    module_name, _, cls_name = tab.path.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


class LazyTabs:
    """The App's tabs, each built when first needed (see the module docstring).

    A tab widget mounted here is registered at once (``query_one`` finds it), but composed
    a moment later: ``with_tab`` runs a callback once it is composed and mounted."""

    services: Any

    def _build_tab(self, tab: TabDef) -> Widget:
        return load_tab_class(tab)(self.services, id=f"{tab.id}-tab")

    def _pane(self, tab_id: str) -> TabPane:
        """The tab's pane, on the main screen (whatever dialog is on top of it)."""
        stack = self.screen_stack  # type: ignore[attr-defined]
        if not stack:  # the app is shutting down
            raise NoMatches(f"no main screen for #{tab_id}")
        return stack[0].query_one(f"#{tab_id}", TabPane)

    def ensure_tab(self, tab_id: str) -> Widget:
        """The tab's widget, mounted now if it was not yet (not while the app shuts down)."""
        pane = self._pane(tab_id)
        self.build_in(pane)
        return pane.query_one(f"#{tab_id}-tab")

    def build_in(self, pane: TabPane) -> None:
        if not pane.children and pane.is_attached and pane.id in BY_ID:
            pane.mount(self._build_tab(BY_ID[pane.id]))

    def tab_mounted(self, tab_id: str) -> bool:
        return bool(self._pane(tab_id).children)

    def with_tab(self, tab_id: str, callback: Callable[[Any], object]) -> None:
        """``callback(tab)`` now if the tab is mounted and composed, else right after that."""
        tab = self.ensure_tab(tab_id)
        if tab.is_mounted:
            callback(tab)
        else:  # the tab's own queue: after its Compose and Mount (children mounted), then the App's
            tab.call_later(self.call_later, callback, tab)  # type: ignore[attr-defined]

    def mount_hidden_tabs(self) -> None:
        """Mount the next tab not built yet, then (after it is mounted and a short gap) the next."""
        if getattr(self, "_closing", False) or not getattr(self, "is_running", True):  # quitting: none half-built
            return
        for tab in TABS:
            try:
                if self.tab_mounted(tab.id):
                    continue
                widget = self.ensure_tab(tab.id)
            except NoMatches:  # the app is shutting down
                return
            widget.call_later(self.set_timer, HIDDEN_TAB_GAP, self.mount_hidden_tabs)  # type: ignore[attr-defined]
            return
