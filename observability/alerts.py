"""Alert and recording rules, as PrometheusRule `groups` data built from config thresholds.

Platform-wide rules live in one PrometheusRule in the monitoring namespace; rules that depend on one model
(its startup budget, its TTFT SLO) live in that model's own PrometheusRule, so adding a model adds only its
objects. Every alert links a runbook section of docs/runbooks.md by its absolute address; every expression is unit-tested by promtool
(tests/promql/test_alerts.py) and uses only metric names in observability/metric_names.yaml.
"""

from __future__ import annotations

from typing import Any

from config.schema.operations import AlertsConfig
from vocabulary import names

# Recording rules: expressions several alerts and dashboards share, computed once per evaluation.
QUEUE = "llm:vllm_requests_waiting:sum"
TTFT_P95 = "llm:vllm_ttft_seconds:p95_5m"
KV_MAX = "llm:vllm_kv_cache_usage:max"
GPU_MEM = "llm:gpu_memory_used:ratio"
GEN_MEDIAN = "llm:vllm_generation_tokens:median_1h"

# Every alert links its section of docs/runbooks.md on the branch CI deploys (deploy.yml's push branch; a test
# holds the two together), so the page a pager opens describes the platform that raised the alert.
RUNBOOKS_PATH = "docs/runbooks.md"
DEPLOYED_BRANCH = "main"


def runbooks_url(repository_url: str) -> str:
    """The absolute address of docs/runbooks.md in the repository (`llm-platform:repository.url`)."""
    return f"{repository_url}/blob/{DEPLOYED_BRANCH}/{RUNBOOKS_PATH}"


RECORDING = [
    {"record": QUEUE, "expr": "sum by (namespace, model_name) (vllm:num_requests_waiting)"},
    {
        "record": TTFT_P95,
        "expr": "histogram_quantile(0.95, sum by (namespace, model_name, le) "
        "(rate(vllm:time_to_first_token_seconds_bucket[5m])))",
    },
    {"record": KV_MAX, "expr": "max by (namespace, model_name) (vllm:kv_cache_usage_perc)"},
    {"record": GPU_MEM, "expr": "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)"},
    {
        "record": GEN_MEDIAN,
        "expr": "histogram_quantile(0.5, sum by (namespace, model_name, le) "
        "(rate(vllm:request_generation_tokens_bucket[1h])))",
    },
]


def alert(
    name: str,
    expr: str,
    for_: str,
    severity: str,
    summary: str,
    description: str,
    runbooks: str,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"alert": name, "expr": expr}
    if for_ != "0m":
        rule["for"] = for_
    rule["labels"] = {"severity": severity, **(labels or {})}
    rule["annotations"] = {
        "summary": summary,
        "description": description,
        "runbook_url": f"{runbooks}#{name.lower()}",
    }
    return rule


def platform_rules(a: AlertsConfig, namespace: str, rb: str) -> list[dict[str, Any]]:
    """The rules of the `llm-platform` PrometheusRule. `namespace` is the inference namespace; `rb` the
    runbooks' address (`runbooks_url`)."""
    return [
        {"name": "llm-platform.recording", "rules": RECORDING},
        {"name": "llm-platform.serving", "rules": _serving_rules(a, namespace, rb)},
        {"name": "llm-platform.gpu", "rules": _gpu_rules(a, rb)},
        {"name": "llm-platform.autoscaling", "rules": _scaling_rules(a, rb)},
    ]


def _serving_rules(a: AlertsConfig, namespace: str, rb: str) -> list[dict[str, Any]]:
    """Alerts on the model servers in the inference namespace: queueing, KV cache, replicas, preload."""
    ns = f'namespace="{namespace}"'
    return [
        alert("LLMRequestQueueBacklog", f"{QUEUE}{{{ns}}} > {a.queue_depth}", "5m", "warning",
               "Requests are queueing for {{ $labels.model_name }}",
               "{{ $value }} requests have waited for over 5 minutes: replicas are not keeping up.", rb),
        alert("LLMKVCacheNearlyFull", f"{KV_MAX}{{{ns}}} > {a.kv_cache_usage}", "10m", "warning",
               "KV cache of {{ $labels.model_name }} is nearly full",
               "The fullest replica's KV cache is at {{ $value | humanizePercentage }}: requests get preempted.", rb),
        alert("LLMModelReplicasUnavailable",
               f"kube_deployment_status_replicas_available{{{ns}}} < kube_deployment_spec_replicas{{{ns}}}", "15m",
               "warning", "{{ $labels.deployment }} has fewer ready replicas than wanted",
               "Replicas have been missing for 15 minutes (no GPU node, failed start, or cache not ready).", rb),
        alert("LLMModelPodCrashLooping",
               f'max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{{{ns},reason="CrashLoopBackOff"}}) == 1',
               "5m", "critical", "{{ $labels.pod }} is crash-looping",
               "The server restarts repeatedly: check its log (no GPU visible, out of memory, bad engine args).", rb),
        alert("LLMWeightsPreloadFailed",
               f'max by (namespace, job_name) (kube_job_failed{{{ns},job_name=~"{names.PRELOAD_PREFIX}.*",condition="true"}}) == 1',
               "0m", "critical", "Weights preload {{ $labels.job_name }} failed",
               "The model's pods wait for a complete cache and will not start until the preload succeeds.", rb),
        alert("LLMOutputLengthDrift",
               f"abs({GEN_MEDIAN}{{{ns}}} / avg_over_time({GEN_MEDIAN}{{{ns}}}[7d]) - 1) > {a.output_length_drift}",
               "1h", "warning", "Output length of {{ $labels.model_name }} drifted",
               "The median number of generated tokens is {{ $value | humanizePercentage }} away from its 7-day "
               "baseline: a prompt, client or model change altered behaviour.", rb),
    ]  # fmt: skip


def _gpu_rules(a: AlertsConfig, rb: str) -> list[dict[str, Any]]:
    """Alerts on the GPUs themselves (DCGM) and on GPU pods without a node."""
    return [
        alert("GPUMemoryNearlyFull", f"{GPU_MEM} > {a.gpu_memory_usage}", "10m", "warning",
               "GPU {{ $labels.gpu }} on {{ $labels.hostname }} is nearly out of memory",
               "Framebuffer use is {{ $value | humanizePercentage }}, above what vLLM reserves.", rb),
        alert("GPUTemperatureHigh", f"DCGM_FI_DEV_GPU_TEMP > {a.gpu_temperature_celsius}", "5m", "warning",
               "GPU {{ $labels.gpu }} on {{ $labels.hostname }} runs hot",
               "{{ $value }} °C for 5 minutes: expect throttling.", rb),
        alert("GPUXidError", "DCGM_FI_DEV_XID_ERRORS > 0", "0m", "critical",
               "GPU {{ $labels.gpu }} on {{ $labels.hostname }} reported XID {{ $value }}",
               "A driver-reported GPU error. Many XIDs need the node replaced (EKS node repair does it).", rb),
        alert("GPURowRemapFailure", "DCGM_FI_DEV_ROW_REMAP_FAILURE > 0", "0m", "critical",
               "GPU {{ $labels.gpu }} on {{ $labels.hostname }} failed to remap memory rows",
               "The GPU's memory is degraded beyond repair: drain and replace the node.", rb),
        alert("GPUUncorrectableRemappedRows", "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS > 0", "0m", "warning",
               "GPU {{ $labels.gpu }} on {{ $labels.hostname }} remapped rows after uncorrectable errors",
               "Memory rows were retired; a reset is pending and more failures are likely.", rb),
        alert("GPUPodPendingNoNode",
               'sum by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) * on (namespace, pod) '
               '(sum by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > bool 0) > 0',
               f"{a.pending_gpu_pod_minutes}m", "warning", "GPU pod {{ $labels.pod }} has no node",
               f"Pending for {a.pending_gpu_pod_minutes} minutes: no capacity, a NodePool limit, or a quota.", rb),
    ]  # fmt: skip


def _scaling_rules(a: AlertsConfig, rb: str) -> list[dict[str, Any]]:
    """Alerts on autoscaling: KEDA scalers, Karpenter launches and spot interruptions."""
    return [
        alert("KEDAScalerErrors",
               "sum by (namespace, scaledObject) (rate(keda_scaler_detail_errors_total[5m])) > 0", "10m", "warning",
               "KEDA cannot read the metrics of {{ $labels.scaledObject }}",
               "Autoscaling runs on its fallback (or not at all) until the scaler works again.", rb),
        alert("KarpenterProvisioningFailures",
               'sum by (controller, error) (rate(karpenter_cloudprovider_errors_total{method="Create"}[15m])) > 0',
               "15m", "warning", "Karpenter keeps failing to launch nodes ({{ $labels.error }})",
               "GPU capacity may be unavailable in the pools' zones and instance types.", rb),
        alert("KarpenterSpotInterruptionSpike",
               'sum(increase(karpenter_interruption_received_messages_total{message_type="spot_interrupted"}[1h])) '
               f"> {a.spot_interruptions_per_hour}", "0m", "warning", "Many spot interruptions",
               "{{ $value }} spot interruption notices in the last hour: consider on-demand capacity.", rb),
    ]  # fmt: skip


def model_rules(
    model: str, namespace: str, startup_budget_s: int, ttft_slo_s: float, runbooks: str
) -> list[dict[str, Any]]:
    """Rules that depend on one model: its startup budget and its TTFT SLO."""
    match = f'namespace="{namespace}",model_name="{model}"'
    pods = f'namespace="{namespace}",pod=~"{model}-[a-z0-9]+-[a-z0-9]+"'
    budget_min = max(1, -(-startup_budget_s // 60))
    return [
        {
            "name": f"llm-model.{model}",
            "rules": [
                alert("LLMModelStartupTooSlow",
                       f'max by (namespace, pod) (kube_pod_status_ready{{{pods},condition="false"}}) == 1',
                       f"{budget_min}m", "warning", f"{model} pod {{{{ $labels.pod }}}} is still not ready",
                       f"Not ready after {budget_min} minutes, beyond the startup budget derived from the model's "
                       "size: a slow cache, a stuck download, or the wrong GPU.", runbooks, {"model_name": model}),
                alert("LLMTimeToFirstTokenSLOBreach", f"{TTFT_P95}{{{match}}} > {ttft_slo_s:g}", "10m", "critical",
                       f"{model}: time to first token p95 above {ttft_slo_s:g} s",
                       "Users wait too long for the first token: check queueing, KV cache and replicas.", runbooks,
                       {"model_name": model}),
            ],
        }
    ]  # fmt: skip
