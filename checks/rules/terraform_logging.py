"""Terraform AWS: CloudTrail, KMS and audit logging."""

from __future__ import annotations

from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, is_set_true, is_unknown, tf_rule, truthy

CT_DOCS = f"{AWS_DOCS}/awscloudtrail/latest/userguide"


@tf_rule("OPS-TF-CT-001", "CloudTrail is not multi-region", Severity.HIGH, "logging", "aws_cloudtrail",
         "Set is_multi_region_trail = true.", f"{CT_DOCS}/receive-cloudtrail-log-files-from-multiple-regions.html")
def ct_multi_region(res, mod):
    if truthy(res.attrs.get("is_multi_region_trail")) is not True and not is_unknown(res.attrs.get("is_multi_region_trail")):
        yield Hit("is_multi_region_trail is not true", "is_multi_region_trail")


@tf_rule("OPS-TF-CT-002", "CloudTrail log file validation off", Severity.MEDIUM, "logging", "aws_cloudtrail",
         "Set enable_log_file_validation = true.", f"{CT_DOCS}/cloudtrail-log-file-validation-intro.html")
def ct_validation(res, mod):
    if not is_set_true(res.attrs.get("enable_log_file_validation")) and not is_unknown(res.attrs.get("enable_log_file_validation")):
        yield Hit("enable_log_file_validation is not true", "enable_log_file_validation")


@tf_rule("OPS-TF-CT-003", "CloudTrail logs not encrypted with KMS", Severity.MEDIUM, "encryption", "aws_cloudtrail",
         "Set kms_key_id to a customer-managed key.", f"{CT_DOCS}/encrypting-cloudtrail-log-files-with-aws-kms.html")
def ct_kms(res, mod):
    if not res.attrs.get("kms_key_id"):
        yield Hit("kms_key_id is not set")


@tf_rule("OPS-TF-CT-004", "CloudTrail not sent to CloudWatch Logs", Severity.LOW, "logging", "aws_cloudtrail",
         "Set cloud_watch_logs_group_arn and cloud_watch_logs_role_arn for alerting on API activity.",
         f"{CT_DOCS}/send-cloudtrail-events-to-cloudwatch-logs.html")
def ct_cloudwatch(res, mod):
    if not res.attrs.get("cloud_watch_logs_group_arn"):
        yield Hit("cloud_watch_logs_group_arn is not set")


@tf_rule("OPS-TF-CT-005", "CloudTrail logging disabled", Severity.HIGH, "logging", "aws_cloudtrail",
         "Remove enable_logging = false.", f"{CT_DOCS}/cloudtrail-turning-off-logging.html")
def ct_enabled(res, mod):
    if truthy(res.attrs.get("enable_logging")) is False:
        yield Hit("enable_logging = false", "enable_logging")


@tf_rule("OPS-TF-KMS-001", "KMS key rotation disabled", Severity.MEDIUM, "encryption", "aws_kms_key",
         "Set enable_key_rotation = true (symmetric keys).", f"{AWS_DOCS}/kms/latest/developerguide/rotate-keys.html")
def kms_rotation(res, mod):
    spec = str(res.attrs.get("customer_master_key_spec", "SYMMETRIC_DEFAULT"))
    if spec == "SYMMETRIC_DEFAULT" and not is_set_true(res.attrs.get("enable_key_rotation")) \
            and not is_unknown(res.attrs.get("enable_key_rotation")):
        yield Hit("enable_key_rotation is not true", "enable_key_rotation")


@tf_rule("OPS-TF-GD-001", "GuardDuty detector disabled", Severity.MEDIUM, "logging", "aws_guardduty_detector",
         "Set enable = true.", f"{AWS_DOCS}/guardduty/latest/ug/what-is-guardduty.html")
def guardduty(res, mod):
    if truthy(res.attrs.get("enable")) is False:
        yield Hit("enable = false", "enable")


@tf_rule("OPS-TF-CFG-001", "AWS Config recorder does not record all resources", Severity.LOW, "logging",
         "aws_config_configuration_recorder", "Set recording_group { all_supported = true, include_global_resource_types = true }.",
         f"{AWS_DOCS}/config/latest/developerguide/select-resources.html")
def config_recorder(res, mod):
    if truthy(res.get("recording_group.all_supported")) is False:
        yield Hit("recording_group.all_supported = false", "all_supported")
