from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from components.network import Network, NetworkArgs, subnet_plan
from tests.component.harness import record

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.40.0.0/18", "172.16.0.0/20"])
@pytest.mark.parametrize("zones", [2, 3, 6])
def test_subnet_plan_is_disjoint_and_inside_the_vpc(cidr, zones):
    vpc = IPv4Network(cidr)
    private, public = subnet_plan(vpc, zones)
    every = private + public
    assert len(private) == len(public) == zones
    assert all(s.subnet_of(vpc) for s in every)
    assert not any(a.overlaps(b) for i, a in enumerate(every) for b in every[i + 1 :])
    # Private subnets hold pod IPs (VPC CNI): each is an eighth of the VPC, /19 of a /16 = 8187 usable.
    assert all(s.prefixlen == vpc.prefixlen + 3 for s in private)


def _network(nat_per_az: bool):
    def declare():
        net = Network(
            "net",
            NetworkArgs(
                IPv4Network("10.0.0.0/16"),
                ZONES,
                nat_per_az=nat_per_az,
                cluster_name="c1",
                private_subnet_tags={"karpenter.sh/discovery": "c1"},
            ),
        )
        return {"private": net.private_subnet_ids, "egress": [r.urn for r in net.egress]}

    return record(declare)


def test_one_nat_gateway_per_zone_and_each_private_zone_routes_through_its_own():
    rec = _network(nat_per_az=True)
    nats = rec.of_type("aws:ec2/natGateway:NatGateway")
    assert len(nats) == 3
    private_routes = [r for r in rec.of_type("aws:ec2/routeTable:RouteTable") if "private" in r["name"]]
    assert len({r["inputs"]["routes"][0]["natGatewayId"] for r in private_routes}) == 3
    # NAT gateways sit in public subnets, which route to the internet gateway.
    public_rt = next(r for r in rec.of_type("aws:ec2/routeTable:RouteTable") if r["name"] == "net-public")
    assert public_rt["inputs"]["routes"][0]["gatewayId"].startswith("igw-")


def test_single_nat_gateway_serves_every_zone():
    rec = _network(nat_per_az=False)
    assert len(rec.of_type("aws:ec2/natGateway:NatGateway")) == 1
    private_routes = [r for r in rec.of_type("aws:ec2/routeTable:RouteTable") if "private" in r["name"]]
    assert len(private_routes) == 3
    (nat_id,) = {r["inputs"]["routes"][0]["natGatewayId"] for r in private_routes}
    assert nat_id.startswith("nat-")
    assert len(rec.outputs["egress"]) == 1 + 3  # the NAT gateway and three private route associations


def test_subnet_tags_for_load_balancers_and_karpenter_discovery():
    rec = _network(nat_per_az=True)
    subnets = rec.of_type("aws:ec2/subnet:Subnet")
    private = [s for s in subnets if "private" in s["name"]]
    public = [s for s in subnets if "public" in s["name"]]
    assert {s["inputs"]["availabilityZone"] for s in private} == set(ZONES)
    for s in private:
        assert s["inputs"]["tags"]["karpenter.sh/discovery"] == "c1"
        assert s["inputs"]["tags"]["kubernetes.io/role/internal-elb"] == "1"
    for s in public:
        assert s["inputs"]["tags"]["kubernetes.io/role/elb"] == "1"
        assert "karpenter.sh/discovery" not in s["inputs"]["tags"], "nodes must never land in public subnets"
        assert s["inputs"]["mapPublicIpOnLaunch"] is False


def test_the_default_security_group_is_adopted_with_no_rules():
    rec = _network(nat_per_az=False)
    (default_sg,) = rec.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    (vpc,) = rec.of_type("aws:ec2/vpc:Vpc")
    assert vpc["urn"] in default_sg["dependsOn"]  # the VPC's own group
    # No ingress or egress: Pulumi empties the group AWS creates and adds nothing back.
    assert "ingress" not in default_sg["inputs"] and "egress" not in default_sg["inputs"]
