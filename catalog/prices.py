"""Prices: on-demand and spot estimates per GPU instance type, the CPU types of the system node group, and
the fixed hourly charges (EKS control plane, NAT gateways). The offline cost report and the capacity
dashboard read them; `--live-prices` asks AWS instead (cost/sources.py)."""

from __future__ import annotations

from types import MappingProxyType

from catalog.cpus import CPU_INSTANCES
from catalog.region_prices import CPU_LARGE_ON_DEMAND, GPU_ON_DEMAND

# On-demand Linux USD/hour. us-east-1: aws/karpenter-provider-aws pkg/providers/pricing/
# zz_generated.pricing_aws.go at v1.14.1 ("generated at 2026-07-06T14:20:29Z for us-east-1"); us-west-2:
# skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv (commit e385a0d3), whose us-east-1 rows equal
# Karpenter's. Prices are after AWS's June 2025 P4/P5 cut. p5e.48xlarge is sold only as Capacity Blocks: no
# on-demand price. Both regions list the same prices. Every other commercial region of that SkyPilot file:
# catalog/region_prices.py, generated from it (Karpenter's generated table has no commercial region but
# us-east-1); a type neither lists has no price (reports say "n/a").
_PRICES_2026_07 = {
    "g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752, "g4dn.4xlarge": 1.204, "g4dn.8xlarge": 2.176,
    "g4dn.12xlarge": 3.912, "g4dn.16xlarge": 4.352, "g4dn.metal": 7.824,
    "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.8xlarge": 2.448, "g5.12xlarge": 5.672,
    "g5.16xlarge": 4.096, "g5.24xlarge": 8.144, "g5.48xlarge": 16.288,
    "g6.xlarge": 0.8048, "g6.2xlarge": 0.9776, "g6.4xlarge": 1.3232, "g6.8xlarge": 2.0144, "g6.12xlarge": 4.6016,
    "g6.16xlarge": 3.3968, "g6.24xlarge": 6.6752, "g6.48xlarge": 13.3504,
    "g6e.xlarge": 1.861, "g6e.2xlarge": 2.24208, "g6e.4xlarge": 3.00424, "g6e.8xlarge": 4.52856,
    "g6e.12xlarge": 10.49264, "g6e.16xlarge": 7.57719, "g6e.24xlarge": 15.06559, "g6e.48xlarge": 30.13118,
    "p4d.24xlarge": 21.957642, "p4de.24xlarge": 27.44705,
    "p5.4xlarge": 6.88, "p5.48xlarge": 55.04, "p5en.48xlarge": 63.296,
}  # fmt: skip
PRICE_SOURCE = "AWS Pricing API snapshots of 2026-07 (Karpenter v1.14.1 generated table; SkyPilot catalog v8)"
# The regions priced by hand above; the shipped stacks' cost reports are pinned to these figures.
PINNED_REGIONS = ("us-east-1", "us-west-2")
ON_DEMAND_USD_PER_HOUR: MappingProxyType[str, MappingProxyType[str, float]] = MappingProxyType(
    {
        **{region: MappingProxyType(prices) for region, prices in GPU_ON_DEMAND.items()},
        **{region: MappingProxyType(_PRICES_2026_07) for region in PINNED_REGIONS},
    }
)

# Spot as a fraction of on-demand: the zone-averaged SkyPilot spot snapshots for us-east-1/us-west-2 (2026),
# rounded up so estimates err expensive. Spot for p4de/p5/p5en capacity is thin: treat as a hope, not a plan.
# Applied to every region with an on-demand price: no snapshot was read for the others, so their spot figures
# are this estimate, not a reading (the report's assumptions say spot is on-demand x a family fraction).
SPOT_FRACTION: MappingProxyType[str, float] = MappingProxyType(
    {"g4dn": 0.42, "g5": 0.41, "g6": 0.47, "g6e": 0.42, "p4d": 0.50, "p4de": 0.50, "p5": 0.40, "p5en": 0.40}
)


def on_demand_price(region: str, instance_type: str) -> float | None:
    return ON_DEMAND_USD_PER_HOUR.get(region, {}).get(instance_type)


def spot_price_estimate(region: str, instance_type: str) -> float | None:
    price = on_demand_price(region, instance_type)
    fraction = SPOT_FRACTION.get(instance_type.split(".")[0])
    return None if price is None or fraction is None else price * fraction


# EKS control plane, per cluster-hour, in every commercial region (aws.amazon.com/eks/pricing): a Kubernetes
# version in extended support costs 6x (config.cluster.supportType EXTENDED keeps old versions running).
EKS_CONTROL_PLANE_USD_PER_HOUR: MappingProxyType[str, float] = MappingProxyType(
    {"STANDARD": 0.10, "EXTENDED": 0.60}
)
# NAT gateway hourly charge (aws.amazon.com/vpc/pricing); data processing ($0.045/GB) is usage, not counted.
# These charges are not in the instance price source (SkyPilot's vms.csv): each region here is read from the
# pricing pages by hand. A region not listed prices these lines "n/a", with a warning (the report says which).
NAT_GATEWAY_USD_PER_HOUR: MappingProxyType[str, float] = MappingProxyType(
    {"us-east-1": 0.045, "us-west-2": 0.045, "eu-west-1": 0.048}
)
# Load balancer hourly charge, NLB and ALB alike (aws.amazon.com/elasticloadbalancing/pricing); capacity units
# (NLCU, LCU: $0.006 and $0.008 per hour in the US regions) are usage, not counted.
LOAD_BALANCER_USD_PER_HOUR: MappingProxyType[str, float] = MappingProxyType(
    {"us-east-1": 0.0225, "us-west-2": 0.0225, "eu-west-1": 0.0252}
)
# gp3 per month (aws.amazon.com/ebs/pricing, us-east-1; us-west-2 lists the same): storage per GB, and what is
# provisioned above the included 3,000 IOPS and 125 MiB/s.
GP3_USD_PER_GB_MONTH, GP3_USD_PER_IOPS_MONTH, GP3_USD_PER_MIBPS_MONTH = 0.08, 0.005, 0.04
FIXED_PRICE_SOURCE = (
    "EKS, VPC and ELB pricing pages (control plane $0.10/h standard, $0.60/h extended; NAT $0.045/h; "
    "a load balancer $0.0225/h; gp3 $0.08/GB, $0.005/IOPS and $0.04/MiB/s a month above 3,000 and 125)"
)


def fixed_price_source(region: str) -> str:
    """Where the report's fixed charges come from in `region`: the hand-priced regions' text above, or the
    region's own NAT and load balancer figures (gp3 is priced at the us-east-1 rates everywhere)."""
    if region in PINNED_REGIONS:
        return FIXED_PRICE_SOURCE
    nat, lb = NAT_GATEWAY_USD_PER_HOUR.get(region), LOAD_BALANCER_USD_PER_HOUR.get(region)
    return (
        f"EKS, VPC and ELB pricing pages (control plane $0.10/h standard, $0.60/h extended; NAT "
        f"{'n/a' if nat is None else f'${nat}/h'} and a load balancer {'n/a' if lb is None else f'${lb}/h'} in "
        f"{region}; gp3 at the us-east-1 rates, $0.08/GB, $0.005/IOPS and $0.04/MiB/s a month above 3,000 and 125)"
    )


# On-demand Linux USD/hour of the `large` size (2 vCPUs) of each CPU family of catalog/cpus.py; the table above
# prices GPU types only. aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go (us-east-1,
# generated 2026-01-19); us-west-2 lists the same prices for these families, as it does for every GPU row of the
# catalog. AWS prices every size of these families in proportion to its vCPUs (that table's m7i.large 0.1008,
# m7i.xlarge 0.2016 ... m7i.4xlarge 0.8064), so each size of the CPU catalog is priced from its family's large:
# the types are listed once, in catalog/cpus.py.
_SYSTEM_LARGE_PRICES_2026 = {
    "m5": 0.096, "m6i": 0.096, "m7i": 0.1008, "c6i": 0.085, "c7i": 0.08925, "r6i": 0.126, "r7i": 0.1323,
}  # fmt: skip


def _system_prices(large: dict[str, float]) -> dict[str, float]:
    """Every catalog size of the families priced in `large` (USD/hour of the family's 2-vCPU `large`)."""
    return {
        name: round(large[cpu.family] * cpu.vcpus / 2, 6)
        for name, cpu in CPU_INSTANCES.items()
        if cpu.family in large
    }


SYSTEM_PRICE_SOURCE = "Karpenter's generated table of 2026-01-19"
SYSTEM_ON_DEMAND_USD_PER_HOUR: MappingProxyType[str, MappingProxyType[str, float]] = MappingProxyType(
    {
        **{region: MappingProxyType(_system_prices(large)) for region, large in CPU_LARGE_ON_DEMAND.items()},
        **{region: MappingProxyType(_system_prices(_SYSTEM_LARGE_PRICES_2026)) for region in PINNED_REGIONS},
    }
)
