"""EC2 GPU instance types: GPUs, memory as the driver reports it, compute capability, vCPUs, host memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Arch = Literal["x86_64", "arm64"]
Capability = tuple[
    int, int
]  # CUDA compute capability (major, minor), e.g. (8, 9); vLLM compares it the same way


@dataclass(frozen=True)
class GpuInstance:
    """One EC2 GPU instance type. `gpu_name` uses Karpenter's `karpenter.k8s.aws/instance-gpu-name` values, so
    one node label vocabulary serves managed node groups and Karpenter NodePools alike."""

    family: str
    gpu_name: str
    gpu_count: int
    gpu_memory_gib: int
    vcpu: int
    memory_gib: int
    arch: Arch = "x86_64"

    @property
    def reported_memory_gib(self) -> float:
        """Memory per GPU as the driver reports it (nvidia-smi), which is what vLLM's utilisation applies to."""
        return GPU_MEMORY_MIB[(self.gpu_name, self.gpu_memory_gib)] / 1024

    @property
    def compute_capability(self) -> Capability:
        """The GPU's CUDA compute capability: which dtypes, quantizations and kernels vLLM can run on it."""
        return COMPUTE_CAPABILITY[self.gpu_name]


# Total memory per GPU as nvidia-smi reports it, in MiB (NVIDIA datasheets and nvidia-smi output quoted in
# public bug reports): marketed "24 GB" is 22.5 GiB, which decides whether an 8B model fits with KV to spare.
GPU_MEMORY_MIB: MappingProxyType[tuple[str, int], int] = MappingProxyType(
    {
        ("t4", 16): 15360,
        ("a10g", 24): 23028,
        ("l4", 24): 23034,
        ("l40s", 48): 46068,
        ("a100", 40): 40960,
        ("a100", 80): 81920,
        ("h100", 80): 81559,
        ("h200", 141): 143771,
    }
)


# CUDA compute capability per GPU (NVIDIA, developer.nvidia.com/cuda-gpus): T4 is Turing, A10G and A100 Ampere,
# L4 and L40S Ada, H100 and H200 Hopper. What the pinned vLLM runs at each is catalog/vllm_hardware.py.
COMPUTE_CAPABILITY: MappingProxyType[str, Capability] = MappingProxyType(
    {
        "t4": (7, 5),
        "a10g": (8, 6),
        "a100": (8, 0),
        "l4": (8, 9),
        "l40s": (8, 9),
        "h100": (9, 0),
        "h200": (9, 0),
    }
)


def capability_str(c: Capability) -> str:
    return f"{c[0]}.{c[1]}"


def _family(
    family: str, gpu: str, gpu_mem: int, rows: dict[str, tuple[int, int, int]]
) -> dict[str, GpuInstance]:
    return {
        f"{family}.{size}": GpuInstance(family, gpu, count, gpu_mem, vcpu, mem)
        for size, (count, vcpu, mem) in rows.items()
    }


# Source: AWS EC2 accelerated-computing instance specifications (aws.amazon.com/ec2/instance-types), read
# 2026-11. Columns per size: (GPUs, vCPUs, memory GiB). GPU memory is per GPU, in GiB as marketed.
GPU_INSTANCES: MappingProxyType[str, GpuInstance] = MappingProxyType(
    {
        **_family(
            "g4dn",
            "t4",
            16,
            {
                "xlarge": (1, 4, 16),
                "2xlarge": (1, 8, 32),
                "4xlarge": (1, 16, 64),
                "8xlarge": (1, 32, 128),
                "12xlarge": (4, 48, 192),
                "16xlarge": (1, 64, 256),
                "metal": (8, 96, 384),
            },
        ),
        **_family(
            "g5",
            "a10g",
            24,
            {
                "xlarge": (1, 4, 16),
                "2xlarge": (1, 8, 32),
                "4xlarge": (1, 16, 64),
                "8xlarge": (1, 32, 128),
                "12xlarge": (4, 48, 192),
                "16xlarge": (1, 64, 256),
                "24xlarge": (4, 96, 384),
                "48xlarge": (8, 192, 768),
            },
        ),
        **_family(
            "g6",
            "l4",
            24,
            {
                "xlarge": (1, 4, 16),
                "2xlarge": (1, 8, 32),
                "4xlarge": (1, 16, 64),
                "8xlarge": (1, 32, 128),
                "12xlarge": (4, 48, 192),
                "16xlarge": (1, 64, 256),
                "24xlarge": (4, 96, 384),
                "48xlarge": (8, 192, 768),
            },
        ),
        **_family(
            "g6e",
            "l40s",
            48,
            {
                "xlarge": (1, 4, 32),
                "2xlarge": (1, 8, 64),
                "4xlarge": (1, 16, 128),
                "8xlarge": (1, 32, 256),
                "12xlarge": (4, 48, 384),
                "16xlarge": (1, 64, 512),
                "24xlarge": (4, 96, 768),
                "48xlarge": (8, 192, 1536),
            },
        ),
        **_family("p4d", "a100", 40, {"24xlarge": (8, 96, 1152)}),
        **_family("p4de", "a100", 80, {"24xlarge": (8, 96, 1152)}),
        **_family("p5", "h100", 80, {"4xlarge": (1, 16, 256), "48xlarge": (8, 192, 2048)}),
        **_family("p5e", "h200", 141, {"48xlarge": (8, 192, 2048)}),
        **_family("p5en", "h200", 141, {"48xlarge": (8, 192, 2048)}),
    }
)


def instance_types_of(families: Iterable[str]) -> tuple[str, ...]:
    """Every catalog size of these families, in catalog order (smallest first within a family)."""
    wanted = set(families)
    return tuple(t for t, i in GPU_INSTANCES.items() if i.family in wanted)


# Instance family -> every size of it in the catalog. One GPU model per family: its sizes differ in how many.
FAMILY_TYPES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        family: instance_types_of([family])
        for family in dict.fromkeys(i.family for i in GPU_INSTANCES.values())
    }
)


def gpu_of_family(family: str) -> GpuInstance:
    """The GPU every size of an instance family carries (the family's first size stands for all of them)."""
    return GPU_INSTANCES[FAMILY_TYPES[family][0]]


def gpu_model(instance: GpuInstance) -> tuple[str, int]:
    """(GPU name, GiB per GPU): what one pool must not mix, whatever the GPU count per instance."""
    return instance.gpu_name, instance.gpu_memory_gib
