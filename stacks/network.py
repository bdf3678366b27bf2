"""The network the rest of the platform is placed in: a VPC this stack creates (components/network.py), or an
existing one named in `llm-platform:network.existing`, of which the platform creates nothing and tags nothing.
Everything downstream (cluster, node groups, model cache, load balancer controller, outputs) reads the same
`NetworkIds`, so it cannot tell the two apart."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.karpenter import DISCOVERY_TAG
from components.network import Network, NetworkArgs
from config.schema.infrastructure import ExistingNetworkConfig
from fleet.resolved import Fleet


@dataclass(frozen=True)
class NetworkIds:
    """What the platform reads of its network."""

    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    public_subnet_ids: list[pulumi.Input[str]]
    # One private subnet in each zone, for what takes one per zone (the model cache's EFS mount targets).
    private_subnet_per_zone: list[pulumi.Input[str]]
    # What a node in a private subnet needs before it can pull images and join the cluster: the NAT gateways
    # and routes of a created network; an existing network has its egress already (a README precondition).
    egress: tuple[pulumi.Resource, ...]


def build_network(fleet: Fleet) -> NetworkIds:
    existing = fleet.config.network.existing
    return _existing(existing) if existing else _created(fleet)


def _existing(existing: ExistingNetworkConfig) -> NetworkIds:
    return NetworkIds(
        vpc_id=existing.vpc_id,
        private_subnet_ids=list(existing.private_subnet_ids),
        public_subnet_ids=list(existing.public_subnet_ids),
        private_subnet_per_zone=list(existing.private_subnet_per_zone),
        egress=(),
    )


def _created(fleet: Fleet) -> NetworkIds:
    cfg = fleet.config
    network = Network(
        "network",
        NetworkArgs(
            cidr=cfg.network.cidr,
            availability_zones=cfg.network.zones,
            nat_per_az=cfg.network.nat_gateways == "perAz",
            cluster_name=cfg.cluster.name,
            # Karpenter launches its nodes into the private subnets carrying its discovery tag.
            private_subnet_tags={DISCOVERY_TAG: cfg.cluster.name},
        ),
    )
    return NetworkIds(
        vpc_id=network.vpc_id,
        private_subnet_ids=network.private_subnet_ids,
        public_subnet_ids=network.public_subnet_ids,
        private_subnet_per_zone=network.private_subnet_ids,  # it creates one in each zone
        egress=tuple(network.egress),
    )
