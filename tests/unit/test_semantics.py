"""Values checked for what they mean, not only their form: zones of the region, time zones of the IANA
database, cron schedules as KEDA reads them, bounds Kubernetes and EBS accept, ASCII-only ARNs, namespaces that
are the clients' own; and no false refusals (image references, every TTFT bucket edge)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import TypeAdapter

import config.schema.base as base
from catalog.gpus import FAMILY_TYPES
from catalog.images import SERVING_IMAGES
from catalog.regions import REGIONS, offered
from catalog.vllm import TTFT_BUCKET_EDGES, VLLM_VERSION
from config.loader import load_config
from config.rules.offerings import offering_warnings
from config.schema.addons import MonitoringConfig, NodePoolConfig
from config.schema.base import GP3_IOPS, GP3_IOPS_PER_GIB, GP3_MAX_GIB, GP3_MIBPS_PER_IOPS, GP3_MIN_GIB
from config.schema.base import GP3_THROUGHPUT_MIBPS as GP3_MIBPS
from config.schema.infrastructure import GpuNodeGroupConfig, ModelCacheConfig, SystemNodeGroupConfig
from config.schema.models import AutoscalingConfig, WarmWindowConfig
from config.schema.operations import RESERVED_NAMESPACES, AlertsConfig
from fleet.load import load_fleet
from tests.unit.stack_config import SECRETS, K, edit, flat, issues, refused

# --- regions and zones -------------------------------------------------------------------------------------


def test_the_region_catalog_holds_the_real_zone_names():
    assert {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"} <= set(REGIONS)
    assert REGIONS["us-east-1"].zones == tuple(f"us-east-1{c}" for c in "abcdef")
    assert REGIONS["us-west-2"].zones == tuple(f"us-west-2{c}" for c in "abcd")
    for name in ("us-east-2", "eu-west-1", "eu-central-1"):
        assert REGIONS[name].zones == tuple(f"{name}{c}" for c in "abc")
    for region in REGIONS.values():
        assert region.gpu_families <= set(FAMILY_TYPES), "every offered family is a catalog family"


@pytest.mark.parametrize("zone", ["us-west-2z", "us-west-2e", "us-east-1a"])
def test_a_zone_the_region_does_not_have_is_refused(zone):
    errs = issues(edit(f"{K}:network", lambda v: v.update(availabilityZones=["us-west-2a", zone])))
    message = errs[f"{K}:network.availabilityZones[1]"]
    assert f"{zone!r} is not a zone of aws:region 'us-west-2'" in message
    assert "us-west-2a, us-west-2b, us-west-2c, us-west-2d" in message


def test_every_zone_of_the_catalog_is_accepted():
    c = edit(f"{K}:network", lambda v: v.update(availabilityZones=["us-west-2c", "us-west-2d"]))
    assert issues(c) == {}
    prod = edit(f"{K}:network", lambda v: v.update(availabilityZones=["us-east-1d", "us-east-1f"]), "prod")
    assert issues(prod) == {}


@pytest.mark.parametrize(("region", "hint"), [("ap-south-9", None), ("us-west-3", "did you mean us-west-2?")])
def test_a_region_outside_the_catalog_is_refused_with_what_to_do(region, hint):
    c = flat()
    c["aws:region"] = region
    message = issues(c)["aws:region"]
    assert "is not a region the platform supports" in message and "catalog/regions.py" in message
    assert hint is None or hint in message
    assert f"{K}:network.availabilityZones[0]" not in issues(c)  # zones are not judged against no region


def test_instance_types_a_region_does_not_offer_are_warned_not_refused_by_key():
    assert offered("us-east-1", "g6e") and offered("eu-west-1", "g5") and not offered("eu-west-1", "g6")

    def ireland(stack: str) -> dict[str, str]:
        c = edit(f"{K}:network", lambda v: v.update(availabilityZones=["eu-west-1a", "eu-west-1b"]), stack)
        c["aws:region"] = "eu-west-1"
        return c

    cfg = load_config(ireland("dev"), "x", SECRETS)  # g6 (L4) everywhere in dev: allowed ...
    warned = offering_warnings(cfg)  # ... and warned, per entry of the stack file
    for j, t in enumerate(("g6.xlarge", "g6.2xlarge", "g6.4xlarge")):
        assert any(
            w.startswith(f"{K}:gpuNodeGroups[0].instanceTypes[{j}]: {t} is not offered in eu-west-1")
            for w in warned
        )
    assert any(
        w.startswith(f"{K}:addons.karpenter.nodePools[0].instanceFamilies[0]: no g6 type") for w in warned
    )
    assert all("with its GPU (l4 24 GiB) is offered there" in w for w in warned)
    assert offering_warnings(load_config(flat("prod"), "x", SECRETS)) == []  # g6e in us-east-1
    assert offering_warnings(load_config(flat("dev"), "x", SECRETS)) == []  # g6 in us-west-2


# --- time zones and cron, as KEDA reads them ---------------------------------------------------------------


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+1", "Asia/Kolkata"]
)
def test_iana_time_zones_are_accepted(zone):
    assert WarmWindowConfig.model_validate({"timezone": zone, "start": "0 8 * * 1-5", "end": "0 19 * * 1-5",
                                            "replicas": 1}).timezone == zone  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "says"),
    [
        ("Mars/Olympus", "is not a zone of the IANA database (tzdata 2026"),
        ("europe/berlin", "did you mean Europe/Berlin?"),
        ("Europe/Berln", "did you mean Europe/Berlin?"),
        ("Local", "is not a zone"),
        ("CET+1", "is not a zone"),
        ("Europe/B\u0435rlin", "contains non-ASCII letters that look like ASCII"),  # a Cyrillic e
    ],
)
def test_names_outside_the_iana_database_are_refused(zone, says):
    assert says in refused(
        WarmWindowConfig, {"timezone": zone, "start": "0 8 * * *", "end": "0 9 * * *", "replicas": 1}
    )


@pytest.mark.parametrize(
    "cron", ["0 8 * * 1-5", "*/15 9-17 * * mon-fri", "0 0 1 jan,jul *", "30 7 ? * SUN", "5 4 * * 0,6"]
)
def test_five_field_schedules_keda_reads_are_accepted(cron):
    window = {"timezone": "UTC", "start": cron, "end": "59 23 31 12 *", "replicas": 1}
    assert WarmWindowConfig.model_validate(window).start == cron


@pytest.mark.parametrize(
    ("cron", "says"),
    [
        ("61 8 * * 1-5", "minute '61' is out of range 0-59"),
        ("0 24 * * *", "hour '24' is out of range 0-23"),
        ("0 8 0 * *", "day of month '0' is out of range 1-31"),
        ("0 8 * 13 *", "month '13' is out of range 1-12"),
        ("0 8 * * 7", "day of week '7' is out of range 0-6"),  # croniter takes 7 for Sunday; KEDA does not
        ("0 8 * * fri-mon", "runs backwards"),
        ("*/0 * * * *", "has a step of 0"),
        ("0 8 L * *", "is not cron syntax KEDA reads"),
        ("0 8 * * 1#2", "is not cron syntax KEDA reads"),
        ("0 8 * * funday", "is not cron syntax KEDA reads"),
        ("0 8 * * xyz", "names no day of week"),
        ("@daily", "is not a five-field cron schedule"),
        ("0 0 8 * * 1-5", "is not a five-field cron schedule"),  # six fields (seconds)
        ("0 8 31 2 *", "never fires"),
    ],
)
def test_schedules_keda_would_refuse_or_that_never_fire_are_refused(cron, says):
    assert says in refused(
        WarmWindowConfig, {"timezone": "UTC", "start": cron, "end": "0 1 * * *", "replicas": 1}
    )


def test_a_window_that_ends_when_it_starts_is_refused_at_its_end():
    c = edit(f"{K}:models", lambda v: v[0]["autoscaling"].update(
        warmWindows=[{"timezone": "UTC", "start": "0 8 * * *", "end": "0 8 * * *", "replicas": 1}]))  # fmt: skip
    assert "is also the start" in issues(c)[f"{K}:models[0].autoscaling.warmWindows[0].end"]


# --- numeric bounds Kubernetes and EBS accept --------------------------------------------------------------


def test_the_model_cache_size_must_be_a_quantity_kubernetes_holds():
    assert ModelCacheConfig(sizeGib=2**33 - 1).size_gib == 2**33 - 1  # (2^63 - 1) bytes, in GiB
    for too_big in (2**33, 10**39):
        c = edit(f"{K}:modelCache", lambda v, n=too_big: v.update(sizeGib=n))
        assert "must be at most 8,589,934,591" in issues(c)[f"{K}:modelCache.sizeGib"]


GP3_SIZES = [
    (GpuNodeGroupConfig, "disk_size_gib"),
    (SystemNodeGroupConfig, "disk_size_gib"),
    (NodePoolConfig, "disk_size_gib"),
    (MonitoringConfig, "storage_gib"),
]


def _bounds(model: Any, name: str) -> tuple[int, int]:
    meta = model.model_fields[name].metadata
    return next(m.ge for m in meta if hasattr(m, "ge")), next(m.le for m in meta if hasattr(m, "le"))


@pytest.mark.parametrize(("model", "name"), GP3_SIZES)
def test_every_gp3_size_the_schema_allows_is_one_ebs_creates(model, name):
    low, high = _bounds(model, name)
    assert GP3_MIN_GIB <= low <= high <= GP3_MAX_GIB


def _gp3_volumes(plan) -> list[tuple[int, dict]]:
    """(size GiB, ebs settings) of every gp3 volume the plan sets IOPS or throughput on."""
    volumes = []
    for lt in plan.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        volumes += [(m["ebs"]["volumeSize"], m["ebs"]) for m in lt["inputs"]["blockDeviceMappings"]]
    for nc in plan.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        for m in nc["inputs"]["spec"]["blockDeviceMappings"]:
            volumes.append((int(re.fullmatch(r"([0-9]+)Gi", m["ebs"]["volumeSize"])[1]), m["ebs"]))
    return [(size, ebs) for size, ebs in volumes if ebs.get("volumeType") == "gp3"]


def test_the_iops_and_throughput_we_set_fit_gp3_at_every_size_the_schema_allows(plans):
    smallest = min(_bounds(model, name)[0] for model, name in GP3_SIZES[:3])
    for plan in plans.values():
        volumes = _gp3_volumes(plan)
        assert len(volumes) >= 3
        for size, ebs in volumes:
            iops, mibps = ebs["iops"], ebs["throughput"]
            assert GP3_IOPS[0] <= iops <= GP3_IOPS[1] and GP3_MIBPS[0] <= mibps <= GP3_MIBPS[1], ebs
            assert mibps <= iops * GP3_MIBPS_PER_IOPS, ebs
            assert iops <= min(size, smallest) * GP3_IOPS_PER_GIB, ebs


# --- ARNs: AWS's rules, in ASCII -----------------------------------------------------------------------------

ARNS_OK = [
    "arn:aws:iam::123456789012:role/platform-admin",
    "arn:aws:iam::123456789012:role/teams/search/ci-preview",
    "arn:aws-cn:iam::123456789012:role/a+b=c,d.e@f_g",
    "arn:aws-us-gov:iam::123456789012:role/" + "r" * 64,
]
ARNS_BAD = [
    (
        "arn:aws:iam::123456789012:role/te\u0430m",
        "contains non-ASCII letters that look like ASCII",
    ),  # Cyrillic a
    (
        "arn:aws:iam::\u0661\u0662\u0663456789012:role/x",
        "contains non-ASCII characters",
    ),  # Arabic-Indic digits
    ("arn:aws:iam::123456789012:role/caf\u00e9", "contains non-ASCII letters"),
    ("arn:aws:iam::123456789012:user/x", "not an IAM role ARN"),
    ("arn:aws:iam::12345678901:role/x", "not an IAM role ARN"),
    ("arn:aws:iam::123456789012:role/" + "r" * 65, "not an IAM role ARN"),
    ("arn:aws:iam::123456789012:role/has space", "not an IAM role ARN"),
]


@pytest.mark.parametrize("arn", ARNS_OK)
def test_role_arns_aws_accepts_are_accepted(arn):
    assert TypeAdapter(base.RoleArns).validate_python([arn]) == [arn]


@pytest.mark.parametrize(("arn", "says"), ARNS_BAD)
def test_role_arns_outside_aws_rules_are_refused_by_entry(arn, says):
    errs = issues(edit(f"{K}:access", lambda v: v.update(appTeamRoleArns=[arn]), "prod"))
    assert says in errs[f"{K}:access.appTeamRoleArns[0]"]


def test_every_pattern_of_the_schema_is_ascii_only():
    # \w, \d and \s match Unicode letters, digits and spaces in pydantic's regex engine.
    for regex in base.PATTERN_FORMS:
        assert not re.search(r"\\[wdsWDS]", regex), regex
    assert base.IAM_ROLE_ARN.flags & re.ASCII


# --- client namespaces -------------------------------------------------------------------------------------


@pytest.mark.parametrize("namespace", sorted(RESERVED_NAMESPACES))
def test_kubernetes_and_add_on_namespaces_are_no_clients(namespace):
    errs = issues(edit(f"{K}:access", lambda v: v.update(clientNamespaces=["search", namespace]), "prod"))
    assert "not a client's" in errs[f"{K}:access.clientNamespaces[1]"]


def test_the_reserved_namespaces_are_kubernetes_and_every_add_on():
    assert {
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "monitoring",
        "gpu-operator",
        "keda",
    } <= RESERVED_NAMESPACES


def test_the_inference_namespace_is_no_client_of_itself():
    errs = issues(edit(f"{K}:access", lambda v: v.update(clientNamespaces=["chat", "inference"]), "prod"))
    assert errs == {
        f"{K}:access.clientNamespaces[1]": "'inference' is the inference namespace (llm-platform:modelCache.namespace), "
        "where the model servers run: list the namespaces of the apps that call them"
    }


# --- no false refusals: image references -------------------------------------------------------------------

DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGES_OK = [
    "vllm/vllm-openai:v0.31.0",
    "registry.internal:5000/vllm/vllm-openai:v0.31.0",
    f"registry.internal:5000/vllm/vllm-openai:v0.31.0@{DIGEST}",
    f"vllm/vllm-openai@{DIGEST}",
    "localhost:5000/vllm:dev-2026.11",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/vllm/vllm-openai:v0.31.0",
    "docker.io/vllm/vllm-openai:v0.31.0",
]
IMAGES_BAD = [
    ("vllm/vllm-openai:latest", "':latest' is not a pin"),
    ("vllm/vllm-openai", "has no tag or digest"),
    ("registry.internal:5000/vllm/vllm-openai", "has no tag or digest"),
    ("vllm/vLLM-openai:v1", "is not an image reference"),
    ("vllm/vllm-openai@sha256:abc", "is not an image reference"),
    ("vllm/vllm-openai:v0.31.0 ", "is not an image reference"),
    ("vllm/vllm-\u043epenai:v1", "contains non-ASCII letters that look like ASCII"),  # a Cyrillic o
]


@pytest.mark.parametrize("image", IMAGES_OK)
def test_image_references_in_the_distribution_grammar_are_accepted(image):
    c = edit(f"{K}:models", lambda v: v[0].update(image=image))
    assert issues(c) == {}


def test_a_model_with_a_registry_port_and_a_digest_is_served_with_it():
    image = f"registry.internal:5000/vllm/vllm-openai:v0.31.0@{DIGEST}"
    fleet = load_fleet(edit(f"{K}:models", lambda v: v[0].update(image=image)), "x", SECRETS)
    assert fleet.config.models[0].image == image


@pytest.mark.parametrize(("image", "says"), IMAGES_BAD)
def test_floating_or_malformed_image_references_are_refused(image, says):
    errs = issues(edit(f"{K}:models", lambda v: v[0].update(image=image)))
    assert says in errs[f"{K}:models[0].image"]


# --- no false refusals: every TTFT bucket edge -------------------------------------------------------------


def test_the_ttft_edges_are_the_pinned_vllms_and_defined_once():
    assert SERVING_IMAGES["vllm"].endswith(f":v{VLLM_VERSION}")
    assert TTFT_BUCKET_EDGES[:8] == (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1)
    assert TTFT_BUCKET_EDGES[-5:] == (40.0, 80.0, 160.0, 640.0, 2560.0) and len(TTFT_BUCKET_EDGES) == 22
    assert list(TTFT_BUCKET_EDGES) == sorted(set(TTFT_BUCKET_EDGES))
    assert not hasattr(base, "TTFT_BUCKET_EDGES") or base.TTFT_BUCKET_EDGES is TTFT_BUCKET_EDGES


@pytest.mark.parametrize("edge", TTFT_BUCKET_EDGES)
def test_every_edge_is_a_valid_target_for_scaling_and_for_the_alert(edge):
    assert AutoscalingConfig.model_validate({"ttftP95Seconds": edge}).ttft_p95_seconds == edge
    assert AlertsConfig.model_validate({"ttftP95Seconds": edge}).ttft_p95_seconds == edge


@pytest.mark.parametrize(
    ("value", "nearest"), [(2.0, "use 1 or 2.5"), (0.3, "use 0.25 or 0.5"), (5000, "use 2560")]
)
def test_a_target_between_edges_is_refused_with_the_nearest_edges(value, nearest):
    for schema in (AutoscalingConfig, AlertsConfig):
        message = refused(schema, {"ttftP95Seconds": value})
        assert "is not a bucket edge of vLLM 0.31.0's TTFT histogram" in message and nearest in message
