"""The network the rest of the platform is placed in: a VPC this stack creates (components/network.py), or an
existing one named in `llm-platform:network.existing`, of which the platform creates nothing and tags nothing.
Everything downstream (cluster, node groups, model cache, load balancer controller, outputs) reads the same
`NetworkIds`, so it cannot tell the two apart. Flow logs (`network.flowLogs`) go on either: a flow log is a
resource of its own, not a change to the VPC, so adding one to a VPC the platform does not own leaves the VPC as
its owners made it, and deleting the stack deletes only the flow log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.flow_logs import FlowLogs, FlowLogsArgs
from components.karpenter import DISCOVERY_TAG
from components.network import Network, NetworkArgs
from config.schema.infrastructure import ExistingNetworkConfig, FlowLogsConfig
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
    # Zone -> its private subnets: a pool in a zonal capacity reservation launches only there.
    private_subnets_by_zone: Mapping[str, list[pulumi.Input[str]]] = field(default_factory=dict)

    def private_subnets_in(self, zone: str | None) -> list[pulumi.Input[str]]:
        """The private subnets of `zone`, or every private subnet when `zone` is None."""
        return self.private_subnet_ids if zone is None else self.private_subnets_by_zone[zone]


def build_network(fleet: Fleet) -> NetworkIds:
    network = fleet.config.network
    ids = _existing(network.existing) if network.existing else _created(fleet)
    if network.flow_logs:
        _flow_logs(fleet, network.flow_logs, ids.vpc_id)
    return ids


def _flow_logs(fleet: Fleet, flow_logs: FlowLogsConfig, vpc_id: pulumi.Input[str]) -> FlowLogs:
    return FlowLogs(
        "flow-logs",
        FlowLogsArgs(
            vpc_id=vpc_id,
            destination=flow_logs.destination,
            traffic_type=flow_logs.traffic_type,
            cluster_name=fleet.config.cluster.name,
            region=fleet.region,
            # The retention is the log group's; an S3 bucket keeps objects by its own lifecycle rules.
            retention_days=flow_logs.retention_days if flow_logs.destination == "cloudWatch" else None,
            bucket_arn=flow_logs.bucket_arn,
        ),
    )


def _existing(existing: ExistingNetworkConfig) -> NetworkIds:
    return NetworkIds(
        vpc_id=existing.vpc_id,
        private_subnet_ids=list(existing.private_subnet_ids),
        public_subnet_ids=list(existing.public_subnet_ids),
        private_subnet_per_zone=list(existing.private_subnet_per_zone),
        egress=(),
        private_subnets_by_zone={
            zone: [s.id for s in existing.private_subnets if s.availability_zone == zone]
            for zone in existing.zones
        },
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
        private_subnets_by_zone={
            zone: [subnet] for zone, subnet in network.private_subnet_ids_by_zone.items()
        },
    )
