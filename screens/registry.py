"""The tabs, in order. Each is built as ``TabClass(services)``; imported lazily."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from textual.widget import Widget


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


def load_tab_class(tab: TabDef) -> type[Widget]:
    module_name, _, cls_name = tab.path.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)
