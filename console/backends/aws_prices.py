"""A bundled, dated price table for the waste finder's monthly estimates.

These are on-demand list prices (USD) transcribed from the public AWS pricing pages
(Amazon EBS pricing, Amazon VPC pricing: public IPv4 addresses). They are estimates for
spotting waste, not a bill: the UI always says where they come from and how old they are.
A region missing here falls back to us-east-1 prices, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICE_SOURCE = "AWS list prices"  # aws.amazon.com/ebs/pricing and /vpc/pricing (public IPv4)
PRICE_DATE = "2024-06-01"
HOURS_PER_MONTH = 730
FALLBACK_REGION = "us-east-1"


@dataclass(frozen=True)
class RegionPrices:
    volume_gb_month: dict[str, float]  # per volume type, USD per GB-month
    snapshot_gb_month: float  # standard tier
    public_ipv4_hour: float  # idle Elastic IP / any public IPv4 address


_COMMON_IPV4 = 0.005  # since 2024-02-01, every public IPv4 address, attached or not

PRICES: dict[str, RegionPrices] = {
    "us-east-1": RegionPrices({"gp3": 0.08, "gp2": 0.10, "io1": 0.125, "io2": 0.125, "st1": 0.045,
                               "sc1": 0.015, "standard": 0.05}, 0.05, _COMMON_IPV4),
    "us-east-2": RegionPrices({"gp3": 0.08, "gp2": 0.10, "io1": 0.125, "io2": 0.125, "st1": 0.045,
                               "sc1": 0.015, "standard": 0.05}, 0.05, _COMMON_IPV4),
    "us-west-2": RegionPrices({"gp3": 0.08, "gp2": 0.10, "io1": 0.125, "io2": 0.125, "st1": 0.045,
                               "sc1": 0.015, "standard": 0.05}, 0.05, _COMMON_IPV4),
    "eu-west-1": RegionPrices({"gp3": 0.088, "gp2": 0.11, "io1": 0.138, "io2": 0.138, "st1": 0.05,
                               "sc1": 0.0168, "standard": 0.055}, 0.05, _COMMON_IPV4),
    "eu-central-1": RegionPrices({"gp3": 0.0952, "gp2": 0.119, "io1": 0.149, "io2": 0.149, "st1": 0.054,
                                  "sc1": 0.018, "standard": 0.059}, 0.054, _COMMON_IPV4),
    "ap-southeast-2": RegionPrices({"gp3": 0.096, "gp2": 0.12, "io1": 0.138, "io2": 0.138, "st1": 0.054,
                                    "sc1": 0.018, "standard": 0.05}, 0.055, _COMMON_IPV4),
}


def prices_for(region: str) -> tuple[RegionPrices, str]:
    """The region's prices and a note when they are a fallback."""
    if region in PRICES:
        return PRICES[region], ""
    return PRICES[FALLBACK_REGION], f"no bundled prices for {region}: using {FALLBACK_REGION}"


def volume_monthly(region: str, volume_type: str, size_gb: int, iops: int = 0) -> float:
    prices, _ = prices_for(region)
    per_gb = prices.volume_gb_month.get(volume_type, prices.volume_gb_month["gp2"])
    cost = per_gb * size_gb
    if volume_type in ("io1", "io2"):
        cost += 0.065 * iops  # provisioned IOPS, USD per IOPS-month (us-east-1 list price)
    elif volume_type == "gp3" and iops > 3000:
        cost += 0.005 * (iops - 3000)
    return round(cost, 2)


def snapshot_monthly(region: str, size_gb: int) -> float:
    """Upper bound: a snapshot's billed size is at most its volume's size."""
    prices, _ = prices_for(region)
    return round(prices.snapshot_gb_month * size_gb, 2)


def address_monthly(region: str) -> float:
    prices, _ = prices_for(region)
    return round(prices.public_ipv4_hour * HOURS_PER_MONTH, 2)
