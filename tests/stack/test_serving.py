"""Model serving across the real stacks: every model's objects, their order, and the add-one-model diff."""

from __future__ import annotations

import kubernetes_validate
import pytest

from planner.run import run_plan
from tests.conftest import write_variant

PER_MODEL = {
    "kubernetes:batch/v1:Job": "preload-job",
    "kubernetes:apps/v1:Deployment": "deployment",
    "kubernetes:core/v1:Service": "service",
    "kubernetes:policy/v1:PodDisruptionBudget": "pdb",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor": "podmonitor",
    "kubernetes:keda.sh/v1alpha1:ScaledObject": "scaledobject",
}


def test_dev_serves_one_small_model_and_prod_two_one_with_tensor_parallelism(plans):
    assert [m.name for m in plans["dev"].config.models] == ["qwen3-0-6b"]
    prod = plans["prod"]
    assert len(prod.config.models) >= 2
    deployments = {d["inputs"]["metadata"]["name"]: d for d in prod.of_type("kubernetes:apps/v1:Deployment")}
    gpus = {n: d["inputs"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
            for n, d in deployments.items()}  # fmt: skip
    assert gpus == {"qwen3-8b": "1", "qwen3-32b": "4"}


def test_every_model_has_its_six_objects_in_order(plan):
    releases = {r["inputs"]["name"]: r["urn"] for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    for m in plan.config.models:
        objs = {suffix: plan.by_name(f"model-{m.name}-{suffix}") for suffix in PER_MODEL.values()}
        for typ, suffix in PER_MODEL.items():
            assert objs[suffix]["type"] == typ
            assert objs[suffix]["provider"] == "cluster-k8s"
            assert objs[suffix]["inputs"]["metadata"]["namespace"] == plan.config.model_cache.namespace
        assert objs["preload-job"]["urn"] in objs["deployment"]["dependsOn"]
        assert releases["keda"] in objs["scaledobject"]["dependsOn"]
        assert releases["kube-prometheus-stack"] in objs["podmonitor"]["dependsOn"]
        assert objs["deployment"]["ignoreChanges"] == ["spec.replicas"]  # KEDA owns the count
        for obj in ("preload-job", "deployment", "service", "pdb"):
            kubernetes_validate.validate(
                {"apiVersion": objs[obj]["inputs"]["apiVersion"], "kind": objs[obj]["inputs"]["kind"],
                 "metadata": objs[obj]["inputs"]["metadata"], "spec": objs[obj]["inputs"]["spec"]},
                f"{plan.config.cluster.kubernetes_version}.0", strict=True,
            )  # fmt: skip


def test_outputs_give_each_model_an_openai_base_url(plan):
    assert plan.outputs["servedModelNames"] == [m.name for m in plan.config.models]
    for m in plan.config.models:
        assert plan.outputs["modelEndpoints"][m.name] == f"http://{m.name}.inference.svc:8000/v1"


def test_namespace_guardrails(plan):
    (quota,) = plan.of_type("kubernetes:core/v1:ResourceQuota")
    assert int(quota["inputs"]["spec"]["hard"]["requests.nvidia.com/gpu"]) >= sum(
        int(d["inputs"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"])
        for d in plan.of_type("kubernetes:apps/v1:Deployment")
    )
    (limits,) = plan.of_type("kubernetes:core/v1:LimitRange")
    assert limits["inputs"]["spec"]["limits"][0]["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}


def test_adding_one_model_adds_exactly_its_objects(tmp_path, plans):
    def add(c):
        c["llm-platform:models"].append({
            "name": "r1-distill-8b",
            "source": "hf://deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
            "revision": "1" * 40,  # synthetic: only the format is checked offline
            "placement": {"pools": ["gpu-spot"], "capacityType": "spot"},
            "maxModelLen": 8192,
        })  # fmt: skip

    plan = run_plan(write_variant(tmp_path, add, name="dev"), "dev")
    before = {r["urn"]: r for r in plans["dev"].resources}
    added = sorted(r["name"] for r in plan.resources if r["urn"] not in before)
    assert added == sorted(["model-r1-distill-8b", "model-r1-distill-8b-preload"] +
                           [f"model-r1-distill-8b-{s}" for s in PER_MODEL.values()])  # fmt: skip
    changed = [r["name"] for r in plan.resources if r["urn"] in before and r != before[r["urn"]]]
    assert changed == []
    assert set(plan.outputs["modelEndpoints"]) == {"qwen3-0-6b", "r1-distill-8b"}


@pytest.mark.parametrize("stack", ["dev"])
def test_a_gated_model_needs_a_secret_token(tmp_path, stack):
    from stacks.loader import ConfigError

    def gated(c):
        c["llm-platform:models"][0] |= {
            "source": "hf://meta-llama/Llama-3.1-8B-Instruct",
            "maxModelLen": 4096,
        }

    with pytest.raises(ConfigError) as exc:
        run_plan(write_variant(tmp_path, gated, base=stack), "variant")
    assert [i.key for i in exc.value.issues] == ["llm-platform:models[0].source"]

    def with_token(c):
        gated(c)
        c["llm-platform:huggingFaceToken"] = {"secure": "v1:AAAAciphertext"}

    plan = run_plan(write_variant(tmp_path, with_token, base=stack, name="tok"), "tok")
    (secret,) = [
        r
        for r in plan.of_type("kubernetes:core/v1:Secret")
        if r["inputs"]["metadata"]["name"] == "huggingface-token"
    ]
    assert secret["inputs"]["stringData"] == "[secret]"
