"""The rules across keys (config/rules/): one registry, every rule exercised, each naming its keys as the
stack file writes them, and none running on a section that did not validate."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from config.loader import check_config
from config.rules import RULES
from config.schema.platform import PlatformConfig
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR, STACKS

K = "llm-platform"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
REV = "c1899de289a04d12100db370d81485cdf75e47ca"
KEY = "k" * 40  # an API key the schema takes


def existing_network(region: str, private_zones: str = "ab", public_zones: str = "") -> dict[str, Any]:
    """`llm-platform:network` naming an existing VPC, its subnets in the given zones of `region`."""

    def subnets(zones: str, first: int) -> list[dict[str, str]]:
        return [
            {"id": f"subnet-{first + i:017x}", "availabilityZone": f"{region}{z}"}
            for i, z in enumerate(zones)
        ]

    return {"existing": {"vpcId": "vpc-0a1b2c3d", "cidr": "10.60.0.0/16", "privateSubnets": subnets(private_zones, 1),
                         "publicSubnets": subnets(public_zones, 100)}}  # fmt: skip


def _internet_facing(gateway: dict) -> None:
    gateway["loadBalancer"].update(scheme="internet-facing", sourceCidrs=["203.0.113.0/24"])


# Stacks the cases start from besides the shipped ones: the shipped stack, some keys already changed.
VARIANTS: dict[str, tuple[str, dict[str, Callable[[Any], Any]]]] = {
    "prod-in-existing-network": ("prod", {f"{K}:network": lambda v: existing_network("us-east-1")}),
    "dev-in-existing-network": ("dev", {f"{K}:network": lambda v: existing_network("us-west-2")}),
}


def _existing_cluster(name: str) -> dict[str, Any]:
    """`llm-platform:cluster` naming an existing cluster and nothing of a created one."""
    return {"name": name, "kubernetesVersion": "1.35", "existing": {"deployRoleArn": ADMIN}}


def flat(stack: str, key: str, change: Callable[[Any], Any]) -> dict[str, str]:
    base, before = VARIANTS.get(stack, (stack, {}))
    c = dict(read_stack(PROJECT_DIR, base).config)
    for k, prior in before.items():
        c[k] = json.dumps(prior(json.loads(c[k])))
    if key == "aws:region":  # a plain string, not JSON
        c[key] = change(c[key])
        return c
    value = json.loads(c[key]) if key in c else None
    c[key] = json.dumps(change(value) if value is None else (change(value) or value))
    return c


def _repeat_subnet(network: dict[str, Any]) -> dict[str, Any]:
    existing = network["existing"]
    existing["publicSubnets"][0]["id"] = existing["privateSubnets"][0]["id"]
    return network


def reserved_group(
    name: str, az: str = "us-east-1a", reservation: str = "cr-0a1b2c3d4e5f60718"
) -> dict[str, Any]:
    """A p5.48xlarge node group in a Capacity Block of two instances."""
    return {"name": name, "capacityType": "reserved", "instanceTypes": ["p5.48xlarge"], "minSize": 0, "maxSize": 2,
            "capacityReservation": {"type": "capacityBlock", "id": reservation, "availabilityZone": az,
                                    "instances": 2, "hourlyPrice": 31.46}}  # fmt: skip


def _first_model(**changes: Any) -> Callable[[list], None]:
    return lambda models: models[0].update(changes)


# rule -> (stack, stack-file key to change, change, a key the rule must report, a key its message must name)
CASES: dict[str, tuple[str, str, Callable[[Any], Any], str, str]] = {
    "zones-in-region": ("dev", f"{K}:network", lambda v: v.update(availabilityZones=["us-west-2a", "us-east-1b"]),
                        f"{K}:network.availabilityZones[1]", "aws:region"),
    "ami-release-matches-kubernetes": ("dev", f"{K}:nodeAmi", lambda v: v.update(releaseVersion="1.34.9-20260714"),
                                       f"{K}:nodeAmi.releaseVersion", f"{K}:cluster.kubernetesVersion"),
    "node-group-names-unique": ("dev", f"{K}:gpuNodeGroups", lambda v: v.append(dict(v[0])),
                                f"{K}:gpuNodeGroups[1].name", f"{K}:gpuNodeGroups[0]"),
    "one-access-entry-per-role": ("prod", f"{K}:access", lambda v: v.update(appTeamRoleArns=[ADMIN]),
                                  f"{K}:access.appTeamRoleArns[0]", f"{K}:cluster.adminRoleArns"),
    "node-pool-names-unique": ("dev", f"{K}:addons", lambda v: v["karpenter"]["nodePools"][0].update(name="l4-spot"),
                               f"{K}:addons.karpenter.nodePools[0].name", "managed node group"),
    "karpenter-has-a-node-pool": ("dev", f"{K}:addons", lambda v: v["karpenter"].update(nodePools=[]),
                                  f"{K}:addons.karpenter.nodePools", "no NodePool"),
    "time-slicing-names-a-pool": ("dev", f"{K}:addons", lambda v: v["gpuOperator"]["timeSlicing"].update(nope=2),
                                  f"{K}:addons.gpuOperator.timeSlicing.nope", "l4-spot"),
    "time-slicing-needs-the-gpu-operator": ("dev", f"{K}:addons", lambda v: v["gpuOperator"].update(enabled=False),
                                            f"{K}:addons.gpuOperator.timeSlicing", "gpuOperator.enabled"),
    "time-slicing-needs-the-operators-device-plugin": (
        "dev", f"{K}:nodeAmi", lambda v: v.update(family="bottlerocket", releaseVersion="1.65.0-0be31b34"),
        f"{K}:addons.gpuOperator.timeSlicing", f"{K}:nodeAmi.family"),
    "keda-http-needs-keda": ("dev", f"{K}:addons", lambda v: v["keda"].update(enabled=False),
                             f"{K}:addons.kedaHttp.enabled", "addons.keda"),
    "models-need-keda-and-monitoring": ("prod", f"{K}:addons", lambda v: v["monitoring"].update(enabled=False),
                                        f"{K}:addons.monitoring.enabled", "monitoring"),
    "prometheus-may-scrape-the-models": ("prod", f"{K}:addons", lambda v: v.update(monitoring={"enabled": False,
                                         "external": {"prometheusUrl": "https://mimir.example.com/prometheus",
                                                      "operatorCrds": False}}),
                                         f"{K}:addons.monitoring.external.namespace", f"{K}:access.networkPolicies"),
    "scale-to-zero-needs-keda-http": ("dev", f"{K}:addons", lambda v: v.update(kedaHttp={"enabled": False}),
                                      f"{K}:models[0].autoscaling.scaleToZero", f"{K}:addons.kedaHttp.enabled"),
    "model-names-unique": ("prod", f"{K}:models", lambda v: v.append(dict(v[0])), f"{K}:models[2].name", "qwen3-8b"),
    "gpu-memory-below-its-alert": ("prod", f"{K}:alerts", lambda v: {"gpuMemoryUsage": 0.5},
                                   f"{K}:models[0].gpuMemoryUtilization", f"{K}:alerts.gpuMemoryUsage"),
    "time-sliced-share-fits-the-gpu": ("dev", f"{K}:models", _first_model(gpuMemoryUtilization=0.9),
                                       f"{K}:models[0].gpuMemoryUtilization", "'l4-spot'"),
    "architecture-known": ("dev", f"{K}:models", _first_model(source="hf://someone/unknown-model"),
                           f"{K}:models[0].source", "hf://someone/unknown-model"),
    "warm-windows-within-replicas": ("prod", f"{K}:models", lambda v: v[0].update(autoscaling={"warmWindows": [
                                         {"timezone": "UTC", "start": "0 8 * * *", "end": "0 18 * * *",
                                          "replicas": 9}]}),
                                     f"{K}:models[0].autoscaling.warmWindows[0].replicas", f"{K}:models[0].replicas.max"),
    "gated-models-have-a-token": ("dev", f"{K}:models", _first_model(source="hf://meta-llama/Llama-3.1-8B-Instruct"),
                                  f"{K}:models[0].source", f"{K}:huggingFaceToken"),
    "region-in-catalog": ("dev", "aws:region", lambda v: "ap-south-9", "aws:region", "catalog/regions.py"),
    "client-namespaces-are-callers": ("prod", f"{K}:access", lambda v: v.update(clientNamespaces=["inference"]),
                                      f"{K}:access.clientNamespaces[0]", f"{K}:modelCache.namespace"),
    "max-model-len-within-the-models-context": ("prod", f"{K}:models", lambda v: v[1].update(maxModelLen=131072),
                                                f"{K}:models[1].maxModelLen", "ropeScaling"),
    "rope-scaling-has-what-it-needs": ("dev", f"{K}:models", _first_model(source="hf://meta-llama/Llama-3.1-8B-Instruct",
                                       ropeScaling={"factor": 2}), f"{K}:models[0].ropeScaling", "llama3"),
    "objects-have-distinct-names": ("dev", f"{K}:models", lambda v: v.append({**v[0], "name": "qwen3-0-6b-proxy"}),
                                    f"{K}:models[1].name", f"{K}:models[0].name"),
    "tenants-call-served-models": ("prod", f"{K}:gateway", lambda v: v["tenants"][0].update(models=["qwen3-8"]),
                                   f"{K}:gateway.tenants[0].models[0]", "qwen3-8b"),
    "api-keys-belong-to-tenants": ("prod", f"{K}:gatewayApiKeys", lambda v: {"serch": {"k1": KEY}},
                                   f"{K}:gatewayApiKeys.serch", "'search'"),
    "api-keys-distinct": ("prod", f"{K}:gatewayApiKeys", lambda v: {"search": {"a": KEY}, "chat": {"b": KEY}},
                          f"{K}:gatewayApiKeys.chat.b", f"{K}:gatewayApiKeys.search.a"),
    "every-tenant-has-a-key": ("prod", f"{K}:gateway", lambda v: v["tenants"][1].update(generatedKeys=[]),
                               f"{K}:gateway.tenants[1].generatedKeys", f"{K}:gatewayApiKeys.chat"),
    "existing-network-alone": ("dev", f"{K}:network", lambda v: {**existing_network("us-west-2"), "natGateways": "single"},
                               f"{K}:network.natGateways", "network.existing"),
    "existing-subnets-once": ("dev", f"{K}:network", lambda v: _repeat_subnet(existing_network("us-west-2", public_zones="a")),
                              f"{K}:network.existing.publicSubnets[0].id", f"{K}:network.existing.privateSubnets[0]"),
    "existing-private-two-zones": ("dev", f"{K}:network", lambda v: existing_network("us-west-2", private_zones="aa"),
                                   f"{K}:network.existing.privateSubnets", "two zones"),
    "existing-zones-in-region": ("dev", f"{K}:network", lambda v: existing_network("us-east-1"),
                                 f"{K}:network.existing.privateSubnets[1].availabilityZone", "aws:region"),
    "existing-public-subnets-for-internet": ("prod-in-existing-network", f"{K}:gateway", _internet_facing,
                                             f"{K}:network.existing.publicSubnets", f"{K}:gateway.loadBalancer.scheme"),
    "existing-cluster-alone": ("dev-in-existing-network", f"{K}:cluster", lambda v: v.update(existing={"deployRoleArn": ADMIN}),
                               f"{K}:cluster.endpoint", "cluster.existing"),
    "existing-cluster-in-existing-network": ("dev", f"{K}:cluster", lambda v: _existing_cluster("llm-dev"),
                                             f"{K}:cluster.existing", f"{K}:network.existing"),
    "existing-cluster-access-is-its-owners": ("prod-in-existing-network", f"{K}:cluster", lambda v: _existing_cluster("llm-prod"),
                                              f"{K}:access.appTeamRoleArns", "cluster.existing"),
    "reservation-in-stack-zones": ("prod", f"{K}:gpuNodeGroups", lambda v: v.append(reserved_group("h100", "us-east-1d")),
                                   f"{K}:gpuNodeGroups[2].capacityReservation.availabilityZone", "us-east-1a"),
    "reservation-claimed-once": ("prod", f"{K}:gpuNodeGroups",
                                 lambda v: v.extend([reserved_group("h100-a"), reserved_group("h100-b")]),
                                 f"{K}:gpuNodeGroups[3].capacityReservation", f"{K}:gpuNodeGroups[2]"),
}  # fmt: skip
# Guards on derived name lengths that no schema-valid stack reaches today (the schema's own limits are tighter):
# tests/unit/test_names.py runs them directly, past and below each limit.
GUARDS = {
    "model-names-fit-their-objects",
    "node-group-names-fit-their-objects",
    "node-pool-names-fit-their-objects",
    "cluster-name-fits-its-objects",
    "namespace-and-claim-names-fit",
    # Every Kubernetes minor the catalog pins (1.34, 1.35) is one the gateway supports: tests/unit/test_gateway.py.
    "gateway-supports-the-cluster",
}


def test_every_registered_rule_has_a_case_a_docstring_and_reads_real_sections():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)) and set(names) == set(CASES) | GUARDS
    for r in RULES:
        assert r.description, r.name
        assert set(r.reads) <= set(PlatformConfig.model_fields), r.name


@pytest.mark.parametrize("name", list(CASES))
def test_each_rule_reports_the_keys_involved_as_written(name):
    stack, key, change, reported, named = CASES[name]
    checked = check_config(flat(stack, key, change))
    (rule,) = [r for r in RULES if r.name == name]
    issues = {i.key: i.message for i in rule.check(checked.sections)}
    assert reported in issues, issues
    assert named in issues[reported]
    assert reported in {i.key for i in checked.issues}  # and the loader reports it


@pytest.mark.parametrize("stack", STACKS)
def test_no_rule_fires_on_the_shipped_stacks(stack):
    checked = check_config(dict(read_stack(PROJECT_DIR, stack).config))
    assert checked.issues == ()
    assert all(list(r.check(checked.sections)) == [] for r in RULES)


def test_a_rule_does_not_run_on_a_section_that_did_not_validate():
    # A zone outside the region AND a broken CIDR: the schema error is reported, the rule over `network` is
    # not run on the half-valid section (so it cannot report a second, misleading error).
    c = flat(
        "dev",
        f"{K}:network",
        lambda v: v.update(cidr="10.0.0.0/8", availabilityZones=["us-west-2a", "eu-west-1a"]),
    )
    checked = check_config(c)
    keys = {i.key for i in checked.issues}
    assert f"{K}:network.cidr" in keys and f"{K}:network.availabilityZones[1]" not in keys
    assert not checked.sections.has(["network"])
