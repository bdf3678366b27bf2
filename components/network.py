"""Network: a VPC over N availability zones with public and private subnets and NAT egress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class NetworkArgs:
    cidr: IPv4Network
    availability_zones: tuple[str, ...]
    nat_per_az: bool
    # Names the VPC's parts after the cluster.
    cluster_name: str
    # More tags on the private subnets, e.g. the one Karpenter discovers its node subnets by.
    private_subnet_tags: Mapping[str, str] = field(default_factory=dict)


def subnet_plan(cidr: IPv4Network, zones: int) -> tuple[list[IPv4Network], list[IPv4Network]]:
    """(private, public) CIDRs. Private subnets take one eighth of the VPC each, because with the VPC CNI every
    pod takes a VPC address; the public subnets only hold NAT gateways and load balancers, so they share the
    last eighth."""
    eighths = list(cidr.subnets(prefixlen_diff=3))
    public = list(eighths[-1].subnets(prefixlen_diff=3))
    return eighths[:zones], public[:zones]


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:network:Network", name, None, opts)
        self._name, self._args = name, args
        private_cidrs, public_cidrs = subnet_plan(args.cidr, len(args.availability_zones))
        igw, public_rt = self._vpc()

        self.public_subnets: list[aws.ec2.Subnet] = []
        self.private_subnets: list[aws.ec2.Subnet] = []
        self.private_subnet_ids_by_zone: dict[str, pulumi.Output[str]] = {}  # one private subnet per zone
        nat_gateways: list[aws.ec2.NatGateway] = []
        # What a node in a private subnet needs before it can pull images and join the cluster.
        self.egress: list[pulumi.Resource] = []
        for az, private_cidr, public_cidr in zip(
            args.availability_zones, private_cidrs, public_cidrs, strict=True
        ):
            public = self._public_subnet(az, public_cidr, public_rt)
            if args.nat_per_az or not nat_gateways:
                nat_gateways.append(self._nat_gateway(az, public, igw))
            # With one NAT gateway every zone routes through the last one created (the first zone's).
            self._private_subnet(az, private_cidr, nat_gateways[-1])

        self.egress.extend(nat_gateways)
        self.vpc_id = self.vpc.id
        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
            }
        )

    def _vpc(self) -> tuple[aws.ec2.InternetGateway, aws.ec2.RouteTable]:
        """The VPC, its internet gateway and the public route table; returns the gateway and the table."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(args.cidr),
            enable_dns_hostnames=True,  # EKS private endpoint and EFS mount DNS names need both
            enable_dns_support=True,
            tags={"Name": f"{args.cluster_name}-vpc"},
            opts=child,
        )
        # The VPC's default security group, adopted with no rules (Pulumi removes the ones AWS puts in it): nothing
        # of ours uses it (nodes run in the EKS cluster group, the model cache in its NFS group), so emptied it
        # lets nothing launched into it by default reach anything (CIS AWS 5.4, checkov CKV2_AWS_12).
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            tags={"Name": f"{args.cluster_name}-default-unused"},
            opts=child,
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{args.cluster_name}-igw"}, opts=child
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags={"Name": f"{args.cluster_name}-public"},
            opts=child,
        )
        return igw, public_rt

    def _public_subnet(self, az: str, cidr: IPv4Network, route_table: aws.ec2.RouteTable) -> aws.ec2.Subnet:
        """One zone's public subnet, on the public route table."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        public = aws.ec2.Subnet(
            f"{name}-public-{az}",
            vpc_id=self.vpc.id,
            availability_zone=az,
            cidr_block=str(cidr),
            map_public_ip_on_launch=False,  # nothing we run needs a public IP; LBs get their own
            tags={"Name": f"{args.cluster_name}-public-{az}", "kubernetes.io/role/elb": "1"},
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-public-{az}", subnet_id=public.id, route_table_id=route_table.id, opts=child
        )
        self.public_subnets.append(public)
        return public

    def _nat_gateway(
        self, az: str, public: aws.ec2.Subnet, igw: aws.ec2.InternetGateway
    ) -> aws.ec2.NatGateway:
        """A NAT gateway with its Elastic IP in one zone's public subnet."""
        name, args = self._name, self._args
        eip = aws.ec2.Eip(
            f"{name}-nat-{az}",
            domain="vpc",
            tags={"Name": f"{args.cluster_name}-nat-{az}"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.ec2.NatGateway(
            f"{name}-nat-{az}",
            subnet_id=public.id,
            allocation_id=eip.id,
            tags={"Name": f"{args.cluster_name}-nat-{az}"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
        )

    def _private_subnet(self, az: str, cidr: IPv4Network, nat_gateway: aws.ec2.NatGateway) -> None:
        """One zone's private subnet, with a route table whose default route goes through `nat_gateway`."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        private = aws.ec2.Subnet(
            f"{name}-private-{az}",
            vpc_id=self.vpc.id,
            availability_zone=az,
            cidr_block=str(cidr),
            tags={
                "Name": f"{args.cluster_name}-private-{az}",
                "kubernetes.io/role/internal-elb": "1",  # internal load balancers (AWS LB controller)
                **args.private_subnet_tags,
            },
            opts=child,
        )
        private_rt = aws.ec2.RouteTable(
            f"{name}-private-{az}",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat_gateway.id}],
            tags={"Name": f"{args.cluster_name}-private-{az}"},
            opts=child,
        )
        self.egress.append(
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{az}", subnet_id=private.id, route_table_id=private_rt.id, opts=child
            )
        )
        self.private_subnets.append(private)
        self.private_subnet_ids_by_zone[az] = private.id
