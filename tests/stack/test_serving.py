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


def model_deployments(plan) -> list[dict]:
    """The model servers' Deployments (the gateway's Valkey and the warm-headroom placeholders are some too)."""
    served = {m.name for m in plan.fleet.models}
    return [
        d for d in plan.of_type("kubernetes:apps/v1:Deployment") if d["inputs"]["metadata"]["name"] in served
    ]


def test_dev_serves_one_small_model_and_prod_two_one_with_tensor_parallelism(plans):
    assert [m.name for m in plans["dev"].config.models] == ["qwen3-0-6b"]
    prod = plans["prod"]
    assert len(prod.config.models) >= 2
    deployments = {d["inputs"]["metadata"]["name"]: d for d in model_deployments(prod)}
    gpus = {n: d["inputs"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
            for n, d in deployments.items()}  # fmt: skip
    assert gpus == {"qwen3-8b": "1", "qwen3-32b": "4"}


def test_every_model_has_its_six_objects_in_order(plan):
    releases = {r["inputs"]["name"]: r["urn"] for r in plan.of_type("kubernetes:helm.sh/v3:Release")}
    for m in plan.config.models:
        wanted = {t: s for t, s in PER_MODEL.items() if s != "preload-job" or not m.stream_from_source}
        objs = {suffix: plan.by_name(f"model-{m.name}-{suffix}") for suffix in wanted.values()}
        for typ, suffix in wanted.items():
            assert objs[suffix]["type"] == typ
            assert objs[suffix]["provider"] == "cluster-k8s"
            assert objs[suffix]["inputs"]["metadata"]["namespace"] == plan.config.model_cache.namespace
        # The server waits for its preload; a model streaming from S3 has none and waits for nothing.
        if m.stream_from_source:
            assert not [r for r in plan.resources if r["name"] == f"model-{m.name}-preload-job"]
        else:
            assert objs["preload-job"]["urn"] in objs["deployment"]["dependsOn"]
        assert releases["keda"] in objs["scaledobject"]["dependsOn"]
        assert releases["kube-prometheus-stack"] in objs["podmonitor"]["dependsOn"]
        assert objs["deployment"]["ignoreChanges"] == ["spec.replicas"]  # KEDA owns the count
        for obj in [o for o in ("preload-job", "deployment", "service", "pdb") if o in objs]:
            kubernetes_validate.validate(
                {"apiVersion": objs[obj]["inputs"]["apiVersion"], "kind": objs[obj]["inputs"]["kind"],
                 "metadata": objs[obj]["inputs"]["metadata"], "spec": objs[obj]["inputs"]["spec"]},
                f"{plan.config.cluster.kubernetes_version}.0", strict=True,
            )  # fmt: skip


def test_outputs_give_each_model_an_openai_base_url(plan):
    assert plan.outputs["servedModelNames"] == [m.name for m in plan.config.models]
    for m in plan.config.models:
        # Through the KEDA HTTP interceptor when the model may be at zero replicas, else the Service itself.
        want = f"http://{m.name}-proxy.inference.svc:8080/v1" if m.autoscaling.scale_to_zero else (
            f"http://{m.name}.inference.svc:8000/v1")  # fmt: skip
        assert plan.outputs["modelEndpoints"][m.name] == want


def test_namespace_guardrails(plan):
    (quota,) = plan.of_type("kubernetes:core/v1:ResourceQuota")
    assert int(quota["inputs"]["spec"]["hard"]["requests.nvidia.com/gpu"]) >= sum(
        int(d["inputs"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"])
        for d in model_deployments(plan)
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
    own = ["model-r1-distill-8b", "model-r1-distill-8b-preload", "model-r1-distill-8b-rules"]
    # dev's tenant may call every served model: the gateway gets a route to the new one.
    gateway = ["gateway-backend-r1-distill-8b", "gateway-aiservicebackend-r1-distill-8b"]
    assert added == sorted(own + gateway + [f"model-r1-distill-8b-{s}" for s in PER_MODEL.values()])
    changed = [r["name"] for r in plan.resources if r["urn"] in before and r != before[r["urn"]]]
    # Its rule in the route, the tenant's permission to call it, and the tenant's /v1/models list.
    assert sorted(changed) == ["gateway-aigatewayroute-llm-gateway", "gateway-envoyextensionpolicy-llm-gateway-models",
                               "gateway-securitypolicy-llm-gateway"]  # fmt: skip
    assert set(plan.outputs["modelEndpoints"]) == {"qwen3-0-6b", "r1-distill-8b"}


@pytest.mark.parametrize("stack", ["dev"])
def test_a_gated_model_needs_a_secret_token(tmp_path, stack):
    from config.issues import ConfigError

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


def test_dev_scales_to_zero_through_the_http_add_on(plans):
    dev = plans["dev"]
    (m,) = dev.config.models
    so = dev.by_name(f"model-{m.name}-scaledobject")
    spec = so["inputs"]["spec"]
    assert spec["minReplicaCount"] == 0
    push = [t for t in spec["triggers"] if t["type"] == "external-push"]
    assert push == [{"type": "external-push", "metadata": {
        "scalerAddress": "keda-add-ons-http-external-scaler.keda:9090", "interceptorRoute": m.name}}]  # fmt: skip
    # The first replica gets longer than a whole cold start (node + image + weights + warm-up) before any
    # scale-in; idle replicas go after the configured time.
    route = dev.by_name(f"model-{m.name}-route")
    cold = int(route["inputs"]["spec"]["timeouts"]["readiness"].removesuffix("s"))
    assert spec["initialCooldownPeriod"] > cold > 480
    assert spec["cooldownPeriod"] == 30 * 60
    assert route["inputs"]["spec"]["target"] == {"service": m.name, "port": 8000}
    assert "qwen3-0-6b-proxy" in route["inputs"]["spec"]["rules"][0]["hosts"]
    http = releases_by_name(dev)["keda-add-ons-http"]
    assert http["urn"] in route["dependsOn"] and route["urn"] in so["dependsOn"]
    proxy = dev.by_name(f"model-{m.name}-proxy")
    assert proxy["type"] == "kubernetes:core/v1:Service" and proxy["inputs"]["spec"]["type"] == "ExternalName"
    assert dev.outputs["modelEndpoints"][m.name] == f"http://{m.name}-proxy.inference.svc:8080/v1"
    # No warm replica to protect at zero, and `minAvailable: 1` would pin the one replica's node against every
    # drain: the budget only makes a drain take replicas one at a time.
    pdb = dev.by_name(f"model-{m.name}-pdb")["inputs"]["spec"]
    assert pdb == {"maxUnavailable": 1, "selector": {"matchLabels": {"llm-platform.io/model": m.name}}}


def test_prod_keeps_warm_replicas_and_no_http_add_on(plans):
    prod = plans["prod"]
    assert not prod.config.addons.keda_http.enabled
    for so in prod.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject"):
        assert so["inputs"]["spec"]["minReplicaCount"] >= 1
        assert all(t["type"] != "external-push" for t in so["inputs"]["spec"]["triggers"])


def releases_by_name(plan) -> dict:
    return {r["inputs"]["name"]: r for r in plan.of_type("kubernetes:helm.sh/v3:Release")}


def _match_labels(record: dict) -> dict[str, str] | None:
    """The label selector of a Service, PDB, PodMonitor or NetworkPolicy (matchLabels form)."""
    spec = record["inputs"].get("spec", {})
    if record["type"] == "kubernetes:core/v1:Service":
        return spec.get("selector")
    for path in (("selector", "matchLabels"), ("podSelector", "matchLabels")):
        node = spec
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None:
            return node
    return None


def test_nothing_that_selects_model_servers_selects_the_preload_pods(plan):
    # A running download pod has no readiness probe: were it selected, the Service would send it requests.
    selectors = [(r["name"], sel) for r in plan.resources if (sel := _match_labels(r))]
    assert any(name.endswith("-service") for name, _ in selectors)
    for job in plan.of_type("kubernetes:batch/v1:Job"):
        pod = job["inputs"]["spec"]["template"]["metadata"]["labels"]
        for name, sel in selectors:
            assert not all(pod.get(k) == v for k, v in sel.items()), (
                f"{name} selects the pods of {job['name']}"
            )
    for d in model_deployments(plan):
        pod = d["inputs"]["spec"]["template"]["metadata"]["labels"]
        service = plan.by_name(d["name"].replace("-deployment", "-service"))
        assert all(pod.get(k) == v for k, v in service["inputs"]["spec"]["selector"].items())
