"""The prod stack with reserved capacity, as the reserved-capacity tests build it: a p5.48xlarge Capacity Block
managed node group, a p5.48xlarge Capacity Block Karpenter NodePool, and a model placed on both."""

from __future__ import annotations

from typing import Any

K = "llm-platform"
GROUP_BLOCK, POOL_BLOCK = "cr-0a1b2c3d4e5f60718", "cr-0f1e2d3c4b5a69788"
BLOCK_PRICE = 31.46  # $/instance-hour as purchased: the upfront fee over instances and hours
P5_ON_DEMAND = 55.04  # us-east-1, catalog/prices.py


def block_group(**changes: Any) -> dict[str, Any]:
    """A node group in a Capacity Block of one p5.48xlarge in us-east-1a, its node kept running."""
    group = {
        "name": "h100-block",
        "capacityType": "reserved",
        "instanceTypes": ["p5.48xlarge"],
        "minSize": 1,
        "maxSize": 1,
        "diskSizeGib": 300,
        "capacityReservation": {
            "type": "capacityBlock",
            "id": GROUP_BLOCK,
            "availabilityZone": "us-east-1a",
            "instances": 1,
            "hourlyPrice": BLOCK_PRICE,
        },
    }
    return group | changes


def block_pool(**changes: Any) -> dict[str, Any]:
    """A NodePool in a Capacity Block of one p5.48xlarge in us-east-1b, tried before every other pool."""
    pool = {
        "name": "h100-reserved",
        "capacityType": "reserved",
        "instanceFamilies": ["p5"],
        "gpuLimit": 8,
        "weight": 90,
        "capacityReservation": {
            "type": "capacityBlock",
            "id": POOL_BLOCK,
            "availabilityZone": "us-east-1b",
            "instances": 1,
            "instanceType": "p5.48xlarge",
            "hourlyPrice": BLOCK_PRICE,
        },
    }
    return pool | changes


def with_p5_capacity_blocks(c: dict[str, Any], min_replicas: int = 5) -> None:
    """Prod's config (as the stack file holds it) with both reservations and a Qwen3-32B on them (TP 2 on
    H100s: four replicas a node), `min_replicas` kept warm: four on the group's node, one on a node Karpenter
    launches into its block. The 16 GPUs added take prod's 112 to its policy cap of 128."""
    c[f"{K}:gpuNodeGroups"].append(block_group())
    c[f"{K}:addons"]["karpenter"]["nodePools"].append(block_pool())
    c[f"{K}:models"].append(
        {
            "name": "qwen3-32b-h100",
            "source": "hf://Qwen/Qwen3-32B",
            "revision": "9216db5781bf21249d130ec9da846c4624c16137",
            "placement": {"pools": ["h100-block", "h100-reserved"], "capacityType": "on-demand"},
            "maxModelLen": 32768,
            "maxNumSeqs": 32,
            "replicas": {"min": min_replicas, "max": 8},
        }
    )
    c[f"{K}:gateway"]["tenants"][1]["models"].append("qwen3-32b-h100")
