"""Rules across the add-ons' keys: NodePools, time slicing, KEDA and its HTTP add-on, the Prometheus models
need."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.amis import AMI_FAMILIES
from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule
from vocabulary.scheduling import SYSTEM_POOL

POOLS_KEY = f"{K}:addons.karpenter.nodePools"
SLICING_KEY = f"{K}:addons.gpuOperator.timeSlicing"
MONITORING_KEY = f"{K}:addons.monitoring"


@rule("addons", "gpu_node_groups")
def node_pool_names_unique(s: Sections) -> Iterator[ConfigIssue]:
    """A NodePool's name is no node group's (nor the system group's) and no earlier NodePool's."""
    groups = {g.name for g in s.gpu_node_groups}
    names = [p.name for p in s.addons.karpenter.node_pools]
    for i, name in enumerate(names):
        if name in groups or name == SYSTEM_POOL:
            yield ConfigIssue(f"{POOLS_KEY}[{i}].name", f"{name!r} is already a managed node group name")
        if names.index(name) != i:
            yield ConfigIssue(f"{POOLS_KEY}[{i}].name", f"{name!r} is used by an earlier NodePool")


@rule("addons")
def karpenter_has_a_node_pool(s: Sections) -> Iterator[ConfigIssue]:
    """An enabled Karpenter declares at least one NodePool."""
    if s.addons.karpenter.enabled and not s.addons.karpenter.node_pools:
        yield ConfigIssue(POOLS_KEY, "Karpenter is enabled but declares no NodePool")


@rule("addons", "gpu_node_groups")
def time_slicing_names_a_pool(s: Sections) -> Iterator[ConfigIssue]:
    """Every time-sliced pool is a GPU node group or an enabled NodePool."""
    pools = {g.name for g in s.gpu_node_groups} | {p.name for p in s.addons.node_pools}
    for pool in s.addons.gpu_operator.time_slicing:
        if pool not in pools:
            yield ConfigIssue(
                f"{SLICING_KEY}.{pool}",
                f"no GPU node group or NodePool named {pool!r} (have: {', '.join(sorted(pools))})",
            )


@rule("addons")
def time_slicing_needs_the_gpu_operator(s: Sections) -> Iterator[ConfigIssue]:
    """Time slicing is the GPU operator's device-plugin config: it needs the operator."""
    if s.addons.gpu_operator.time_slicing and not s.addons.gpu_operator.enabled:
        yield ConfigIssue(SLICING_KEY, "time slicing needs the GPU operator: set gpuOperator.enabled to true")


@rule("addons", "node_ami")
def time_slicing_needs_the_operators_device_plugin(s: Sections) -> Iterator[ConfigIssue]:
    """An AMI that ships its own device plugin ignores the operator's time-slicing config."""
    family = s.node_ami.family
    if s.addons.gpu_operator.time_slicing and AMI_FAMILIES[family].ships_device_plugin:
        yield ConfigIssue(
            SLICING_KEY,
            f"{K}:nodeAmi.family {family!r} ships its own device plugin, so the GPU operator's time-slicing "
            "config would not apply: use al2023 or remove timeSlicing",
        )


@rule("addons")
def keda_http_needs_keda(s: Sections) -> Iterator[ConfigIssue]:
    """KEDA's HTTP add-on is a KEDA scaler: it needs KEDA."""
    if s.addons.keda_http.enabled and not s.addons.keda.enabled:
        yield ConfigIssue(
            f"{K}:addons.kedaHttp.enabled", "the KEDA HTTP add-on needs KEDA: enable addons.keda"
        )


@rule("models", "addons")
def models_need_keda_and_monitoring(s: Sections) -> Iterator[ConfigIssue]:
    """Models scale through KEDA on Prometheus metrics: KEDA must be on, and a Prometheus (ours, or an existing
    one under addons.monitoring.external) when any model is served."""
    if not s.models:
        return
    if not s.addons.keda.enabled:
        # No fallback: each model's replica count belongs to its ScaledObject (queue depth, TTFT and KV-cache
        # triggers, warm windows), whose CRD KEDA brings; without it the first `pulumi up` fails on that object.
        yield ConfigIssue(
            f"{K}:addons.keda.enabled",
            "models need KEDA for autoscaling: every model's replicas are set by its KEDA ScaledObject, and "
            "nothing else scales them; enable addons.keda, or serve no models",
        )
    monitoring = s.addons.monitoring
    if not monitoring.enabled and monitoring.external is None:
        yield ConfigIssue(
            f"{K}:addons.monitoring.enabled",
            "models need a Prometheus for the queue-depth metrics KEDA scales them on: set it to true "
            f"(kube-prometheus-stack), or point {MONITORING_KEY}.external.prometheusUrl at an existing one",
        )


@rule("models", "addons", "access")
def prometheus_may_scrape_the_models(s: Sections) -> Iterator[ConfigIssue]:
    """With NetworkPolicies on, only the namespace of the Prometheus that scrapes the model servers is let in:
    an existing Prometheus must say which one it is when its URL does not."""
    external = s.addons.monitoring.external
    if s.models and s.access.network_policies and external and external.scrape_namespace is None:
        yield ConfigIssue(
            f"{MONITORING_KEY}.external.namespace",
            f"{K}:access.networkPolicies denies every scrape of the model servers but Prometheus's, and the host "
            f"of prometheusUrl ({external.prometheus_url}) is not <service>.<namespace>.svc: name the namespace "
            "its Prometheus pods run in",
        )


@rule("models", "addons")
def scale_to_zero_needs_keda_http(s: Sections) -> Iterator[ConfigIssue]:
    """At zero pods only the HTTP add-on's interceptor sees requests: scale to zero needs it."""
    if s.addons.keda_http.enabled:
        return
    for i, m in enumerate(s.models):
        if m.autoscaling.scale_to_zero:
            yield ConfigIssue(
                f"{K}:models[{i}].autoscaling.scaleToZero",
                f"needs an activation signal that exists at zero pods: set {K}:addons.kedaHttp.enabled to true",
            )
