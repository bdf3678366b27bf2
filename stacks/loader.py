"""Turn the raw stack config into a validated `PlatformConfig`, or into a list of errors that name their keys.

Both ways the program runs feed this one function: under `pulumi up` the raw config comes from the Pulumi
runtime, offline it comes from `Pulumi.<stack>.yaml` (see `planner/stackfile.py`). Each `llm-platform:` key is
validated on its own, so one broken section never hides the errors of another; checks spanning sections run
on the sections that are valid. Nothing here touches Pulumi resources: config fails before anything exists.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from stacks.catalog import AMI_FAMILIES
from stacks.config import (
    AccessConfig,
    AddonsConfig,
    AlertsConfig,
    ClusterConfig,
    GpuNodeGroupConfig,
    ModelCacheConfig,
    ModelConfig,
    NetworkConfig,
    NodeAmiConfig,
    PlatformConfig,
    ServingConfig,
)

NAMESPACE = "llm-platform"
REGION_KEY = "aws:region"

GRAFANA_PASSWORD_KEY = f"{NAMESPACE}:grafanaAdminPassword"
HF_TOKEN_KEY = f"{NAMESPACE}:huggingFaceToken"
SECRET_KEYS = (GRAFANA_PASSWORD_KEY, HF_TOKEN_KEY)

REQUIRED = None  # a section without a default must be in the stack file

# Stack-file key -> (PlatformConfig field, schema, default when absent). The one table of what a stack file may
# contain; an optional section's default is its schema's own (safe) defaults.
SECTIONS: Mapping[str, tuple[str, Any, Callable[[], Any] | None]] = types.MappingProxyType(
    {
        f"{NAMESPACE}:network": ("network", NetworkConfig, REQUIRED),
        f"{NAMESPACE}:cluster": ("cluster", ClusterConfig, REQUIRED),
        f"{NAMESPACE}:nodeAmi": ("node_ami", NodeAmiConfig, REQUIRED),
        f"{NAMESPACE}:gpuNodeGroups": ("gpu_node_groups", list[GpuNodeGroupConfig], REQUIRED),
        f"{NAMESPACE}:modelCache": ("model_cache", ModelCacheConfig, ModelCacheConfig),
        f"{NAMESPACE}:addons": ("addons", AddonsConfig, AddonsConfig),
        GRAFANA_PASSWORD_KEY: ("grafana_admin_password", SecretStr, lambda: None),
        f"{NAMESPACE}:models": ("models", list[ModelConfig], list),
        f"{NAMESPACE}:serving": ("serving", ServingConfig, ServingConfig),
        f"{NAMESPACE}:alerts": ("alerts", AlertsConfig, AlertsConfig),
        f"{NAMESPACE}:access": ("access", AccessConfig, AccessConfig),
        HF_TOKEN_KEY: ("hugging_face_token", SecretStr, lambda: None),
    }
)


@dataclass(frozen=True)
class ConfigIssue:
    key: str  # as written in the stack file, e.g. llm-platform:gpuNodeGroups[1].maxSize
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(Exception):
    def __init__(self, issues: list[ConfigIssue], source: str):
        self.issues = issues
        self.source = source
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(f"invalid stack configuration in {source} ({len(issues)} error(s)):\n{lines}")


def parse_raw(flat: Mapping[str, str]) -> dict[str, Any]:
    """Decode values as the Pulumi CLI passes them: objects and lists as JSON strings, scalars as text."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if isinstance(value, str):
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


def load_config(flat: Mapping[str, str], source: str, secret_keys: Collection[str] = ()) -> PlatformConfig:
    """Validate every key; raise ConfigError listing every problem, each naming its stack-file key.

    `secret_keys` are the keys the stack file holds encrypted (`secure:`); secrets must be among them."""
    raw = parse_raw(flat)
    for key in SECRET_KEYS:
        if key in flat:
            raw[key] = str(flat[key])  # never JSON-decode a secret
    issues: list[ConfigIssue] = []
    values: dict[str, Any] = {}

    region = raw.get(REGION_KEY)
    if not isinstance(region, str) or not region:
        issues.append(ConfigIssue(REGION_KEY, "required: the AWS region to deploy to, e.g. us-west-2"))
    else:
        values["region"] = region

    for key in sorted(k for k in raw if k.startswith(f"{NAMESPACE}:") and k not in SECTIONS):
        hint = difflib.get_close_matches(key, SECTIONS, n=1)
        suggestion = f"did you mean {hint[0]}? " if hint else ""
        issues.append(ConfigIssue(key, f"unknown key; {suggestion}allowed keys: {', '.join(SECTIONS)}"))

    for key, (field, schema, default) in SECTIONS.items():
        if key in raw:
            try:
                values[field] = TypeAdapter(schema).validate_python(raw[key])
            except ValidationError as exc:
                issues.extend(_pydantic_issues(key, schema, exc))
        elif default is REQUIRED:
            issues.append(ConfigIssue(key, "required key is missing"))
        else:
            values[field] = default()
    for key in SECRET_KEYS:
        if key in raw and key not in secret_keys:
            issues.append(
                ConfigIssue(key, f"must be stored encrypted: pulumi config set --secret {key} <value>")
            )

    issues.extend(_cross_checks(values))
    if issues:
        raise ConfigError(issues, source)
    return PlatformConfig.model_validate(
        {PlatformConfig.model_fields[f].alias: v for f, v in values.items()}  # already validated objects
    )


def _cross_checks(v: dict[str, Any]) -> list[ConfigIssue]:
    """Rules between sections; each runs only when the sections it reads are valid."""
    issues: list[ConfigIssue] = []
    if "region" in v and "network" in v:
        for i, az in enumerate(v["network"].availability_zones):
            if not (az.startswith(v["region"]) and len(az) == len(v["region"]) + 1):
                issues.append(
                    ConfigIssue(
                        f"{NAMESPACE}:network.availabilityZones[{i}]",
                        f"{az!r} is not a zone of aws:region {v['region']!r}",
                    )
                )
    if "cluster" in v and "node_ami" in v:
        ami, k8s = v["node_ami"], v["cluster"].kubernetes_version
        match = AMI_FAMILIES[ami.family].release_pattern.match(ami.release_version)
        ami_k8s = match.groupdict().get("k8s") if match else None
        if ami_k8s is not None and ami_k8s != k8s:
            issues.append(
                ConfigIssue(
                    f"{NAMESPACE}:nodeAmi.releaseVersion",
                    f"{ami.release_version!r} is built for Kubernetes {ami_k8s}, but "
                    f"{NAMESPACE}:cluster.kubernetesVersion is {k8s!r}: pin a {k8s} release of the same date",
                )
            )
    if "gpu_node_groups" in v:
        seen: dict[str, int] = {}
        for i, group in enumerate(v["gpu_node_groups"]):
            if group.name in seen:
                issues.append(
                    ConfigIssue(
                        f"{NAMESPACE}:gpuNodeGroups[{i}].name",
                        f"{group.name!r} is already used by {NAMESPACE}:gpuNodeGroups[{seen[group.name]}]",
                    )
                )
            seen.setdefault(group.name, i)
    if "access" in v and "cluster" in v:
        # EKS takes one access entry per principal: each role gets one level of access.
        seen = {arn: f"{NAMESPACE}:cluster.adminRoleArns" for arn in v["cluster"].admin_role_arns}
        for field, name in (
            ("app_team_role_arns", "appTeamRoleArns"),
            ("read_only_role_arns", "readOnlyRoleArns"),
        ):
            for i, arn in enumerate(getattr(v["access"], field)):
                if arn in seen:
                    issues.append(
                        ConfigIssue(
                            f"{NAMESPACE}:access.{name}[{i}]",
                            f"{arn} is also in {seen[arn]}; EKS takes one access entry per role",
                        )
                    )
                seen.setdefault(arn, f"{NAMESPACE}:access.{name}")
    if "addons" in v and "gpu_node_groups" in v:
        issues.extend(_addon_checks(v["addons"], v["gpu_node_groups"]))
    if {"models", "addons", "gpu_node_groups", "region"} <= set(v):
        issues.extend(_model_checks(v))
    if "addons" in v and v["addons"].keda_http.enabled and not v["addons"].keda.enabled:
        issues.append(
            ConfigIssue(
                f"{NAMESPACE}:addons.kedaHttp.enabled", "the KEDA HTTP add-on needs KEDA: enable addons.keda"
            )
        )
    if "models" in v and "addons" in v and not v["addons"].keda_http.enabled:
        for i, m in enumerate(v["models"]):
            if m.autoscaling.scale_to_zero:
                issues.append(
                    ConfigIssue(
                        f"{NAMESPACE}:models[{i}].autoscaling.scaleToZero",
                        "needs an activation signal that exists at zero pods: set "
                        f"{NAMESPACE}:addons.kedaHttp.enabled to true",
                    )
                )
    if "models" in v and "addons" in v and v["models"]:
        for name, needed in (
            ("keda", "autoscaling"),
            ("monitoring", "the queue-depth metrics KEDA scales on"),
        ):
            if not getattr(v["addons"], name).enabled:
                issues.append(
                    ConfigIssue(f"{NAMESPACE}:addons.{name}.enabled", f"models need {name} for {needed}")
                )
    if (
        "addons" in v
        and "node_ami" in v
        and v["addons"].gpu_operator.time_slicing
        and AMI_FAMILIES[v["node_ami"].family].ships_device_plugin
    ):
        issues.append(
            ConfigIssue(
                f"{NAMESPACE}:addons.gpuOperator.timeSlicing",
                f"{NAMESPACE}:nodeAmi.family {v['node_ami'].family!r} ships its own device plugin, so the "
                "GPU operator's time-slicing config would not apply: use al2023 or remove timeSlicing",
            )
        )
    return issues


def _addon_checks(addons, gpu_groups) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    pools_key = f"{NAMESPACE}:addons.karpenter.nodePools"
    group_names = {g.name for g in gpu_groups}
    pool_names = {p.name for p in addons.karpenter.node_pools} if addons.karpenter.enabled else set()
    for i, pool in enumerate(addons.karpenter.node_pools):
        if pool.name in group_names or pool.name == "system":
            issues.append(
                ConfigIssue(f"{pools_key}[{i}].name", f"{pool.name!r} is already a managed node group name")
            )
        if [p.name for p in addons.karpenter.node_pools].index(pool.name) != i:
            issues.append(
                ConfigIssue(f"{pools_key}[{i}].name", f"{pool.name!r} is used by an earlier NodePool")
            )
    if addons.karpenter.enabled and not addons.karpenter.node_pools:
        issues.append(ConfigIssue(pools_key, "Karpenter is enabled but declares no NodePool"))
    ts_key = f"{NAMESPACE}:addons.gpuOperator.timeSlicing"
    for pool in addons.gpu_operator.time_slicing:
        if pool not in group_names | pool_names:
            known = ", ".join(sorted(group_names | pool_names))
            issues.append(
                ConfigIssue(
                    f"{ts_key}.{pool}", f"no GPU node group or NodePool named {pool!r} (have: {known})"
                )
            )
    if addons.gpu_operator.time_slicing and not addons.gpu_operator.enabled:
        issues.append(
            ConfigIssue(ts_key, "time slicing needs the GPU operator: set gpuOperator.enabled to true")
        )
    return issues


def _model_checks(v: dict[str, Any]) -> list[ConfigIssue]:
    """Models: unique names, known pools of one GPU model, a known architecture, and a fit, with numbers."""
    from stacks.model_sizing import SizingError, gpu_pools, size_model  # sizing imports this module's schema
    from stacks.models import UnknownArchitecture, architecture_for, catalog_entry

    # A light PlatformConfig stand-in: sizing reads only these sections.
    cfg = types.SimpleNamespace(**{k: v[k] for k in ("models", "addons", "gpu_node_groups", "region")})
    pools = gpu_pools(cfg)
    issues: list[ConfigIssue] = []
    seen: set[str] = set()
    for i, model in enumerate(v["models"]):
        key = f"{NAMESPACE}:models[{i}]"
        if model.name in seen:
            issues.append(ConfigIssue(f"{key}.name", f"{model.name!r} is already used by an earlier model"))
        seen.add(model.name)
        unknown = [p for p in model.placement.pools if p not in pools]
        if unknown:
            issues.append(
                ConfigIssue(
                    f"{key}.placement.pools",
                    f"no GPU pool named {', '.join(unknown)} (pools: {', '.join(pools) or 'none'})",
                )
            )
            continue
        gpus = sorted({(pools[p].gpu.gpu_name, pools[p].gpu.gpu_memory_gib) for p in model.placement.pools})
        if len(gpus) > 1:
            issues.append(
                ConfigIssue(
                    f"{key}.placement.pools",
                    "pools with different GPUs ("
                    + ", ".join(f"{n} {m} GB" for n, m in gpus)
                    + "): one model "
                    "is sized for one GPU model; list pools of the same GPU",
                )
            )
            continue
        alerts = v.get("alerts")
        if alerts is not None and model.gpu_memory_utilization >= alerts.gpu_memory_usage:
            issues.append(
                ConfigIssue(
                    f"{key}.gpuMemoryUtilization",
                    f"{model.gpu_memory_utilization} is at or above {NAMESPACE}:alerts.gpuMemoryUsage "
                    f"({alerts.gpu_memory_usage}): vLLM takes it up front, so the GPU memory alert would always fire",
                )
            )
        slicing = v["addons"].gpu_operator.time_slicing if v["addons"].gpu_operator.enabled else {}
        shared = {p: slicing[p] for p in model.placement.pools if p in slicing}
        if shared and model.gpu_memory_utilization * max(shared.values()) > 0.95:
            pool, n = max(shared.items(), key=lambda kv: kv[1])
            issues.append(
                ConfigIssue(
                    f"{key}.gpuMemoryUtilization",
                    f"{model.gpu_memory_utilization} x {n} pods per GPU on time-sliced pool {pool!r} exceeds the GPU: "
                    f"use at most {0.95 / n:.2f}, or leave {pool!r} out of placement.pools",
                )
            )
            continue
        try:
            architecture_for(model)
        except UnknownArchitecture as err:
            issues.append(ConfigIssue(f"{key}.architecture", str(err)))
            continue
        try:
            size_model(cfg, model)
        except SizingError as err:
            issues.append(ConfigIssue(f"{key}.{err.key}", f"{model.name}: {err}"))
            continue
        entry = catalog_entry(model)
        if entry is not None and entry.gated and v.get("hugging_face_token") is None:
            issues.append(
                ConfigIssue(
                    f"{key}.source",
                    f"{entry.hf_id} is gated: accept its licence on Hugging Face, then "
                    f"`pulumi config set --secret {HF_TOKEN_KEY} <token>`",
                )
            )
    return issues


def _pydantic_issues(key: str, schema: Any, exc: ValidationError) -> list[ConfigIssue]:
    issues = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        # Defaulted fields are reported under their Python name; the stack file spells every key in camelCase.
        path = key + "".join(f"[{p}]" if isinstance(p, int) else f".{to_camel(str(p))}" for p in loc)
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(schema, loc[:-1])
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            suggestion = f"did you mean {hint[0]!r}? " if hint else ""
            message = f"unknown key; {suggestion}allowed: {', '.join(allowed)}"
        elif err["type"] == "missing":
            message = "required key is missing"
        elif schema is SecretStr:
            message = err["msg"]  # never echo a secret
        else:
            message = f"{err['msg'].removeprefix('Value error, ')} (got {_short(err.get('input'))})"
        issues.append(ConfigIssue(path, message))
    return issues


def _allowed_keys(schema: Any, loc: tuple) -> list[str]:
    """The stack-file keys allowed at `loc` inside `schema` (for 'did you mean' on unknown keys)."""
    model = _model_in(schema)
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for f in model.model_fields.values() if f.alias == part), None)
        model = _model_in(field.annotation) if field else None
    return [f.alias or n for n, f in model.model_fields.items()] if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def warnings_for(cfg: PlatformConfig) -> list[str]:
    """Valid but risky choices, printed by `make plan` and logged by `pulumi up`."""
    out = []
    ep = cfg.cluster.endpoint
    if ep.public_access and any(c.prefixlen == 0 for c in ep.public_access_cidrs):
        out.append(
            f"{NAMESPACE}:cluster.endpoint.publicAccessCidrs: the Kubernetes API is open to the internet"
        )
    for i, g in enumerate(cfg.gpu_node_groups):
        if g.capacity_type == "spot" and len(g.instance_types) == 1:
            out.append(
                f"{NAMESPACE}:gpuNodeGroups[{i}].instanceTypes: a spot group with one instance type is "
                "interrupted more often and may find no capacity; list several"
            )
    if cfg.network.nat_gateways == "single" and len(cfg.network.availability_zones) > 1:
        out.append(
            f"{NAMESPACE}:network.natGateways: single NAT gateway; private subnets lose egress if its AZ fails"
        )
    if not cfg.model_cache.protect:
        out.append(
            f"{NAMESPACE}:modelCache.protect: false; destroying the stack deletes cached model weights"
        )
    if not cfg.cluster.deletion_protection:
        out.append(
            f"{NAMESPACE}:cluster.deletionProtection: false; the cluster can be deleted by one command"
        )
    return out
