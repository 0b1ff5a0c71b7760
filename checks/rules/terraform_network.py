"""Terraform AWS: security groups, NACLs, VPCs and subnets."""

from __future__ import annotations

from checks.rules.terraform_common import (
    AWS_DOCS,
    Hit,
    Severity,
    as_list,
    is_set_true,
    ports_overlap,
    tf_rule,
    world_open,
)

VPC_DOCS = f"{AWS_DOCS}/vpc/latest/userguide"
SG_TYPES = ("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule")
DB_PORTS = {3306: "MySQL", 5432: "PostgreSQL", 1433: "SQL Server", 1521: "Oracle", 6379: "Redis",
            27017: "MongoDB", 9200: "Elasticsearch", 11211: "Memcached", 5601: "Kibana"}


def _ingress_rules(res):
    """(from, to, protocol, world_open) for each ingress rule a resource declares."""
    if res.type == "aws_security_group":
        for block in res.blocks("ingress"):
            cidrs = as_list(block.get("cidr_blocks")) + as_list(block.get("ipv6_cidr_blocks"))
            yield block.get("from_port"), block.get("to_port"), str(block.get("protocol", "")), world_open(cidrs)
    elif res.type == "aws_security_group_rule":
        if res.attrs.get("type") == "ingress":
            cidrs = as_list(res.attrs.get("cidr_blocks")) + as_list(res.attrs.get("ipv6_cidr_blocks"))
            yield res.attrs.get("from_port"), res.attrs.get("to_port"), str(res.attrs.get("protocol", "")), world_open(cidrs)
    elif res.type == "aws_vpc_security_group_ingress_rule":
        cidrs = [res.attrs.get("cidr_ipv4"), res.attrs.get("cidr_ipv6")]
        proto = str(res.attrs.get("ip_protocol", ""))
        lo, hi = (0, 0) if proto == "-1" else (res.attrs.get("from_port"), res.attrs.get("to_port"))
        yield lo, hi, proto, world_open(cidrs)


def _open_on(res, port):
    for lo, hi, proto, world in _ingress_rules(res):
        if world and (proto in ("-1", "all") or ports_overlap(lo, hi, port)):
            return True
    return False


def _sg_rule(id, title, port, service):
    @tf_rule(id, title, Severity.HIGH if port != 22 else Severity.CRITICAL, "network", SG_TYPES,
             f"Restrict {service} (port {port}) to known CIDRs or use SSM Session Manager / a bastion.",
             f"{VPC_DOCS}/vpc-security-groups.html")
    def check(res, mod):
        if _open_on(res, port):
            yield Hit(f"ingress from 0.0.0.0/0 or ::/0 includes port {port} ({service})", "ingress" if res.type == "aws_security_group" else "")

    return check


sg_ssh = _sg_rule("OPS-TF-NET-001", "Security group allows SSH from the internet", 22, "SSH")
sg_rdp = _sg_rule("OPS-TF-NET-002", "Security group allows RDP from the internet", 3389, "RDP")


@tf_rule("OPS-TF-NET-003", "Security group allows all ports from the internet", Severity.CRITICAL, "network", SG_TYPES,
         "Open only the ports the service needs, to the CIDRs that need them.", f"{VPC_DOCS}/vpc-security-groups.html")
def sg_all_ports(res, mod):
    for lo, hi, proto, world in _ingress_rules(res):
        if not world:
            continue
        try:
            span_all = proto in ("-1", "all") or (int(lo) <= 0 and int(hi) >= 65535)
        except (TypeError, ValueError):
            span_all = False
        if span_all:
            yield Hit(f"ingress from the internet on all ports (protocol {proto or '?'}, {lo}-{hi})",
                      "ingress" if res.type == "aws_security_group" else "")
            return


@tf_rule("OPS-TF-NET-004", "Security group exposes a database port to the internet", Severity.HIGH, "network", SG_TYPES,
         "Keep database ports private: allow only the application's security group.", f"{VPC_DOCS}/vpc-security-groups.html")
def sg_db_ports(res, mod):
    for lo, hi, proto, world in _ingress_rules(res):
        if world and proto not in ("-1", "all"):
            for port, service in DB_PORTS.items():
                if ports_overlap(lo, hi, port) and not (str(lo) == "0" and str(hi) == "0"):
                    yield Hit(f"port {port} ({service}) open to the internet", "ingress" if res.type == "aws_security_group" else "")
                    return


@tf_rule("OPS-TF-NET-005", "Default security group allows traffic", Severity.MEDIUM, "network", "aws_default_security_group",
         "Declare aws_default_security_group with no ingress or egress blocks so it denies everything.",
         f"{VPC_DOCS}/default-security-group.html")
def default_sg(res, mod):
    if res.blocks("ingress") or res.blocks("egress"):
        yield Hit("the default security group has ingress/egress rules", "ingress" if res.blocks("ingress") else "egress")


@tf_rule("OPS-TF-NET-006", "VPC without flow logs", Severity.MEDIUM, "logging", "aws_vpc",
         "Add an aws_flow_log with vpc_id pointing at this VPC.", f"{VPC_DOCS}/flow-logs.html")
def vpc_flow_logs(res, mod):
    if not mod.related("aws_flow_log", res):
        yield Hit("no aws_flow_log references this VPC")


@tf_rule("OPS-TF-NET-007", "Default VPC managed or used", Severity.LOW, "network", "aws_default_vpc",
         "Create dedicated VPCs; leave the default VPC unused (or delete it).", f"{VPC_DOCS}/default-vpc.html")
def default_vpc(res, mod):
    yield Hit("aws_default_vpc brings the account's default VPC under management, usually to put workloads in it")


@tf_rule("OPS-TF-NET-008", "Subnet assigns public IPs on launch", Severity.MEDIUM, "network", "aws_subnet",
         "Set map_public_ip_on_launch = false; give public IPs only to load balancers or NAT.",
         f"{VPC_DOCS}/vpc-ip-addressing.html")
def subnet_public_ip(res, mod):
    if is_set_true(res.attrs.get("map_public_ip_on_launch")):
        yield Hit("map_public_ip_on_launch = true", "map_public_ip_on_launch")


@tf_rule("OPS-TF-NET-009", "Security group or rule without a description", Severity.LOW, "hygiene",
         ("aws_security_group", "aws_security_group_rule"), "Describe why the group or rule exists.",
         f"{VPC_DOCS}/security-group-rules.html")
def sg_description(res, mod):
    if not res.attrs.get("description"):
        yield Hit("description is not set")
        return
    for block in res.blocks("ingress") + res.blocks("egress"):
        if not block.get("description"):
            yield Hit("a rule block has no description", "ingress", int(block.get("__start_line__", 0)) or None)
            return


@tf_rule("OPS-TF-NET-010", "Network ACL allows admin ports from the internet", Severity.HIGH, "network",
         "aws_network_acl_rule", "Deny ports 22 and 3389 from 0.0.0.0/0 in the network ACL.", f"{VPC_DOCS}/vpc-network-acls.html")
def nacl_admin(res, mod):
    a = res.attrs
    if is_set_true(a.get("egress")) or a.get("rule_action") != "allow" or not world_open([a.get("cidr_block"), a.get("ipv6_cidr_block")]):
        return
    proto = str(a.get("protocol", ""))
    for port in (22, 3389):
        if proto in ("-1", "all") or ports_overlap(a.get("from_port"), a.get("to_port"), port):
            yield Hit(f"allows port {port} from the internet", "rule_action")
            return


@tf_rule("OPS-TF-NET-011", "Security group allows all egress to the internet", Severity.LOW, "network",
         ("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_egress_rule"),
         "Limit egress to the destinations and ports the workload needs (or a proxy).",
         f"{VPC_DOCS}/security-group-rules.html")
def sg_open_egress(res, mod):
    if res.type == "aws_security_group":
        blocks = [(b.get("protocol"), as_list(b.get("cidr_blocks")) + as_list(b.get("ipv6_cidr_blocks")))
                  for b in res.blocks("egress")]
    elif res.type == "aws_security_group_rule":
        if res.attrs.get("type") != "egress":
            return
        a = res.attrs
        blocks = [(a.get("protocol"), as_list(a.get("cidr_blocks")))]
    else:
        a = res.attrs
        blocks = [(a.get("ip_protocol"), [a.get("cidr_ipv4"), a.get("cidr_ipv6")])]
    for proto, cidrs in blocks:
        if world_open(cidrs) and str(proto) in ("-1", "all"):
            yield Hit("egress to 0.0.0.0/0 on all protocols and ports", "egress" if res.type == "aws_security_group" else "")
            return


@tf_rule("OPS-TF-NET-012", "VPC's default security group not restricted", Severity.MEDIUM, "network", "aws_vpc",
         "Manage aws_default_security_group for the VPC with no ingress/egress rules.",
         f"{VPC_DOCS}/default-security-group.html")
def vpc_default_sg(res, mod):
    if not mod.related("aws_default_security_group", res, "vpc_id"):
        yield Hit("the VPC's default security group keeps AWS's allow-within-group rules")
