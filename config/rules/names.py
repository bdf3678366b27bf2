"""Rules on the names the plan derives from config: each fits the API that receives it, and no two objects of one
kind get the same namespace and name.

Both fail late otherwise: Kubernetes refuses a 71-character Job name at `pulumi up`, after the cloud half of the
stack exists; two objects of one kind, namespace and name are one object in the cluster, which two Pulumi
resources then fight over. Every name comes from vocabulary/names.py, the one place each is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from config.issues import ConfigIssue
from config.rules.gateway_names import gateway_claims
from config.rules.registry import K, Sections, rule
from config.schema.addons import MonitoringConfig
from config.schema.models import ModelConfig
from vocabulary import names
from vocabulary.addons import ADDON_RELEASES
from vocabulary.names import DerivedName
from vocabulary.objects import GRAFANA_ADMIN_SECRET, HF_TOKEN_SECRET

# What each DerivedName.only / claim condition means for one model.
MODEL_CONDITIONS: Mapping[str, Callable[[ModelConfig], bool]] = MappingProxyType(
    {
        names.SCALES_TO_ZERO: lambda m: m.autoscaling.scale_to_zero,
        names.PRELOADS: lambda m: not m.stream_from_source,
        names.S3_SOURCE: lambda m: m.source.startswith("s3://"),
    }
)


# --- every derived name fits ----------------------------------------------------------------------------------


def too_long(key: str, value: str, derived: Iterable[DerivedName]) -> Iterator[ConfigIssue]:
    """One issue naming `key` when any name made from `value` is over its API's limit: the tightest one with its
    limit and source, the others by name, and how long `value` may be."""
    built = [(d, d.build(value)) for d in derived]
    over = [(d, n) for d, n in built if len(n) > d.limit.max_length]
    if not over:
        return
    # Each name is the value plus a fixed prefix and suffix: the value may be as long as the tightest leaves.
    allowed = min(d.limit.max_length - (len(n) - len(value)) for d, n in built)
    d, n = min(over, key=lambda o: o[0].limit.max_length - (len(o[1]) - len(value)))
    also = "; ".join(f"{o.what} ({len(on)} > {o.limit.max_length})" for o, on in over if o is not d)
    yield ConfigIssue(
        key,
        f"{value!r} ({len(value)} characters) is too long for the names made from it: {d.what} {n!r} would be "
        f"{len(n)} characters, and {d.limit.api} takes at most {d.limit.max_length} ({d.limit.source})"
        + (f"; also too long: {also}" if also else "")
        + f". Use at most {allowed} characters.",
    )


@rule("models")
def model_names_fit_their_objects(s: Sections) -> Iterator[ConfigIssue]:
    """Every name made from a model's name (Job, Services, IAM role, labels) fits the API that receives it."""
    for i, m in enumerate(s.models):
        derived = (d for d in names.MODEL_NAMES if d.only is None or MODEL_CONDITIONS[d.only](m))
        yield from too_long(f"{K}:models[{i}].name", m.name, derived)


@rule("gpu_node_groups")
def node_group_names_fit_their_objects(s: Sections) -> Iterator[ConfigIssue]:
    """Every name made from a GPU node group's name (the EKS node group, its launch template) fits."""
    for i, group in enumerate(s.gpu_node_groups):
        yield from too_long(f"{K}:gpuNodeGroups[{i}].name", group.name, names.NODE_GROUP_NAMES)


@rule("addons")
def node_pool_names_fit_their_objects(s: Sections) -> Iterator[ConfigIssue]:
    """Every name made from an enabled Karpenter's NodePool names (node labels) fits."""
    for i, pool in enumerate(s.addons.node_pools):
        yield from too_long(f"{K}:addons.karpenter.nodePools[{i}].name", pool.name, names.NODE_POOL_NAMES)


@rule("cluster")
def cluster_name_fits_its_objects(s: Sections) -> Iterator[ConfigIssue]:
    """Every name made from the cluster's name (the cluster, its tag key, its log group) fits."""
    yield from too_long(f"{K}:cluster.name", s.cluster.name, names.CLUSTER_NAMES)


@rule("model_cache")
def namespace_and_claim_names_fit(s: Sections) -> Iterator[ConfigIssue]:
    """The inference namespace and the model cache's claim fit their APIs."""
    mc = s.model_cache
    yield from too_long(f"{K}:modelCache.namespace", mc.namespace, names.NAMESPACE_NAMES)
    yield from too_long(f"{K}:modelCache.pvcName", mc.pvc_name, names.PVC_NAMES)


# --- no two objects share kind, namespace and name --------------------------------------------------------------

HELM_RELEASE = "HelmRelease"  # Helm keeps one release per namespace and name (its release Secret)


@dataclass(frozen=True)
class Claim:
    """One object the composition creates: kind, namespace (None: cluster-scoped), name, and who names it."""

    kind: str
    namespace: str | None
    name: str
    what: str  # in words, e.g. "the preload Job of model 'a'"
    # The stack-file key whose value names the object or makes it exist (None: one of the platform's own), and
    # that value when it is the name's source.
    key: str | None = None
    value: str | None = None


# (kind, name, what, only): the objects one model creates in the inference namespace.
MODEL_OBJECTS: tuple[tuple[str, Callable[[str], str], str, str | None], ...] = (
    ("Deployment", names.model_objects, "Deployment", None),
    ("Service", names.model_objects, "Service", None),
    ("PodDisruptionBudget", names.model_objects, "PodDisruptionBudget", None),
    ("PodMonitor", names.model_objects, "PodMonitor", None),
    ("ScaledObject", names.model_objects, "ScaledObject", None),
    ("Job", names.preload_job, "preload Job", names.PRELOADS),
    ("ServiceAccount", names.preload_service_account, "preload ServiceAccount", None),
    ("PrometheusRule", names.model_rules, "PrometheusRule", None),
    ("InterceptorRoute", names.model_objects, "InterceptorRoute", names.SCALES_TO_ZERO),
    ("Service", names.proxy_service, "scale-to-zero proxy Service", names.SCALES_TO_ZERO),
)
# Made only when the prometheus-operator CRDs exist (addons.monitoring: ours, or external.operatorCrds).
MONITORING_KINDS = frozenset({"PodMonitor", "PrometheusRule"})

# Add-on release key (vocabulary/addons.py) -> (AddonsConfig field, stack-file spelling).
ADDON_KEYS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "monitoring": ("monitoring", "monitoring"),
        "gpu-operator": ("gpu_operator", "gpuOperator"),
        "keda": ("keda", "keda"),
        "keda-http": ("keda_http", "kedaHttp"),
    }
)


def claims(s: Sections) -> list[Claim]:
    """Every Kubernetes object and Helm release the composition creates for these sections, the platform's own
    names first, then the add-ons', then those named by config values (so a clash is reported on the latter)."""
    return [
        *_platform_claims(s), *_addon_claims(s), *_karpenter_claims(s), *gateway_claims(s, Claim, HELM_RELEASE),
        *_inference_claims(s),
    ]  # fmt: skip


def _platform_claims(s: Sections) -> Iterator[Claim]:
    """Fixed names: the StorageClasses, and the inference namespace's guardrails and NetworkPolicies."""
    ns = s.model_cache.namespace
    for storage_class in names.STORAGE_CLASSES:
        yield Claim("StorageClass", None, storage_class, "a StorageClass of the platform")
    if s.models:
        yield Claim("ResourceQuota", ns, names.GPU_QUOTA, "the inference namespace's GPU quota")
        yield Claim("LimitRange", ns, names.DEFAULT_LIMITS, "the inference namespace's default requests")
        if getattr(s, "hugging_face_token", None) is not None:
            yield Claim("Secret", ns, HF_TOKEN_SECRET, "the Hugging Face token Secret")
    if s.access.network_policies:
        addons = s.addons
        for policy, present in (
            (names.DEFAULT_DENY, True),
            (names.ALLOW_CLIENTS, bool(s.access.client_namespaces) and not s.gateway.enabled),
            (names.ALLOW_GATEWAY, s.gateway.enabled),
            (names.ALLOW_PROMETHEUS, addons.monitoring.prometheus_namespace is not None),
            (names.ALLOW_INTERCEPTOR, addons.keda_http.enabled),
        ):
            if present:
                yield Claim("NetworkPolicy", ns, policy, "a NetworkPolicy of the inference namespace")


def _addon_claims(s: Sections) -> Iterator[Claim]:
    """Each enabled add-on's release and namespace (add-ons may share one), and monitoring's own objects."""
    namespaces: set[str] = set()
    for release_key, release in ADDON_RELEASES.items():
        if release_key not in ADDON_KEYS:
            continue  # the gateway's releases: _gateway_claims
        field, spelled = ADDON_KEYS[release_key]
        if not getattr(s.addons, field).enabled:
            continue
        key, what = f"{K}:addons.{spelled}.enabled", f"the {release_key} add-on's"
        yield Claim(HELM_RELEASE, release.namespace, release.name, f"{what} Helm release", key)
        if release.namespace not in namespaces:
            namespaces.add(release.namespace)
            yield Claim("Namespace", None, release.namespace, f"{what} namespace", key)
    if s.addons.monitoring.enabled:
        ns, key = ADDON_RELEASES["monitoring"].namespace, f"{K}:addons.monitoring.enabled"
        yield Claim("Secret", ns, GRAFANA_ADMIN_SECRET, "Grafana's admin Secret", key)
    yield from _monitoring_claims(s.addons.monitoring)


def _monitoring_claims(m: MonitoringConfig) -> Iterator[Claim]:
    """The platform's PrometheusRule and dashboards: beside our Prometheus, or where an existing one's are."""
    key = f"{K}:addons.monitoring." + ("enabled" if m.enabled else "external")
    if m.rules_namespace:
        yield Claim(
            "PrometheusRule", m.rules_namespace, names.PLATFORM_RULES, "the platform's PrometheusRule", key
        )
    for uid in names.DASHBOARD_UIDS if m.dashboards_namespace else ():
        what = f"the {uid} dashboard"
        yield Claim("ConfigMap", m.dashboards_namespace, names.dashboard_configmap(uid), what, key)


def _karpenter_claims(s: Sections) -> Iterator[Claim]:
    """Karpenter's two releases, and one NodePool and EC2NodeClass per configured pool."""
    if not s.addons.karpenter.enabled:
        return
    key = f"{K}:addons.karpenter.enabled"
    for release in names.KARPENTER_RELEASES:
        yield Claim(HELM_RELEASE, names.KARPENTER_NAMESPACE, release, f"Karpenter's {release} release", key)
    for i, pool in enumerate(s.addons.karpenter.node_pools):
        key = f"{K}:addons.karpenter.nodePools[{i}].name"
        what = f"the EC2NodeClass of NodePool {pool.name!r}"
        yield Claim("NodePool", None, names.node_pool(pool.name), f"NodePool {pool.name!r}", key, pool.name)
        yield Claim("EC2NodeClass", None, names.ec2_node_class(pool.name), what, key, pool.name)


def _headroom_claims(s: Sections) -> Iterator[Claim]:
    """Each pool's warm-headroom placeholders in the inference namespace, and their PriorityClass."""
    pools = [(f"{K}:gpuNodeGroups[{i}]", g) for i, g in enumerate(s.gpu_node_groups)]
    if s.addons.karpenter.enabled:
        pools += [
            (f"{K}:addons.karpenter.nodePools[{i}]", p) for i, p in enumerate(s.addons.karpenter.node_pools)
        ]
    warm = [(key, p) for key, p in pools if p.headroom > 0]
    if warm:
        yield Claim("PriorityClass", None, names.HEADROOM_PRIORITY_CLASS, "the warm headroom's PriorityClass")
    for key, p in warm:
        what = f"the warm-headroom placeholders of pool {p.name!r}"
        yield Claim(
            "Deployment",
            s.model_cache.namespace,
            names.headroom_deployment(p.name),
            what,
            f"{key}.name",
            p.name,
        )


def _inference_claims(s: Sections) -> Iterator[Claim]:
    """The inference namespace, its model cache claim, and every model's objects in it."""
    yield from _headroom_claims(s)
    mc = s.model_cache
    ns_key = f"{K}:modelCache.namespace"
    yield Claim("Namespace", None, mc.namespace, "the inference namespace", ns_key, mc.namespace)
    pvc = "the model cache's PersistentVolumeClaim"
    yield Claim(
        "PersistentVolumeClaim", mc.namespace, mc.pvc_name, pvc, f"{K}:modelCache.pvcName", mc.pvc_name
    )
    for i, m in enumerate(s.models):
        for kind, build, what, only in MODEL_OBJECTS:
            if kind in MONITORING_KINDS and not s.addons.monitoring.operator_crds:
                continue  # no prometheus-operator CRDs: no PodMonitor, no PrometheusRule
            if only is None or MODEL_CONDITIONS[only](m):
                key = f"{K}:models[{i}].name"
                yield Claim(kind, mc.namespace, build(m.name), f"the {what} of model {m.name!r}", key, m.name)


def _entry(key: str | None) -> str | None:
    """A list entry's key without its position: models[0].name and models[3].name are both models[].name."""
    return re.sub(r"\[\d+\]", "[]", key) if key else None


def _reported_elsewhere(first: Claim, later: Claim) -> bool:
    """Two entries of one list with the same name: their own uniqueness rule says so once (models, NodePools)."""
    return later.value == first.value and _entry(later.key) == _entry(first.key)


@rule("models", "model_cache", "addons", "access", "gateway", "gateway_api_keys", "gpu_node_groups")
def objects_have_distinct_names(s: Sections) -> Iterator[ConfigIssue]:
    """No two objects of one kind share a namespace and name (they would be one object, fought over)."""
    first: dict[tuple[str, str | None, str], Claim] = {}
    clashes: dict[tuple[str, str | None], list[tuple[Claim, Claim]]] = {}
    for c in claims(s):
        other = first.setdefault((c.kind, c.namespace, c.name), c)
        # Two of the platform's own names cannot clash by config: tests/stack/test_collisions.py holds them apart.
        if other is c or c.key is None or _reported_elsewhere(other, c):
            continue
        clashes.setdefault((c.key, other.key), []).append((c, other))
    for (key, other_key), pairs in clashes.items():
        where = "; ".join(_clash(c, other) for c, other in pairs)
        by = f" ({other_key})" if other_key else ""
        # A name no config value makes (an add-on's namespace, a fixed object) can only be avoided.
        fix = "rename one of them" if all(other.value for _, other in pairs) else "choose another name"
        yield ConfigIssue(key, f"{where}{by}: {fix}")


def _clash(c: Claim, other: Claim) -> str:
    place = f" in namespace {c.namespace!r}" if c.namespace else ""
    return f"{c.kind} {c.name!r}{place}, {c.what}, is also {other.what}"
