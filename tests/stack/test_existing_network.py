"""`llm-platform:network.existing`: prod placed in a VPC the network team owns. The platform creates none of the
network, and every input that read the created network's ids reads the ones the stack file names."""

from __future__ import annotations

import pytest

from planner.run import Plan, run_plan
from tests.conftest import write_variant

K = "llm-platform"
VPC = "vpc-0a1b2c3d4e5f60718"
VPC_CIDR = "10.60.0.0/16"
# Two private subnets in us-east-1a: everything takes both, but EFS gets one mount target per zone (the first).
PRIVATE = [
    ("subnet-0000000000000000a", "us-east-1a"),
    ("subnet-0000000000000000b", "us-east-1b"),
    ("subnet-0000000000000000c", "us-east-1c"),
    ("subnet-0000000000000000d", "us-east-1a"),
]
PUBLIC = [("subnet-000000000000000e1", "us-east-1a"), ("subnet-000000000000000e2", "us-east-1b")]
PRIVATE_IDS = [s for s, _ in PRIVATE]
PUBLIC_IDS = [s for s, _ in PUBLIC]
# Everything a created network consists of.
NETWORK_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/route:Route",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "llm-platform:network:Network",
}


def subnets(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"id": s, "availabilityZone": az} for s, az in pairs]


def existing_network(c: dict) -> None:
    c[f"{K}:network"] = {
        "existing": {"vpcId": VPC, "cidr": VPC_CIDR, "privateSubnets": subnets(PRIVATE),
                     "publicSubnets": subnets(PUBLIC)},
    }  # fmt: skip


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Plan:
    return run_plan(
        write_variant(tmp_path_factory.mktemp("existing"), existing_network, base="prod"), "variant"
    )


def test_no_network_resource_is_created(plan, plans):
    assert NETWORK_TYPES & {r["type"] for r in plans["prod"].resources}  # the check can see them
    assert not [r["name"] for r in plan.resources if r["type"] in NETWORK_TYPES]
    assert not [r["name"] for r in plan.resources if "llm-platform:network:Network" in (r["parent"] or "")]


def test_the_cluster_and_node_groups_take_the_private_subnets(plan):
    (cluster,) = plan.of_type("eks:index:Cluster")
    assert cluster["inputs"]["vpcId"] == VPC
    assert cluster["inputs"]["privateSubnetIds"] == PRIVATE_IDS
    assert cluster["inputs"]["publicSubnetIds"] == PUBLIC_IDS
    groups = plan.of_type("aws:eks/nodeGroup:NodeGroup")
    assert {g["name"] for g in groups} >= {"cluster-system-ng", "gpu-l40s-spot-ng"}
    assert all(g["inputs"]["subnetIds"] == PRIVATE_IDS for g in groups)


def test_the_model_cache_mounts_once_per_zone_in_the_existing_vpc(plan):
    mounts = {m["name"]: m["inputs"]["subnetId"] for m in plan.of_type("aws:efs/mountTarget:MountTarget")}
    assert mounts == {f"model-cache-mount-{i}": s for i, s in enumerate(PRIVATE_IDS[:3])}
    assert plan.by_name("model-cache-nfs")["inputs"]["vpcId"] == VPC


def test_karpenter_selects_the_subnets_by_id_in_their_zones(plan):
    for node_class in plan.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        assert node_class["inputs"]["spec"]["subnetSelectorTerms"] == [{"id": s} for s in PRIVATE_IDS]
    for pool in plan.of_type("kubernetes:karpenter.sh/v1:NodePool"):
        requirements = pool["inputs"]["spec"]["template"]["spec"]["requirements"]
        (zones,) = [r["values"] for r in requirements if r["key"] == "topology.kubernetes.io/zone"]
        assert zones == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_the_load_balancer_controller_and_gateway_policy_use_the_existing_vpc(plan):
    (controller,) = [
        r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r["name"] == "load-balancer-controller"
    ]
    assert controller["inputs"]["values"]["vpcId"] == VPC
    blocks = [
        peer["ipBlock"]["cidr"]
        for policy in plan.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        for rule in policy["inputs"]["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if "ipBlock" in peer
    ]
    assert VPC_CIDR in blocks and "10.40.0.0/16" not in blocks


def test_the_load_balancer_is_placed_in_one_private_subnet_per_zone(plan):
    (proxy,) = plan.of_type("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")
    annotations = proxy["inputs"]["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-subnets"] == ",".join(PRIVATE_IDS[:3])


def test_an_internet_facing_alb_is_placed_in_the_public_subnets(tmp_path):
    def internet_alb(c: dict) -> None:
        existing_network(c)
        c[f"{K}:gateway"]["loadBalancer"].update(
            type="alb", scheme="internet-facing", sourceCidrs=["203.0.113.0/24"]
        )

    plan = run_plan(write_variant(tmp_path, internet_alb, base="prod"), "variant")
    (ingress,) = plan.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingress["inputs"]["metadata"]["annotations"]["alb.ingress.kubernetes.io/subnets"] == ",".join(
        PUBLIC_IDS
    )


def test_a_created_network_leaves_load_balancer_subnets_to_discovery(plans):
    (proxy,) = plans["prod"].of_type("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")
    annotations = proxy["inputs"]["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]
    assert "service.beta.kubernetes.io/aws-load-balancer-subnets" not in annotations


def test_the_outputs_are_the_existing_ids(plan):
    assert plan.outputs["vpcId"] == VPC
    assert plan.outputs["privateSubnetIds"] == PRIVATE_IDS
    assert plan.outputs["publicSubnetIds"] == PUBLIC_IDS


def test_no_nat_gateway_is_charged(plan):
    assert plan.config.network.nat_gateway_count == 0
    assert not any("natGateways" in w for w in plan.warnings)
