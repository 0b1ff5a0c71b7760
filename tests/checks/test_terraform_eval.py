"""Variables, locals, interpolations and local child modules are evaluated before the rules run."""

from __future__ import annotations

from pathlib import Path

from checks.engine import scan
from console.config import Config


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def findings(root: Path, rule_id: str) -> list:
    return [f for f in scan([root], config=Config(), use_cache=False).findings if f.rule_id == rule_id]


def test_variable_default_and_local_across_files(tmp_path):
    write(tmp_path, {
        "variables.tf": 'variable "open_cidr" {\n  default = "0.0.0.0/0"\n}\nvariable "encrypt" {\n  default = false\n}\n',
        "locals.tf": 'locals {\n  admin_port = 22\n  cidrs = [var.open_cidr]\n}\n',
        "main.tf": 'resource "aws_security_group" "admin" {\n  description = "admin"\n  ingress {\n    description = "ssh"\n'
                   '    from_port = local.admin_port\n    to_port = local.admin_port\n    protocol = "tcp"\n'
                   '    cidr_blocks = local.cidrs\n  }\n}\n'
                   'resource "aws_ebs_volume" "data" {\n  availability_zone = "eu-west-1a"\n  encrypted = var.encrypt\n}\n',
    })
    ssh = findings(tmp_path, "OPS-TF-NET-001")
    assert [f.resource for f in ssh] == ["aws_security_group.admin"]
    assert ssh[0].location.path.endswith("main.tf") and ssh[0].location.line == 3
    assert [f.location.line for f in findings(tmp_path, "OPS-TF-EBS-001")] == [13]


def test_interpolation_in_strings(tmp_path):
    write(tmp_path, {"main.tf": 'variable "env" {\n  default = "prod"\n}\nlocals {\n  acl = "public-${"read"}"\n  name = "logs-${var.env}"\n}\n'
                                'resource "aws_s3_bucket_acl" "a" {\n  bucket = local.name\n  acl = "${local.acl}"\n}\n'})
    # "public-${"read"}" is a template of a literal: evaluated, as Terraform does
    assert len(findings(tmp_path, "OPS-TF-S3-007")) == 1
    write(tmp_path, {"main.tf": 'variable "acl" {\n  default = "public-read"\n}\n'
                                'resource "aws_s3_bucket_acl" "a" {\n  bucket = "b"\n  acl = "${var.acl}"\n}\n'})
    assert len(findings(tmp_path, "OPS-TF-S3-007")) == 1


def test_unresolved_values_are_unknown_not_failures(tmp_path):
    write(tmp_path, {"main.tf": 'variable "encrypted" {}\nresource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n'
                                '  encrypted = var.encrypted\n}\n'})
    assert findings(tmp_path, "OPS-TF-EBS-001") == []


def test_local_child_module_gets_its_inputs(tmp_path):
    write(tmp_path, {
        "main.tf": 'module "db" {\n  source = "./modules/db"\n  public = true\n}\nmodule "safe" {\n  source = "./modules/db"\n  public = false\n}\n'
                   'module "remote" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
        "modules/db/main.tf": 'variable "public" {\n  default = false\n}\nresource "aws_db_instance" "this" {\n  engine = "postgres"\n'
                              '  storage_encrypted = true\n  publicly_accessible = var.public\n}\n',
    })
    public = findings(tmp_path, "OPS-TF-RDS-002")
    assert [f.resource for f in public] == ["module.db.aws_db_instance.this"]
    assert public[0].location.path.endswith("modules/db/main.tf") and public[0].location.line == 7


def test_child_module_outside_the_scanned_path_is_read(tmp_path):
    write(tmp_path, {
        "live/main.tf": 'module "q" {\n  source = "../shared/queue"\n}\n',
        "shared/queue/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "jobs"\n}\n',
    })
    result = [f for f in scan([tmp_path / "live"], use_cache=False).findings if f.rule_id == "OPS-TF-SQS-001"]
    assert [f.resource for f in result] == ["module.q.aws_sqs_queue.q"]


def test_module_cycle_terminates(tmp_path):
    write(tmp_path, {
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "aws_sns_topic" "a" {\n  name = "a"\n}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\n',
    })
    assert findings(tmp_path, "OPS-TF-SNS-001")


def test_related_resource_by_reference(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n}\nresource "aws_vpc" "b" {\n'
                                '  cidr_block = "10.1.0.0/16"\n}\nresource "aws_flow_log" "a" {\n  vpc_id = aws_vpc.a.id\n}\n'})
    assert [f.resource for f in findings(tmp_path, "OPS-TF-NET-006")] == ["aws_vpc.b"]


def test_resources_with_count_zero_are_not_checked(tmp_path):
    write(tmp_path, {"main.tf": 'variable "enabled" {\n  default = 0\n}\n'
                                'resource "aws_sqs_queue" "off" {\n  count = var.enabled\n  name = "off"\n}\n'
                                'resource "aws_sqs_queue" "on" {\n  count = 1\n  name = "on"\n}\n'})
    assert [f.resource for f in findings(tmp_path, "OPS-TF-SQS-001")] == ["aws_sqs_queue.on"]
