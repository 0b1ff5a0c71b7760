"""Waste finder and its clean-up mutations on moto's EC2."""

from __future__ import annotations

import pytest

from console.backends.aws import AwsBackend
from console.backends.aws_prices import PRICE_DATE, address_monthly, prices_for, volume_monthly
from console.config import AwsConfig, Config, CostsConfig
from console.sandbox.aws import seed_ec2

pytestmark = pytest.mark.aws


@pytest.fixture
def backend(aws):
    seed_ec2(aws.url)
    b = AwsBackend(Config(aws=AwsConfig(region=aws.region, endpoint_url=aws.url)))
    b.connect()
    yield b
    b.close()


def test_waste_report_finds_each_kind_with_a_price(backend):
    report = backend.waste_report()
    by_name = {i.name: i for i in report.items}
    assert {"old-data", "logs-archive", "tmp-build"} <= set(by_name)
    assert by_name["old-data"].kind == "volume"
    assert by_name["old-data"].monthly_cost == volume_monthly("us-east-1", "gp2", 100) == 10.0
    assert by_name["legacy-nat"].kind == "address"
    assert by_name["legacy-nat"].monthly_cost == address_monthly("us-east-1") == 3.65
    assert by_name["batch-worker"].kind == "stopped-instance"
    assert by_name["batch-worker"].monthly_cost > 0
    old = [i for i in report.items if i.kind == "snapshot"]
    assert sorted(i.name for i in old) == ["db-2023-backup", "db-weekly"]  # not the 1-day-old one
    assert all(i.age_days >= 90 for i in old)
    assert report.price_date == PRICE_DATE
    assert "AWS list prices" in report.price_source
    # the attached and associated resources are not waste
    assert "db-backup-source" not in by_name and "web-1" not in by_name
    assert report.monthly_total == pytest.approx(sum(i.monthly_cost for i in report.items))


def test_unknown_region_prices_fall_back_and_say_so():
    prices, note = prices_for("xx-nowhere-1")
    assert prices is prices_for("us-east-1")[0]
    assert "xx-nowhere-1" in note


def test_snapshot_then_delete_volume(backend):
    volume = next(i for i in backend.waste_report().items if i.name == "old-data")
    snap_id = backend.snapshot_and_delete_volume(volume.id, timeout=20)
    assert not backend.volume_exists(volume.id)
    snaps = backend.call("ec2", "describe_snapshots", SnapshotIds=[snap_id])["Snapshots"]
    assert snaps[0]["VolumeId"] == volume.id


def test_release_address_and_delete_snapshot(backend):
    items = backend.waste_report().items
    address = next(i for i in items if i.kind == "address")
    snapshot = next(i for i in items if i.kind == "snapshot")
    backend.release_address(address.id, timeout=10)
    backend.delete_snapshot(snapshot.id, timeout=10)
    ids = {i.id for i in backend.waste_report().items}
    assert address.id not in ids and snapshot.id not in ids


def test_snapshot_age_comes_from_the_config(aws):
    seed_ec2(aws.url)
    cfg = Config(aws=AwsConfig(region=aws.region, endpoint_url=aws.url), costs=CostsConfig(snapshot_age_days=0))
    b = AwsBackend(cfg)
    b.connect()
    try:
        assert b.snapshot_age_days == 0
        old = [i for i in b.waste_report().items if i.kind == "snapshot"]
        assert len(old) >= 3  # the 1-day-old one is waste too with a 0-day limit
        assert all("older than 0 days" in i.detail for i in old)
    finally:
        b.close()
