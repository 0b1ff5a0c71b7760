"""Terraform AWS: IAM policies, roles, users and the password policy."""

from __future__ import annotations

from checks.rules.terraform_common import AWS_DOCS, Hit, Severity, as_list, document_statement, statements, tf_rule

IAM_DOCS = f"{AWS_DOCS}/IAM/latest/UserGuide"
POLICY_TYPES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
READ_PREFIXES = ("get", "list", "describe", "head", "view", "lookup", "batchget", "search")


def _policy_statements(res, mod):
    if res.kind == "data":
        return [document_statement(s) for s in res.blocks("statement")]
    return statements(res.attrs.get("policy"), mod)


def _allow(stmt):
    return str(stmt.get("Effect", "Allow")) == "Allow"


def _policy_rule(id, title, severity, remediation):
    return tf_rule(id, title, severity, "iam", (*POLICY_TYPES, "data.aws_iam_policy_document"), remediation,
                   f"{IAM_DOCS}/best-practices.html#grant-least-privilege")


@_policy_rule("OPS-TF-IAM-001", "IAM policy allows all actions (\"*\")", Severity.CRITICAL,
              "List the actions the principal needs instead of \"*\".")
def iam_star_action(res, mod):
    for stmt in _policy_statements(res, mod):
        if _allow(stmt) and "*" in [str(a) for a in as_list(stmt.get("Action"))]:
            yield Hit("a statement allows Action \"*\"", "policy" if res.kind == "resource" else "actions")
            return


@_policy_rule("OPS-TF-IAM-002", "IAM policy allows every action of a service", Severity.HIGH,
              "Replace \"service:*\" with the specific actions needed.")
def iam_service_star(res, mod):
    for stmt in _policy_statements(res, mod):
        wild = [str(a) for a in as_list(stmt.get("Action")) if str(a).endswith(":*")]
        if _allow(stmt) and wild:
            yield Hit(f"a statement allows {', '.join(sorted(wild))}", "policy" if res.kind == "resource" else "actions")
            return


@_policy_rule("OPS-TF-IAM-003", "IAM policy allows write actions on all resources", Severity.MEDIUM,
              "Scope Resource to the ARNs the actions need.")
def iam_star_resource(res, mod):
    for stmt in _policy_statements(res, mod):
        if not _allow(stmt) or "*" not in [str(r) for r in as_list(stmt.get("Resource"))]:
            continue
        actions = [str(a) for a in as_list(stmt.get("Action"))]
        writes = [a for a in actions if a != "*" and not a.split(":")[-1].lower().startswith(READ_PREFIXES)]
        if writes or "*" in actions:
            yield Hit(f"Resource \"*\" with {', '.join(writes[:4]) or 'all actions'}", "policy" if res.kind == "resource" else "resources")
            return


ESCALATION = {"iam:passrole", "iam:createpolicyversion", "iam:setdefaultpolicyversion", "iam:attachuserpolicy",
              "iam:attachrolepolicy", "iam:attachgrouppolicy", "iam:putuserpolicy", "iam:putrolepolicy",
              "iam:putgrouppolicy", "iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile",
              "iam:updateassumerolepolicy", "iam:*", "sts:assumerole"}


@_policy_rule("OPS-TF-IAM-009", "IAM policy allows privilege escalation", Severity.HIGH,
              "Scope iam:PassRole, policy-attachment and credential actions to specific ARNs, or remove them.")
def iam_escalation(res, mod):
    for stmt in _policy_statements(res, mod):
        if not _allow(stmt) or "*" not in [str(r) for r in as_list(stmt.get("Resource"))]:
            continue
        risky = sorted({str(a) for a in as_list(stmt.get("Action")) if str(a).lower() in ESCALATION})
        if risky:
            yield Hit(f"{', '.join(risky)} on Resource \"*\"", "policy" if res.kind == "resource" else "actions")
            return


@tf_rule("OPS-TF-IAM-004", "IAM policy attached directly to a user", Severity.LOW, "iam",
         ("aws_iam_user_policy", "aws_iam_user_policy_attachment"), "Attach policies to groups or roles, not users.",
         f"{IAM_DOCS}/id_groups.html")
def iam_user_policy(res, mod):
    yield Hit(f"policy attached to user {res.attrs.get('user', '?')}", "user")


@tf_rule("OPS-TF-IAM-005", "IAM role can be assumed by anyone", Severity.CRITICAL, "iam", "aws_iam_role",
         "Name the trusted accounts, roles or services in the trust policy's Principal.",
         f"{IAM_DOCS}/id_roles_terms-and-concepts.html")
def iam_trust_any(res, mod):
    for stmt in statements(res.attrs.get("assume_role_policy"), mod):
        principal = stmt.get("Principal")
        values = [principal] if isinstance(principal, str) else [v for vals in (principal or {}).values() for v in as_list(vals)] if isinstance(principal, dict) else []
        if _allow(stmt) and "*" in [str(v) for v in values] and not stmt.get("Condition"):
            yield Hit("the trust policy allows Principal \"*\" without a condition", "assume_role_policy")
            return


@tf_rule("OPS-TF-IAM-006", "IAM password policy too weak", Severity.MEDIUM, "iam", "aws_iam_account_password_policy",
         "Require at least 14 characters and prevent reuse of the last 24 passwords.",
         f"{IAM_DOCS}/id_credentials_passwords_account-policy.html")
def iam_password_policy(res, mod):
    try:
        length = int(res.attrs.get("minimum_password_length", 6))
    except (TypeError, ValueError):
        return
    if length < 14:
        yield Hit(f"minimum_password_length = {length} (< 14)", "minimum_password_length")
    try:
        reuse = int(res.attrs.get("password_reuse_prevention", 0))
    except (TypeError, ValueError):
        return
    if reuse < 24:
        yield Hit(f"password_reuse_prevention = {reuse} (< 24)", "password_reuse_prevention")


@tf_rule("OPS-TF-IAM-007", "AdministratorAccess attached", Severity.HIGH, "iam",
         ("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",
          "aws_iam_policy_attachment"), "Attach a least-privilege policy instead of AdministratorAccess.",
         f"{IAM_DOCS}/best-practices.html#grant-least-privilege")
def iam_admin_attached(res, mod):
    arn = str(res.attrs.get("policy_arn", ""))
    if arn.endswith("policy/AdministratorAccess"):
        yield Hit(f"policy_arn = {arn}", "policy_arn")


@tf_rule("OPS-TF-IAM-008", "Long-lived IAM access key managed in Terraform", Severity.MEDIUM, "iam", "aws_iam_access_key",
         "Prefer roles (OIDC, instance profiles); an access key in state is a secret in state.",
         f"{IAM_DOCS}/id_credentials_access-keys.html")
def iam_access_key(res, mod):
    yield Hit(f"access key for user {res.attrs.get('user', '?')} (its secret is stored in the Terraform state)", "user")
