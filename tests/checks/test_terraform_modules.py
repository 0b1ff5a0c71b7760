"""Terraform evaluation over real-module patterns: count/for_each and [0]/["key"] references,
conditionals, dynamic blocks, locals, tfvars, module inputs/outputs, functions, heredocs;
unknown values are "could not evaluate", counted, never a silent pass."""

from __future__ import annotations

import json

from checks.cli import main
from checks.engine import scan
from checks.reporters import FORMATS

S3_MODULE = {
    "variables.tf": '''
variable "create_bucket" {
  default = true
}
variable "bucket" {
  default = null
}
variable "versioning" {
  type    = map(string)
  default = {}
}
variable "logging" {
  type    = any
  default = {}
}
variable "block_public_acls" {
  default = false
}
variable "block_public_policy" {
  default = false
}
variable "ignore_public_acls" {
  default = false
}
variable "restrict_public_buckets" {
  default = false
}
variable "attach_public_policy" {
  default = true
}
''',
    "main.tf": '''
locals {
  create_bucket = var.create_bucket
}
resource "aws_s3_bucket" "this" {
  count  = local.create_bucket ? 1 : 0
  bucket = var.bucket
}
resource "aws_s3_bucket_public_access_block" "this" {
  count                   = local.create_bucket && var.attach_public_policy ? 1 : 0
  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = var.block_public_acls
  block_public_policy     = var.block_public_policy
  ignore_public_acls      = var.ignore_public_acls
  restrict_public_buckets = var.restrict_public_buckets
}
resource "aws_s3_bucket_versioning" "this" {
  count  = local.create_bucket && length(keys(var.versioning)) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status = try(var.versioning["enabled"] ? "Enabled" : "Suspended", tobool(var.versioning["status"]) ? "Enabled" : "Suspended")
  }
}
resource "aws_s3_bucket_logging" "this" {
  count         = local.create_bucket && length(keys(var.logging)) > 0 ? 1 : 0
  bucket        = aws_s3_bucket.this[0].id
  target_bucket = var.logging["target_bucket"]
  target_prefix = try(var.logging["target_prefix"], null)
}
output "s3_bucket_id" {
  value = try(aws_s3_bucket.this[0].id, "")
}
''',
}
COMPLETE = '''
module "s3_bucket" {
  source                  = "../../"
  bucket                  = "complete-${random_pet.this.id}"
  versioning              = { enabled = true }
  logging                 = { target_bucket = "logs-bucket", target_prefix = "log/" }
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
'''
SIMPLE = 'module "s3_bucket" {\n  source = "../../"\n  bucket = "simple"\n}\n'


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def module_tree(tmp_path):
    write(tmp_path, S3_MODULE)
    write(tmp_path, {"examples/complete/main.tf": COMPLETE, "examples/simple/main.tf": SIMPLE})
    return tmp_path


def ids(result, rule_id):
    return [f for f in result.findings if f.rule_id == rule_id]


def test_a_fully_configured_complete_example_has_no_false_findings(tmp_path):
    module_tree(tmp_path)
    result = scan([tmp_path / "examples" / "complete"], use_cache=False)
    bucket_rules = {"OPS-TF-S3-001", "OPS-TF-S3-002", "OPS-TF-S3-003", "OPS-TF-S3-004", "OPS-TF-S3-005"}
    assert not [f for f in result.findings if f.rule_id in bucket_rules], \
        [(f.rule_id, f.message) for f in result.findings if f.rule_id in bucket_rules]


def test_a_module_used_by_several_examples_is_reported_once_per_location_with_its_instances(tmp_path):
    module_tree(tmp_path)
    result = scan([tmp_path / "examples"], use_cache=False)
    flags = ids(result, "OPS-TF-S3-003")  # only the simple example leaves the public access flags off
    assert flags and all(f.resource == "module.s3_bucket.aws_s3_bucket_public_access_block.this" for f in flags)
    versioning = ids(result, "OPS-TF-S3-004")
    assert len(versioning) == 1  # the simple example has no versioning: one finding at the bucket's line
    instances = dict(versioning[0].extra)["instances"]
    assert "module.s3_bucket.aws_s3_bucket.this[0]" in instances


def test_count_zero_by_conditional_is_not_created(tmp_path):
    write(tmp_path, {"main.tf": 'variable "create" {\n  default = false\n}\n'
                                'resource "aws_ebs_volume" "v" {\n  count = var.create ? 1 : 0\n  availability_zone = "a"\n}\n'})
    assert not ids(scan([tmp_path], use_cache=False), "OPS-TF-EBS-001")


def test_for_each_instances_and_key_references(tmp_path):
    write(tmp_path, {"main.tf": '''
locals {
  buckets = { logs = "acme-logs", data = "acme-data" }
}
resource "aws_s3_bucket" "b" {
  for_each = local.buckets
  bucket   = each.value
}
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b["logs"].id
  versioning_configuration {
    status = "Enabled"
  }
}
'''})
    found = ids(scan([tmp_path], use_cache=False), "OPS-TF-S3-004")
    assert len(found) == 1
    assert dict(found[0].extra)["instances"] == 'aws_s3_bucket.b["data"]'


def test_dynamic_blocks_conditionals_and_functions(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "rules" {
  default = [{ port = 22, cidrs = ["0.0.0.0/0"] }, { port = 443, cidrs = ["10.0.0.0/8"] }]
}
variable "env" {
  default = "prod"
}
locals {
  extra = var.env == "prod" ? [] : ["0.0.0.0/0"]
  tags  = merge({ team = "a" }, { env = var.env })
}
resource "aws_security_group" "sg" {
  description = "sg"
  tags        = local.tags
  dynamic "ingress" {
    for_each = var.rules
    content {
      description = "rule ${ingress.key}"
      from_port   = ingress.value.port
      to_port     = ingress.value["port"]
      protocol    = "tcp"
      cidr_blocks = concat(ingress.value.cidrs, local.extra)
    }
  }
}
'''})
    result = scan([tmp_path], use_cache=False)
    assert [f.resource for f in ids(result, "OPS-TF-NET-001")] == ["aws_security_group.sg"]


def test_tfvars_give_root_variables_their_values(tmp_path):
    write(tmp_path, {"main.tf": 'variable "encrypted" {}\n'
                                'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  encrypted = var.encrypted\n}\n',
                     "terraform.tfvars": "encrypted = false\n"})
    assert ids(scan([tmp_path], use_cache=False), "OPS-TF-EBS-001")
    (tmp_path / "terraform.tfvars").write_text("encrypted = true\n")
    assert not ids(scan([tmp_path], use_cache=False), "OPS-TF-EBS-001")


def test_heredoc_and_jsonencode_policies_are_read(tmp_path):
    write(tmp_path, {"main.tf": '''
locals {
  actions = ["*"]
}
resource "aws_iam_policy" "heredoc" {
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EOF
}
resource "aws_iam_policy" "encoded" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = local.actions, Resource = "*" }] })
}
'''})
    assert sorted(f.resource for f in ids(scan([tmp_path], use_cache=False), "OPS-TF-IAM-001")) == \
        ["aws_iam_policy.encoded", "aws_iam_policy.heredoc"]


def test_unknown_values_are_could_not_evaluate_and_counted(tmp_path, capsys):
    write(tmp_path, {"main.tf": 'variable "encrypted" {}\n'
                                'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  encrypted = var.encrypted\n}\n'})
    result = scan([tmp_path], use_cache=False)
    assert not ids(result, "OPS-TF-EBS-001")
    notes = ids(result, "OPS-TF-EVAL-001")
    assert notes and "OPS-TF-EBS-001" in notes[0].message and "var.encrypted" in notes[0].message
    assert "${" not in notes[0].message
    assert result.not_evaluated() == 1
    assert "1 checks could not evaluate" in FORMATS["text"](result)
    main([str(tmp_path), "--no-cache"])
    assert "could not evaluate" in capsys.readouterr().out
    main([str(tmp_path), "--no-cache", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["summary"]["could_not_evaluate"] == 1


def test_module_outputs_feed_the_caller(tmp_path):
    write(tmp_path, {"modules/flags/main.tf": 'output "on" {\n  value = true\n}\n',
                     "root/main.tf": 'module "flags" {\n  source = "../modules/flags"\n}\n'
                                     'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n'
                                     '  encrypted = module.flags.on\n}\n'})
    result = scan([tmp_path / "root"], use_cache=False)
    assert not ids(result, "OPS-TF-EBS-001") and not ids(result, "OPS-TF-EVAL-001")


def test_messages_never_show_raw_interpolations(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_iam_user" "user" {\n  name = "bob"\n}\n'
                                'resource "aws_iam_user_policy" "p" {\n  user = "${aws_iam_user.user.name}"\n'
                                '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n'})
    result = scan([tmp_path], use_cache=False)
    assert result.findings and all("${" not in f.message for f in result.findings)


SG_MODULE = '''
variable "create" {
  default = true
}
variable "ingress_with_cidr_blocks" {
  type = list(map(string))
}
variable "ingress_cidr_blocks" {
  default = []
}
resource "aws_security_group" "this" {
  count       = var.create ? 1 : 0
  description = "managed"
}
resource "aws_security_group_rule" "ingress_with_cidr_blocks" {
  count             = var.create ? length(var.ingress_with_cidr_blocks) : 0
  security_group_id = aws_security_group.this[0].id
  type              = "ingress"
  description       = lookup(var.ingress_with_cidr_blocks[count.index], "description", "Ingress Rule")
  cidr_blocks       = split(",", lookup(var.ingress_with_cidr_blocks[count.index], "cidr_blocks", join(",", var.ingress_cidr_blocks)))
  from_port         = lookup(var.ingress_with_cidr_blocks[count.index], "from_port", 0)
  to_port           = lookup(var.ingress_with_cidr_blocks[count.index], "to_port", 0)
  protocol          = lookup(var.ingress_with_cidr_blocks[count.index], "protocol", "tcp")
}
'''


def test_security_group_module_alone_says_it_could_not_evaluate(tmp_path):
    write(tmp_path, {"main.tf": SG_MODULE})
    result = scan([tmp_path], use_cache=False)
    assert result.not_evaluated() >= 1  # never "0 findings" with no word
    assert any("OPS-TF-NET-001" in f.message for f in ids(result, "OPS-TF-EVAL-001"))


def test_security_group_module_with_inputs_reports_each_open_rule(tmp_path):
    write(tmp_path, {"modules/sg/main.tf": SG_MODULE, "root/main.tf": '''
module "ssh" {
  source = "../modules/sg"
  ingress_with_cidr_blocks = [
    { from_port = 22, to_port = 22, protocol = "tcp", cidr_blocks = "0.0.0.0/0" },
    { from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = "10.0.0.0/8,192.168.0.0/16" },
  ]
}
'''})
    result = scan([tmp_path / "root"], use_cache=False)
    ssh = ids(result, "OPS-TF-NET-001")
    assert len(ssh) == 1 and ssh[0].resource == "module.ssh.aws_security_group_rule.ingress_with_cidr_blocks"
    assert dict(ssh[0].extra)["instances"] == "module.ssh.aws_security_group_rule.ingress_with_cidr_blocks[0]"
