"""Terraform AWS: EKS, load balancers, EC2 instances, Lambda and CloudFront."""

from __future__ import annotations

import re

from checks.plain import looks_secret
from checks.rules.repo import AWS_SECRET_KEY, secret_assignments
from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, as_list, is_set_true, is_unknown, tf_rule, truthy

OLD_TLS_POLICIES = re.compile(r"TLS-1-0|TLS-1-1|2015-05|2016-08|ELBSecurityPolicy-2011|TLSv1(\.1)?_2016|TLSv1_2016|SSLv3")
AWS_KEY = re.compile(r"(AKIA|ASIA)[0-9A-Z]{16}")


@tf_rule("OPS-TF-EKS-001", "EKS API endpoint public to the internet", Severity.HIGH, "network", "aws_eks_cluster",
         "Set vpc_config.endpoint_public_access = false, or restrict public_access_cidrs.",
         f"{AWS_DOCS}/eks/latest/userguide/cluster-endpoint.html")
def eks_public(res, mod):
    vpc = res.blocks("vpc_config")
    public = vpc[0].get("endpoint_public_access", True) if vpc else True
    cidrs = as_list(vpc[0].get("public_access_cidrs")) if vpc else []
    if truthy(public) is not False and not is_unknown(public) and (not cidrs or "0.0.0.0/0" in cidrs):
        yield Hit("endpoint_public_access is true (the default) and open to 0.0.0.0/0", "vpc_config")


@tf_rule("OPS-TF-EKS-002", "EKS secrets not encrypted with KMS", Severity.HIGH, "encryption", "aws_eks_cluster",
         "Add encryption_config { resources = [\"secrets\"], provider { key_arn = ... } }.",
         f"{AWS_DOCS}/eks/latest/userguide/enable-kms.html")
def eks_secrets(res, mod):
    for conf in res.blocks("encryption_config"):
        if "secrets" in [str(r) for r in as_list(conf.get("resources"))]:
            return
    yield Hit("no encryption_config covers secrets")


@tf_rule("OPS-TF-EKS-003", "EKS control plane logging off", Severity.LOW, "logging", "aws_eks_cluster",
         "Set enabled_cluster_log_types = [\"api\", \"audit\", \"authenticator\"].",
         f"{AWS_DOCS}/eks/latest/userguide/control-plane-logs.html")
def eks_logs(res, mod):
    types = [str(t) for t in as_list(res.attrs.get("enabled_cluster_log_types"))]
    if "audit" not in types and not is_unknown(res.attrs.get("enabled_cluster_log_types")):
        yield Hit("audit logs are not enabled", "enabled_cluster_log_types")


@tf_rule("OPS-TF-ELB-001", "Load balancer listener without TLS", Severity.HIGH, "encryption",
         ("aws_lb_listener", "aws_alb_listener", "aws_elb"), "Listen on HTTPS/TLS, and make HTTP redirect to HTTPS.",
         f"{AWS_DOCS}/elasticloadbalancing/latest/application/create-https-listener.html")
def lb_tls(res, mod):
    if res.type == "aws_elb":
        for listener in res.blocks("listener"):
            if str(listener.get("lb_protocol", "")).lower() in ("http", "tcp"):
                yield Hit(f"listener on port {listener.get('lb_port')} uses {listener.get('lb_protocol')}", "listener")
        return
    proto = str(res.attrs.get("protocol", "")).upper()
    if proto not in ("HTTP", "TCP"):
        return
    for action in res.blocks("default_action"):
        if action.get("type") == "redirect" and str(res.get("default_action.redirect.protocol", "")).upper() == "HTTPS":
            return
    yield Hit(f"protocol = {proto} without a redirect to HTTPS", "protocol")


@tf_rule("OPS-TF-ELB-002", "Load balancer access logs off", Severity.MEDIUM, "logging", ("aws_lb", "aws_alb", "aws_elb"),
         "Add access_logs { bucket = ..., enabled = true }.",
         f"{AWS_DOCS}/elasticloadbalancing/latest/application/enable-access-logging.html")
def lb_logs(res, mod):
    logs = res.blocks("access_logs")
    if not logs or truthy(logs[0].get("enabled", True)) is False:
        yield Hit("access_logs are not enabled", "access_logs")


@tf_rule("OPS-TF-ELB-003", "Load balancer listener allows old TLS", Severity.HIGH, "encryption", ("aws_lb_listener", "aws_alb_listener"),
         "Use ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\" (or another TLS 1.2+ policy).",
         f"{AWS_DOCS}/elasticloadbalancing/latest/application/describe-ssl-policies.html")
def lb_tls_policy(res, mod):
    policy = res.attrs.get("ssl_policy")
    if str(res.attrs.get("protocol", "")).upper() in ("HTTPS", "TLS") and isinstance(policy, str) and OLD_TLS_POLICIES.search(policy):
        yield Hit(f"ssl_policy = {policy} allows TLS below 1.2", "ssl_policy")


@tf_rule("OPS-TF-ELB-004", "ALB does not drop invalid HTTP headers", Severity.LOW, "network", ("aws_lb", "aws_alb"),
         "Set drop_invalid_header_fields = true.", f"{AWS_DOCS}/elasticloadbalancing/latest/application/application-load-balancers.html")
def lb_headers(res, mod):
    if res.attrs.get("load_balancer_type", "application") == "application" and not is_set_true(res.attrs.get("drop_invalid_header_fields")):
        yield Hit("drop_invalid_header_fields is not true", "drop_invalid_header_fields")


@tf_rule("OPS-TF-EC2-001", "Instance metadata service v1 allowed (IMDSv2 not required)", Severity.HIGH, "compute",
         ("aws_instance", "aws_launch_template"), "Add metadata_options { http_tokens = \"required\" }.",
         f"{AWS_DOCS}/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html")
def imdsv2(res, mod):
    opts = res.blocks("metadata_options")
    if opts and (str(opts[0].get("http_endpoint", "enabled")) == "disabled" or str(opts[0].get("http_tokens")) == "required"
                 or is_unknown(opts[0].get("http_tokens"))):
        return
    yield Hit("metadata_options.http_tokens is not \"required\"", "metadata_options")


@tf_rule("OPS-TF-EC2-002", "Instance gets a public IP", Severity.MEDIUM, "network", ("aws_instance", "aws_launch_template"),
         "Set associate_public_ip_address = false; expose services through a load balancer.",
         f"{AWS_DOCS}/AWSEC2/latest/UserGuide/using-instance-addressing.html")
def instance_public_ip(res, mod):
    value = res.attrs.get("associate_public_ip_address")
    if res.type == "aws_launch_template":
        value = res.get("network_interfaces.associate_public_ip_address")
    if is_set_true(value):
        yield Hit("associate_public_ip_address = true", "associate_public_ip_address")


@tf_rule("OPS-TF-EC2-004", "Instance detailed monitoring off", Severity.LOW, "logging", "aws_instance",
         "Set monitoring = true (1-minute CloudWatch metrics).",
         f"{AWS_DOCS}/AWSEC2/latest/UserGuide/using-cloudwatch-new.html")
def instance_monitoring(res, mod):
    if not is_set_true(res.attrs.get("monitoring")) and not is_unknown(res.attrs.get("monitoring")):
        yield Hit("monitoring is not true", "monitoring")


@tf_rule("OPS-TF-EC2-003", "Secrets in instance user data", Severity.CRITICAL, "secrets", ("aws_instance", "aws_launch_template"),
         "Read secrets at boot from Secrets Manager or SSM Parameter Store, never from user data.",
         f"{AWS_DOCS}/AWSEC2/latest/UserGuide/user-data.html")
def user_data_secrets(res, mod):
    data = res.attrs.get("user_data")
    if not isinstance(data, str):
        return
    if AWS_KEY.search(data):
        yield Hit("user_data contains an AWS access key id", "user_data")
    if AWS_SECRET_KEY.search(data):
        yield Hit("user_data contains an AWS secret access key", "user_data")
    names = [name for line in data.splitlines() for name in secret_assignments(line)
             if not AWS_SECRET_KEY.search(line)]
    if names:
        yield Hit(f"user_data assigns literal secrets: {', '.join(dict.fromkeys(names))}", "user_data")


@tf_rule("OPS-TF-LMB-001", "Secrets in Lambda environment variables", Severity.HIGH, "secrets", "aws_lambda_function",
         "Keep secrets in Secrets Manager/SSM and read them at runtime; never literal values in Terraform.",
         f"{AWS_DOCS}/lambda/latest/dg/configuration-envvars.html")
def lambda_env_secrets(res, mod):
    variables = res.get("environment.variables") or {}
    if not isinstance(variables, dict):
        return
    for key, value in variables.items():
        if looks_secret(str(key)) and isinstance(value, str) and value and "${" not in value:
            yield Hit(f"environment variable {key} holds a literal secret", str(key))
            return


@tf_rule("OPS-TF-LMB-002", "Lambda function without X-Ray tracing", Severity.LOW, "logging", "aws_lambda_function",
         "Add tracing_config { mode = \"Active\" }.", f"{AWS_DOCS}/lambda/latest/dg/services-xray.html")
def lambda_tracing(res, mod):
    if str(res.get("tracing_config.mode", "PassThrough")) != "Active":
        yield Hit("tracing_config.mode is not Active", "tracing_config")


@tf_rule("OPS-TF-CF-001", "CloudFront allows plain HTTP to viewers", Severity.MEDIUM, "encryption", "aws_cloudfront_distribution",
         "Set viewer_protocol_policy = \"redirect-to-https\" (or https-only).",
         f"{AWS_DOCS}/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html")
def cloudfront_https(res, mod):
    for block in res.blocks("default_cache_behavior") + res.blocks("ordered_cache_behavior"):
        if block.get("viewer_protocol_policy") == "allow-all":
            yield Hit("viewer_protocol_policy = allow-all", "viewer_protocol_policy")
            return
