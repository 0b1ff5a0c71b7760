"""Terraform: module sources, availability zones, unattached security groups, S3 events and
replication, KMS key policies, EC2 EBS optimisation and instance profiles, log retention."""

from __future__ import annotations

import re

from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, is_unknown, tf_rule, truthy

TF_DOCS = "https://developer.hashicorp.com/terraform/language"
_COMMIT = re.compile(r"[?&]ref=([0-9a-f]{40})\b")
_REF = re.compile(r"[?&]ref=([^&]+)")
_REGISTRY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+(//.*)?$")


@tf_rule("OPS-TF-MOD-001", "Module source not pinned to a commit or version", Severity.MEDIUM, "supply-chain",
         "module", "Pin git sources with ?ref=<commit sha> (or a release tag) and registry sources with version.",
         f"{TF_DOCS}/modules/sources#selecting-a-revision")
def module_pinned(res, mod):
    source = res.attrs.get("source")
    if not isinstance(source, str) or is_unknown(source) or source.startswith(("./", "../", "/")):
        return
    remote = source.startswith(("git::", "git@", "github.com/", "bitbucket.org/", "hg::")) or ".git" in source
    if remote:
        if not _REF.search(source):
            yield Hit(f"source {source} follows the default branch (no ?ref=)", "source")
        elif not _COMMIT.search(source) and not re.search(r"ref=v?\d+\.\d+", source):
            yield Hit(f"source {source} is pinned to a branch name, not a commit or release tag", "source")
    elif _REGISTRY.match(source) and not res.attrs.get("version"):
        yield Hit(f"registry module {source} has no version constraint", "source")


@tf_rule("OPS-TF-AZ-001", "Availability zones looked up without pinning", Severity.LOW, "resilience",
         "data.aws_availability_zones", "Filter the zones (state = \"available\", exclude_names or a filter on "
         "zone-type) or list the zones explicitly, so a new zone does not move resources.",
         f"{AWS_DOCS}/AWSEC2/latest/UserGuide/using-regions-availability-zones.html")
def az_pinning(res, mod):
    if not any(res.attrs.get(k) for k in ("state", "exclude_names", "exclude_zone_ids", "filter", "all_availability_zones")):
        yield Hit("data.aws_availability_zones without state, exclude_* or filter")


@tf_rule("OPS-TF-SG-001", "Security group not attached to anything", Severity.LOW, "hygiene", "aws_security_group",
         "Attach the security group (vpc_security_group_ids, network interfaces, load balancers) or remove it.",
         f"{AWS_DOCS}/vpc/latest/userguide/vpc-security-groups.html")
def sg_attached(res, mod):
    needle = f"aws_security_group.{res.name}"
    if not any(needle in line for lines in mod.lines.values() for line in lines):
        yield Hit(f"nothing in {mod.directory.rsplit('/', 1)[-1]} references {needle} (nor an output)")


@tf_rule("OPS-TF-S3-009", "S3 bucket without event notifications", Severity.LOW, "logging", "aws_s3_bucket",
         "Add an aws_s3_bucket_notification (or suppress the rule in the config where events are not wanted).",
         f"{AWS_DOCS}/AmazonS3/latest/userguide/EventNotifications.html")
def s3_notifications(res, mod):
    if not mod.related("aws_s3_bucket_notification", res, "bucket"):
        yield Hit("no aws_s3_bucket_notification for this bucket")


@tf_rule("OPS-TF-S3-010", "S3 bucket without cross-region replication", Severity.LOW, "resilience", "aws_s3_bucket",
         "Add an aws_s3_bucket_replication_configuration to a bucket in another region (or suppress the rule "
         "in the config).", f"{AWS_DOCS}/AmazonS3/latest/userguide/replication.html")
def s3_replication(res, mod):
    if res.blocks("replication_configuration") or mod.related("aws_s3_bucket_replication_configuration", res, "bucket"):
        return
    yield Hit("no replication configuration for this bucket")


@tf_rule("OPS-TF-KMS-002", "KMS key without a key policy", Severity.MEDIUM, "iam", "aws_kms_key",
         "Set policy (or an aws_kms_key_policy) so access is explicit, not the default account-wide policy.",
         f"{AWS_DOCS}/kms/latest/developerguide/key-policies.html")
def kms_policy(res, mod):
    if not res.attrs.get("policy") and not mod.related("aws_kms_key_policy", res, "key_id"):
        yield Hit("no policy on the key")


@tf_rule("OPS-TF-EC2-005", "Instance not EBS-optimized", Severity.LOW, "performance", "aws_instance",
         "Set ebs_optimized = true.", f"{AWS_DOCS}/AWSEC2/latest/UserGuide/ebs-optimized.html")
def ec2_ebs_optimized(res, mod):
    value = res.attrs.get("ebs_optimized")
    if truthy(value) is not True and not is_unknown(value):
        yield Hit("ebs_optimized is not true", "ebs_optimized")


@tf_rule("OPS-TF-EC2-006", "Instance without an instance profile", Severity.LOW, "iam", "aws_instance",
         "Set iam_instance_profile to a role with only what the instance needs (instead of keys on disk).",
         f"{AWS_DOCS}/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html")
def ec2_profile(res, mod):
    if not res.attrs.get("iam_instance_profile"):
        yield Hit("no iam_instance_profile")


@tf_rule("OPS-TF-LOG-003", "CloudWatch log retention under one year", Severity.LOW, "logging",
         "aws_cloudwatch_log_group", "Set retention_in_days to 365 or more (or 0: never expire).",
         f"{AWS_DOCS}/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html")
def log_retention_year(res, mod):
    value = res.attrs.get("retention_in_days")
    try:
        days = int(value)
    except (TypeError, ValueError):
        return
    if 0 < days < 365:
        yield Hit(f"retention_in_days = {days}", "retention_in_days")
