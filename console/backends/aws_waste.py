"""Waste finder on live EC2 data, and its three clean-up mutations."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from console.backends.aws_prices import (
    PRICE_DATE,
    PRICE_SOURCE,
    address_monthly,
    prices_for,
    snapshot_monthly,
    volume_monthly,
)
from console.errors import TimedOut
from console.models.aws import WasteItem, WasteReport


def _name(tags: list[dict] | None, default: str) -> str:
    for tag in tags or []:
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return default


class WasteMixin:
    """Needs ``call``, ``pages``, ``region``, ``account`` and ``clock`` from AwsBackend."""

    @property
    def snapshot_age_days(self) -> int:
        """Snapshots older than this are waste (``config.costs.snapshot_age_days``)."""
        return int(self.config.costs.snapshot_age_days)

    def waste_report(self) -> WasteReport:
        region = self.region
        items: list[WasteItem] = []
        volumes = list(self.pages("ec2", "describe_volumes", "Volumes"))
        by_id = {v["VolumeId"]: v for v in volumes}
        for v in volumes:
            if v.get("State") == "available":
                items.append(WasteItem(
                    "volume", v["VolumeId"], _name(v.get("Tags"), v["VolumeId"]), region,
                    f"unattached {v.get('VolumeType', '?')} {v.get('Size', 0)} GiB",
                    volume_monthly(region, v.get("VolumeType", "gp2"), int(v.get("Size", 0)), int(v.get("Iops") or 0)),
                    self._age(v.get("CreateTime")), {"size": str(v.get("Size", 0))},
                ))
        for a in self.call("ec2", "describe_addresses").get("Addresses", []):
            if not a.get("AssociationId") and not a.get("InstanceId") and not a.get("NetworkInterfaceId"):
                items.append(WasteItem(
                    "address", a.get("AllocationId", a.get("PublicIp", "")), _name(a.get("Tags"), a.get("PublicIp", "")),
                    region, f"unassociated Elastic IP {a.get('PublicIp', '')}", address_monthly(region),
                ))
        stopped = self.pages("ec2", "describe_instances", "Reservations",
                             Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])
        for reservation in stopped:
            for inst in reservation.get("Instances", []):
                vol_ids = [m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if "Ebs" in m]
                cost = sum(volume_monthly(region, by_id[i].get("VolumeType", "gp2"), int(by_id[i].get("Size", 0)))
                           for i in vol_ids if i in by_id)
                items.append(WasteItem(
                    "stopped-instance", inst["InstanceId"], _name(inst.get("Tags"), inst["InstanceId"]), region,
                    f"stopped {inst.get('InstanceType', '')}, still paying for {len(vol_ids)} volume(s)",
                    round(cost, 2), self._age(inst.get("LaunchTime")),
                ))
        cutoff = self.clock() - timedelta(days=self.snapshot_age_days)
        # owner-id filter = OwnerIds=["self"] on AWS; moto answers it ~100x faster
        mine = {"Filters": [{"Name": "owner-id", "Values": [self.account]}]} if self.account else {"OwnerIds": ["self"]}
        for s in self.pages("ec2", "describe_snapshots", "Snapshots", **mine):
            started = s.get("StartTime")
            if isinstance(started, datetime) and started < cutoff:
                items.append(WasteItem(
                    "snapshot", s["SnapshotId"], _name(s.get("Tags"), s["SnapshotId"]), region,
                    f"snapshot of {s.get('VolumeId') or '?'} ({s.get('VolumeSize', 0)} GiB), "
                    f"older than {self.snapshot_age_days} days",
                    snapshot_monthly(region, int(s.get("VolumeSize", 0))), self._age(started),
                ))
        _, note = prices_for(region)
        source = PRICE_SOURCE + (f"; {note}" if note else "")
        items.sort(key=lambda i: i.monthly_cost, reverse=True)
        return WasteReport(tuple(items), source, PRICE_DATE, region)

    def _age(self, when: object) -> int | None:
        if not isinstance(when, datetime):
            return None
        return max(0, (self.clock() - when).days)

    # -- mutations -----------------------------------------------------------------------
    def snapshot_and_delete_volume(self, volume_id: str, *, timeout: float) -> str:
        """Snapshot the volume, wait until the snapshot completes, then delete the volume."""
        deadline = time.monotonic() + timeout
        snap = self.call("ec2", "create_snapshot", timeout=timeout, VolumeId=volume_id,
                         Description=f"opsconsole: before deleting {volume_id}",
                         TagSpecifications=[{"ResourceType": "snapshot",
                                             "Tags": [{"Key": "opsconsole:deleted-volume", "Value": volume_id}]}])
        snap_id = snap["SnapshotId"]
        while True:
            state = self.call("ec2", "describe_snapshots", SnapshotIds=[snap_id])["Snapshots"][0].get("State")
            if state == "completed":
                break
            if state == "error":
                raise TimedOut(f"snapshot {snap_id} failed; volume {volume_id} kept", source="ec2.create_snapshot")
            if time.monotonic() > deadline:
                raise TimedOut(f"snapshot {snap_id} not completed in {timeout:.0f}s; volume {volume_id} kept",
                               source="ec2.create_snapshot")
            time.sleep(2.0)
        self.call("ec2", "delete_volume", timeout=max(1.0, deadline - time.monotonic()), VolumeId=volume_id)
        return snap_id

    def release_address(self, allocation_id: str, *, timeout: float) -> None:
        self.call("ec2", "release_address", timeout=timeout, AllocationId=allocation_id)

    def delete_snapshot(self, snapshot_id: str, *, timeout: float) -> None:
        self.call("ec2", "delete_snapshot", timeout=timeout, SnapshotId=snapshot_id)

    def volume_exists(self, volume_id: str) -> bool:
        vols = self.call("ec2", "describe_volumes", Filters=[{"Name": "volume-id", "Values": [volume_id]}])
        return bool(vols.get("Volumes"))
