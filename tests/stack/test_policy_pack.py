"""The policy pack over the real stacks: it passes on every Pulumi.<stack>.yaml as planned, it fails when a real
object is broken, and it loads and answers as a CrossGuard analyzer the way `pulumi preview --policy-pack` talks
to it (gRPC), not only as functions."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from planner import policy_check
from policy import offline, rules
from tests.conftest import PROJECT_DIR

PLACEHOLDERS = "no-placeholder-values"


def test_every_stack_passes_its_policy_config(plan):
    config, source = offline.config_for_stack(plan.stack.stack)
    # Its own file, or the documented default for a stack without one.
    assert source == f"policy/config/{offline.config_path(plan.stack.stack).name}"
    report = offline.check(policy_check.resources_of(plan.resources), config)
    assert report.mandatory == [] and report.skipped == []
    # The example stacks ship placeholder ARNs and documentation CIDRs on purpose: `make plan` warns on each,
    # a real preview or up refuses them (the served pack below).
    assert report.findings and {(f.policy, f.level) for f in report.findings} == {(PLACEHOLDERS, "advisory")}


def test_every_stack_has_a_policy_config_with_a_gpu_cap_above_its_ceiling(plan):
    config, _ = offline.config_for_stack(plan.stack.stack)
    ceiling, _ = rules.gpu_capacity(policy_check.resources_of(plan.resources))
    assert 0 < ceiling <= config.properties["gpu-quota"]["maxGpus"]
    assert set(config.levels.values()) <= {"mandatory", "advisory"}  # nothing switched off


def test_prod_enforces_every_rule(plans):
    config, _ = offline.config_for_stack("prod")
    assert set(config.levels.values()) == {"mandatory"}


def _first(records: list[dict], typ: str, where: Callable[[dict], bool] = lambda r: True) -> dict:
    return next(r for r in records if r["type"] == typ and where(r))


def _model(records):
    return _first(records, "kubernetes:apps/v1:Deployment", lambda r: r["name"].startswith("model-"))


def _pod(records):
    return _model(records)["inputs"]["spec"]["template"]["spec"]


BREAKAGES: dict[str, tuple[Callable[[list[dict]], None], str]] = {
    "toleration dropped": (lambda rs: _pod(rs).update(tolerations=[]), "gpu-workloads-tolerate-and-request-gpus"),
    "image floated": (lambda rs: _pod(rs)["containers"][0].update(image="vllm/vllm-openai:latest"), "images-and-charts-pinned"),
    "chart unpinned": (lambda rs: _first(rs, "kubernetes:helm.sh/v3:Release")["inputs"].pop("version"), "images-and-charts-pinned"),
    "startup probe dropped": (lambda rs: _pod(rs)["containers"][0].pop("startupProbe"), "model-deployments-have-probes"),
    "PDB dropped": (lambda rs: rs.remove(_first(rs, "kubernetes:policy/v1:PodDisruptionBudget")), "model-deployments-have-pdb"),
    "NodePool limit dropped": (lambda rs: _first(rs, "kubernetes:karpenter.sh/v1:NodePool")["inputs"]["spec"].pop("limits"), "gpu-nodepools-have-limits"),
    "EFS unencrypted": (lambda rs: _first(rs, "aws:efs/fileSystem:FileSystem")["inputs"].update(encrypted=False), "efs-encrypted"),
    "endpoint opened": (lambda rs: _first(rs, "eks:index:Cluster")["inputs"].update(publicAccessCidrs=["0.0.0.0/0"]), "eks-endpoint-not-open-to-world"),
    "AMI floated": (lambda rs: _first(rs, "aws:eks/nodeGroup:NodeGroup", lambda r: r["name"].startswith("gpu-"))["inputs"].pop("releaseVersion"), "node-amis-pinned"),
    "Karpenter AMI floated": (lambda rs: _first(rs, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")["inputs"]["spec"].update(amiSelectorTerms=[{"alias": "al2023@latest"}]), "node-amis-pinned"),
    "admin attached": (lambda rs: _first(rs, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")["inputs"].update(policyArn="arn:aws:iam::aws:policy/AdministratorAccess"), "no-iam-star-on-star"),
    "star policy": (lambda rs: _first(rs, "aws:iam/rolePolicy:RolePolicy")["inputs"].update(policy=json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})), "no-iam-star-on-star"),
    "fleet grown": (lambda rs: _first(rs, "kubernetes:karpenter.sh/v1:NodePool")["inputs"]["spec"]["limits"].update({"nvidia.com/gpu": "1000"}), "gpu-quota"),
}  # fmt: skip


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_breaking_a_real_prod_object_fails_exactly_its_rule(plans, breakage):
    records = copy.deepcopy(plans["prod"].resources)
    mutate, rule = BREAKAGES[breakage]
    mutate(records)
    config, _ = offline.config_for_stack("prod")
    report = offline.check(policy_check.resources_of(records), config)
    assert {f.policy for f in report.findings} - {PLACEHOLDERS} == {rule}
    assert report.mandatory, "prod blocks on every rule"


def test_dev_only_advises_on_an_open_endpoint(plans):
    records = copy.deepcopy(plans["dev"].resources)
    BREAKAGES["endpoint opened"][0](records)
    report = offline.check(policy_check.resources_of(records), offline.config_for_stack("dev")[0])
    found = [(f.policy, f.level) for f in report.findings if f.policy != PLACEHOLDERS]
    assert found == [("eks-endpoint-not-open-to-world", "advisory")]


# --- the pack as the Pulumi engine sees it ----------------------------------------------------------------


@pytest.fixture(scope="module")
def analyzer():
    """The pack started as the Pulumi CLI starts a Python policy pack (its `pulumi-analyzer-policy-python`
    script: `python -u -m pulumi.policy <engine> <pack dir>`): it prints its gRPC port, then serves."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PROJECT_DIR / "policy")],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = proc.stdout.readline().strip()
        assert port.isdigit(), (
            f"the pack did not start: {port!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        )
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        proc.kill()
        proc.wait()


def test_the_pack_declares_every_rule_mandatory(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "llm-platform" and info.supportsConfig
    assert {p.name for p in info.policies} == {r.name for r in rules.ALL_RULES}
    assert {p.enforcementLevel for p in info.policies} == {analyzer_pb2.MANDATORY}


def _struct(props: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(props)
    return s


def test_the_served_pack_flags_a_bad_deployment_and_passes_a_real_one(analyzer, plans):
    model = copy.deepcopy(_model(plans["prod"].resources))
    request = analyzer_pb2.AnalyzeRequest(
        type=model["type"], name=model["name"], urn=model["urn"], properties=_struct(model["inputs"])
    )
    assert list(analyzer.Analyze(request).diagnostics) == []

    model["inputs"]["spec"]["template"]["spec"]["tolerations"] = []
    request.properties.CopyFrom(_struct(model["inputs"]))
    (diag,) = analyzer.Analyze(request).diagnostics
    assert diag.policyName == "gpu-workloads-tolerate-and-request-gpus" and diag.urn == model["urn"]
    assert (
        "does not tolerate the GPU taint" in diag.message and diag.enforcementLevel == analyzer_pb2.MANDATORY
    )


def test_the_served_pack_refuses_the_example_placeholders_that_make_plan_only_warns_about(analyzer, plans):
    cluster = _first(plans["prod"].resources, "eks:index:Cluster")
    request = analyzer_pb2.AnalyzeRequest(
        type=cluster["type"], name=cluster["name"], urn=cluster["urn"], properties=_struct(cluster["inputs"])
    )
    diags = [d for d in analyzer.Analyze(request).diagnostics if d.policyName == PLACEHOLDERS]
    assert {d.enforcementLevel for d in diags} == {analyzer_pb2.MANDATORY}
    text = "\n".join(d.message for d in diags)
    assert "arn:aws:iam::123456789012:role/platform-admin" in text and "203.0.113.0/24" in text
    offline_levels = {
        f.level
        for f in offline.check(
            policy_check.resources_of([cluster]), offline.config_for_stack("prod")[0]
        ).findings
    }
    assert offline_levels == {"advisory"}
    # Real values pass: an account that is not AWS's documentation one, and a routable egress range.
    real = copy.deepcopy(cluster["inputs"])
    real["publicAccessCidrs"] = ["52.94.76.0/24"]
    real["accessEntries"] = {
        k.replace("123456789012", "210987654321"): {
            **v,
            "principalArn": v["principalArn"].replace("123456789012", "210987654321"),
        }
        for k, v in real["accessEntries"].items()
    }
    request.properties.CopyFrom(_struct(real))
    assert [d for d in analyzer.Analyze(request).diagnostics if d.policyName == PLACEHOLDERS] == []


def test_the_served_pack_runs_stack_policies(analyzer, plans):
    resources = [
        analyzer_pb2.AnalyzerResource(
            type=r["type"], name=r["name"], urn=r["urn"], properties=_struct(r["inputs"])
        )
        for r in plans["prod"].resources
    ]
    # Without the stack's config file the pack applies its default cap, which prod's fleet exceeds.
    (diag,) = analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources)).diagnostics
    ceiling, _ = rules.gpu_capacity(policy_check.resources_of(plans["prod"].resources))
    assert diag.policyName == "gpu-quota" and f"can run {ceiling} GPUs" in diag.message
