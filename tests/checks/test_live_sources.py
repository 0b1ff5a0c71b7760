"""Live checks against real local backends: moto server (AWS) and the kmock emulator (Kubernetes)."""

from __future__ import annotations

import dataclasses

import boto3
import pytest

from checks.engine import scan
from console.config import AwsConfig, Config

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def aws_config(aws) -> Config:
    return dataclasses.replace(Config(), aws=AwsConfig(region=aws.region, endpoint_url=aws.url, timeout=10.0,
                                                      required_tags=("owner",)))


def client(aws, service):
    return boto3.client(service, region_name=aws.region, endpoint_url=aws.url)


@pytest.mark.aws
def test_aws_live_findings(aws, aws_config):
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket="open-logs")
    s3.create_bucket(Bucket="locked")
    s3.put_public_access_block(Bucket="locked", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_versioning(Bucket="locked", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket="locked", Tagging={"TagSet": [{"Key": "owner", "Value": "ops"}]})
    ec2 = client(aws, "ec2")
    sg = ec2.create_security_group(GroupName="ssh-world", Description="bad")
    ec2.authorize_security_group_ingress(GroupId=sg["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.create_volume(AvailabilityZone=f"{aws.region}a", Size=1, Encrypted=False)
    iam = client(aws, "iam")
    iam.create_user(UserName="deploy")
    iam.create_access_key(UserName="deploy")

    result = scan([], live=["aws"], config=aws_config)
    by_rule: dict[str, list] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    assert "OPS-LIVE-001" not in by_rule, by_rule.get("OPS-LIVE-001")
    assert {f.resource for f in by_rule["OPS-AWS-S3-001"]} == {"open-logs"}
    assert {f.resource for f in by_rule["OPS-AWS-S3-003"]} == {"open-logs"}
    assert any(sg["GroupId"] in f.resource for f in by_rule["OPS-AWS-SG-001"])
    assert by_rule["OPS-AWS-EBS-001"]
    assert by_rule["OPS-AWS-CT-001"][0].message.startswith("no CloudTrail trail")
    assert "open-logs" in {f.resource for f in by_rule["OPS-AWS-TAG-001"]}
    assert "locked" not in {f.resource for f in by_rule["OPS-AWS-TAG-001"]}
    assert all(f.location.live.startswith("aws://") for f in result.findings)


@pytest.mark.aws
def test_aws_unreachable_is_a_note(aws):
    config = dataclasses.replace(Config(), aws=AwsConfig(region="us-east-1", endpoint_url="http://127.0.0.1:9", timeout=2.0))
    result = scan([], live=["aws"], config=config)
    assert [f.rule_id for f in result.findings] == ["OPS-LIVE-001"]
    assert "live source unavailable" in result.findings[0].message


@pytest.mark.kube
def test_kubernetes_live_findings(kube):
    from kubernetes import client as k8s
    from kubernetes import config as kcfg

    api_client = kcfg.new_client_from_config(config_file=str(kube.kubeconfig), context="sandbox-dev")
    apps = k8s.AppsV1Api(api_client)
    container = {"name": "web", "image": "nginx:latest", "securityContext": {"privileged": True}}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}}}}
    apps.create_namespaced_deployment("shop", body, _request_timeout=5)
    result = scan([], live=["kubernetes"], config=kube.config)
    ids = {f.rule_id for f in result.findings}
    assert "OPS-LIVE-001" not in ids, [f.message for f in result.findings if f.rule_id == "OPS-LIVE-001"]
    assert {"OPS-K8S-004", "OPS-K8S-013", "OPS-K8S-002"} <= ids
    privileged = next(f for f in result.findings if f.rule_id == "OPS-K8S-004")
    assert privileged.location.live == "k8s://sandbox-dev/Deployment/shop/web"


def test_docker_unreachable_is_a_note():
    result = scan([], live=["docker"], config=Config())
    assert [f.rule_id for f in result.findings] == ["OPS-LIVE-001"]


@pytest.mark.docker
def test_docker_live_findings(docker_engine):
    from console.config import DockerConfig

    # created, not started: this sandbox cannot start privileged containers, and the
    # configuration is what the rules read
    docker_engine.run(name="oc-risky", privileged=True, start=False)
    docker_engine.run(name="oc-tidy", mem_limit="64m", healthcheck={"test": ["CMD", "true"], "interval": 1_000_000_000})
    config = dataclasses.replace(Config(), docker=DockerConfig(host=docker_engine.host, timeout=20.0))
    result = scan([], live=["docker"], config=config)
    assert "OPS-LIVE-001" not in {f.rule_id for f in result.findings}, [f.message for f in result.findings]
    by_container: dict[str, set[str]] = {}
    for f in result.findings:
        by_container.setdefault(f.resource, set()).add(f.rule_id)
    assert {"OPS-DKR-001", "OPS-DKR-002", "OPS-DKR-003", "OPS-DKR-004"} <= by_container["oc-risky"]
    assert by_container.get("oc-tidy", set()) == {"OPS-DKR-002"}  # the test image has no USER
    risky_finding = next(f for f in result.findings if f.resource == "oc-risky")
    assert risky_finding.location.live.startswith("docker://") and risky_finding.location.live.endswith("/oc-risky")
