"""Valid but risky choices, printed by `make plan` and logged by `pulumi up`."""

from __future__ import annotations

from config.schema.platform import NAMESPACE, PlatformConfig


def warnings_for(cfg: PlatformConfig) -> list[str]:
    out = []
    ep = cfg.cluster.endpoint
    if ep.public_access and any(c.prefixlen == 0 for c in ep.public_access_cidrs):
        out.append(
            f"{NAMESPACE}:cluster.endpoint.publicAccessCidrs: the Kubernetes API is open to the internet"
        )
    for i, g in enumerate(cfg.gpu_node_groups):
        if g.capacity_type == "spot" and len(g.instance_types) == 1:
            out.append(
                f"{NAMESPACE}:gpuNodeGroups[{i}].instanceTypes: a spot group with one instance type is "
                "interrupted more often and may find no capacity; list several"
            )
    if cfg.network.nat_gateways == "single" and len(cfg.network.availability_zones) > 1:
        out.append(
            f"{NAMESPACE}:network.natGateways: single NAT gateway; private subnets lose egress if its AZ fails"
        )
    if not cfg.model_cache.protect:
        out.append(
            f"{NAMESPACE}:modelCache.protect: false; destroying the stack deletes cached model weights"
        )
    if not cfg.cluster.deletion_protection:
        out.append(
            f"{NAMESPACE}:cluster.deletionProtection: false; the cluster can be deleted by one command"
        )
    return out
