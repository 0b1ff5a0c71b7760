"""AWS rules over the live estate; each rule reads one normalised dict (see checks.live_aws)."""

from __future__ import annotations

from datetime import datetime, timedelta

from checks.model import Hit, Severity
from checks.registry import rule

DOCS = "https://docs.aws.amazon.com"
ADMIN_PORTS = {22: "SSH", 3389: "RDP", 3306: "MySQL", 5432: "PostgreSQL", 6379: "Redis", 27017: "MongoDB"}
KEY_MAX_AGE = timedelta(days=90)


@rule("OPS-AWS-S3-001", "S3 bucket can be public", Severity.HIGH, "network", "aws:s3_bucket",
      "Enable all four S3 Block Public Access settings on the bucket.", f"{DOCS}/AmazonS3/latest/userguide/access-control-block-public-access.html")
def aws_s3_public(b, ctx):
    if b.get("public_access_block") is False:
        yield Hit("Block Public Access is missing or has a setting off")
    if b.get("public_acl"):
        yield Hit(f"ACL grants access to {b['public_acl']}")


@rule("OPS-AWS-S3-002", "S3 bucket without default encryption", Severity.HIGH, "encryption", "aws:s3_bucket",
      "Set default encryption (SSE-KMS) on the bucket.", f"{DOCS}/AmazonS3/latest/userguide/default-bucket-encryption.html")
def aws_s3_encryption(b, ctx):
    if b.get("encrypted") is False:
        yield Hit("no default encryption configuration")


@rule("OPS-AWS-S3-003", "S3 bucket versioning off", Severity.MEDIUM, "resilience", "aws:s3_bucket",
      "Enable versioning on the bucket.", f"{DOCS}/AmazonS3/latest/userguide/Versioning.html")
def aws_s3_versioning(b, ctx):
    if b.get("versioning") is not None and b.get("versioning") != "Enabled":
        yield Hit(f"versioning is {b.get('versioning') or 'never enabled'}")


@rule("OPS-AWS-SG-001", "Security group open to the internet on an admin port", Severity.CRITICAL, "network",
      "aws:security_group", "Restrict the rule to known CIDRs or remove it.", f"{DOCS}/vpc/latest/userguide/vpc-security-groups.html")
def aws_sg_admin(sg, ctx):
    for perm in sg.get("ingress") or []:
        if not set(perm.get("cidrs") or []) & {"0.0.0.0/0", "::/0"}:
            continue
        proto, lo, hi = str(perm.get("protocol")), perm.get("from"), perm.get("to")
        for port, name in ADMIN_PORTS.items():
            if proto == "-1" or (lo is not None and hi is not None and int(lo) <= port <= int(hi)):
                yield Hit(f"port {port} ({name}) open to {', '.join(perm.get('cidrs'))}")
                return


@rule("OPS-AWS-IAM-001", "IAM access key older than 90 days", Severity.MEDIUM, "iam", "aws:access_key",
      "Rotate the key (create a new one, switch, deactivate and delete the old one).",
      f"{DOCS}/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console")
def aws_key_age(key, ctx):
    created = key.get("created")
    if key.get("status", "Active") == "Active" and isinstance(created, datetime) and ctx["now"] - created > KEY_MAX_AGE:
        yield Hit(f"key {key.get('key_id')} of {key.get('user')} is {(ctx['now'] - created).days} days old")


@rule("OPS-AWS-IAM-002", "IAM access key unused", Severity.LOW, "iam", "aws:access_key",
      "Deactivate and delete keys that are not used.", f"{DOCS}/IAM/latest/UserGuide/id_credentials_access-keys.html")
def aws_key_unused(key, ctx):
    created, used = key.get("created"), key.get("last_used")
    if key.get("status", "Active") != "Active" or not isinstance(created, datetime):
        return
    if used is None and ctx["now"] - created > timedelta(days=30):
        yield Hit(f"key {key.get('key_id')} of {key.get('user')} never used in {(ctx['now'] - created).days} days")
    elif isinstance(used, datetime) and ctx["now"] - used > KEY_MAX_AGE:
        yield Hit(f"key {key.get('key_id')} of {key.get('user')} last used {(ctx['now'] - used).days} days ago")


@rule("OPS-AWS-EBS-001", "EBS volume not encrypted", Severity.HIGH, "encryption", "aws:ebs_volume",
      "Snapshot, copy the snapshot with encryption, and replace the volume; enable EBS encryption by default.",
      f"{DOCS}/ebs/latest/userguide/ebs-encryption.html")
def aws_ebs(vol, ctx):
    if vol.get("encrypted") is False:
        yield Hit(f"volume {vol.get('id')} is not encrypted")


@rule("OPS-AWS-CT-001", "CloudTrail not logging", Severity.HIGH, "logging", "aws:account",
      "Create a multi-region trail and keep it logging.", f"{DOCS}/awscloudtrail/latest/userguide/cloudtrail-create-a-trail-using-the-console-first-time.html")
def aws_cloudtrail(account, ctx):
    trails = account.get("trails")
    if trails is None:
        return
    if not trails:
        yield Hit(f"no CloudTrail trail in {account.get('region', '?')}")
    elif not any(t.get("logging") for t in trails):
        yield Hit("no trail is logging")


@rule("OPS-AWS-TAG-001", "Resource missing required tags", Severity.LOW, "hygiene", "aws:tagged",
      "Add the tags the config's aws.required_tags lists.", f"{DOCS}/tag-editor/latest/userguide/tagging.html")
def aws_tags(res, ctx):
    required = ctx.get("required_tags") or ()
    tags = res.get("tags") or {}
    missing = [t for t in required if t not in tags]
    if missing:
        yield Hit(f"missing tags: {', '.join(missing)}")
