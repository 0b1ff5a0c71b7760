"""Terraform AWS: S3 buckets (inline blocks of provider v3 and the separate resources of v4+)."""

from __future__ import annotations

from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, is_set_true, statements, tf_rule, truthy

S3_DOCS = f"{AWS_DOCS}/AmazonS3/latest/userguide"
PAB_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


@tf_rule("OPS-TF-S3-001", "S3 encryption configuration without a default encryption rule", Severity.MEDIUM,
         "encryption", ("aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration"),
         "Give the configuration a rule { apply_server_side_encryption_by_default { sse_algorithm = \"aws:kms\" } }.",
         f"{S3_DOCS}/serv-side-encryption.html")
def s3_encryption(res, mod):
    # A bucket without any configuration is encrypted with SSE-S3 by AWS (since January 2023): not a finding.
    # A configuration that is written but sets no default algorithm is a mistake worth reporting.
    configs = res.blocks("server_side_encryption_configuration") if res.type == "aws_s3_bucket" else [res.attrs]
    for conf in configs:
        rules = res.blocks("rule", conf)
        if not any(d.get("sse_algorithm") for r in rules for d in res.blocks("apply_server_side_encryption_by_default", r)):
            yield Hit("the encryption configuration sets no default sse_algorithm", "server_side_encryption_configuration")


@tf_rule("OPS-TF-S3-002", "S3 bucket without a complete public access block", Severity.HIGH, "network",
         "aws_s3_bucket", "Add an aws_s3_bucket_public_access_block with all four settings true.",
         f"{S3_DOCS}/access-control-block-public-access.html")
def s3_public_access_block(res, mod):
    blocks = mod.related("aws_s3_bucket_public_access_block", res, "bucket")
    if not blocks:
        yield Hit("no aws_s3_bucket_public_access_block for this bucket")


@tf_rule("OPS-TF-S3-003", "S3 public access block leaves a setting off", Severity.HIGH, "network",
         "aws_s3_bucket_public_access_block", "Set block_public_acls, block_public_policy, ignore_public_acls "
         "and restrict_public_buckets to true.", f"{S3_DOCS}/access-control-block-public-access.html")
def s3_public_access_flags(res, mod):
    for flag in PAB_FLAGS:
        value = res.attrs.get(flag)
        if truthy(value) is not True and not (isinstance(value, str) and "${" in value):
            yield Hit(f"{flag} is {value if value is not None else 'not set (false)'}", flag)


@tf_rule("OPS-TF-S3-004", "S3 bucket versioning not enabled", Severity.MEDIUM, "resilience", "aws_s3_bucket",
         "Add an aws_s3_bucket_versioning with versioning_configuration { status = \"Enabled\" }.",
         f"{S3_DOCS}/Versioning.html")
def s3_versioning(res, mod):
    inline = res.blocks("versioning")
    if inline and is_set_true(inline[0].get("enabled")):
        return
    for ver in mod.related("aws_s3_bucket_versioning", res, "bucket"):
        conf = ver.blocks("versioning_configuration")
        if conf and str(conf[0].get("status", "")) in ("Enabled",) or (conf and "${" in str(conf[0].get("status"))):
            return
    yield Hit("versioning is not enabled", "versioning")


@tf_rule("OPS-TF-S3-005", "S3 bucket access logging not enabled", Severity.MEDIUM, "logging", "aws_s3_bucket",
         "Add an aws_s3_bucket_logging that sends access logs to a log bucket.",
         f"{S3_DOCS}/ServerLogs.html")
def s3_logging(res, mod):
    if res.blocks("logging") or mod.related("aws_s3_bucket_logging", res, "bucket"):
        return
    yield Hit("server access logging is not configured")


@tf_rule("OPS-TF-S3-006", "S3 bucket policy does not enforce TLS", Severity.MEDIUM, "encryption", "aws_s3_bucket",
         "Add a bucket policy statement that denies s3:* when aws:SecureTransport is false.",
         f"{S3_DOCS}/security-best-practices.html")
def s3_tls_only(res, mod):
    policies = [res.attrs.get("policy")] + [p.attrs.get("policy") for p in mod.related("aws_s3_bucket_policy", res, "bucket")]
    for policy in policies:
        if policy is None:
            continue
        if "SecureTransport" in str(policy):
            return
        for stmt in statements(policy, mod):
            if "SecureTransport" in str(stmt):
                return
        if "data.aws_iam_policy_document" in str(policy):
            for doc in mod.data_of_type("aws_iam_policy_document"):
                if doc.name in str(policy) and "SecureTransport" in str(doc.attrs):
                    return
    yield Hit("no bucket policy denies requests without aws:SecureTransport")


@tf_rule("OPS-TF-S3-007", "S3 bucket ACL grants public access", Severity.CRITICAL, "network",
         ("aws_s3_bucket", "aws_s3_bucket_acl"), "Use a private ACL (or none, with BucketOwnerEnforced).",
         f"{S3_DOCS}/acl-overview.html")
def s3_public_acl(res, mod):
    acl = res.attrs.get("acl")
    if isinstance(acl, str) and acl in PUBLIC_ACLS:
        yield Hit(f"acl = {acl}", "acl")


@tf_rule("OPS-TF-S3-008", "S3 bucket encrypted without a KMS key", Severity.LOW, "encryption",
         "aws_s3_bucket_server_side_encryption_configuration",
         "Use sse_algorithm = \"aws:kms\" with a customer-managed key for key-level access control and audit.",
         f"{S3_DOCS}/UsingKMSEncryption.html")
def s3_kms(res, mod):
    for rule_block in res.blocks("rule"):
        for default in res.blocks("apply_server_side_encryption_by_default", rule_block):
            algo = default.get("sse_algorithm")
            if isinstance(algo, str) and algo == "AES256":
                yield Hit("sse_algorithm = AES256 (S3-managed keys)", "sse_algorithm")
