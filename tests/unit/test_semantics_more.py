"""More values checked for what they mean: namespaces every cluster has, node labels the kubelet refuses or the
platform sets, the system pool's name, CPU instance types, AMI releases with real dates and of the right family,
Karpenter durations, warm windows within replicas.max, strict numbers and booleans, time zones people write,
and an unknown model reported where it is named."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from catalog.cpus import CPU_FAMILIES, CPU_INSTANCES
from catalog.kubernetes import (
    DEFAULT_NAMESPACE,
    KUBELET_LABEL_NAMESPACES,
    KUBELET_OWN_LABELS,
    KUBERNETES_NAMESPACES,
    kubelet_refuses_label,
)
from catalog.prices import SYSTEM_ON_DEMAND_USD_PER_HOUR
from catalog.time_zones import ABBREVIATIONS, offset_hint, zone_hint
from config.reference import nested_section
from config.schema.addons import NodePoolConfig
from config.schema.base import Section
from config.schema.infrastructure import (
    GpuNodeGroupConfig,
    ModelCacheConfig,
    NetworkConfig,
    NodeAmiConfig,
    SystemNodeGroupConfig,
)
from config.schema.models import WarmWindowConfig, iana_time_zones
from config.schema.operations import RESERVED_NAMESPACES
from config.schema.platform import SECTIONS
from fleet.load import load_fleet
from tests.conftest import STACKS
from tests.unit.stack_config import SECRETS, K, edit, edits, flat, issues, refused
from vocabulary.addons import ADDON_RELEASES
from vocabulary.scheduling import PLATFORM_NODE_LABELS, POOL_LABEL, SYSTEM_POOL

GROUP = {
    "name": "l4-spot",
    "capacityType": "spot",
    "instanceTypes": ["g6.xlarge"],
    "minSize": 0,
    "maxSize": 2,
}
POOL = {"name": "gpu-spot", "capacityType": "spot", "instanceFamilies": ["g6"], "gpuLimit": 4}


@pytest.mark.parametrize("stack", STACKS)
def test_the_shipped_stacks_still_validate(stack):
    assert issues(flat(stack)) == {}


# --- 1. namespaces every cluster has -------------------------------------------------------------------------


@pytest.mark.parametrize("namespace", sorted(KUBERNETES_NAMESPACES))
def test_the_inference_namespace_is_none_the_cluster_already_has(namespace):
    errs = issues(edit(f"{K}:modelCache", lambda v: v.update(namespace=namespace)))
    message = errs[f"{K}:modelCache.namespace"]
    assert repr(namespace) in message and "already has" in message and "Pod Security" in message


# kube-system (the load balancer controller's) is one every cluster has: the test above.
@pytest.mark.parametrize(
    "release", sorted({r.namespace for r in ADDON_RELEASES.values()} - KUBERNETES_NAMESPACES)
)
def test_an_add_on_namespace_is_refused_for_the_inference_namespace_by_the_collision_rule(release):
    errs = issues(edit(f"{K}:modelCache", lambda v: v.update(namespace=release), "prod"))
    assert f"Namespace {release!r}" in errs[f"{K}:modelCache.namespace"]


@pytest.mark.parametrize("namespace", ["serving", "llm", "inference-prod"])
def test_a_namespace_of_its_own_is_accepted(namespace):
    assert ModelCacheConfig.model_validate({"namespace": namespace}).namespace == namespace


def test_the_client_namespaces_read_the_same_list_with_default_left_to_apps():
    assert KUBERNETES_NAMESPACES - {DEFAULT_NAMESPACE} <= RESERVED_NAMESPACES
    assert DEFAULT_NAMESPACE not in RESERVED_NAMESPACES
    assert issues(edit(f"{K}:access", lambda v: v.update(clientNamespaces=["default"]), "prod")) == {}


# --- 2. node labels the kubelet refuses, 3. labels the platform sets ------------------------------------------


def label_errors(labels: dict[str, str]) -> str:
    return refused(GpuNodeGroupConfig, {**GROUP, "labels": labels})


@pytest.mark.parametrize(
    "key",
    [
        "node-role.kubernetes.io/gpu",
        "kubernetes.io/role",
        "k8s.io/team",
        "example.k8s.io/team",
        "node-restriction.kubernetes.io/team",  # the NodeRestriction prefix is not below node.kubernetes.io
        "kubernetes.io/team",
    ],
)
def test_a_label_in_the_kubernetes_namespaces_the_kubelet_refuses_is_refused(key):
    assert kubelet_refuses_label(key)
    message = label_errors({key: "true"})
    assert key in message and "kubelet" in message and "never join" in message


@pytest.mark.parametrize("key", sorted(KUBELET_OWN_LABELS))
def test_a_label_the_kubelet_or_the_cloud_sets_itself_is_refused(key):
    assert not kubelet_refuses_label(key)  # the kubelet takes it, and it would overwrite the real value
    message = label_errors({key: "x"})
    assert key in message and "overwrite the real one" in message


@pytest.mark.parametrize(
    "key",
    [
        "node.kubernetes.io/exclude-from-external-load-balancers",
        "kubelet.kubernetes.io/team",
        "team.node.kubernetes.io/tier",  # below an allowed namespace, as IsKubeletLabel reads it
        "team",
        "example.com/team",
        "kubernetes.example.com/team",  # kubernetes.io is a domain, not a word
    ],
)
def test_labels_the_kubelet_takes_are_accepted(key):
    assert GpuNodeGroupConfig.model_validate({**GROUP, "labels": {key: "a"}}).labels == {key: "a"}


def test_the_kubelets_allowed_namespaces_are_below_kubernetes_io():
    assert KUBELET_LABEL_NAMESPACES == ("kubelet.kubernetes.io", "node.kubernetes.io")
    assert all(k.split("/")[0].endswith(("kubernetes.io", "k8s.io")) for k in KUBELET_OWN_LABELS)


@pytest.mark.parametrize("key", list(PLATFORM_NODE_LABELS))
def test_a_label_the_platform_sets_itself_is_refused_saying_which_and_why(key):
    message = label_errors({key: "batch"})
    assert key in message and PLATFORM_NODE_LABELS[key] in message and "sets itself" in message


def test_every_label_problem_of_a_group_is_said_at_once():
    message = label_errors(
        {POOL_LABEL: "x", "node-role.kubernetes.io/gpu": "", "kubernetes.io/arch": "arm64"}
    )
    assert all(k in message for k in (POOL_LABEL, "node-role.kubernetes.io/gpu", "kubernetes.io/arch"))


@pytest.mark.parametrize("stack", STACKS)
def test_every_node_label_the_fleet_sets_is_one_the_platform_reserves(stack):
    group = json.loads(flat(stack)[f"{K}:gpuNodeGroups"])[0]["name"]
    c = edits(
        {
            f"{K}:gpuNodeGroups": lambda v: v[0].update(labels={"example.com/team": "search"}),
            # Time slicing on every pool, so the device-plugin config label is set too.
            f"{K}:addons": lambda v: v["gpuOperator"].update(timeSlicing={group: 2}),
            f"{K}:models": lambda v: v.clear(),  # placement is not what this is about
            f"{K}:gateway": lambda v: v.update(enabled=False, tenants=[]),  # nor its tenants' models
        },
        stack,
    )
    pools = load_fleet(c, "x", SECRETS).pools.values()
    assert any(
        len(p.labels) == len(PLATFORM_NODE_LABELS) + 1 for p in pools
    )  # the team label and all of ours
    for pool in pools:
        written = set(getattr(pool.config, "labels", {}))
        assert set(pool.labels) - written <= set(PLATFORM_NODE_LABELS), pool.name


# --- 4. the system pool's name ------------------------------------------------------------------------------


def test_a_gpu_node_group_named_like_the_system_pool_is_refused():
    errs = issues(edit(f"{K}:gpuNodeGroups", lambda v: v[0].update(name=SYSTEM_POOL)))
    message = errs[f"{K}:gpuNodeGroups[0].name"]
    assert f"{POOL_LABEL}={SYSTEM_POOL}" in message and "system node group" in message


def test_a_node_pool_named_like_the_system_pool_is_refused_from_the_same_constant():
    errs = issues(edit(f"{K}:addons", lambda v: v["karpenter"]["nodePools"][0].update(name=SYSTEM_POOL)))
    assert "managed node group name" in errs[f"{K}:addons.karpenter.nodePools[0].name"]


@pytest.mark.parametrize("name", ["systems", "system-gpu", "l4-system"])
def test_names_that_only_contain_system_are_accepted(name):
    assert f"{K}:gpuNodeGroups[0].name" not in issues(
        edit(f"{K}:gpuNodeGroups", lambda v: v[0].update(name=name))
    )


# --- 5. CPU instance types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typo", "guess"), [("m7i.lrage", "m7i.large"), ("m6i.xlrge", "m6i.xlarge"),
                                             ("c7i.2xlage", "c7i.2xlarge")])  # fmt: skip
def test_a_misspelt_system_instance_type_is_refused_with_a_guess(typo, guess):
    message = refused(SystemNodeGroupConfig, {"instanceTypes": ["m7i.large", typo]})
    assert typo in message and f"did you mean {guess}?" in message and "m7i.large," not in message


@pytest.mark.parametrize("unknown", ["t3.large", "m9i.large", "m7i.medium", "m5.32xlarge"])
def test_a_type_outside_the_cpu_catalog_is_refused_naming_the_families(unknown):
    message = refused(SystemNodeGroupConfig, {"instanceTypes": [unknown]})
    assert unknown in message and "catalog/cpus.py" in message and ", ".join(CPU_FAMILIES) in message


@pytest.mark.parametrize(
    ("types", "says"), [(["g6.xlarge"], "GPU instance types"), (["m7g.large"], "Graviton")]
)
def test_gpu_and_graviton_types_keep_their_own_reasons(types, says):
    assert says in refused(SystemNodeGroupConfig, {"instanceTypes": types})


@pytest.mark.parametrize("stack", STACKS)
def test_the_shipped_system_types_are_catalog_types(stack):
    types = json.loads(flat(stack)[f"{K}:cluster"])["systemNodeGroup"]["instanceTypes"]
    assert types and set(types) <= set(CPU_INSTANCES)


def test_every_cpu_type_is_priced_in_both_regions_from_its_familys_large():
    for region in ("us-east-1", "us-west-2"):
        prices = SYSTEM_ON_DEMAND_USD_PER_HOUR[region]
        assert set(prices) == set(CPU_INSTANCES)
        for name, cpu in CPU_INSTANCES.items():
            large = prices[f"{cpu.family}.large"]
            assert prices[name] == pytest.approx(large * cpu.vcpus / 2, abs=1e-6), name


# The rows of Karpenter's generated table (2026-01-19) the system price table held before it was derived.
KARPENTER_ROWS = {
    "m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768,
    "m6i.large": 0.096, "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384, "m6i.4xlarge": 0.768,
    "m7i.large": 0.1008, "m7i.xlarge": 0.2016, "m7i.2xlarge": 0.4032, "m7i.4xlarge": 0.8064,
    "c6i.large": 0.085, "c6i.xlarge": 0.17, "c6i.2xlarge": 0.34,
    "c7i.large": 0.08925, "c7i.xlarge": 0.1785, "c7i.2xlarge": 0.357,
    "r6i.large": 0.126, "r6i.xlarge": 0.252, "r7i.large": 0.1323, "r7i.xlarge": 0.2646,
}  # fmt: skip


def test_the_derived_prices_are_the_source_tables_rows_exactly():
    prices = SYSTEM_ON_DEMAND_USD_PER_HOUR["us-east-1"]
    assert {t: prices[t] for t in KARPENTER_ROWS} == KARPENTER_ROWS


def test_the_cpu_catalog_shapes_grow_with_the_size_and_keep_the_familys_memory_ratio():
    for name, family in CPU_FAMILIES.items():
        shapes = [CPU_INSTANCES[f"{name}.{size}"] for size in family.sizes]
        virtual = [s for s in shapes if not s.size.startswith("metal")]
        assert [s.vcpus for s in virtual] == sorted({s.vcpus for s in virtual}), name
        assert all(s.memory_gib == s.vcpus * family.memory_gib_per_vcpu for s in shapes)
        assert max(s.vcpus for s in shapes) == max(s.vcpus for s in virtual), "metal is the largest size"
    assert (CPU_INSTANCES["m7i.large"].vcpus, CPU_INSTANCES["m7i.large"].memory_gib) == (2, 8)
    assert (CPU_INSTANCES["c6i.4xlarge"].vcpus, CPU_INSTANCES["r7i.xlarge"].memory_gib) == (16, 32)


# --- 6. and 7. AMI releases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "says"),
    [
        ("1.35.6-20269999", "there is no month 99"),
        ("1.35.6-20260230", "February 2026 has no day 30"),
        ("1.35.6-20250229", "February 2025 has no day 29"),
        ("1.35.6-20261300", "there is no month 13"),
        ("1.35.6-20260700", "July 2026 has no day 0"),
        ("1.35.6-00000714", "there is no year 0"),
    ],
)
def test_an_al2023_release_without_a_real_build_date_is_refused(release, says):
    message = refused(NodeAmiConfig, {"family": "al2023", "releaseVersion": release})
    assert says in message and "1.35.6-20260714" in message


@pytest.mark.parametrize("release", ["1.35.6-20260714", "1.35.6-20240229", "1.34.9-20251231"])
def test_an_al2023_release_with_a_real_date_is_accepted(release):
    # fastImagePull off: releases before v20250821 have no FastImagePull gate (tests/unit/test_node_bootstrap.py).
    ami = {"family": "al2023", "releaseVersion": release, "fastImagePull": False}
    assert NodeAmiConfig.model_validate(ami).release_version == release


@pytest.mark.parametrize("release", ["1.35.6-20260714", "1.34.9-20260101", "1.29.0-20240315"])
def test_an_al2023_release_under_bottlerocket_is_refused_naming_both_forms(release):
    message = refused(NodeAmiConfig, {"family": "bottlerocket", "releaseVersion": release})
    assert "is a release version of al2023" in message and "not of bottlerocket" in message
    assert "1.65.0-0be31b34" in message and "nodeAmi.family: al2023" in message


@pytest.mark.parametrize(
    "release",
    [
        "1.65.0-0be31b34",
        "1.65.0-12345678",  # all digits, but 1.65 is no Kubernetes minor yet
        "1.35.0-99999999",  # a Kubernetes minor, but no date: a build id
        "1.35.0-2026071a",
    ],
)
def test_bottlerocket_releases_are_accepted(release):
    ami = NodeAmiConfig.model_validate(
        {"family": "bottlerocket", "releaseVersion": release, "fastImagePull": False}
    )
    assert ami.release_version == release


# --- 8. Karpenter durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("expire", ["0h", "0s", "1h", "23h59m", "600m"])
def test_an_expiry_under_a_day_is_refused_offering_never(expire):
    message = refused(NodePoolConfig, {**POOL, "expireAfter": expire})
    assert "at least 24h" in message and "Never" in message


@pytest.mark.parametrize("expire", ["24h", "1440m", "720h", "2160h", "Never"])
def test_an_expiry_of_a_day_or_more_or_never_is_accepted(expire):
    assert NodePoolConfig.model_validate({**POOL, "expireAfter": expire}).expire_after == expire


@pytest.mark.parametrize("after", ["0s", "59s", "24h1s", "48h"])
def test_a_consolidation_delay_outside_a_minute_to_a_day_is_refused(after):
    assert "outside 1m to 24h" in refused(NodePoolConfig, {**POOL, "consolidateAfter": after})


@pytest.mark.parametrize("after", ["1m", "60s", "10m", "1h30m", "24h"])
def test_a_consolidation_delay_within_bounds_is_accepted(after):
    assert NodePoolConfig.model_validate({**POOL, "consolidateAfter": after}).consolidate_after == after


def test_the_defaults_are_within_the_bounds():
    pool = NodePoolConfig.model_validate(POOL)
    assert (pool.consolidate_after, pool.expire_after) == ("10m", "720h")


# --- 9. warm windows within replicas.max --------------------------------------------------------------------


def window(replicas: int) -> dict:
    return {"timezone": "Europe/Berlin", "start": "0 8 * * 1-5", "end": "0 19 * * 1-5", "replicas": replicas}


def test_a_warm_window_above_replicas_max_is_refused_naming_both_keys():
    c = edit(
        f"{K}:models", lambda v: v[0].update(autoscaling={"warmWindows": [window(2), window(20)]}), "prod"
    )
    errs = issues(c)
    message = errs[f"{K}:models[0].autoscaling.warmWindows[1].replicas"]
    assert "20" in message and f"{K}:models[0].replicas.max (8)" in message
    assert f"{K}:models[0].autoscaling.warmWindows[0].replicas" not in errs


def test_a_warm_window_above_the_default_max_says_it_is_the_default():
    def defaults_and_a_window(models: list) -> None:
        del models[0]["replicas"]  # replicas.max is then 2, its default
        models[0]["autoscaling"] = {"warmWindows": [window(3)]}

    errs = issues(edit(f"{K}:models", defaults_and_a_window, "prod"))
    assert "(2, its default)" in errs[f"{K}:models[0].autoscaling.warmWindows[0].replicas"]


@pytest.mark.parametrize("replicas", [1, 4, 8])
def test_a_warm_window_up_to_replicas_max_is_accepted(replicas):
    c = edit(f"{K}:models", lambda v: v[0].update(autoscaling={"warmWindows": [window(replicas)]}), "prod")
    assert issues(c) == {}


# --- 10. numbers and booleans as the stack file writes them -------------------------------------------------


def _strip(tp: Any) -> Any:
    """The type inside Annotated layers, and the one member of an Optional."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    members = [a for a in typing.get_args(tp) if a is not type(None)]
    is_union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    return members[0] if is_union and len(members) == 1 else tp


def _sections() -> Iterator[type[Section]]:
    """Every section of the schema, nested ones included."""
    seen: set[type] = set()
    for _, (_, schema, _) in SECTIONS.items():
        nested = nested_section(schema)
        if nested:
            todo = [nested[1]]
            while todo:
                model = todo.pop()
                if model not in seen:
                    seen.add(model)
                    yield model
                    todo += [n[1] for f in model.model_fields.values() if (n := nested_section(f.annotation))]


SCALAR_FIELDS = [
    (model, name, tp)
    for model in _sections()
    for name, field in model.model_fields.items()
    if (tp := _strip(field.annotation)) in (int, float, bool)
]
QUOTED = {int: "2", float: "0.5", bool: "true"}


def test_the_walk_finds_the_numbers_and_booleans_of_every_section():
    names = {(m.__name__, n) for m, n, _ in SCALAR_FIELDS}
    assert {("GpuNodeGroupConfig", "max_size"), ("KedaConfig", "enabled"), ("ClusterConfig", "deletion_protection"),
            ("ModelConfig", "gpu_memory_utilization"), ("RopeScalingConfig", "factor")} <= names  # fmt: skip
    assert len(SCALAR_FIELDS) > 40


@pytest.mark.parametrize(("model", "name", "tp"), SCALAR_FIELDS, ids=lambda x: getattr(x, "__name__", str(x)))
def test_a_quoted_number_or_boolean_is_refused_everywhere(model: type[BaseModel], name, tp):
    with pytest.raises(ValidationError) as exc:
        model.model_validate({model.model_fields[name].alias: QUOTED[tp]})
    mine = [e for e in exc.value.errors() if e["loc"][:1] == (model.model_fields[name].alias,)]
    assert mine and all(e["type"] in ("int_type", "float_type", "bool_type") for e in mine), exc.value


@pytest.mark.parametrize(
    ("key", "change", "reported"),
    [
        (f"{K}:gpuNodeGroups", lambda v: v[0].update(maxSize="2"), f"{K}:gpuNodeGroups[0].maxSize"),
        (f"{K}:addons", lambda v: v["keda"].update(enabled="yes"), f"{K}:addons.keda.enabled"),
        (f"{K}:cluster", lambda v: v.update(deletionProtection="false"), f"{K}:cluster.deletionProtection"),
        (
            f"{K}:models",
            lambda v: v[0].update(gpuMemoryUtilization="0.45"),
            f"{K}:models[0].gpuMemoryUtilization",
        ),
        (f"{K}:addons", lambda v: v["gpuOperator"].update(enabled=1), f"{K}:addons.gpuOperator.enabled"),
        (f"{K}:gpuNodeGroups", lambda v: v[0].update(minSize=False), f"{K}:gpuNodeGroups[0].minSize"),
    ],
)
def test_quoted_numbers_yes_and_numbers_for_booleans_are_refused_at_their_key(key, change, reported):
    assert reported in issues(edit(key, change))


def test_whole_numbers_stay_numbers_for_float_fields_and_whole_floats_for_int_fields():
    c = edits(
        {
            f"{K}:models": lambda v: v[0].update(minConcurrency=1),  # an int for a float field
            f"{K}:modelCache": lambda v: v.update(sizeGib=2e6),  # a whole float of 1e6 or more stays a float
        }
    )
    c[f"{K}:alerts"] = json.dumps({"kvCacheUsage": 1})
    assert issues(c) == {}
    cache = ModelCacheConfig.model_validate({"sizeGib": 2e6})
    assert cache.size_gib == 2_000_000 and type(cache.size_gib) is int


def test_a_huge_whole_number_is_bounded_as_written():
    with pytest.raises(ValidationError) as exc:
        ModelCacheConfig.model_validate({"sizeGib": 1e39})  # the CLI passes 1e+39 for 1 and 39 zeros
    (error,) = exc.value.errors()
    assert error["type"] == "less_than_equal" and error["input"] == 10**39


def test_a_fraction_for_a_whole_number_is_refused_as_a_fraction():
    with pytest.raises(ValidationError) as exc:
        GpuNodeGroupConfig.model_validate({**GROUP, "maxSize": 2.5})
    assert [e["type"] for e in exc.value.errors()] == ["int_from_float"]


@pytest.mark.parametrize("cidr", ["10.20.0.0/16", "172.16.0.0/20"])
def test_networks_are_still_written_as_text(cidr):
    endpoint = {"publicAccess": True, "publicAccessCidrs": ["198.51.100.0/24"]}
    c = edits(
        {
            f"{K}:network": lambda v: v.update(cidr=cidr),
            f"{K}:cluster": lambda v: v["endpoint"].update(endpoint),
        }
    )
    assert issues(c) == {}
    assert (
        str(
            NetworkConfig.model_validate(
                {"cidr": cidr, "availabilityZones": ["us-west-2a", "us-west-2b"]}
            ).cidr
        )
        == cidr
    )


# --- 11. time zones people write ----------------------------------------------------------------------------


def zone_error(zone: str) -> str:
    return refused(WarmWindowConfig, {**window(1), "timezone": zone})


@pytest.mark.parametrize(
    ("written", "zone"),
    [
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("EDT", "America/New_York"),
        ("CEST", "Europe/Berlin"),
        ("cest", "Europe/Berlin"),
        ("JST", "Asia/Tokyo"),
        ("UTC+1", "Etc/GMT-1"),
        ("UTC-5", "Etc/GMT+5"),
        ("GMT+10", "Etc/GMT-10"),
        ("UTC +14", "Etc/GMT-14"),
    ],
)
def test_an_abbreviation_or_an_offset_is_told_its_iana_zone(written, zone):
    message = zone_error(written)
    assert f"write {zone}" in message and "must be an IANA name" in message and "did you mean" not in message


@pytest.mark.parametrize("written", ["UTC+5:30", "GMT+05:45", "UTC-13"])
def test_an_offset_no_etc_zone_holds_asks_for_the_places_zone(written):
    message = zone_error(written)
    assert "no Etc/GMT zone holds" in message and "Etc/GMT-" not in message.split("holds")[1]


def test_every_abbreviation_is_one_its_zones_print():
    for abbreviation, hint in ABBREVIATIONS.items():
        for zone in hint.zones:
            assert zone in iana_time_zones(), zone
            printed = {datetime(2026, month, 15, 12, tzinfo=ZoneInfo(zone)).tzname() for month in (1, 7)}
            assert abbreviation in printed, (abbreviation, zone, printed)


@pytest.mark.parametrize("hours", [-12, -5, -1, 1, 2, 9, 14])
def test_an_etc_zone_suggested_for_an_offset_has_that_offset(hours):
    written = f"UTC{hours:+d}"
    (zone,) = offset_hint(written).zones
    offset = datetime(2026, 7, 1, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset == timedelta(hours=hours), (written, zone)


@pytest.mark.parametrize("zone", ["EST", "MST", "CET", "UTC", "Etc/GMT-1", "America/Los_Angeles"])
def test_iana_names_are_accepted_before_any_table(zone):
    assert WarmWindowConfig.model_validate({**window(1), "timezone": zone}).timezone == zone


@pytest.mark.parametrize(("zone", "says"), [("Europe/Berln", "did you mean Europe/Berlin?"), ("XYZ", "e.g.")])
def test_other_names_still_get_the_spelling_suggestion(zone, says):
    assert zone_hint(zone) is None and says in zone_error(zone)


# --- 12. an unknown model where it is named -----------------------------------------------------------------


def test_an_unknown_hf_source_is_reported_at_the_source_when_architecture_is_not_written():
    errs = issues(edit(f"{K}:models", lambda v: v[0].update(source="hf://Qwen/Qwen3-0.7B")))
    message = errs[f"{K}:models[0].source"]
    assert "hf://Qwen/Qwen3-0.7B" in message and "architecture: <catalog name>" in message
    assert "architecture: {paramsB" in message and f"{K}:models[0].architecture" not in errs


def test_an_unknown_catalog_name_is_reported_at_the_architecture_written():
    errs = issues(edit(f"{K}:models", lambda v: v[0].update(architecture="qwen3-7b")))
    assert "'qwen3-7b' is not in the model catalog" in errs[f"{K}:models[0].architecture"]
    assert f"{K}:models[0].source" not in errs


def test_an_s3_source_without_architecture_is_reported_at_the_source():
    errs = issues(
        edit(f"{K}:models", lambda v: (v[0].update(source="s3://my-models/tiny"), v[0].pop("revision")))
    )
    assert "s3:// prefix" in errs[f"{K}:models[0].source"] and f"{K}:models[0].architecture" not in errs
