"""Read the AWS estate through AwsBackend.call/pages into the dicts the aws pack checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.errors import NotFound, OpsError

Objects = list[tuple[str, str, dict[str, Any]]]
PUBLIC_GRANTEES = {"http://acs.amazonaws.com/groups/global/AllUsers": "everyone",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "any AWS user"}


def _tags(items: Any) -> dict[str, str]:
    return {str(t.get("Key")): str(t.get("Value", "")) for t in items or [] if isinstance(t, dict)}


def _missing_ok(call: Callable[[], dict]) -> dict | None:
    """None when the configuration does not exist (NoSuchX answers are NotFound)."""
    try:
        return call()
    except NotFound:
        return None
    except OpsError as exc:
        if "NoSuch" in type(exc).__name__ or exc.title == "Not found":
            return None
        raise


def buckets(adapter: Any, account: str, region: str) -> Objects:
    out = []
    for bucket in adapter.call("s3", "list_buckets").get("Buckets", []):
        name = bucket["Name"]
        pab = _missing_ok(lambda n=name: adapter.call("s3", "get_public_access_block", Bucket=n))
        conf = (pab or {}).get("PublicAccessBlockConfiguration") or {}
        enc = _missing_ok(lambda n=name: adapter.call("s3", "get_bucket_encryption", Bucket=n))
        ver = adapter.call("s3", "get_bucket_versioning", Bucket=name)
        acl = _missing_ok(lambda n=name: adapter.call("s3", "get_bucket_acl", Bucket=n)) or {}
        public = [PUBLIC_GRANTEES[g["Grantee"]["URI"]] for g in acl.get("Grants", [])
                  if g.get("Grantee", {}).get("URI") in PUBLIC_GRANTEES]
        tagging = _missing_ok(lambda n=name: adapter.call("s3", "get_bucket_tagging", Bucket=n)) or {}
        out.append((f"aws://{account}/s3/{name}", name, {
            "name": name,
            "public_access_block": bool(conf) and all(conf.get(k) for k in
                                                      ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")),
            "public_acl": ", ".join(sorted(set(public))),
            "encrypted": bool(enc and enc.get("ServerSideEncryptionConfiguration")),
            "versioning": ver.get("Status", ""),
            "tags": _tags(tagging.get("TagSet")),
        }))
    return out


def security_groups(adapter: Any, account: str, region: str) -> Objects:
    out = []
    for sg in adapter.pages("ec2", "describe_security_groups", "SecurityGroups"):
        ingress = [{"protocol": p.get("IpProtocol"), "from": p.get("FromPort"), "to": p.get("ToPort"),
                    "cidrs": [r.get("CidrIp") for r in p.get("IpRanges", [])] + [r.get("CidrIpv6") for r in p.get("Ipv6Ranges", [])]}
                   for p in sg.get("IpPermissions", [])]
        name = f"{sg['GroupId']} ({sg.get('GroupName', '')})"
        out.append((f"aws://{account}/{region}/ec2/security-group/{sg['GroupId']}", name,
                    {"id": sg["GroupId"], "ingress": ingress, "tags": _tags(sg.get("Tags"))}))
    return out


def access_keys(adapter: Any, account: str, region: str) -> Objects:
    out = []
    for user in adapter.pages("iam", "list_users", "Users"):
        for key in adapter.pages("iam", "list_access_keys", "AccessKeyMetadata", UserName=user["UserName"]):
            used = adapter.call("iam", "get_access_key_last_used", AccessKeyId=key["AccessKeyId"]).get("AccessKeyLastUsed", {})
            out.append((f"aws://{account}/iam/user/{user['UserName']}/key/{key['AccessKeyId']}", user["UserName"], {
                "user": user["UserName"], "key_id": key["AccessKeyId"], "status": key.get("Status", "Active"),
                "created": key.get("CreateDate"), "last_used": used.get("LastUsedDate"),
            }))
    return out


def volumes(adapter: Any, account: str, region: str) -> Objects:
    return [(f"aws://{account}/{region}/ec2/volume/{v['VolumeId']}", v["VolumeId"],
             {"id": v["VolumeId"], "encrypted": bool(v.get("Encrypted")), "tags": _tags(v.get("Tags"))})
            for v in adapter.pages("ec2", "describe_volumes", "Volumes")]


def instances(adapter: Any, account: str, region: str) -> Objects:
    out = []
    for reservation in adapter.pages("ec2", "describe_instances", "Reservations"):
        for inst in reservation.get("Instances", []):
            if inst.get("State", {}).get("Name") == "terminated":
                continue
            out.append((f"aws://{account}/{region}/ec2/instance/{inst['InstanceId']}", inst["InstanceId"],
                        {"id": inst["InstanceId"], "tags": _tags(inst.get("Tags"))}))
    return out


def account_trails(adapter: Any, account: str, region: str) -> Objects:
    trails = []
    for trail in adapter.call("cloudtrail", "describe_trails").get("trailList", []):
        status = adapter.call("cloudtrail", "get_trail_status", Name=trail.get("TrailARN") or trail["Name"])
        trails.append({"name": trail["Name"], "multi_region": trail.get("IsMultiRegionTrail", False),
                       "logging": bool(status.get("IsLogging"))})
    return [(f"aws://{account}/{region}/cloudtrail", f"account {account}", {"region": region, "trails": trails})]


READERS: dict[str, Callable[[Any, str, str], Objects]] = {
    "aws:s3_bucket": buckets,
    "aws:security_group": security_groups,
    "aws:access_key": access_keys,
    "aws:ebs_volume": volumes,
    "aws:account": account_trails,
    "aws:instance": instances,
}
