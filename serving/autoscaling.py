"""How one model scales: the PromQL KEDA reads, the ScaledObject, and for scale to zero the KEDA HTTP
add-on's route and the `<model>-proxy` name callers use. Every query is defined once here (tests run them
through promtool)."""

from __future__ import annotations

from typing import Any

from fleet.resolved import AddonPlan, ModelPlan
from serving.hardening import labels
from vocabulary.objects import SERVING_PORT


def queries(m: ModelPlan) -> dict[str, str]:
    """The PromQL behind each trigger: one series each, filtered by namespace and model_name."""
    match = f'namespace="{m.namespace}",model_name="{m.name}"'
    return {
        "queue": f"sum(vllm:num_requests_waiting{{{match}}})",
        # NaN (no traffic) is dropped by `> 0` and replaced by 0: no requests means no latency pressure.
        "ttft_p95": (
            "(histogram_quantile(0.95, sum by (le) "
            f"(rate(vllm:time_to_first_token_seconds_bucket{{{match}}}[2m]))) > 0) or vector(0)"
        ),
        "kv_cache": f"max(vllm:kv_cache_usage_perc{{{match}}}) or vector(0)",
    }


def _prometheus(query: str, threshold: float, metric_type: str, server: str) -> dict[str, Any]:
    return {
        "type": "prometheus",
        "metricType": metric_type,
        "metadata": {"serverAddress": server, "query": query, "threshold": f"{threshold:g}"},
    }


def triggers(m: ModelPlan, prometheus_url: str) -> list[dict[str, Any]]:
    a = m.config.autoscaling
    q = queries(m)
    # Queue depth is additive across replicas: AverageValue makes the HPA hold waiting/replica at the target.
    out = [_prometheus(q["queue"], a.queue_depth_per_replica, "AverageValue", prometheus_url)]
    if a.ttft_p95_seconds is not None:
        out.append(_prometheus(q["ttft_p95"], a.ttft_p95_seconds, "Value", prometheus_url))
    if a.kv_cache_usage is not None:
        out.append(_prometheus(q["kv_cache"], a.kv_cache_usage, "Value", prometheus_url))
    for w in a.warm_windows:
        out.append(
            {
                "type": "cron",
                "metadata": {
                    "timezone": w.timezone,
                    "start": w.start,
                    "end": w.end,
                    "desiredReplicas": str(w.replicas),
                },
            }
        )
    return out


# Up fast: a cold replica takes minutes, so start it at the first sign of a queue. Down slowly: a replica
# given up is minutes of cold start to get back.
HPA_BEHAVIOR = {
    "scaleUp": {
        "stabilizationWindowSeconds": 0,
        "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}],
    },
    "scaleDown": {
        "stabilizationWindowSeconds": 600,
        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 300}],
    },
}


def scaled_object(m: ModelPlan, prometheus_url: str, http_scaler: str | None = None) -> dict[str, Any]:
    """`http_scaler`: the KEDA HTTP add-on's external scaler, for a model that scales to zero."""
    spec: dict[str, Any] = {
        "scaleTargetRef": {"name": m.name},
        "minReplicaCount": m.config.replicas.min,
        "maxReplicaCount": m.config.replicas.max,
        "pollingInterval": 15,
        "advanced": {"horizontalPodAutoscalerConfig": {"behavior": HPA_BEHAVIOR}},
        "triggers": triggers(m, prometheus_url),
    }
    if m.scales_to_zero:
        assert http_scaler is not None, f"{m.name} scales to zero: it needs the HTTP add-on's scaler"
        # The interceptor counts requests even at zero pods: the activation signal vLLM's metrics cannot be.
        spec["triggers"].append(
            {"type": "external-push", "metadata": {"scalerAddress": http_scaler, "interceptorRoute": m.name}}
        )
        spec["cooldownPeriod"] = m.config.autoscaling.idle_minutes_before_zero * 60
        # A new ScaledObject must not scale to zero before its first replica has even finished starting.
        spec["initialCooldownPeriod"] = m.hold_s + 300
    # KEDA applies fallback only when every metric trigger is AverageValue (kedacore/keda discussion #6524).
    if all(
        t.get("metricType", "AverageValue") == "AverageValue"
        for t in spec["triggers"]
        if t["type"] == "prometheus"
    ):
        spec["fallback"] = {"failureThreshold": 3, "replicas": max(m.config.replicas.min, 1)}
    return {"metadata": {"name": m.name, "labels": labels(m)}, "spec": spec}


def interceptor_route(m: ModelPlan) -> dict[str, Any]:
    """Routes the proxy hostnames to the model's Service and gives KEDA its request concurrency."""
    host = m.proxy_name
    return {
        "metadata": {"name": m.name, "labels": labels(m)},
        "spec": {
            "target": {"service": m.name, "port": SERVING_PORT},
            "rules": [
                {
                    "hosts": [
                        host,
                        f"{host}.{m.namespace}",
                        f"{host}.{m.namespace}.svc",
                        f"{host}.{m.namespace}.svc.cluster.local",
                    ]
                }
            ],
            # One replica's worth of concurrent requests is what vLLM batches at once.
            "scalingMetric": {"concurrency": {"targetValue": m.config.max_num_seqs}},
            # Hold requests through a cold start, then answer 504 instead of waiting forever.
            "timeouts": {"readiness": f"{m.hold_s}s"},
        },
    }


def proxy_service(m: ModelPlan, addons: AddonPlan) -> dict[str, Any]:
    """`<model>-proxy`: the name callers use; it resolves to KEDA's interceptor, which routes by Host."""
    return {
        "metadata": {"name": m.proxy_name, "labels": labels(m)},
        "spec": {
            "type": "ExternalName",
            "externalName": addons.interceptor_host,
            "ports": [{"name": "http", "port": addons.interceptor_port}],
        },
    }
