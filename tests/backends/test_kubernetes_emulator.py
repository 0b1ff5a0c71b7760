"""The sandbox emulator answers what kmock alone does not (DESIGN.md §5 'kmock quirks')."""

from __future__ import annotations

import json

import pytest
from kubernetes import client, config


@pytest.fixture
def api(kube):
    kube.seed()
    return config.new_client_from_config(config_file=str(kube.kubeconfig), context="sandbox-dev")


def test_version_and_discovery(api):
    assert client.VersionApi(api).get_code(_request_timeout=5).git_version.startswith("v1.30")
    assert client.CoreApi(api).get_api_versions(_request_timeout=5).versions == ["v1"]


def test_label_and_field_selectors(api):
    v1 = client.CoreV1Api(api)
    web = v1.list_namespaced_pod("shop", label_selector="app=web", _request_timeout=5).items
    assert len(web) == 3 and all(p.metadata.labels["app"] == "web" for p in web)
    not_web = v1.list_namespaced_pod("shop", label_selector="app!=web,app in (cart,search)", _request_timeout=5).items
    assert {p.metadata.labels["app"] for p in not_web} == {"cart", "search"}
    on_c = v1.list_pod_for_all_namespaces(field_selector="spec.nodeName=node-c", _request_timeout=5).items
    assert on_c and all(p.spec.node_name == "node-c" for p in on_c)


def test_log_subresource_tail_and_previous(api, kube):
    v1 = client.CoreV1Api(api)
    pod = next(p for p in kube.emu.list("pods", "shop") if p["metadata"]["name"].endswith("-h7w2k"))["metadata"]["name"]
    assert v1.read_namespaced_pod_log(pod, "shop", tail_lines=1, _request_timeout=5) == "FATAL: missing env CHECKOUT_DB_PASSWORD\n"
    assert "panic" in v1.read_namespaced_pod_log(pod, "shop", previous=True, _request_timeout=5)


def test_scale_subresource_with_dry_run(api, kube):
    apps = client.AppsV1Api(api)
    dry = apps.patch_namespaced_deployment_scale("web", "shop", {"spec": {"replicas": 5}}, dry_run="All", _request_timeout=5)
    assert dry.spec.replicas == 5 and kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 3
    apps.patch_namespaced_deployment_scale("web", "shop", {"spec": {"replicas": 4}}, _request_timeout=5)
    assert kube.emu.get("deployments", "shop", "web")["spec"]["replicas"] == 4


def test_watch_true_is_a_watch_and_resumes_from_a_version(api, kube):
    v1 = client.CoreV1Api(api)
    rv = v1.list_namespaced_pod("shop", _request_timeout=5).metadata.resource_version
    name = kube.emu.list("pods", "shop")[0]["metadata"]["name"]
    kube.emu.patch("pods", "shop", name, {"metadata": {"labels": {"touched": "yes"}}})
    resp = v1.list_namespaced_pod("shop", watch=True, resource_version=rv, timeout_seconds=1,
                                  _preload_content=False, _request_timeout=(3, 5))
    events = [json.loads(line) for line in resp.read().splitlines()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("MODIFIED", name)]


def test_compacted_history_answers_410_gone(api, kube):
    v1 = client.CoreV1Api(api)
    rv = v1.list_namespaced_pod("shop", _request_timeout=5).metadata.resource_version
    kube.emu.compact()
    resp = v1.list_namespaced_pod("shop", watch=True, resource_version=rv, timeout_seconds=1,
                                  _preload_content=False, _request_timeout=(3, 5))
    (event,) = [json.loads(line) for line in resp.read().splitlines()]
    assert event["type"] == "ERROR" and event["object"]["code"] == 410
