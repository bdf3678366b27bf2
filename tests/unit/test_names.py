"""The names the plan derives from config (vocabulary/names.py), the rules that measure them and keep them apart
(config/rules/names.py), and the planner's refusal of a URN registered twice (planner/mocks.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from config.issues import ConfigIssue
from config.loader import check_config
from config.rules import names as rules
from config.rules.registry import Sections
from config.schema.platform import PlatformConfig
from planner.mocks import DuplicateUrnError, duplicate_urns, engine_urns, refuse_duplicate_urns
from planner.run import run_under_mocks
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR, STACKS
from vocabulary import names

K = "llm-platform"
TABLES = {
    "models": names.MODEL_NAMES,
    "node groups": names.NODE_GROUP_NAMES,
    "NodePools": names.NODE_POOL_NAMES,
    "cluster": names.CLUSTER_NAMES,
    "namespace": names.NAMESPACE_NAMES,
    "claim": names.PVC_NAMES,
}


def config(stack: str = "dev") -> PlatformConfig:
    return check_config(dict(read_stack(PROJECT_DIR, stack).config)).config()


def sections(cfg: PlatformConfig, **changes: Any) -> Sections:
    """The sections of a valid config, some replaced without validation: the rules must hold even where the
    schema's own maxima would let a longer name through (or were raised)."""
    return Sections({**{f: getattr(cfg, f) for f in PlatformConfig.model_fields}, **changes})


def issues(check: Callable[[Sections], Iterable[ConfigIssue]], s: Sections) -> dict[str, str]:
    return {i.key: i.message for i in check(s)}


def with_model(cfg: PlatformConfig, i: int = 0, *, scale_to_zero: bool | None = None, **changes: Any) -> list:
    models = list(cfg.models)
    m = models[i]
    if scale_to_zero is not None:
        changes["autoscaling"] = m.autoscaling.model_copy(update={"scale_to_zero": scale_to_zero})
    models[i] = m.model_copy(update=changes)
    return models


# --- the tables -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", list(TABLES))
def test_every_derived_name_is_the_value_between_a_fixed_prefix_and_suffix(table):
    # What lets a rule say how long a value may be: each name grows exactly as its value does.
    for d in TABLES[table]:
        short, long = d.build("ab"), d.build("abcdef")
        assert len(long) - len(short) == 4 and "abcdef" in long, d.what
        assert d.only in (None, names.SCALES_TO_ZERO, names.S3_SOURCE), d.what


def test_every_limit_names_its_api_its_length_and_its_source():
    limits = [d.limit for table in TABLES.values() for d in table] + [
        lim for _, lim in names.AUTONAMED.values()
    ]
    for limit in limits:
        assert limit.api and limit.source and 1 <= limit.max_length <= 512, limit
    # The limits the issue pins down, as Kubernetes, IAM, SQS, EKS and EventBridge define them.
    assert (names.JOB_NAME.max_length, names.DNS_1035_LABEL.max_length, names.LABEL_VALUE.max_length) == (
        63,
    ) * 3
    assert (names.IAM_ROLE_NAME.max_length, names.EVENTBRIDGE_RULE_NAME.max_length) == (64, 64)
    assert (names.SQS_QUEUE_NAME.max_length, names.EKS_NODE_GROUP_NAME.max_length) == (80, 63)


def test_pulumi_autonaming_adds_a_dash_and_seven_characters():
    assert names.autonamed("karpenter-interruptions") == "karpenter-interruptions-xxxxxxx"
    assert len(names.autonamed("a")) == 1 + 8


def test_derived_names_as_the_composition_builds_them():
    assert names.preload_job("qwen3-8b") == names.preload_service_account("qwen3-8b") == "preload-qwen3-8b"
    assert names.proxy_service("qwen3-0-6b") == "qwen3-0-6b-proxy"
    assert names.model_rules("qwen3-8b") == "llm-model-qwen3-8b"
    assert names.model_server_part("qwen3-8b", names.MODEL_SERVER_PRELOAD) == "model-qwen3-8b-preload"
    assert names.gpu_node_group("l4-spot") == "gpu-l4-spot"
    assert names.node_pool("gpu-spot") == names.ec2_node_class("gpu-spot") == "gpu-spot"


# --- every derived name fits ----------------------------------------------------------------------------------


def test_a_63_character_model_name_is_refused_for_its_71_character_job_name():
    cfg = config("prod")
    found = issues(rules.model_names_fit_their_objects, sections(cfg, models=with_model(cfg, name="m" * 63)))
    message = found[f"{K}:models[0].name"]
    assert f"the preload Job 'preload-{'m' * 63}' would be 71 characters" in message
    assert "a Kubernetes Job name" in message and "at most 63" in message and "batch/validation" in message
    assert message.endswith("Use at most 55 characters.")
    assert list(found) == [f"{K}:models[0].name"]  # the other model is fine


@pytest.mark.parametrize(
    ("changes", "longest", "api"),
    [
        ({"scale_to_zero": False}, 55, "a Kubernetes Job name"),  # preload-<model>
        ({"scale_to_zero": True}, 55, "a Kubernetes Job name"),  # and <model>-proxy, looser
        (  # model-<model>-preload-xxxxxxx, the preload's S3 reader role
            {"scale_to_zero": False, "source": "s3://weights/qwen", "revision": None},
            42,
            "an IAM role name",
        ),
    ],
)
def test_a_model_name_fits_exactly_up_to_its_tightest_limit(changes, longest, api):
    cfg = config("dev")
    fits = sections(cfg, models=with_model(cfg, name="a" * longest, **changes))
    too_long = sections(cfg, models=with_model(cfg, name="a" * (longest + 1), **changes))
    assert issues(rules.model_names_fit_their_objects, fits) == {}
    message = issues(rules.model_names_fit_their_objects, too_long)[f"{K}:models[0].name"]
    assert api in message and f"Use at most {longest} characters." in message


def test_every_name_over_its_limit_is_listed_and_only_those_that_exist():
    cfg = config("dev")
    at_zero = sections(cfg, models=with_model(cfg, name="a" * 58, scale_to_zero=True))
    message = issues(rules.model_names_fit_their_objects, at_zero)[f"{K}:models[0].name"]
    assert "also too long: the scale-to-zero proxy Service (64 > 63)" in message
    always_up = sections(cfg, models=with_model(cfg, name="a" * 58, scale_to_zero=False))
    assert "proxy" not in issues(rules.model_names_fit_their_objects, always_up)[f"{K}:models[0].name"]


def test_a_gpu_node_group_name_must_leave_room_for_its_autonamed_eks_node_group():
    cfg = config("prod")
    groups = list(cfg.gpu_node_groups)
    groups[1] = groups[1].model_copy(update={"name": "g" * 49})
    found = issues(rules.node_group_names_fit_their_objects, sections(cfg, gpu_node_groups=groups))
    message = found[f"{K}:gpuNodeGroups[1].name"]
    assert "the EKS node group (autonamed)" in message and f"'gpu-{'g' * 49}-ng-xxxxxxx'" in message
    assert "an EKS managed node group name takes at most 63" in message and "at most 48 characters" in message
    groups[1] = groups[1].model_copy(update={"name": "g" * 48})
    assert issues(rules.node_group_names_fit_their_objects, sections(cfg, gpu_node_groups=groups)) == {}


def test_a_node_pool_name_is_a_node_label_value_while_karpenter_is_on():
    cfg = config("dev")
    karpenter = cfg.addons.karpenter
    pools = [karpenter.node_pools[0], karpenter.node_pools[1].model_copy(update={"name": "p" * 64})]
    on = cfg.addons.model_copy(update={"karpenter": karpenter.model_copy(update={"node_pools": pools})})
    message = issues(rules.node_pool_names_fit_their_objects, sections(cfg, addons=on))[
        f"{K}:addons.karpenter.nodePools[1].name"
    ]
    assert "karpenter.sh/nodepool" in message and "a Kubernetes label value takes at most 63" in message
    off = on.model_copy(update={"karpenter": on.karpenter.model_copy(update={"enabled": False})})
    assert issues(rules.node_pool_names_fit_their_objects, sections(cfg, addons=off)) == {}


@pytest.mark.parametrize(
    ("check", "field", "update", "key", "api"),
    [
        (rules.cluster_name_fits_its_objects, "cluster", {"name": "c" * 101}, "cluster.name", "an EKS cluster name"),
        (rules.namespace_and_claim_names_fit, "model_cache", {"namespace": "n" * 64}, "modelCache.namespace",
         "a Kubernetes DNS-1123 label"),
        (rules.namespace_and_claim_names_fit, "model_cache", {"pvc_name": "p" * 254}, "modelCache.pvcName",
         "a Kubernetes object name"),
    ],
)  # fmt: skip
def test_the_cluster_namespace_and_claim_names_fit_their_apis(check, field, update, key, api):
    cfg = config("prod")
    section = getattr(cfg, field)
    assert issues(check, sections(cfg)) == {}
    found = issues(check, sections(cfg, **{field: section.model_copy(update=update)}))
    assert api in found[f"{K}:{key}"]


# --- no two objects share kind, namespace and name --------------------------------------------------------------


def flat(stack: str, change: Callable[[dict[str, Any]], None]) -> dict[str, str]:
    """The stack's raw config as the CLI passes it, after `change` to its decoded values."""
    raw = dict(read_stack(PROJECT_DIR, stack).config)
    decoded = {k: json.loads(v) if v[:1] in "[{" else v for k, v in raw.items()}
    change(decoded)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in decoded.items()}


def clash_issues(c: dict[str, str]) -> dict[str, str]:
    checked = check_config(c)
    return issues(rules.objects_have_distinct_names, checked.sections)


def test_a_model_named_like_anothers_proxy_service_is_refused_naming_both_keys():
    def add(c):
        c[f"{K}:models"].append({**c[f"{K}:models"][0], "name": "qwen3-0-6b-proxy"})

    found = clash_issues(flat("dev", add))
    message = found[f"{K}:models[1].name"]
    assert "Service 'qwen3-0-6b-proxy' in namespace 'inference'" in message
    assert "scale-to-zero proxy Service of model 'qwen3-0-6b'" in message and f"{K}:models[0].name" in message
    assert f"{K}:models[1].name" in {
        i.key for i in check_config(flat("dev", add)).issues
    }  # the loader reports it


def test_the_proxy_name_is_free_while_that_model_does_not_scale_to_zero():
    def add(c):
        c[f"{K}:models"].append({**c[f"{K}:models"][0], "name": "qwen3-8b-proxy"})

    assert clash_issues(flat("prod", add)) == {}


@pytest.mark.parametrize(("namespace", "addon"), [("monitoring", "monitoring"), ("keda", "keda"),
                                                  ("gpu-operator", "gpuOperator")])  # fmt: skip
def test_the_inference_namespace_cannot_be_an_addons_namespace(namespace, addon):
    found = clash_issues(flat("dev", lambda c: c[f"{K}:modelCache"].update(namespace=namespace)))
    message = found[f"{K}:modelCache.namespace"]
    assert f"Namespace {namespace!r}, the inference namespace" in message
    assert f"({K}:addons.{addon}.enabled)" in message and message.endswith("choose another name")


def test_an_addons_namespace_is_free_while_the_addon_is_off():
    def change(c):
        c[f"{K}:modelCache"]["namespace"] = "keda"
        c[f"{K}:addons"]["kedaHttp"] = {"enabled": False}
        c[f"{K}:addons"]["keda"]["enabled"] = False

    assert clash_issues(flat("dev", change)) == {}  # (models then need KEDA: another rule says so)


def test_two_models_of_one_name_are_reported_once_by_their_own_rule():
    def add(c):
        c[f"{K}:models"].append(dict(c[f"{K}:models"][0]))

    assert clash_issues(flat("dev", add)) == {}
    assert (
        "already used by an earlier model"
        in {i.key: i.message for i in check_config(flat("dev", add)).issues}[f"{K}:models[1].name"]
    )


def test_the_shipped_stacks_claim_every_object_once():
    for stack in STACKS:
        claimed = rules.claims(sections(config(stack)))
        where = [(c.kind, c.namespace, c.name) for c in claimed]
        assert len(where) == len(set(where)), stack
        assert {c.key for c in claimed if c.value is not None} >= {f"{K}:modelCache.namespace"}


# --- a URN registered twice -------------------------------------------------------------------------------------


class Box(pulumi.ComponentResource):
    """A component that names its child without its own name: the classic duplicate URN."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("test:index:Box", name, None, opts)
        k8s.core.v1.ConfigMap("settings", metadata={"name": name}, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


class Shelf(pulumi.ComponentResource):
    def __init__(self, name: str):
        super().__init__("test:index:Shelf", name)
        Box(f"{name}-box", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def recorded(declare: Callable[[], Any]) -> list[dict[str, Any]]:
    return run_under_mocks(lambda: declare() and None, project="p", stack="s", config={})[0]


def test_engine_urns_hold_the_type_of_every_ancestor_below_the_stack():
    records = recorded(lambda: Shelf("top"))
    urns = dict(zip((r["name"] for r in records), engine_urns(records), strict=True))
    assert urns["top"] == "urn:pulumi:s::p::test:index:Shelf::top"
    assert (
        urns["settings"]
        == "urn:pulumi:s::p::test:index:Shelf$test:index:Box$kubernetes:core/v1:ConfigMap::settings"
    )


def test_children_of_the_same_name_under_two_parents_of_one_type_are_refused_naming_both():
    records = recorded(lambda: (Box("a"), Box("b")))
    ((urn, group),) = duplicate_urns(records)
    assert len(group) == 2
    assert urn == "urn:pulumi:s::p::test:index:Box$kubernetes:core/v1:ConfigMap::settings"
    with pytest.raises(DuplicateUrnError) as err:
        refuse_duplicate_urns(records)
    text = str(err.value)
    assert "the Pulumi engine refuses the second" in text and urn in text
    assert "kubernetes:core/v1:ConfigMap 'settings' under test:index:Box 'a'" in text
    assert "kubernetes:core/v1:ConfigMap 'settings' under test:index:Box 'b'" in text


def test_a_name_reused_at_the_root_is_refused_and_every_duplicate_is_named_at_once():
    def declare():
        Box("a")
        Box("b")
        k8s.core.v1.ConfigMap("top", metadata={"name": "one"})
        k8s.core.v1.ConfigMap("top", metadata={"name": "two"})

    with pytest.raises(DuplicateUrnError) as err:
        refuse_duplicate_urns(recorded(declare))
    assert len(err.value.duplicates) == 2
    assert str(err.value).count("kubernetes:core/v1:ConfigMap 'top' at the stack's root") == 2


def test_same_names_under_different_ancestors_or_of_different_types_are_distinct():
    def declare():
        Box("a")
        Shelf("s")  # its box's ConfigMap has the mocks' URN of a's, but not the engine's
        k8s.core.v1.Secret("a", metadata={"name": "a"})  # same name as a Box: another type

    assert duplicate_urns(recorded(declare)) == []
