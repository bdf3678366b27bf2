"""Every policy rule passes on a compliant object and fails, with a message that says why, on a bad one.

Each case runs through both runners: the offline checker `make plan` uses, and the pulumi_policy objects the
pack serves to `pulumi preview` (same props proxy, same config handling).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.policy import PolicyResource, PolicyResourceOptions
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from planner import policy_check
from policy import offline, pack, rules
from vocabulary.scheduling import GPU_TAINT

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def model_deployment() -> dict[str, Any]:
    probe = {"httpGet": {"path": "/health", "port": "http"}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "qwen", "namespace": "inference"},
        "spec": {
            "selector": {"matchLabels": {"llm-platform.io/model": "qwen"}},
            "template": {
                "metadata": {"labels": {"llm-platform.io/model": "qwen", "app.kubernetes.io/name": "vllm"}},
                "spec": {
                    "tolerations": [GPU_TAINT.toleration()],
                    "initContainers": [{"name": "gpu-check", "image": "vllm/vllm-openai:v0.31.0"}],
                    "containers": [
                        {
                            "name": "vllm",
                            "image": "vllm/vllm-openai:v0.31.0",
                            "resources": {
                                "requests": {"nvidia.com/gpu": "1"},
                                "limits": {"nvidia.com/gpu": "1"},
                            },
                            "startupProbe": probe,
                            "readinessProbe": probe,
                            "livenessProbe": probe,
                        }
                    ],
                },
            },
        },
    }


def pdb(**spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "qwen", "namespace": "inference"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"llm-platform.io/model": "qwen"}}, **spec},
    }


def gpu_node_pool(limit: str | None = "8") -> dict[str, Any]:
    return {
        "spec": {
            "template": {"spec": {"taints": [GPU_TAINT.for_kubernetes()], "requirements": []}},
            **({"limits": {"nvidia.com/gpu": limit}} if limit is not None else {}),
        }
    }


def node_group(**props: Any) -> dict[str, Any]:
    return {
        "amiType": "AL2023_x86_64_NVIDIA",
        "releaseVersion": "1.35.6-20260714",
        "instanceTypes": ["g6e.12xlarge"],
        "scalingConfig": {"minSize": 0, "maxSize": 2, "desiredSize": 0},
        **props,
    }


def iam_policy(statement: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def mutate(props: dict) -> None:
        *parents, last = path.split(".")
        node: Any = props
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        key = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return mutate


DELETE = object()
ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
LB = "spec.provider.kubernetes.envoyService"
NLB, ALB = "service.beta.kubernetes.io/aws-load-balancer-", "alb.ingress.kubernetes.io/"
CERT_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def nlb() -> dict:
    """An internet-facing NLB as the gateway's EnvoyProxy asks for it: TLS, named sources."""
    notes = {
        f"{NLB}scheme": "internet-facing",
        f"{NLB}ssl-cert": f"arn:aws:acm:us-east-1:210987654321:certificate/{CERT_ID}",
    }
    service = {"type": "LoadBalancer", "annotations": notes, "loadBalancerSourceRanges": ["52.94.76.0/24"]}
    return {"kind": "EnvoyProxy", "spec": {"provider": {"kubernetes": {"envoyService": service}}}}


def _nlb_notes(props: dict) -> dict:
    return props["spec"]["provider"]["kubernetes"]["envoyService"]["annotations"]


def alb() -> dict:
    notes = {f"{ALB}scheme": "internet-facing", f"{ALB}certificate-arn": f"arn:aws:acm:us-east-1:210987654321:certificate/{CERT_ID}",
             f"{ALB}inbound-cidrs": "52.94.76.0/24"}  # fmt: skip
    return {"kind": "Ingress", "metadata": {"annotations": notes}, "spec": {"ingressClassName": "alb"}}


POD = "spec.template.spec"
VLLM = f"{POD}.containers.0"

# (rule, resource type, compliant props, mutation that breaks it, what the message must say)
RESOURCE_CASES: list[tuple[str, str, Callable[[], dict], Callable[[dict], None], str]] = [
    ("gpu-workloads-tolerate-and-request-gpus", DEPLOYMENT, model_deployment, _set(f"{POD}.tolerations", []), "does not tolerate the GPU taint"),
    ("gpu-workloads-tolerate-and-request-gpus", DEPLOYMENT, model_deployment, _set(f"{VLLM}.resources", {}), "without requesting nvidia.com/gpu"),
    ("gpu-workloads-tolerate-and-request-gpus", DEPLOYMENT, model_deployment, _set(f"{POD}.tolerations", [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "false"}]), "does not tolerate"),
    ("gpu-workloads-tolerate-and-request-gpus", DEPLOYMENT, model_deployment, _set(f"{VLLM}.resources", {"requests": {"nvidia.com/gpu": "1"}}), "without a limit"),
    ("images-and-charts-pinned", DEPLOYMENT, model_deployment, _set(f"{VLLM}.image", "vllm/vllm-openai:latest"), "unpinned image 'vllm/vllm-openai:latest'"),
    ("images-and-charts-pinned", DEPLOYMENT, model_deployment, _set(f"{POD}.initContainers.0.image", "registry.local:5000/vllm"), "unpinned image 'registry.local:5000/vllm'"),
    ("images-and-charts-pinned", "kubernetes:helm.sh/v3:Release", lambda: {"chart": "keda", "version": "2.19.0"}, _set("version", "^2.19"), "no exact version"),
    ("images-and-charts-pinned", "kubernetes:helm.sh/v3:Release", lambda: {"chart": "keda", "version": "2.19.0"}, _set("version", DELETE), "no exact version"),
    ("images-and-charts-pinned", "kubernetes:helm.sh/v3:Release", lambda: {"chart": "gpu-operator", "version": "v26.7.0"}, _set("version", "26.7.x"), "no exact version"),
    ("images-and-charts-pinned", "kubernetes:helm.sh/v3:Release", lambda: {"chart": "x", "version": "1.0.0-rc.1+exp.sha.5114f85"}, _set("version", ">=1.0.0"), "no exact version"),
    ("model-deployments-have-probes", DEPLOYMENT, model_deployment, _set(f"{VLLM}.startupProbe", DELETE), "has no startupProbe"),
    ("model-deployments-have-probes", DEPLOYMENT, model_deployment, _set(f"{VLLM}.livenessProbe", None), "has no livenessProbe"),
    ("gpu-nodepools-have-limits", "kubernetes:karpenter.sh/v1:NodePool", gpu_node_pool, _set("spec.limits", {"cpu": "100"}), "no spec.limits['nvidia.com/gpu']"),
    ("gpu-nodepools-have-limits", "kubernetes:karpenter.sh/v1:NodePool", gpu_node_pool, _set("spec.limits", {"nvidia.com/gpu": "0"}), "no spec.limits"),
    ("efs-encrypted", "aws:efs/fileSystem:FileSystem", lambda: {"encrypted": True}, _set("encrypted", False), "not encrypted"),
    ("efs-encrypted", "aws:efs/fileSystem:FileSystem", lambda: {"encrypted": True}, _set("encrypted", DELETE), "not encrypted"),
    ("eks-endpoint-not-open-to-world", "eks:index:Cluster", lambda: {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}, _set("publicAccessCidrs", ["0.0.0.0/0"]), "open to 0.0.0.0/0"),
    ("eks-endpoint-not-open-to-world", "eks:index:Cluster", lambda: {"endpointPublicAccess": False}, _set("endpointPublicAccess", DELETE), "open to 0.0.0.0/0"),
    ("eks-endpoint-not-open-to-world", "aws:eks/cluster:Cluster", lambda: {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}}, _set("vpcConfig.publicAccessCidrs", DELETE), "open to 0.0.0.0/0"),
    ("node-amis-pinned", "aws:eks/nodeGroup:NodeGroup", node_group, _set("releaseVersion", DELETE), "has no releaseVersion"),
    ("node-amis-pinned", "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", lambda: {"spec": {"amiSelectorTerms": [{"alias": "al2023@v20260714"}]}}, _set("spec.amiSelectorTerms.0.alias", "al2023@latest"), "does not pin an AMI release"),
    ("node-amis-pinned", "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", lambda: {"spec": {"amiSelectorTerms": [{"id": "ami-0123456789abcdef0"}]}}, _set("spec.amiSelectorTerms.0", {"name": "my-ami-*"}), "does not pin"),
    ("no-placeholder-values", "eks:index:Cluster", lambda: {"endpointPublicAccess": True, "publicAccessCidrs": ["52.94.76.0/24"]}, _set("publicAccessCidrs", ["203.0.113.0/24", "198.51.100.7/32"]), "only documentation ranges (203.0.113.0/24, 198.51.100.7/32)"),
    ("no-placeholder-values", "eks:index:Cluster", lambda: {"endpointPublicAccess": False, "accessEntries": {"a": {"principalArn": "arn:aws:iam::210987654321:role/admin"}}}, _set("accessEntries.a.principalArn", "arn:aws:iam::123456789012:role/admin"), "in a documentation account"),
    ("no-placeholder-values", "aws:eks/cluster:Cluster", lambda: {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["52.94.76.0/24", "192.0.2.0/24"]}}, _set("vpcConfig.publicAccessCidrs", ["192.0.2.0/25"]), "only documentation ranges"),
    ("public-load-balancers-need-tls-and-sources", ENVOY_PROXY, nlb, lambda p: _nlb_notes(p).pop(f"{NLB}ssl-cert"), "without a TLS certificate"),
    ("public-load-balancers-need-tls-and-sources", ENVOY_PROXY, nlb, _set(f"{LB}.loadBalancerSourceRanges", ["0.0.0.0/0"]), "open to every address"),
    ("public-load-balancers-need-tls-and-sources", INGRESS, alb, lambda p: p["metadata"]["annotations"].pop(f"{ALB}inbound-cidrs"), "open to every address"),
    ("no-placeholder-values", ENVOY_PROXY, nlb, lambda p: _nlb_notes(p).update({f"{NLB}ssl-cert": f"arn:aws:acm:us-east-1:123456789012:certificate/{CERT_ID}"}), "documentation account"),
    ("no-placeholder-values", "aws:iam/rolePolicy:RolePolicy", lambda: iam_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-weights/qwen/*"}), _set("policy", json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::my-weights/*", "arn:aws:s3:::amzn-s3-demo-bucket/qwen/*"]}]})), "S3 bucket amzn-s3-demo-bucket, an AWS documentation bucket"),
    ("no-iam-star-on-star", "aws:iam/rolePolicy:RolePolicy", lambda: iam_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}), _set("policy", json.dumps({"Statement": {"Effect": "Allow", "Action": ["*"], "Resource": "*"}})), "'*' on '*'"),
    ("no-iam-star-on-star", "aws:iam/policy:Policy", lambda: iam_policy({"Effect": "Deny", "Action": "*", "Resource": "*"}), _set("policy", json.dumps({"Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*:*", "Resource": ["*"]}]})), "statement 'All'"),
    ("no-iam-star-on-star", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", lambda: {"policyArn": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"}, _set("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"), "AdministratorAccess"),
]  # fmt: skip

MANDATORY = offline.load_policy_text("{}", "test")


def offline_findings(rule: str, typ: str, props: dict, config: offline.PolicyConfig = MANDATORY) -> list[str]:
    resource = policy_check.resources_of(
        [{"type": typ, "name": "r", "urn": f"urn:pulumi:t::p::{typ}::r", "inputs": props}]
    )
    return [f.message for f in offline.check(resource, config).findings if f.policy == rule]


def pack_findings(rule: str, typ: str, props: dict) -> list[str]:
    (policy,) = [p for p in pack.policies() if p.name == rule]
    args = ResourceValidationArgs(
        typ, unknown_checking_proxy(copy.deepcopy(props)), "urn:x", "r", None, None, {}
    )
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


@pytest.mark.parametrize(("rule", "typ", "good", "mutate", "says"), RESOURCE_CASES)
def test_resource_rule_passes_good_and_fails_bad(rule, typ, good, mutate, says):
    props = good()
    assert offline_findings(rule, typ, props) == [] == pack_findings(rule, typ, props)
    mutate(props)
    found = offline_findings(rule, typ, props)
    assert found and any(says in m for m in found), found
    assert pack_findings(rule, typ, props) == found  # the pack reports exactly what `make plan` reports


def test_every_rule_has_a_failing_case():
    tested = {c[0] for c in RESOURCE_CASES} | {"model-deployments-have-pdb", "gpu-quota"}
    assert tested == {r.name for r in rules.ALL_RULES}


def test_a_cpu_pod_without_tolerations_is_not_a_gpu_workload():
    cpu = model_deployment()
    cpu["spec"]["template"]["spec"].update(
        tolerations=[], containers=[{"name": "web", "image": "nginx:1.29.3"}]
    )
    for rule in ("gpu-workloads-tolerate-and-request-gpus", "model-deployments-have-probes"):
        assert offline_findings(rule, DEPLOYMENT, cpu) == []


def test_values_unknown_at_preview_skip_the_rule_instead_of_failing_it():
    props = node_group(releaseVersion=UNKNOWN_STRING_VALUE)
    props["amiType"] = UNKNOWN_STRING_VALUE
    report = offline.check(policy_check.resources_of([{"type": "aws:eks/nodeGroup:NodeGroup", "name": "ng", "urn": "u", "inputs": props}]), MANDATORY)  # fmt: skip
    assert report.findings == [] and "node-amis-pinned: ng" in report.skipped
    # The offline plan spells unknowns "[unknown]": they become the same sentinel.
    report = offline.check(policy_check.resources_of([{"type": "aws:efs/fileSystem:FileSystem", "name": "fs", "urn": "u", "inputs": {"encrypted": "[unknown]"}}]), MANDATORY)  # fmt: skip
    assert report.findings == [] and report.skipped == ["efs-encrypted: fs"]


# --- stack rules ------------------------------------------------------------------------------------------


def stack(*items: tuple[str, str, dict]) -> list[rules.Resource]:
    return policy_check.resources_of(
        [{"type": t, "name": n, "urn": f"urn:pulumi:s::p::{t}::{n}", "inputs": p} for t, n, p in items]
    )


def stack_findings(rule: str, resources: list[rules.Resource], config: offline.PolicyConfig = MANDATORY):
    return [f for f in offline.check(resources, config).findings if f.policy == rule]


def test_model_deployment_needs_a_pdb_selecting_its_pods():
    deployment = (DEPLOYMENT, "d", model_deployment())
    good = ("kubernetes:policy/v1:PodDisruptionBudget", "p", pdb())
    assert stack_findings("model-deployments-have-pdb", stack(deployment, good)) == []
    for bad in (
        pdb(selector={"matchLabels": {"llm-platform.io/model": "other"}}),
        {**pdb(), "metadata": {"name": "qwen", "namespace": "default"}},
        pdb(selector={"matchLabels": {}}),
    ):
        (finding,) = stack_findings("model-deployments-have-pdb", stack(deployment, ("kubernetes:policy/v1:PodDisruptionBudget", "p", bad)))  # fmt: skip
        assert finding.urn.endswith("::d") and "no PodDisruptionBudget" in finding.message
    assert stack_findings("model-deployments-have-pdb", stack(deployment))


def test_gpu_quota_counts_node_group_maxima_and_node_pool_limits():
    fleet = stack(
        ("aws:eks/nodeGroup:NodeGroup", "ng", node_group(instanceTypes=["g6e.12xlarge", "g6e.48xlarge"])),
        ("aws:eks/nodeGroup:NodeGroup", "system", node_group(amiType="AL2023_x86_64_STANDARD", instanceTypes=["m7i.xlarge"])),
        ("kubernetes:karpenter.sh/v1:NodePool", "np", gpu_node_pool("8")),
    )  # fmt: skip
    # 2 nodes x 8 GPUs (the largest allowed type) + a NodePool limit of 8; the CPU group counts nothing.
    assert rules.gpu_capacity(fleet) == (24, ["ng: 2 x 8", "np: limit 8"])
    at_cap = offline.load_policy_text('{"gpu-quota": {"maxGpus": 24}}', "t")
    assert stack_findings("gpu-quota", fleet, at_cap) == []
    (over,) = stack_findings(
        "gpu-quota", fleet, offline.load_policy_text('{"gpu-quota": {"maxGpus": 23}}', "t")
    )
    assert "can run 24 GPUs" in over.message and "cap of 23" in over.message and over.urn == ""


def test_gpu_quota_refuses_instance_types_it_cannot_count():
    fleet = stack(("aws:eks/nodeGroup:NodeGroup", "ng", node_group(instanceTypes=["x9.huge"])))
    (finding,) = stack_findings("gpu-quota", fleet)
    assert "GPU count unknown" in finding.message and "x9.huge" in finding.message


def test_stack_policy_in_the_pack_reports_like_the_offline_checker():
    fleet = [
        PolicyResource(r.type, r.props, r.urn, r.name, PolicyResourceOptions(False, [], False, [], None, [], None), None, None, [], {})
        for r in stack(("aws:eks/nodeGroup:NodeGroup", "ng", node_group(scalingConfig={"maxSize": 40})))
    ]  # fmt: skip
    (policy,) = [p for p in pack.policies() if p.name == "gpu-quota"]
    found: list[str] = []
    policy.validate(
        StackValidationArgs(fleet, {"maxGpus": 16}), lambda message, urn=None: found.append(message)
    )
    assert found == ["the stack can run 160 GPUs (ng: 40 x 4), over its cap of 16 (maxGpus)"]


# --- policy config ------------------------------------------------------------------------------------------


def test_policy_config_levels_and_properties():
    cfg = offline.load_policy_text(
        '{"all": "advisory", "efs-encrypted": "mandatory", "gpu-quota": {"enforcementLevel": "disabled", "maxGpus": 4}}',
        "x.json",
    )
    assert cfg.levels["efs-encrypted"] == "mandatory" and cfg.levels["node-amis-pinned"] == "advisory"
    assert cfg.levels["gpu-quota"] == "disabled" and cfg.properties["gpu-quota"] == {"maxGpus": 4}
    assert offline.load_policy_text("{}", "x").properties["gpu-quota"] == {"maxGpus": rules.DEFAULT_MAX_GPUS}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"efs-encrypt": "mandatory"}', "x.json: efs-encrypt: no such policy"),
        ('{"all": "blocking"}', "x.json: all: enforcement level must be one of"),
        ('{"gpu-quota": {"maxGPUs": 4}}', "x.json: gpu-quota.maxGPUs: the policy takes no such setting"),
        ('{"gpu-quota": {"maxGpus": -1}}', "x.json: gpu-quota.maxGpus: expected an integer >= 0"),
        ('{"gpu-quota": {"enforcementLevel": "warn"}}', "x.json: gpu-quota.enforcementLevel must be one of"),
    ],
)
def test_policy_config_errors_name_the_key(text, says):
    with pytest.raises(offline.PolicyConfigError, match=None) as err:
        offline.load_policy_text(text, "x.json")
    assert says in str(err.value)


def test_advisory_findings_do_not_count_as_mandatory():
    props = {"endpointPublicAccess": True}
    cfg = offline.load_policy_text('{"eks-endpoint-not-open-to-world": "advisory"}', "dev.json")
    report = offline.check(policy_check.resources_of([{"type": "eks:index:Cluster", "name": "c", "urn": "urn:pulumi:s::p::eks:index:Cluster::c", "inputs": props}]), cfg)  # fmt: skip
    assert [f.level for f in report.findings] == ["advisory"] and report.mandatory == []
    assert "! [eks-endpoint-not-open-to-world] eks:index:Cluster c:" in "\n".join(offline.render(report))


def test_placeholders_warn_offline_and_block_under_the_engine():
    props = {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24", "0.0.0.0/0"]}
    typ = "eks:index:Cluster"
    report = offline.check(policy_check.resources_of([{"type": typ, "name": "c", "urn": f"urn:pulumi:s::p::{typ}::c", "inputs": props}]), MANDATORY)  # fmt: skip
    levels = {f.policy: f.level for f in report.findings}
    # Mixed with a routable range the CIDRs are not all placeholders; the world-open one is mandatory as ever.
    assert levels == {"eks-endpoint-not-open-to-world": "mandatory"}
    props["publicAccessCidrs"] = ["203.0.113.0/24"]
    report = offline.check(policy_check.resources_of([{"type": typ, "name": "c", "urn": f"urn:pulumi:s::p::{typ}::c", "inputs": props}]), MANDATORY)  # fmt: skip
    assert [(f.policy, f.level) for f in report.findings] == [("no-placeholder-values", "advisory")]
    assert "[blocks a real preview or up]" in "\n".join(offline.render(report))
    # The pack itself (what the engine runs) keeps the configured level: mandatory.
    (policy,) = [p for p in pack.policies() if p.name == "no-placeholder-values"]
    assert policy.enforcement_level in (None, pack.DEFAULT_LEVEL)
    assert pack_findings("no-placeholder-values", typ, props)
