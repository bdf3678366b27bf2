"""Regenerate catalog/region_prices.py and catalog/region_offerings.py from SkyPilot's AWS catalog
(skypilot-org/skypilot-catalog, catalogs/v8/aws/vms.csv): for every commercial region the file lists, the
on-demand prices of the catalog's GPU and CPU types, each region's zone IDs, and the zones offering each type.

    python -m catalog.skypilot_prices PATH/TO/vms.csv --commit <sha>

writes both modules into catalog/ (--out-dir to write them elsewhere).

Why SkyPilot's file and not Karpenter's: Karpenter's generated table (pkg/providers/pricing/
zz_generated.pricing_aws.go, v1.14.1) holds one commercial region, us-east-1 (hack/code/prices_gen asks for no
other); vms.csv lists every region's rows, one per instance type and availability zone, and its us-east-1 rows
equal Karpenter's. A row with an empty Price (sold only as Capacity Blocks, or not priced yet) still shows the type
is offered in that zone, so it counts for the offerings and is skipped for the prices.

vms.csv's AvailabilityZone column holds zone IDs (use1-az1), which are the same physical zone in every account;
the zone names a stack file writes (us-east-1a) map to zone IDs differently per account (catalog/regions.py).
"""

from __future__ import annotations

import csv
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from catalog.cpus import CPU_INSTANCES
from catalog.gpus import GPU_INSTANCES
from catalog.prices import PINNED_REGIONS

DIGITS = 6  # the precision of Karpenter's table and of catalog/prices.py's derived CPU prices
# Partitions other than the commercial one: their own ARNs, endpoints, accounts and prices.
OTHER_PARTITIONS = ("us-gov-", "cn-")
# A regular zone ID; Local Zones and Wavelength Zones (use1-bos1-az1, ...) take no EKS managed node group.
ZONE_ID = re.compile(r"^(?P<prefix>[a-z]+[0-9]+)-az(?P<number>[0-9]+)$")
CATALOG_DIR = Path(__file__).resolve().parent


def commercial(region: str) -> bool:
    return not region.startswith(OTHER_PARTITIONS)


@dataclass(frozen=True)
class RegionPrices:
    """GPU types' own prices, and each CPU family's price for its `large` size (2 vCPUs), per region."""

    gpu: Mapping[str, Mapping[str, float]]
    cpu_large: Mapping[str, Mapping[str, float]]
    rows: int  # the rows of the file that went into the table


@dataclass(frozen=True)
class RegionOfferings:
    """Each commercial region's zone IDs, and the zone IDs offering each catalog GPU type and CPU family."""

    zone_ids: Mapping[str, tuple[str, ...]]  # every regular zone any row of the region lists
    gpu: Mapping[str, Mapping[str, tuple[str, ...]]]  # region -> GPU type -> zone IDs
    cpu: Mapping[str, Mapping[str, tuple[str, ...]]]  # region -> CPU family -> zone IDs (any size of it)
    rows: int  # rows of catalog types read
    unpriced: int  # of which had no on-demand price (Capacity Blocks only): offered, not priced
    other_partitions: tuple[str, ...]  # GovCloud and China regions seen and left out


def read_prices(lines: Iterable[str], regions: Iterable[str]) -> RegionPrices:
    """The catalog types' on-demand prices in `regions`, from vms.csv's lines. Every zone of a region must
    list the same price for a type, and every size of a CPU family the same price per vCPU: the table keeps
    one figure each, so a file that disagrees is refused rather than averaged."""
    wanted = set(regions)
    gpu: dict[str, dict[str, float]] = defaultdict(dict)
    cpu: dict[str, dict[str, float]] = defaultdict(dict)
    rows = 0
    for row in csv.DictReader(lines):
        region, name, price = row["Region"], row["InstanceType"], row["Price"]
        if region not in wanted or not price or (name not in GPU_INSTANCES and name not in CPU_INSTANCES):
            continue
        rows += 1
        if name in GPU_INSTANCES:
            _keep(gpu[region], name, round(float(price), DIGITS), f"{name} in {region}")
        else:
            family, vcpus = CPU_INSTANCES[name].family, CPU_INSTANCES[name].vcpus
            large = round(float(price) * 2 / vcpus, DIGITS)
            _keep(cpu[region], family, large, f"{family}.large in {region} (from {name})")
    return RegionPrices(_sorted(gpu), _sorted(cpu), rows)


def read_offerings(lines: Iterable[str]) -> RegionOfferings:
    """Zone IDs and offerings of every commercial region in vms.csv's lines. Each region's zone IDs are
    those any row lists, catalog type or not: the file has no row per zone, so a zone is known by its types."""
    zones: dict[str, set[str]] = defaultdict(set)
    gpu: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    cpu: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = unpriced = 0
    others: set[str] = set()
    for row in csv.DictReader(lines):
        region, name, zone = row["Region"], row["InstanceType"], row["AvailabilityZone"]
        if not commercial(region):
            others.add(region)
            continue
        if not ZONE_ID.match(zone):
            continue
        zones[region].add(zone)
        if name not in GPU_INSTANCES and name not in CPU_INSTANCES:
            continue
        rows += 1
        unpriced += not row["Price"]
        if name in GPU_INSTANCES:
            gpu[region][name].add(zone)
        else:
            cpu[region][CPU_INSTANCES[name].family].add(zone)
    return RegionOfferings(
        zone_ids={r: _zone_order(zones[r]) for r in sorted(zones)},
        gpu=_sorted_zones(gpu),
        cpu=_sorted_zones(cpu),
        rows=rows,
        unpriced=unpriced,
        other_partitions=tuple(sorted(others)),
    )


def _keep(table: dict[str, float], key: str, price: float, what: str) -> None:
    if table.setdefault(key, price) != price:
        raise ValueError(f"{what}: {price} disagrees with {table[key]} read before")


def _sorted(table: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    return {region: dict(sorted(table[region].items())) for region in sorted(table)}


def _zone_order(zones: Iterable[str]) -> tuple[str, ...]:
    """Zone IDs by their number (use1-az2 before use1-az10)."""
    return tuple(sorted(zones, key=lambda z: int(ZONE_ID.match(z)["number"])))  # type: ignore[index]


def _sorted_zones(table: Mapping[str, Mapping[str, set[str]]]) -> dict[str, dict[str, tuple[str, ...]]]:
    return {r: {k: _zone_order(table[r][k]) for k in sorted(table[r])} for r in sorted(table)}


def _header(title: str, commit: str, counts: str, excerpt: str, notes: list[str]) -> list[str]:
    return [
        f'"""{title}',
        "GENERATED by catalog/skypilot_prices.py: do not edit; regenerate both catalog/region_prices.py and",
        "catalog/region_offerings.py with",
        "",
        f"    python -m catalog.skypilot_prices PATH/TO/vms.csv --commit {commit}",
        "",
        *textwrap.wrap(
            f"Source: skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv at the commit above ({counts}).",
            110,
        ),
        *notes,
        *(textwrap.wrap(f"Read from an excerpt of the file: {excerpt}.", 110) if excerpt else []),
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "SOURCE = (",
        f'    "skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv at commit {commit}"',
        ")",
        "",
    ]


def render(prices: RegionPrices, commit: str, excerpt: str = "") -> str:
    """catalog/region_prices.py's text: a header saying where the figures come from, then the two tables."""
    out = [
        *_header(
            "On-demand Linux USD/hour in the regions catalog/prices.py does not price by hand.",
            commit,
            f"{prices.rows} priced rows read; rows without a Price, sold as Capacity Blocks only, are skipped",
            excerpt,
            [
                "A type listed in a region has an on-demand price there; a catalog type not listed has none (the",
                'cost report says "n/a"). Which zones offer it: catalog/region_offerings.py.',
            ],
        ),
        "# Every catalog GPU type priced in the region.",
        *_table("GPU_ON_DEMAND", prices.gpu),
        "# Each CPU family's `large` (2 vCPUs): catalog/prices.py prices each size in proportion to its vCPUs.",
        *_table("CPU_LARGE_ON_DEMAND", prices.cpu_large),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def render_offerings(offerings: RegionOfferings, commit: str, excerpt: str = "") -> str:
    """catalog/region_offerings.py's text. Zone IDs are written as their numbers after the region's prefix
    (ZONE_ID_PREFIX): (1, 2, 4) in us-east-1 means use1-az1, use1-az2 and use1-az4."""
    prefixes = {
        region: ZONE_ID.match(zones[0])["prefix"]  # type: ignore[index]
        for region, zones in offerings.zone_ids.items()
    }
    left_out = ", ".join(offerings.other_partitions) or "none in the file"
    out = [
        *_header(
            "Zone IDs of every commercial region, and which zones offer each catalog type.",
            commit,
            f"{offerings.rows} rows of catalog types read, {offerings.unpriced} of them without an on-demand price "
            "(Capacity Blocks only: offered, not priced); GovCloud and China regions left out: " + left_out,
            excerpt,
            [
                "Zone IDs (use1-az1) are the same physical zone in every account; zone names (us-east-1a), which",
                "stack files write, map to them per account: catalog/regions.py holds the names.",
            ],
        ),
        "# Each region's zone IDs are <prefix>-az<number>.",
        "ZONE_ID_PREFIX: dict[str, str] = {",
        *(f'    "{region}": "{prefix}",' for region, prefix in prefixes.items()),
        "}",
        "",
        "# The zone numbers each region lists.",
        "ZONES: dict[str, tuple[int, ...]] = {",
        *(f'    "{r}": {_numbers(z)},' for r, z in offerings.zone_ids.items()),
        "}",
        "",
        "# The zone numbers offering each catalog GPU type, per region.",
        *_zone_table("GPU_TYPE_ZONES", offerings.gpu),
        "# The zone numbers offering any size of each catalog CPU family, per region.",
        *_zone_table("CPU_FAMILY_ZONES", offerings.cpu),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def _numbers(zones: Iterable[str]) -> str:
    numbers = tuple(int(ZONE_ID.match(z)["number"]) for z in zones)  # type: ignore[index]
    return repr(numbers)


def _table(name: str, table: Mapping[str, Mapping[str, float]]) -> list[str]:
    return _nested(name, "float", {r: {k: repr(v) for k, v in t.items()} for r, t in table.items()})


def _zone_table(name: str, table: Mapping[str, Mapping[str, tuple[str, ...]]]) -> list[str]:
    return _nested(
        name, "tuple[int, ...]", {r: {k: _numbers(z) for k, z in t.items()} for r, t in table.items()}
    )


def _nested(name: str, value_type: str, table: Mapping[str, Mapping[str, str]]) -> list[str]:
    """A region -> key -> value dict literal, one key a line, values already written as Python."""
    out = [f"{name}: dict[str, dict[str, {value_type}]] = {{"]
    for region, values in table.items():
        out.append(f'    "{region}": {{')
        out += [f'        "{key}": {value},' for key, value in values.items()]
        out.append("    },")
    return [*out, "}", ""]


def main(argv: list[str] | None = None) -> int:
    import argparse  # the CLI only: config rules import this module for OTHER_PARTITIONS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vms_csv", help="catalogs/v8/aws/vms.csv of skypilot-org/skypilot-catalog")
    parser.add_argument("--commit", required=True, help="the skypilot-catalog commit the file was read at")
    parser.add_argument("--excerpt", default="", help="when the file is a part of vms.csv: which part")
    parser.add_argument("--out-dir", type=Path, default=CATALOG_DIR, help="where to write the two modules")
    args = parser.parse_args(argv)
    with open(args.vms_csv, newline="", encoding="utf-8") as f:
        lines = f.read().splitlines()
    offerings = read_offerings(lines)
    regions = [r for r in offerings.zone_ids if r not in PINNED_REGIONS]
    prices = read_prices(lines, regions)
    (args.out_dir / "region_prices.py").write_text(
        render(prices, args.commit, args.excerpt), encoding="utf-8"
    )
    (args.out_dir / "region_offerings.py").write_text(
        render_offerings(offerings, args.commit, args.excerpt), encoding="utf-8"
    )
    print(
        f"{len(offerings.zone_ids)} regions, {sum(map(len, offerings.gpu.values()))} region x GPU type "
        f"offerings, {sum(map(len, prices.gpu.values()))} region x GPU type prices; wrote {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
