"""x86_64 CPU instance types the system node group may use: each family, its sizes and their shape.

The system node group runs the x86_64 AMI on on-demand capacity and holds the controllers, so it takes current
Intel general purpose (m), compute optimised (c) and memory optimised (r) families. Sizes, vCPUs and memory: the
Amazon EC2 instance types guide, "Specifications for Amazon EC2 general purpose instances", "... compute optimized
instances" and "... memory optimized instances" (docs.aws.amazon.com/ec2/latest/instancetypes/, read 2026-07).
A family joins this table with its sizes; catalog/prices.py then prices them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

# vCPUs of each virtualised size, the same in every family below. The bare-metal sizes: `metal-24xl` and
# `metal-48xl` have the vCPUs of the size they are named for; a plain `metal` has its family's largest.
_SIZE_VCPUS = MappingProxyType(
    {
        "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64,
        "24xlarge": 96, "32xlarge": 128, "48xlarge": 192, "metal-24xl": 96, "metal-48xl": 192,
    }
)  # fmt: skip
_UP_TO_24 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
# The size ladders of one generation: 5th (Skylake/Cascade Lake), 6th (Ice Lake), 7th (Sapphire Rapids).
_GEN5 = (*_UP_TO_24, "metal")
_GEN6 = (*_UP_TO_24, "32xlarge", "metal")
_GEN7 = (*_UP_TO_24, "48xlarge", "metal-24xl", "metal-48xl")


@dataclass(frozen=True)
class CpuFamily:
    processor: str
    sizes: tuple[str, ...]
    memory_gib_per_vcpu: int  # m 4, c 2, r 8, at every size of the family
    metal_vcpus: int | None = None  # the vCPUs of a plain `metal` size, when the family has one


CPU_FAMILIES: MappingProxyType[str, CpuFamily] = MappingProxyType(
    {
        "m5": CpuFamily("Intel Xeon Platinum 8000 (Skylake, Cascade Lake)", _GEN5, 4, metal_vcpus=96),
        "m6i": CpuFamily("Intel Xeon 3rd gen (Ice Lake)", _GEN6, 4, metal_vcpus=128),
        "m7i": CpuFamily("Intel Xeon 4th gen (Sapphire Rapids)", _GEN7, 4),
        "c6i": CpuFamily("Intel Xeon 3rd gen (Ice Lake)", _GEN6, 2, metal_vcpus=128),
        "c7i": CpuFamily("Intel Xeon 4th gen (Sapphire Rapids)", _GEN7, 2),
        "r6i": CpuFamily("Intel Xeon 3rd gen (Ice Lake)", _GEN6, 8, metal_vcpus=128),
        "r7i": CpuFamily("Intel Xeon 4th gen (Sapphire Rapids)", _GEN7, 8),
    }
)


@dataclass(frozen=True)
class CpuInstance:
    family: str
    size: str
    vcpus: int
    memory_gib: int


def _instances() -> dict[str, CpuInstance]:
    out = {}
    for name, family in CPU_FAMILIES.items():
        for size in family.sizes:
            vcpus = family.metal_vcpus if size == "metal" else _SIZE_VCPUS[size]
            assert vcpus is not None, f"{name}.metal needs metal_vcpus"
            out[f"{name}.{size}"] = CpuInstance(name, size, vcpus, vcpus * family.memory_gib_per_vcpu)
    return out


CPU_INSTANCES: MappingProxyType[str, CpuInstance] = MappingProxyType(_instances())
