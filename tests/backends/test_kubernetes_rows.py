"""Pure pieces of the Kubernetes adapter and sandbox: selectors, ages, rows, masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.backends.kube_detail import masked_object
from console.backends.kube_rows import node_row, pod_row, to_row
from console.models.kubernetes import KubeRow, Since, canonical_kind, format_age, render_cell
from console.sandbox.kube_emulator import strategic_merge
from console.sandbox.kube_seed import node, pod
from console.sandbox.kube_selectors import SelectorError, matches_fields, matches_labels

NOW = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("selector", "expected"), [
    ("app=web", True), ("app==web", True), ("app!=web", False), ("tier", True), ("!tier", False),
    ("app in (web,api)", True), ("app notin (web)", False), ("app=web,tier=front", True), ("", True),
    ("app=web,tier=back", False),
])
def test_label_selectors(selector, expected):
    assert matches_labels({"metadata": {"labels": {"app": "web", "tier": "front"}}}, selector) is expected


def test_bad_selectors_are_rejected():
    with pytest.raises(SelectorError):
        matches_labels({}, "app in web")
    with pytest.raises(SelectorError):
        matches_fields({}, "spec.nodeName")


def test_field_selectors_on_dotted_paths():
    obj = {"spec": {"nodeName": "node-a"}, "involvedObject": {"uid": "u1"}}
    assert matches_fields(obj, "spec.nodeName=node-a,involvedObject.uid=u1")
    assert not matches_fields(obj, "spec.nodeName!=node-a")


@pytest.mark.parametrize(("seconds", "text"), [
    (5, "5s"), (119, "119s"), (150, "2m30s"), (7200, "120m"), (5 * 3600 + 600, "5h10m"), (30 * 3600, "30h"),
    (3 * 86400 + 3600, "3d1h"), (40 * 86400, "40d"),
])
def test_ages_like_kubectl(seconds, text):
    assert format_age(seconds) == text


def test_since_cells_render_against_the_given_clock():
    assert render_cell(Since(NOW - timedelta(minutes=2), "9 ({} ago)"), NOW) == "9 (2m ago)"
    assert render_cell("plain", NOW) == "plain"


def test_kind_aliases():
    assert canonical_kind("deploy") == "deployments" and canonical_kind("PO") == "pods"
    assert canonical_kind("nonsense") is None


def test_row_filter_words_and_labels():
    row = to_row("pods", pod("shop", "web-1", "img", NOW, timedelta(hours=1), labels={"app": "web"}))
    assert isinstance(row, KubeRow)
    assert row.matches("web app=web") and row.matches("running") and not row.matches("app=api")
    assert row.matches("app!=api") and not row.matches("app!=web")


def test_pod_and_node_problems():
    oom = pod_row(pod("s", "p", "img", NOW, timedelta(hours=1), labels={"app": "p"}, restarts=3,
                      last_terminated="OOMKilled"))
    assert oom.problem == "OOMKilled (restarted)" and oom.cell("RESTARTS").template == "3 ({} ago)"
    assert node_row(node("node-a", NOW, unschedulable=True)).problem == "cordoned (SchedulingDisabled)"
    assert node_row(node("node-b", NOW, ready=False)).cell("STATUS") == "NotReady"


def test_secret_and_env_masking():
    secret = {"kind": "Secret", "metadata": {"name": "s", "managedFields": [{}]}, "data": {"password": "aHVudGVy"}}
    masked = masked_object(secret)
    assert masked["data"] == {"password": "••••••"} and "managedFields" not in masked["metadata"]
    assert masked_object(secret, reveal=True)["data"] == {"password": "aHVudGVy"}
    dep = {"kind": "Deployment", "metadata": {}, "spec": {"template": {"spec": {"containers": [
        {"name": "c", "env": [{"name": "DB_PASSWORD", "value": "x"}, {"name": "MODE", "value": "y"}]}]}}}}
    env = masked_object(dep)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "DB_PASSWORD", "value": "••••••"}, {"name": "MODE", "value": "y"}]


def test_strategic_merge_merges_named_lists_and_deletes_nulls():
    base = {"spec": {"containers": [{"name": "a", "image": "a:1", "ports": [1]}, {"name": "b", "image": "b:1"}],
                     "unschedulable": True}}
    merged = strategic_merge(base, {"spec": {"containers": [{"name": "b", "image": "b:2"}], "unschedulable": None}})
    assert merged == {"spec": {"containers": [{"name": "a", "image": "a:1", "ports": [1]}, {"name": "b", "image": "b:2"}]}}
    assert base["spec"]["containers"][1]["image"] == "b:1"  # the input is not changed


def test_init_containers_like_kubectl():
    base = pod("s", "p", "img", NOW, timedelta(minutes=1), labels={"app": "p"}, phase="Pending", ready=False)
    base["spec"]["initContainers"] = [{"name": "migrate", "image": "m"}]
    base["status"]["initContainerStatuses"] = [{"name": "migrate", "state": {"running": {}}}]
    assert pod_row(base).cell("STATUS") == "Init:0/1"
    base["status"]["initContainerStatuses"] = [{"name": "migrate", "state": {"waiting": {
        "reason": "CrashLoopBackOff", "message": "back-off"}}}]
    row = pod_row(base)
    assert row.cell("STATUS") == "Init:CrashLoopBackOff" and row.problem == "init container migrate: Init:CrashLoopBackOff: back-off"
