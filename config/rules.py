"""Checks across keys, as named rules in one registry (the way policy/rules.py holds the policy pack's).

Each rule reads some sections of the stack file and runs only when every one of them validated, so one broken
section never hides another section's errors and no rule sees half-valid data. Each issue names every key
involved, as the stack file spells it. Whether models fit their pools is decided where the fleet is resolved
(fleet/placement.py), with the same kind of issues.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from catalog.amis import AMI_FAMILIES
from catalog.models import MODEL_CATALOG, lookup
from config.issues import ConfigIssue
from config.schema.platform import HF_TOKEN_KEY, NAMESPACE
from vocabulary.scheduling import SYSTEM_POOL

K = NAMESPACE  # keys below read as the stack file writes them: f"{K}:network.availabilityZones[0]"


class Sections:
    """The sections of one stack file that validated, as attributes named like PlatformConfig's fields."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)

    def __getattr__(self, field: str) -> Any:
        try:
            return self._values[field]
        except KeyError:
            raise AttributeError(f"section {field!r} did not validate") from None

    def has(self, fields: Iterable[str]) -> bool:
        return all(f in self._values for f in fields)


@dataclass(frozen=True)
class Rule:
    name: str
    reads: tuple[str, ...]  # PlatformConfig fields that must have validated for the rule to run
    check: Callable[[Sections], Iterable[ConfigIssue]]

    @property
    def description(self) -> str:
        return (self.check.__doc__ or "").strip()


RULES: list[Rule] = []


def rule(*reads: str) -> Callable[[Callable[[Sections], Iterable[ConfigIssue]]], Callable]:
    """Register a rule under its function's name (dashes for underscores); `reads` are the sections it needs."""

    def register(check: Callable[[Sections], Iterable[ConfigIssue]]) -> Callable:
        RULES.append(Rule(check.__name__.replace("_", "-"), reads, check))
        return check

    return register


def run_rules(sections: Sections) -> list[ConfigIssue]:
    return [issue for r in RULES if sections.has(r.reads) for issue in r.check(sections)]


# --- the AWS side ----------------------------------------------------------------------------------------


@rule("region", "network")
def zones_in_region(s: Sections) -> Iterator[ConfigIssue]:
    """Every availability zone is a zone of `aws:region`."""
    for i, az in enumerate(s.network.availability_zones):
        if not (az.startswith(s.region) and len(az) == len(s.region) + 1):
            yield ConfigIssue(
                f"{K}:network.availabilityZones[{i}]", f"{az!r} is not a zone of aws:region {s.region!r}"
            )


@rule("cluster", "node_ami")
def ami_release_matches_kubernetes(s: Sections) -> Iterator[ConfigIssue]:
    """The AMI release is built for the cluster's Kubernetes minor."""
    ami, k8s = s.node_ami, s.cluster.kubernetes_version
    match = AMI_FAMILIES[ami.family].release_pattern.match(ami.release_version)
    ami_k8s = match.groupdict().get("k8s") if match else None
    if ami_k8s is not None and ami_k8s != k8s:
        yield ConfigIssue(
            f"{K}:nodeAmi.releaseVersion",
            f"{ami.release_version!r} is built for Kubernetes {ami_k8s}, but "
            f"{K}:cluster.kubernetesVersion is {k8s!r}: pin a {k8s} release of the same date",
        )


@rule("gpu_node_groups")
def node_group_names_unique(s: Sections) -> Iterator[ConfigIssue]:
    """No two GPU node groups share a name."""
    seen: dict[str, int] = {}
    for i, group in enumerate(s.gpu_node_groups):
        if group.name in seen:
            yield ConfigIssue(
                f"{K}:gpuNodeGroups[{i}].name",
                f"{group.name!r} is already used by {K}:gpuNodeGroups[{seen[group.name]}]",
            )
        seen.setdefault(group.name, i)


@rule("access", "cluster")
def one_access_entry_per_role(s: Sections) -> Iterator[ConfigIssue]:
    """EKS takes one access entry per principal: each role gets one level of access."""
    seen = {arn: f"{K}:cluster.adminRoleArns" for arn in s.cluster.admin_role_arns}
    for field, name in (
        ("app_team_role_arns", "appTeamRoleArns"),
        ("read_only_role_arns", "readOnlyRoleArns"),
    ):
        for i, arn in enumerate(getattr(s.access, field)):
            if arn in seen:
                yield ConfigIssue(
                    f"{K}:access.{name}[{i}]",
                    f"{arn} is also in {seen[arn]}; EKS takes one access entry per role",
                )
            seen.setdefault(arn, f"{K}:access.{name}")


# --- add-ons ---------------------------------------------------------------------------------------------

POOLS_KEY = f"{K}:addons.karpenter.nodePools"
SLICING_KEY = f"{K}:addons.gpuOperator.timeSlicing"


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
    """Models scale through KEDA on Prometheus metrics: both must be on when any model is served."""
    if not s.models:
        return
    for name, needed in (("keda", "autoscaling"), ("monitoring", "the queue-depth metrics KEDA scales on")):
        if not getattr(s.addons, name).enabled:
            yield ConfigIssue(f"{K}:addons.{name}.enabled", f"models need {name} for {needed}")


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


# --- models ----------------------------------------------------------------------------------------------


@rule("models")
def model_names_unique(s: Sections) -> Iterator[ConfigIssue]:
    """No two models share a name (it is their served name, Deployment and metrics label)."""
    seen: set[str] = set()
    for i, m in enumerate(s.models):
        if m.name in seen:
            yield ConfigIssue(f"{K}:models[{i}].name", f"{m.name!r} is already used by an earlier model")
        seen.add(m.name)


@rule("models", "alerts")
def gpu_memory_below_its_alert(s: Sections) -> Iterator[ConfigIssue]:
    """vLLM takes gpuMemoryUtilization of each GPU up front: it must stay below the GPU memory alert."""
    limit = s.alerts.gpu_memory_usage
    for i, m in enumerate(s.models):
        if m.gpu_memory_utilization >= limit:
            yield ConfigIssue(
                f"{K}:models[{i}].gpuMemoryUtilization",
                f"{m.gpu_memory_utilization} is at or above {K}:alerts.gpuMemoryUsage ({limit}): vLLM takes "
                "it up front, so the GPU memory alert would always fire",
            )


@rule("models", "addons")
def time_sliced_share_fits_the_gpu(s: Sections) -> Iterator[ConfigIssue]:
    """On a pool sharing each GPU between N pods, each pod may take at most 0.95 / N of it."""
    slicing = s.addons.gpu_operator.time_slicing if s.addons.gpu_operator.enabled else {}
    for i, m in enumerate(s.models):
        shared = {p: slicing[p] for p in m.placement.pools if p in slicing}
        if shared and m.gpu_memory_utilization * max(shared.values()) > 0.95:
            pool, n = max(shared.items(), key=lambda kv: kv[1])
            yield ConfigIssue(
                f"{K}:models[{i}].gpuMemoryUtilization",
                f"{m.gpu_memory_utilization} x {n} pods per GPU on time-sliced pool {pool!r} exceeds the GPU: "
                f"use at most {0.95 / n:.2f}, or leave {pool!r} out of placement.pools",
            )


@rule("models")
def architecture_known(s: Sections) -> Iterator[ConfigIssue]:
    """A model's shape comes from the model catalog or from its own `architecture` block."""
    for i, m in enumerate(s.models):
        if m.architecture is not None and not isinstance(m.architecture, str):
            continue
        if m.catalog_key is None or lookup(m.catalog_key) is None:
            yield ConfigIssue(
                f"{K}:models[{i}].architecture",
                f"{m.architecture or m.source!r} is not in the model catalog ({', '.join(MODEL_CATALOG)}): "
                "name one, or give architecture: {paramsB, layers, hiddenSize, attentionHeads, kvHeads, "
                "headDim} from its config.json",
            )


@rule("models")
def gated_models_have_a_token(s: Sections) -> Iterator[ConfigIssue]:
    """A gated Hugging Face model can only be downloaded with a token."""
    if getattr(s, "hugging_face_token", None) is not None:
        return
    for i, m in enumerate(s.models):
        entry = lookup(m.catalog_key) if m.catalog_key else None
        if entry is not None and entry.gated:
            yield ConfigIssue(
                f"{K}:models[{i}].source",
                f"{entry.hf_id} is gated: accept its licence on Hugging Face, then "
                f"`pulumi config set --secret {HF_TOKEN_KEY} <token>`",
            )
