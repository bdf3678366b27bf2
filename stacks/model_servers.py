"""Composition of model serving: namespace guardrails, the Hugging Face token, one ModelServer per model."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.model_cache import ModelCache
from components.model_server import ModelServer, ModelServerArgs
from fleet.resolved import Fleet, ModelPlan
from observability.alerts import model_rules, runbooks_url
from serving import autoscaling, headroom, preload, server
from serving.hardening import labels
from stacks.addons import AddonHandles
from stacks.cluster import ClusterRefs
from vocabulary import names
from vocabulary.objects import HF_TOKEN_SECRET
from vocabulary.scheduling import GPU_RESOURCE, SYSTEM_NODES


def build_model_servers(
    fleet: Fleet,
    cluster: ClusterRefs,
    cache: ModelCache,
    namespace: k8s.core.v1.Namespace,
    handles: AddonHandles,
) -> dict[str, pulumi.Input]:
    if not fleet.models:
        return {}
    _guardrails(fleet, cluster, namespace)
    _headroom(fleet, cluster, namespace)
    endpoints = {
        m.name: _model_server(fleet, m, cluster, cache, namespace, handles).endpoint for m in fleet.models
    }
    return {"modelEndpoints": endpoints, "servedModelNames": [m.name for m in fleet.models]}


def _guardrails(fleet: Fleet, cluster: ClusterRefs, namespace: k8s.core.v1.Namespace) -> None:
    """The namespace's GPU quota and default requests, and the Hugging Face token for gated models."""
    k8s_opts = pulumi.ResourceOptions(provider=cluster.k8s_provider)
    ns = namespace.metadata["name"]
    k8s.core.v1.ResourceQuota(
        "inference-gpu-quota",
        metadata={"name": names.GPU_QUOTA, "namespace": ns},
        # A cap on what the namespace may hold whatever autoscalers ask for: GPUs are the bill. Every GPU the
        # pools can hold, unless configured lower; deliberately not derived from the models, so adding a model
        # changes nothing but that model's own objects.
        spec={"hard": {f"requests.{GPU_RESOURCE}": str(fleet.gpu_quota)}},
        opts=k8s_opts,
    )
    k8s.core.v1.LimitRange(
        "inference-defaults",
        metadata={"name": names.DEFAULT_LIMITS, "namespace": ns},
        # Pods without requests (debug shells, sidecars) get modest ones instead of none.
        spec={
            "limits": [
                {
                    "type": "Container",
                    "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    "default": {"memory": "512Mi"},
                }
            ]
        },
        opts=k8s_opts,
    )
    token = fleet.config.hugging_face_token
    if token is not None:
        k8s.core.v1.Secret(
            "huggingface-token",
            metadata={"name": HF_TOKEN_SECRET, "namespace": ns},
            type="Opaque",
            string_data={"token": pulumi.Output.secret(token.get_secret_value())},
            opts=k8s_opts,
        )


def _headroom(fleet: Fleet, cluster: ClusterRefs, namespace: k8s.core.v1.Namespace) -> None:
    """Warm headroom: the PriorityClass every model replica outranks, and each pool's placeholders."""
    pools = [p for p in fleet.pools.values() if p.config.headroom > 0]
    if not pools:
        return
    opts = pulumi.ResourceOptions(provider=cluster.k8s_provider)
    pc = headroom.priority_class()
    priority = k8s.scheduling.v1.PriorityClass(
        "headroom-priority", metadata=pc["metadata"], value=pc["value"], preemption_policy=pc["preemptionPolicy"],
        global_default=pc["globalDefault"], description=pc["description"], opts=opts,
    )  # fmt: skip
    for pool in pools:
        d = headroom.placeholder(fleet, pool)
        k8s.apps.v1.Deployment(
            names.headroom_deployment(pool.name),
            metadata={**d["metadata"], "namespace": namespace.metadata["name"]},
            spec=d["spec"],
            opts=pulumi.ResourceOptions(provider=cluster.k8s_provider, depends_on=[priority]),
        )


def _model_server(
    fleet: Fleet,
    m: ModelPlan,
    cluster: ClusterRefs,
    cache: ModelCache,
    namespace: k8s.core.v1.Namespace,
    handles: AddonHandles,
) -> ModelServer:
    pvc, addons = fleet.config.model_cache.pvc_name, fleet.addons
    # config/rules/: models need a Prometheus, ours or an existing one.
    assert addons.prometheus_url is not None
    crds = addons.monitoring_crds  # without prometheus-operator CRDs, no PodMonitor or PrometheusRule
    service_account = names.preload_service_account(m.name)
    return ModelServer(
        names.model_server(m.name),
        ModelServerArgs(
            name=m.name,
            namespace=namespace.metadata["name"],
            endpoint=m.endpoint,
            preload_job=None
            if m.config.stream_from_source
            else preload.preload_job(m, pvc, service_account, SYSTEM_NODES),
            deployment=server.deployment(m, pvc),
            service=server.service(m),
            pod_disruption_budget=server.pod_disruption_budget(m),
            scaled_object=autoscaling.scaled_object(m, addons.prometheus_url, addons.http_scaler),
            service_account=service_account,
            rollout_timeout_s=m.rollout_timeout_s,
            k8s_provider=cluster.k8s_provider,
            cluster_name=cluster.cluster_name,
            s3_source=_s3_source(m),
            cache_ready=(cache.pvc,),
            monitoring_crds=handles.monitoring,
            keda_crds=handles.keda,
            interceptor_route=autoscaling.interceptor_route(m) if m.scales_to_zero else None,
            proxy_service=autoscaling.proxy_service(m, addons) if m.scales_to_zero else None,
            keda_http_crds=handles.keda_http,
            pod_monitor=server.pod_monitor(m) if crds else None,
            prometheus_rule=_rules(fleet, m) if crds else None,
        ),
    )


def _s3_source(m: ModelPlan) -> tuple[str, str] | None:
    """(bucket, prefix) of an s3:// model, for its preload's read-only role."""
    if not m.config.source.startswith("s3://"):
        return None
    bucket, _, prefix = m.config.source.removeprefix("s3://").partition("/")
    return bucket, prefix


def _rules(fleet: Fleet, m: ModelPlan) -> dict:
    """The model's own alerts: its startup budget and its TTFT SLO."""
    alerts = fleet.config.alerts
    slo = m.config.autoscaling.ttft_p95_seconds or alerts.ttft_p95_seconds
    return {
        "metadata": {"name": names.model_rules(m.name), "labels": labels(m)},
        "spec": {
            "groups": model_rules(
                m.name, m.namespace, m.startup_budget_s, slo, runbooks_url(fleet.config.repository.url)
            )
        },
    }
