"""Terraform: the RDS cluster family (Aurora) and Lambda functions."""

from __future__ import annotations

from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, is_unknown, tf_rule, truthy

RDS_DOCS = f"{AWS_DOCS}/AmazonRDS/latest/AuroraUserGuide"
LAMBDA_DOCS = f"{AWS_DOCS}/lambda/latest/dg"
CLUSTER = "aws_rds_cluster"


def _off(res, attr):
    value = res.attrs.get(attr)
    return truthy(value) is not True and not is_unknown(value)


def _cluster_flag(id, title, attr, severity, remediation, page):
    @tf_rule(id, title, severity, "resilience" if "protection" in attr or "copy" in attr else "iam"
             if "iam" in attr else "encryption", CLUSTER, remediation, f"{RDS_DOCS}/{page}")
    def check(res, mod):
        if _off(res, attr):
            yield Hit(f"{attr} is not true", attr)
    return check


_cluster_flag("OPS-TF-RDSC-001", "RDS cluster deletion protection off", "deletion_protection", Severity.LOW,
              "Set deletion_protection = true.", "USER_DeleteCluster.html")
_cluster_flag("OPS-TF-RDSC-002", "RDS cluster IAM authentication off", "iam_database_authentication_enabled",
              Severity.LOW, "Set iam_database_authentication_enabled = true.", "UsingWithRDS.IAMDBAuth.html")
_cluster_flag("OPS-TF-RDSC-005", "RDS cluster does not copy tags to snapshots", "copy_tags_to_snapshot", Severity.LOW,
              "Set copy_tags_to_snapshot = true.", "USER_Tagging.html")


@tf_rule("OPS-TF-RDSC-003", "RDS cluster not encrypted with a KMS key", Severity.MEDIUM, "encryption", CLUSTER,
         "Set storage_encrypted = true and kms_key_id to a customer-managed key.", f"{RDS_DOCS}/Overview.Encryption.html")
def cluster_kms(res, mod):
    if _off(res, "storage_encrypted") and str(res.attrs.get("engine_mode", "")) != "serverless":
        yield Hit("storage_encrypted is not true", "storage_encrypted")
    elif not res.attrs.get("kms_key_id"):
        yield Hit("no kms_key_id (AWS-managed key)", "storage_encrypted")


@tf_rule("OPS-TF-RDSC-004", "Aurora MySQL cluster without backtracking", Severity.LOW, "resilience", CLUSTER,
         "Set backtrack_window (seconds, up to 259200).", f"{RDS_DOCS}/AuroraMySQL.Managing.Backtrack.html")
def cluster_backtrack(res, mod):
    engine = str(res.attrs.get("engine", ""))
    if engine in ("aurora", "aurora-mysql") and not res.attrs.get("backtrack_window"):
        yield Hit("backtrack_window is not set", "engine")


@tf_rule("OPS-TF-RDSC-006", "RDS cluster does not export logs", Severity.LOW, "logging", CLUSTER,
         "Set enabled_cloudwatch_logs_exports (audit, error, slowquery / postgresql).",
         f"{RDS_DOCS}/USER_LogAccess.html")
def cluster_logs(res, mod):
    if not res.attrs.get("enabled_cloudwatch_logs_exports"):
        yield Hit("no enabled_cloudwatch_logs_exports")


@tf_rule("OPS-TF-RDSC-007", "RDS cluster backup retention under 7 days", Severity.LOW, "resilience", CLUSTER,
         "Set backup_retention_period to 7 or more.", f"{RDS_DOCS}/Aurora.Managing.Backups.html")
def cluster_backup(res, mod):
    value = res.attrs.get("backup_retention_period", 1)
    try:
        days = int(value)
    except (TypeError, ValueError):
        return
    if days < 7:
        yield Hit(f"backup_retention_period = {days}", "backup_retention_period")


@tf_rule("OPS-TF-LMB-003", "Lambda function without a dead-letter queue", Severity.LOW, "resilience",
         "aws_lambda_function", "Add dead_letter_config { target_arn = <SQS or SNS> } (or an on-failure destination).",
         f"{LAMBDA_DOCS}/invocation-async-retain-records.html")
def lambda_dlq(res, mod):
    if not res.blocks("dead_letter_config") and not mod.related("aws_lambda_function_event_invoke_config", res):
        yield Hit("no dead_letter_config")


@tf_rule("OPS-TF-LMB-004", "Lambda function without a concurrency limit", Severity.LOW, "resilience",
         "aws_lambda_function", "Set reserved_concurrent_executions.", f"{LAMBDA_DOCS}/configuration-concurrency.html")
def lambda_concurrency(res, mod):
    if res.attrs.get("reserved_concurrent_executions") is None:
        yield Hit("no reserved_concurrent_executions")


@tf_rule("OPS-TF-LMB-005", "Lambda environment not encrypted with a KMS key", Severity.LOW, "encryption",
         "aws_lambda_function", "Set kms_key_arn when the function has environment variables.",
         f"{LAMBDA_DOCS}/configuration-envvars-encryption.html")
def lambda_env_kms(res, mod):
    if res.blocks("environment") and not res.attrs.get("kms_key_arn"):
        yield Hit("environment variables without kms_key_arn", "environment")


@tf_rule("OPS-TF-LMB-006", "Lambda function not in a VPC", Severity.LOW, "network", "aws_lambda_function",
         "Add vpc_config { subnet_ids, security_group_ids } when the function reaches private resources.",
         f"{LAMBDA_DOCS}/configuration-vpc.html")
def lambda_vpc(res, mod):
    if not res.blocks("vpc_config"):
        yield Hit("no vpc_config")
