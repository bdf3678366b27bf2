"""The image volume of a GPU node: gp3 throughput and IOPS, sized for parallel image pulls, within EBS's limits.

gp3 (EC2 user guide; the limits AWS raised in September 2025, as the CloudFormation `AWS::EC2::Volume`
reference states them): 3,000 IOPS and 125 MiB/s are included, up to 80,000 IOPS and 2,000 MiB/s may be
provisioned, at most 500 IOPS per GiB and 0.25 MiB/s per provisioned IOPS. nodeadm's FastImagePull asks for at
least 600 MiB/s ("below that value, you may see longer image pull times", nodeadm/doc/examples.md at
v20260714); the SOCI blueprint measured its figures at 1,000 MiB/s and 16,000 IOPS.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from config.schema.base import Section, at_key, key_of

IOPS_INCLUDED, THROUGHPUT_INCLUDED = 3000, 125
IOPS_PER_GIB, MIBPS_PER_IOPS = 500, 0.25


def disk_throughput() -> Any:
    return Field(
        600,
        ge=THROUGHPUT_INCLUDED,
        le=2000,
        description="Image volume throughput, MiB/s (gp3, 125 included): parallel image pulls need 600 or more.",
    )


def disk_iops() -> Any:
    return Field(6000, ge=IOPS_INCLUDED, le=80000, description="Image volume IOPS (gp3, 3,000 included).")


def check_volume(section: Section, size_gib: int, iops: int, throughput: int) -> None:
    """EBS refuses a gp3 volume over its ratios only at launch: a node group never gets a node."""
    if throughput > iops * MIBPS_PER_IOPS:
        raise at_key(
            key_of(section, "disk_throughput_mibps"),
            f"{throughput} MiB/s needs at least {int(-(-throughput // MIBPS_PER_IOPS))} IOPS (gp3 allows 0.25 "
            f"MiB/s per IOPS; {key_of(section, 'disk_iops')} is {iops})",
        )
    if iops > size_gib * IOPS_PER_GIB:
        raise at_key(
            key_of(section, "disk_iops"),
            f"{iops} IOPS needs a volume of at least {-(-iops // IOPS_PER_GIB)} GiB (gp3 allows 500 IOPS per GiB; "
            f"{key_of(section, 'disk_size_gib')} is {size_gib})",
        )


def headroom() -> Any:
    return Field(
        0,
        ge=0,
        le=20,
        description="GPU nodes kept ready by low-priority placeholder pods (which also pull the vLLM image): a "
        "new replica preempts one instead of waiting for a node. Each costs a node's price.",
    )
