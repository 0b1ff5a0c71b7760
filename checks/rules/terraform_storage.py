"""Terraform AWS: encryption and resilience of data stores (EBS, RDS, EFS, SQS, SNS, DynamoDB, ...)."""

from __future__ import annotations

from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, is_set_true, is_unknown, tf_rule, truthy


def _not_true(res, attr):
    value = res.get(attr)
    return truthy(value) is not True and not is_unknown(value)


@tf_rule("OPS-TF-EBS-001", "EBS volume not encrypted", Severity.HIGH, "encryption", "aws_ebs_volume",
         "Set encrypted = true (and kms_key_id for a customer-managed key).", f"{AWS_DOCS}/ebs/latest/userguide/ebs-encryption.html")
def ebs_volume(res, mod):
    if _not_true(res, "encrypted"):
        yield Hit("encrypted is not true", "encrypted")


@tf_rule("OPS-TF-EBS-002", "Instance block device not encrypted", Severity.HIGH, "encryption",
         ("aws_instance", "aws_launch_template", "aws_launch_configuration"),
         "Set encrypted = true on root_block_device / ebs_block_device (or enable EBS encryption by default).",
         f"{AWS_DOCS}/ebs/latest/userguide/ebs-encryption.html")
def instance_disks(res, mod):
    if mod.of_type("aws_ebs_encryption_by_default"):
        return
    if res.type == "aws_launch_template":
        for mapping in res.blocks("block_device_mappings"):
            for ebs in res.blocks("ebs", mapping):
                if truthy(ebs.get("encrypted")) is not True and not is_unknown(ebs.get("encrypted")):
                    yield Hit("block_device_mappings.ebs.encrypted is not true", "encrypted")
                    return
        return
    root = res.blocks("root_block_device")
    if not root or (truthy(root[0].get("encrypted")) is not True and not is_unknown(root[0].get("encrypted"))):
        yield Hit("root_block_device.encrypted is not true", "root_block_device")
    for disk in res.blocks("ebs_block_device"):
        if truthy(disk.get("encrypted")) is not True and not is_unknown(disk.get("encrypted")):
            yield Hit(f"ebs_block_device {disk.get('device_name', '')} is not encrypted", "ebs_block_device")


@tf_rule("OPS-TF-RDS-001", "RDS storage not encrypted", Severity.HIGH, "encryption", ("aws_db_instance", "aws_rds_cluster"),
         "Set storage_encrypted = true (requires re-creating the instance from an encrypted snapshot).",
         f"{AWS_DOCS}/AmazonRDS/latest/UserGuide/Overview.Encryption.html")
def rds_encrypted(res, mod):
    if res.type == "aws_db_instance" and res.attrs.get("replicate_source_db"):
        return
    if _not_true(res, "storage_encrypted"):
        yield Hit("storage_encrypted is not true", "storage_encrypted")


@tf_rule("OPS-TF-RDS-002", "RDS instance publicly accessible", Severity.CRITICAL, "network", "aws_db_instance",
         "Set publicly_accessible = false and reach the database through private subnets.",
         f"{AWS_DOCS}/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html")
def rds_public(res, mod):
    if is_set_true(res.attrs.get("publicly_accessible")):
        yield Hit("publicly_accessible = true", "publicly_accessible")


@tf_rule("OPS-TF-RDS-003", "RDS automated backups disabled", Severity.MEDIUM, "resilience", ("aws_db_instance", "aws_rds_cluster"),
         "Set backup_retention_period to 7 days or more.", f"{AWS_DOCS}/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html")
def rds_backups(res, mod):
    value = res.attrs.get("backup_retention_period")
    if value is not None and str(value) == "0":
        yield Hit("backup_retention_period = 0", "backup_retention_period")


@tf_rule("OPS-TF-RDS-004", "RDS deletion protection off", Severity.LOW, "resilience", ("aws_db_instance", "aws_rds_cluster"),
         "Set deletion_protection = true for databases that hold data you need.",
         f"{AWS_DOCS}/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html")
def rds_deletion(res, mod):
    if _not_true(res, "deletion_protection"):
        yield Hit("deletion_protection is not true", "deletion_protection")


@tf_rule("OPS-TF-EFS-001", "EFS file system not encrypted", Severity.HIGH, "encryption", "aws_efs_file_system",
         "Set encrypted = true.", f"{AWS_DOCS}/efs/latest/ug/encryption.html")
def efs_encrypted(res, mod):
    if _not_true(res, "encrypted"):
        yield Hit("encrypted is not true", "encrypted")


@tf_rule("OPS-TF-SQS-001", "SQS queue not encrypted", Severity.MEDIUM, "encryption", "aws_sqs_queue",
         "Set kms_master_key_id (or sqs_managed_sse_enabled = true).",
         f"{AWS_DOCS}/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html")
def sqs_encrypted(res, mod):
    if res.attrs.get("kms_master_key_id") or is_set_true(res.attrs.get("sqs_managed_sse_enabled")):
        return
    yield Hit("neither kms_master_key_id nor sqs_managed_sse_enabled is set")


@tf_rule("OPS-TF-SNS-001", "SNS topic not encrypted", Severity.MEDIUM, "encryption", "aws_sns_topic",
         "Set kms_master_key_id (alias/aws/sns or a customer-managed key).", f"{AWS_DOCS}/sns/latest/dg/sns-server-side-encryption.html")
def sns_encrypted(res, mod):
    if not res.attrs.get("kms_master_key_id"):
        yield Hit("kms_master_key_id is not set")


@tf_rule("OPS-TF-DDB-001", "DynamoDB point-in-time recovery off", Severity.MEDIUM, "resilience", "aws_dynamodb_table",
         "Add point_in_time_recovery { enabled = true }.", f"{AWS_DOCS}/amazondynamodb/latest/developerguide/PointInTimeRecovery.html")
def ddb_pitr(res, mod):
    if not is_set_true(res.get("point_in_time_recovery.enabled")) and not is_unknown(res.get("point_in_time_recovery.enabled")):
        yield Hit("point_in_time_recovery is not enabled", "point_in_time_recovery")


@tf_rule("OPS-TF-DDB-002", "DynamoDB table not encrypted with a customer key", Severity.LOW, "encryption", "aws_dynamodb_table",
         "Add server_side_encryption { enabled = true, kms_key_arn = ... }.",
         f"{AWS_DOCS}/amazondynamodb/latest/developerguide/EncryptionAtRest.html")
def ddb_cmk(res, mod):
    if not is_set_true(res.get("server_side_encryption.enabled")) and not is_unknown(res.get("server_side_encryption.enabled")):
        yield Hit("server_side_encryption is not enabled (AWS-owned key only)", "server_side_encryption")


@tf_rule("OPS-TF-ECR-001", "ECR image tags are mutable", Severity.MEDIUM, "supply-chain", "aws_ecr_repository",
         "Set image_tag_mutability = \"IMMUTABLE\".", f"{AWS_DOCS}/AmazonECR/latest/userguide/image-tag-mutability.html")
def ecr_mutable(res, mod):
    if res.attrs.get("image_tag_mutability", "MUTABLE") == "MUTABLE":
        yield Hit("image_tag_mutability is MUTABLE", "image_tag_mutability")


@tf_rule("OPS-TF-ECR-002", "ECR scan on push disabled", Severity.LOW, "supply-chain", "aws_ecr_repository",
         "Add image_scanning_configuration { scan_on_push = true }.", f"{AWS_DOCS}/AmazonECR/latest/userguide/image-scanning.html")
def ecr_scan(res, mod):
    if not is_set_true(res.get("image_scanning_configuration.scan_on_push")):
        yield Hit("scan_on_push is not true", "image_scanning_configuration")


@tf_rule("OPS-TF-ELC-001", "ElastiCache replication group not encrypted", Severity.MEDIUM, "encryption",
         "aws_elasticache_replication_group", "Set at_rest_encryption_enabled and transit_encryption_enabled to true.",
         f"{AWS_DOCS}/AmazonElastiCache/latest/red-ug/encryption.html")
def elasticache(res, mod):
    for attr in ("at_rest_encryption_enabled", "transit_encryption_enabled"):
        if _not_true(res, attr):
            yield Hit(f"{attr} is not true", attr)


@tf_rule("OPS-TF-LOG-001", "CloudWatch log group without retention", Severity.LOW, "logging", "aws_cloudwatch_log_group",
         "Set retention_in_days so logs neither vanish nor grow forever.",
         f"{AWS_DOCS}/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html")
def log_retention(res, mod):
    if not res.attrs.get("retention_in_days"):
        yield Hit("retention_in_days is not set (logs kept forever)")


@tf_rule("OPS-TF-ES-001", "OpenSearch domain not encrypted at rest", Severity.HIGH, "encryption",
         ("aws_opensearch_domain", "aws_elasticsearch_domain"), "Add encrypt_at_rest { enabled = true }.",
         f"{AWS_DOCS}/opensearch-service/latest/developerguide/encryption-at-rest.html")
def opensearch(res, mod):
    if not is_set_true(res.get("encrypt_at_rest.enabled")) and not is_unknown(res.get("encrypt_at_rest.enabled")):
        yield Hit("encrypt_at_rest is not enabled", "encrypt_at_rest")


@tf_rule("OPS-TF-LOG-002", "CloudWatch log group not encrypted with KMS", Severity.LOW, "encryption", "aws_cloudwatch_log_group",
         "Set kms_key_id to a customer-managed key.", f"{AWS_DOCS}/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html")
def log_kms(res, mod):
    if not res.attrs.get("kms_key_id"):
        yield Hit("kms_key_id is not set")


@tf_rule("OPS-TF-RDS-005", "RDS instance not Multi-AZ", Severity.LOW, "resilience", "aws_db_instance",
         "Set multi_az = true for production databases.", f"{AWS_DOCS}/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html")
def rds_multi_az(res, mod):
    if _not_true(res, "multi_az"):
        yield Hit("multi_az is not true", "multi_az")


@tf_rule("OPS-TF-RDS-006", "RDS IAM authentication off", Severity.LOW, "iam", ("aws_db_instance", "aws_rds_cluster"),
         "Set iam_database_authentication_enabled = true.",
         f"{AWS_DOCS}/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html")
def rds_iam_auth(res, mod):
    if _not_true(res, "iam_database_authentication_enabled"):
        yield Hit("iam_database_authentication_enabled is not true", "iam_database_authentication_enabled")
