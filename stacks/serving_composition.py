"""Composition of model serving: namespace guardrails, the Hugging Face token, one ModelServer per model."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import Cluster
from components.model_cache import ModelCache
from components.model_server import ModelServer, ModelServerArgs
from stacks import serving
from stacks.addon_values import PROMETHEUS_URL, SYSTEM_NODES
from stacks.addons import AddonHandles
from stacks.alerts import model_rules
from stacks.catalog import GPU_INSTANCES
from stacks.config import PlatformConfig
from stacks.model_sizing import size_model


def gpu_quota(cfg: PlatformConfig) -> int:
    """Configured, or every GPU the fleet can hold (node group maxima + NodePool limits). Deliberately not
    derived from the models: adding a model must not change anything but that model's own objects."""
    if cfg.serving.gpu_quota is not None:
        return cfg.serving.gpu_quota
    groups = sum(g.max_size * GPU_INSTANCES[g.instance_types[0]].gpu_count for g in cfg.gpu_node_groups)
    pools = sum(p.gpu_limit for p in cfg.addons.karpenter.node_pools) if cfg.addons.karpenter.enabled else 0
    return groups + pools


def build_models(
    cfg: PlatformConfig,
    cluster: Cluster,
    cache: ModelCache,
    namespace: k8s.core.v1.Namespace,
    handles: AddonHandles,
) -> dict[str, pulumi.Input]:
    if not cfg.models:
        return {}
    k8s_opts = pulumi.ResourceOptions(provider=cluster.k8s_provider)
    ns_name = cfg.model_cache.namespace
    ns = namespace.metadata["name"]
    k8s.core.v1.ResourceQuota(
        "inference-gpu-quota",
        metadata={"name": "gpu", "namespace": ns},
        # A cap on what the namespace may hold whatever autoscalers ask for: GPUs are the bill.
        spec={"hard": {"requests.nvidia.com/gpu": str(gpu_quota(cfg))}},
        opts=k8s_opts,
    )
    k8s.core.v1.LimitRange(
        "inference-defaults",
        metadata={"name": "defaults", "namespace": ns},
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
    if cfg.hugging_face_token is not None:
        k8s.core.v1.Secret(
            "huggingface-token",
            metadata={"name": serving.HF_TOKEN_SECRET, "namespace": ns},
            type="Opaque",
            string_data={"token": pulumi.Output.secret(cfg.hugging_face_token.get_secret_value())},
            opts=k8s_opts,
        )

    endpoints: dict[str, pulumi.Output[str]] = {}
    for m in cfg.models:
        s = serving.Served(m, size_model(cfg, m), ns_name)
        bucket_prefix = None
        if m.source.startswith("s3://"):
            bucket, _, prefix = m.source.removeprefix("s3://").partition("/")
            bucket_prefix = (bucket, prefix)
        server = ModelServer(
            f"model-{m.name}",
            ModelServerArgs(
                name=m.name,
                namespace=ns,
                endpoint=s.endpoint,
                preload_job=serving.preload_job(
                    s, cfg.model_cache.pvc_name, f"preload-{m.name}", SYSTEM_NODES
                ),
                deployment=serving.deployment(s, cfg.model_cache.pvc_name),
                service=serving.service(s),
                pod_disruption_budget=serving.pod_disruption_budget(s),
                pod_monitor=serving.pod_monitor(s),
                scaled_object=serving.scaled_object(s, PROMETHEUS_URL),
                service_account=f"preload-{m.name}",
                rollout_timeout_s=s.preload_budget_s + s.startup_budget_s,
                k8s_provider=cluster.k8s_provider,
                cluster_name=cluster.cluster_name,
                s3_source=bucket_prefix,
                cache_ready=(cache.pvc,),
                monitoring_crds=handles.monitoring,
                keda_crds=handles.keda,
                interceptor_route=serving.interceptor_route(s) if s.scales_to_zero else None,
                proxy_service=serving.proxy_service(s) if s.scales_to_zero else None,
                keda_http_crds=handles.keda_http,
                prometheus_rule={
                    "metadata": {"name": f"llm-model-{m.name}", "labels": s.labels},
                    "spec": {
                        "groups": model_rules(
                            m.name,
                            ns_name,
                            s.startup_budget_s,
                            m.autoscaling.ttft_p95_seconds or cfg.alerts.ttft_p95_seconds,
                            cfg.alerts.runbook_base_url,
                        )
                    },
                },
            ),
        )
        endpoints[m.name] = server.endpoint
    return {"modelEndpoints": endpoints, "servedModelNames": [m.name for m in cfg.models]}
