"""Config errors a person can act on: keys named as the stack file wrote them, messages that say what the value
must look like (not pydantic's phrasing), cross-key errors at the key written, and every declared bound the one
enforced."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

import annotated_types as at
import pydantic_core
import pytest
from pydantic import SecretStr, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from config.issues import MESSAGES, locate, pydantic_issues
from config.loader import check_config
from config.schema.base import PATTERN_FORMS, Section
from config.schema.infrastructure import EndpointConfig
from config.schema.platform import SECTIONS
from tests.unit.stack_config import SECRETS, K, edit


def issues(c: dict[str, str]) -> dict[str, str]:
    found = check_config(c, SECRETS).issues
    keys = [i.key for i in found]
    assert len(keys) == len(set(keys)), f"one issue per key: {keys}"
    return {i.key: i.message for i in found}


def group(change: Callable[[dict], Any]) -> dict[str, str]:
    return issues(edit(f"{K}:gpuNodeGroups", lambda v: change(v[0])))


def renamed(old: str, new: str) -> Callable[[dict], Any]:
    return lambda d: d.update({new: d.pop(old)})


# --- point 4: keys as written ------------------------------------------------------------------------------


def test_a_snake_case_key_is_named_as_written_once_with_its_camel_case_spelling():
    errs = group(renamed("maxSize", "max_size"))
    assert set(errs) == {f"{K}:gpuNodeGroups[0].max_size"}  # not also "maxSize: required key is missing"
    assert "keys are camelCase: did you mean 'maxSize'?" in errs[f"{K}:gpuNodeGroups[0].max_size"]


def test_a_kebab_case_or_mis_cased_key_is_told_its_spelling():
    assert (
        "did you mean 'diskSizeGib'?"
        in group(renamed("diskSizeGib", "disk-size-gib"))[f"{K}:gpuNodeGroups[0].disk-size-gib"]
    )
    errs = group(renamed("minSize", "MinSize"))
    assert set(errs) == {f"{K}:gpuNodeGroups[0].MinSize"} and "did you mean 'minSize'?" in next(
        iter(errs.values())
    )


def test_a_key_with_a_cyrillic_look_alike_is_named_exactly_and_flagged():
    key = "m\u0430xSize"  # a Cyrillic a
    errs = group(renamed("maxSize", key))
    assert set(errs) == {f"{K}:gpuNodeGroups[0].{key}"}  # as written: not lower-cased, not camel-cased
    message = errs[f"{K}:gpuNodeGroups[0].{key}"]
    assert (
        "contains non-ASCII letters that look like ASCII: '\u0430' (U+0430 CYRILLIC SMALL LETTER A" in message
    )
    assert "did you mean 'maxSize'?" in message


def test_a_greek_look_alike_in_a_nested_key_and_a_genuinely_unknown_key():
    c = edit(f"{K}:cluster", lambda v: v["systemNodeGroup"].update({"disk\u039fizeGib": 80}))  # a Greek O
    message = issues(c)[f"{K}:cluster.systemNodeGroup.disk\u039fizeGib"]
    assert "U+039F GREEK CAPITAL LETTER OMICRON" in message
    errs = group(lambda d: d.update(colour="blue"))
    assert errs[f"{K}:gpuNodeGroups[0].colour"].startswith("unknown key; allowed: name, capacityType")


def test_map_keys_are_never_camel_cased():
    slicing = issues(edit(f"{K}:addons", lambda v: v["gpuOperator"]["timeSlicing"].update({"l4-spot": 100})))
    assert slicing == {f"{K}:addons.gpuOperator.timeSlicing.l4-spot": "must be at most 48 (got 100)"}
    labels = group(lambda d: d.update(labels={"team-a": 3, "cost_center": "-x"}))
    assert set(labels) == {f"{K}:gpuNodeGroups[0].labels.team-a", f"{K}:gpuNodeGroups[0].labels.cost_center"}


def test_a_bad_map_key_is_reported_as_the_key():
    errs = issues(edit(f"{K}:addons", lambda v: v["gpuOperator"]["timeSlicing"].update({"L4_Spot": 2})))
    message = errs[f"{K}:addons.gpuOperator.timeSlicing.L4_Spot"]
    assert message.startswith("the key must be lower-case letters") and "(got 'L4_Spot')" in message


def test_defaulted_fields_are_named_by_their_key_and_union_members_never_appear():
    assert locate("k", EndpointConfig, ("public_access",)).key == "k.publicAccess"  # pydantic: Python name
    assert locate("k", EndpointConfig, ("public_access",), "extra_forbidden").key == "k.public_access"
    arch = issues(edit(f"{K}:models", lambda v: v[0].update(architecture={"paramsB": -1})))
    assert f"{K}:models[0].architecture.paramsB" in arch and f"{K}:models[0].architecture.layers" in arch
    assert not [k for k in arch if "ArchitectureConfig" in k or k.endswith(".str")]
    expire = issues(
        edit(f"{K}:addons", lambda v: v["karpenter"]["nodePools"][0].update(expireAfter="forever"))
    )
    assert expire == {
        f"{K}:addons.karpenter.nodePools[0].expireAfter": "must be a duration in hours, minutes and seconds, "
        "largest first, e.g. 720h, 10m or 1h30m; or Never (got 'forever')"
    }


# --- point 16: messages a person can act on ----------------------------------------------------------------

# (stack-file key to change, change, the key reported, the message exactly)
MESSAGE_CASES: list[tuple[str, Callable[[Any], Any], str, str]] = [
    (f"{K}:cluster", lambda v: v.update(kubernetesVersion=1.35), f"{K}:cluster.kubernetesVersion",
     'must be one of "1.34", "1.35": write it in quotes, "1.35" (unquoted, YAML reads 1.35 as a number)'),
    (f"{K}:cluster", lambda v: v.update(supportType="standard"), f"{K}:cluster.supportType",
     "must be one of STANDARD, EXTENDED (did you mean STANDARD?) (got 'standard')"),
    (f"{K}:models", lambda v: v[0].update(tensorParallelSize="2"), f"{K}:models[0].tensorParallelSize",
     "must be one of 1, 2, 4, 8, auto: write 2 without quotes (got the text '2')"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(maxSize="three"), f"{K}:gpuNodeGroups[0].maxSize",
     "must be a whole number (got 'three')"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(maxSize=2.5), f"{K}:gpuNodeGroups[0].maxSize",
     "must be a whole number, without a fraction (got 2.5)"),
    (f"{K}:modelCache", lambda v: v.update(sizeGib="200Gi"), f"{K}:modelCache.sizeGib",
     "must be a whole number in GiB: write the number alone, 200, without 'Gi', the key's own unit (got '200Gi')"),
    (f"{K}:models", lambda v: v[0].update(gpuMemoryUtilization="high"), f"{K}:models[0].gpuMemoryUtilization",
     "must be a number (got 'high')"),
    (f"{K}:models", lambda v: v[0].update(gpuMemoryUtilization=0.99), f"{K}:models[0].gpuMemoryUtilization",
     "must be at most 0.95 (got 0.99)"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(diskSizeGib=20), f"{K}:gpuNodeGroups[0].diskSizeGib",
     "must be at least 100 (got 20)"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(name="L4 spot"), f"{K}:gpuNodeGroups[0].name",
     "must be lower-case letters, digits and '-', starting with a letter and not ending with '-', e.g. l40s-on-demand "
     "(got 'L4 spot')"),
    (f"{K}:models", lambda v: v[0].update(source="huggingface.co/Qwen/Qwen3-0.6B"), f"{K}:models[0].source",
     "must be hf://<org>/<model> or s3://<bucket>/<prefix>, e.g. hf://Qwen/Qwen3-8B "
     "(got 'huggingface.co/Qwen/Qwen3-0.6B')"),
    (f"{K}:network", lambda v: v.update(availabilityZones=["us-west-2a"]), f"{K}:network.availabilityZones",
     "must have at least 2 entries (got 1: [\"us-west-2a\"])"),
    (f"{K}:network", lambda v: v.update(cidr="10.20.0.1/16"), f"{K}:network.cidr",
     "must be an IPv4 network in CIDR form, with no host bits set, e.g. 10.0.0.0/16 (got '10.20.0.1/16')"),
    (f"{K}:modelCache", lambda v: v.update(protect="maybe"), f"{K}:modelCache.protect",
     "must be true or false, e.g. true (got 'maybe')"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(labels={"team": 7}), f"{K}:gpuNodeGroups[0].labels.team",
     'must be text: write it in quotes, "7" (unquoted, YAML reads it as a number)'),
    (f"{K}:cluster", lambda v: v.update(endpoint="private"), f"{K}:cluster.endpoint",
     "must be a section: a map of its keys (docs/configuration.md), e.g. {key: value} (got 'private')"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(instanceTypes="g6.xlarge"), f"{K}:gpuNodeGroups[0].instanceTypes",
     "must be a list, e.g. [a, b] (got 'g6.xlarge')"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "change", "reported", "message"), MESSAGE_CASES, ids=lambda x: str(x)[:40])
def test_each_error_type_is_said_in_words(key, change, reported, message):
    assert issues(edit(key, change)).get(reported) == message


RAW_PYDANTIC = (
    "Input should",
    "String should",
    "should match pattern",
    "Value error",
    "Unable to parse",
    "List should",
)


def test_no_message_uses_pydantic_phrasing_or_a_python_repr():
    every = {}
    for key, change, _, _ in MESSAGE_CASES:
        every |= issues(edit(key, change))
    every |= issues(
        edit(f"{K}:models", lambda v: v[0].update(replicas={"min": 0}, autoscaling={"kvCacheUsage": 2}))
    )
    for key, message in every.items():
        assert not any(raw in message for raw in RAW_PYDANTIC), (key, message)
        assert "=None" not in message and "_per_replica=" not in message, (key, message)


def test_the_message_table_is_keyed_by_real_pydantic_error_types():
    known = set(typing.get_args(pydantic_core.core_schema.ErrorType))
    # Besides pydantic-core's: the schema's own (config.schema.base.at_key) and pydantic's IP network types'.
    assert set(MESSAGES) - known == {"cross_field", "ip_v4_network"}


def test_a_secret_is_never_echoed():
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(SecretStr).validate_python(123456)
    (issue,) = pydantic_issues(f"{K}:grafanaAdminPassword", SecretStr, exc.value)
    assert "123456" not in issue.message and "hidden" in issue.message


# --- cross-key errors name the keys written ----------------------------------------------------------------


def test_a_cross_key_error_is_at_the_key_written_and_names_the_default_as_one():
    errs = issues(edit(f"{K}:models", lambda v: v[0].update(replicas={"min": 3})))
    assert errs == {
        f"{K}:models[0].replicas.min": "3 is above max (2, its default): lower it, or set max to at least 3"
    }
    errs = issues(edit(f"{K}:cluster", lambda v: v.update(systemNodeGroup={"maxSize": 1})))
    assert errs == {
        f"{K}:cluster.systemNodeGroup.maxSize": "1 is below minSize (2, its default): raise it to at least 2"
    }


def test_a_nested_sections_check_never_shows_its_repr():
    errs = issues(edit(f"{K}:models", lambda v: v[0].update(replicas={"min": 0}, autoscaling={})))
    assert errs == {
        f"{K}:models[0].replicas.min": "0 needs autoscaling.scaleToZero: true (it is false, its default): keep "
        "min >= 1, or allow scale to zero"
    }


def test_both_keys_written_blames_the_later_one():
    c = edit(f"{K}:cluster", lambda v: v.update(endpoint={"privateAccess": False, "publicAccess": False}))
    assert (
        "privateAccess (false) and publicAccess (false) are both false"
        in issues(c)[f"{K}:cluster.endpoint.publicAccess"]
    )


# --- point 7: every declared bound is the one enforced -----------------------------------------------------


def _sections() -> Iterator[type[Section]]:
    """Every section reachable from the stack file's top-level keys."""
    seen: list[type[Section]] = []
    todo = [s for _, s, _ in SECTIONS.values()]
    while todo:
        for model in _models_in(todo.pop()):
            if model not in seen:
                seen.append(model)
                todo += [f.annotation for f in model.model_fields.values()]
    yield from seen


def _models_in(tp: Any) -> Iterator[type[Section]]:
    if isinstance(tp, type) and issubclass(tp, Section):
        yield tp
    for arg in typing.get_args(tp):
        yield from _models_in(arg)


def _fields() -> Iterator[tuple[type[Section], str]]:
    for model in _sections():
        yield from ((model, name) for name in model.model_fields)


def _deep(tp: Any) -> Iterator[Any]:
    """Every piece of metadata in every Annotated layer of a type, list items and map values included."""
    if typing.get_origin(tp) is typing.Annotated:
        for m in typing.get_args(tp)[1:]:
            yield from m.metadata if isinstance(m, FieldInfo) else [m]
    for arg in typing.get_args(tp):
        if not isinstance(arg, str | FieldInfo):
            yield from _deep(arg)


def test_every_schema_pattern_says_what_it_asks_for():
    patterns = {
        m.pattern
        for model, name in _fields()
        for m in [*model.model_fields[name].metadata, *_deep(model.model_fields[name].annotation)]
        if getattr(m, "pattern", None)
    }
    assert len(patterns) >= 8 and patterns <= set(PATTERN_FORMS), patterns - set(PATTERN_FORMS)


BOUNDS = {
    at.Ge: "ge",
    at.Le: "le",
    at.Gt: "gt",
    at.Lt: "lt",
    at.MinLen: "min_length",
    at.MaxLen: "max_length",
}
ERRORS = {"ge": "greater_than_equal", "gt": "greater_than", "le": "less_than_equal", "lt": "less_than"}
# The error type -> the key of its limit in the error's context.
CTX = {v: k for k, v in ERRORS.items()} | {
    "string_too_long": "max_length",
    "too_long": "max_length",
    "string_too_short": "min_length",
    "too_short": "min_length",
}


def test_no_field_declares_one_kind_of_bound_twice():
    # pydantic keeps the last of two (a type's own), so `DnsLabel = Field(max_length=40)` enforced 63.
    stacked = []
    for model, name in _fields():
        field = model.model_fields[name]
        own = [type(m) for m in field.metadata if type(m) in BOUNDS or getattr(m, "pattern", None)]
        if len(own) != len(set(own)):
            stacked.append(f"{model.__name__}.{name}")
    assert stacked == [], (
        "declare the bound once: a narrower type (config.schema.base.dns_label), not Field(...)"
    )


@dataclass(frozen=True)
class Probe:
    """One declared bound of one field (or of its list entries or map values) and values either side of it."""

    id: str
    model: type[Section]
    name: str  # the field
    entry: str  # "" for the field itself, "[0]" for a list entry, ".k" for a map value
    field: FieldInfo  # whose metadata declares the bound
    past: Any  # one past the bound: must be refused
    at: Any  # on the bound: must be accepted
    error: str  # the pydantic error type that refuses it
    limit: Any


def _probes(model: type[Section], name: str, entry: str, field: FieldInfo) -> Iterator[Probe]:
    tp = _scalar(field.annotation)
    for m in field.metadata:
        kind = BOUNDS.get(type(m))
        if kind is None:
            continue
        limit, pid = getattr(m, kind), f"{model.__name__}.{name}{entry}:{kind}"
        if kind in ("min_length", "max_length"):
            make = (lambda n: "a" * n) if tp is str else (lambda n: ["x"] * n)
            long = kind == "max_length"
            error = (
                ("string_too_long" if long else "string_too_short")
                if tp is str
                else ("too_long" if long else "too_short")
            )
            yield Probe(
                pid,
                model,
                name,
                entry,
                field,
                make(limit + 1 if long else limit - 1),
                make(limit),
                error,
                limit,
            )
        else:
            step = 1 if tp is int else math.ulp(limit) * 4
            past = {"ge": limit - step, "gt": limit, "le": limit + step, "lt": limit}[kind]
            at_bound = {"ge": limit, "gt": limit + step, "le": limit, "lt": limit - step}[kind]
            yield Probe(pid, model, name, entry, field, past, at_bound, ERRORS[kind], limit)


def _scalar(tp: Any) -> Any:
    """The value's own type: through Annotated and Optional, a list or dict by its origin."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
        return _scalar(tp)
    return typing.get_origin(tp) or tp


def _entries(model: type[Section], name: str) -> Iterator[tuple[str, FieldInfo]]:
    """The field itself, then its list entries or map values, each as a FieldInfo of its own."""
    field = model.model_fields[name]
    yield "", field
    tp = field.annotation
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        yield "[0]", FieldInfo.from_annotation(args[0])
    elif origin is dict:
        yield ".k", FieldInfo.from_annotation(args[1])


PROBES = [
    p
    for model, name in _fields()
    for entry, f in _entries(model, name)
    for p in _probes(model, name, entry, f)
]


def _errors(probe: Probe, value: Any) -> list[dict]:
    """The errors of `probe.error`'s type at the probed place when the section gets `value` there. A list's
    own length is checked with the field's metadata on a list of anything: pydantic reports no length while an
    entry fails, and the entries' own bounds are probed separately."""
    if probe.entry == "" and isinstance(value, list):
        adapter = TypeAdapter(typing.Annotated[list[Any], *probe.field.metadata])
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            return [e for e in exc.errors() if e["type"] == probe.error]
        return []
    alias = probe.model.model_fields[probe.name].alias or probe.name
    payload = [value] if probe.entry == "[0]" else {"k": value} if probe.entry == ".k" else value
    want = [alias, *([0] if probe.entry == "[0]" else ["k"] if probe.entry == ".k" else [])]
    try:
        probe.model.model_validate({alias: payload})
    except ValidationError as exc:
        return [e for e in exc.errors() if list(e["loc"][: len(want)]) == want and e["type"] == probe.error]
    return []


def test_the_walk_finds_the_bounds_that_matter():
    ids = {p.id for p in PROBES}
    assert {"ModelConfig.name:max_length", "GpuNodeGroupConfig.name:max_length", "NodePoolConfig.name:max_length",
            "ModelCacheConfig.size_gib:le", "GpuOperatorConfig.time_slicing.k:le",
            "PlacementConfig.pools[0]:max_length", "NetworkConfig.availability_zones:max_length"} <= ids  # fmt: skip
    assert len(PROBES) > 60


@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_every_declared_bound_is_the_one_enforced(probe: Probe):
    refused = _errors(probe, probe.past)
    ctx = CTX[probe.error]
    assert refused, f"{probe.id}: {probe.past!r} is not refused"
    assert refused[0]["ctx"][ctx] == probe.limit, (
        f"{probe.id}: enforced {refused[0]['ctx'][ctx]}, declared {probe.limit}"
    )
    assert _errors(probe, probe.at) == [], f"{probe.id}: {probe.at!r}, on the bound, is refused"


def test_probe_helpers_see_through_optional_and_annotated():
    assert _scalar(int | None) is int and _scalar(typing.Annotated[list[str], "x"]) is list
    assert _scalar(IPv4Network) is IPv4Network
