"""Load a stack's config and resolve it into the Fleet: the one entry point of the program and the planner.

Every issue comes at once, each naming its key as the stack file writes it: the schema's and the rules'
(config/), then, for every model whose own keys are valid, whether it fits its pools (fleet/placement.py).
Each model is placed once; the Fleet is built from those placements.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from catalog.gpus import GPU_INSTANCES
from catalog.models import Architecture, CatalogModel, lookup
from catalog.node_bootstrap import FAST_PULL_MIN_MEMORY_GIB, FAST_PULL_MIN_VCPU
from config.issues import ConfigError, ConfigIssue
from config.loader import check_config
from config.rules.models import default_original_context
from config.schema.infrastructure import NodeAmiConfig
from config.schema.models import ArchitectureConfig, ModelConfig
from config.schema.platform import NAMESPACE, PlatformConfig
from fleet.addons import resolve_addons
from fleet.budgets import drain_grace, preload_budget_s
from fleet.cold_start import Loader, NodeShape, cold_start, hold_budget_s, startup_budget_s
from fleet.gateway import resolve_gateway
from fleet.placement import PlacementError, place
from fleet.pools import resolve_pools
from fleet.resolved import Fleet, ModelPlan, Placement, Pool, RopeOverride
from sizing.gpu_memory import weights_gib
from vocabulary import names
from vocabulary.objects import MODEL_CACHE_MOUNT, SERVING_PORT


def load_fleet(flat: Mapping[str, str], source: str, secret_keys: Collection[str] = ()) -> Fleet:
    """The resolved fleet of a stack's raw config; ConfigError listing every problem otherwise."""
    checked = check_config(flat, secret_keys)
    issues = list(checked.issues)
    pools: Mapping[str, Pool] = {}
    placements: dict[int, Placement] = {}
    s = checked.sections
    if s.has(("region", "gpu_node_groups", "addons", "models")):
        pools = resolve_pools(s.gpu_node_groups, s.addons)
        placements, placement_issues = place_models(s.models, pools, s.region, skip=_models_with(issues))
        issues += placement_issues
    if issues:
        raise ConfigError(issues, source)
    return resolve(checked.config(), pools, placements)


def resolve_fleet(cfg: PlatformConfig, source: str = "config") -> Fleet:
    """The fleet of an already validated config (tests, and callers that edit a config in code)."""
    pools = resolve_pools(cfg.gpu_node_groups, cfg.addons)
    placements, issues = place_models(cfg.models, pools, cfg.region)
    if issues:
        raise ConfigError(issues, source)
    return resolve(cfg, pools, placements)


def place_models(
    models: list[ModelConfig], pools: Mapping[str, Pool], region: str, skip: Collection[int] = ()
) -> tuple[dict[int, Placement], list[ConfigIssue]]:
    """Each model's placement by its position, and an issue for each that cannot be placed. Models in `skip`
    (their own keys have errors already) are left out."""
    placements: dict[int, Placement] = {}
    issues: list[ConfigIssue] = []
    for i, m in enumerate(models):
        if i in skip:
            continue
        try:
            placements[i] = place(m, architecture_of(m), pools, region)
        except PlacementError as err:
            issues.append(ConfigIssue(f"{_key(i)}.{err.key}", f"{m.name}: {err}"))
            continue
        issues += _streamer_fits(i, m, placements[i])
    return placements, issues


def _streamer_fits(i: int, m: ModelConfig, p: Placement) -> list[ConfigIssue]:
    """The streamer's buffers share the replica's memory limit with vLLM itself: at most half of it, counted
    for every rank (the limit is per process, one a GPU; serving/server.py)."""
    limit = m.streamer_memory_limit_gib
    if m.load_format != "runai_streamer" or limit is None or limit * p.tp <= p.memory_gib // 2:
        return []
    ranks = f"{p.tp} ranks x {limit} GiB" if p.tp > 1 else f"{limit} GiB"
    return [
        ConfigIssue(
            f"{_key(i)}.streamerMemoryLimitGib",
            f"{m.name}: {ranks} is over half of a replica's {p.memory_gib} GiB memory limit on "
            f"{p.smallest_share.family}: at most {p.memory_gib // 2 // p.tp}",
        )
    ]


def resolve(cfg: PlatformConfig, pools: Mapping[str, Pool], placements: Mapping[int, Placement]) -> Fleet:
    """Build the Fleet from a valid config, its pools and every model's placement (by position in `models`)."""
    capacity = sum(p.gpu_capacity for p in pools.values())
    addons = resolve_addons(cfg.addons)
    namespace = cfg.model_cache.namespace
    models = tuple(
        _model_plan(i, m, placements[i], namespace, addons.interceptor_port, cfg.node_ami, cfg.region)
        for i, m in enumerate(cfg.models)
    )
    return Fleet(
        config=cfg,
        pools=dict(pools),
        models=models,
        addons=addons,
        gpu_capacity=capacity,
        gpu_quota=cfg.serving.gpu_quota if cfg.serving.gpu_quota is not None else capacity,
        namespace=namespace,
        drain_grace_s={
            p.name: drain_grace([m.cold_start_s for m in models if p in m.placement.pools])
            for p in pools.values()
            if p.kind == "NodePool"
        },
        gateway=resolve_gateway(cfg.gateway, cfg.network, cfg.gateway_api_keys, models, addons),
    )


def architecture_of(m: ModelConfig) -> Architecture:
    """The model's shape: its own `architecture` block, or its catalog entry (config/rules/ made sure one
    exists)."""
    if isinstance(m.architecture, ArchitectureConfig):
        a = m.architecture
        return Architecture(a.params_b, a.layers, a.hidden_size, a.attention_heads, a.kv_heads, a.head_dim,
                            a.native_dtype)  # fmt: skip
    entry = lookup(m.catalog_key) if m.catalog_key else None
    assert entry is not None, f"{m.name}: no architecture (config/rules/ architecture-known)"
    return entry.arch


def _model_plan(
    i: int,
    m: ModelConfig,
    placement: Placement,
    namespace: str,
    interceptor_port: int | None,
    ami: NodeAmiConfig,
    region: str,
) -> ModelPlan:
    weights = weights_gib(placement.arch, "native")
    loader = Loader(m.load_format, m.streamer_concurrency, m.stream_from_source)
    cold = cold_start(_node_shape(placement, ami), weights, loader,
                      launches=any(p.kind == "NodePool" for p in placement.pools),
                      headroom=any(p.config.headroom > 0 for p in placement.pools))  # fmt: skip
    startup = startup_budget_s(weights, loader, placement.replicas_per_node())
    preload = 0 if m.stream_from_source else preload_budget_s(weights)  # streamed: no preload Job
    entry = lookup(m.catalog_key) if m.catalog_key else None
    proxy = names.proxy_service(m.name) if m.autoscaling.scale_to_zero else None
    if proxy is not None:
        endpoint = f"http://{proxy}.{namespace}.svc:{interceptor_port}/v1"
    else:
        endpoint = f"http://{m.name}.{namespace}.svc:{SERVING_PORT}/v1"
    return ModelPlan(
        config=m,
        key=_key(i),
        catalog=entry,
        placement=placement,
        namespace=namespace,
        # One directory per revision: a new revision downloads beside the old one, never over it.
        cache_dir=(cache_dir := f"{MODEL_CACHE_MOUNT}/{m.name}/{m.revision or 'snapshot'}"),
        weights_uri=m.source if m.stream_from_source else cache_dir,
        region=region,
        endpoint=endpoint,
        proxy_name=proxy,
        rope=_rope(m, entry),
        weights_gib=weights,
        loader=loader,
        cold=cold,
        startup_budget_s=startup,
        preload_budget_s=preload,
        cold_start_s=cold.first_ever.total_s,
        hold_s=hold_budget_s(cold),
        rollout_timeout_s=preload + startup,
    )


def _node_shape(placement: Placement, ami: NodeAmiConfig) -> NodeShape:
    """Parallel pulls where the AMI has them and every type of the model's pools clears nodeadm's floor; the
    slowest image volume of its pools."""
    types = [GPU_INSTANCES[t] for t in placement.instance_types]
    big_enough = all(t.vcpu >= FAST_PULL_MIN_VCPU and t.memory_gib >= FAST_PULL_MIN_MEMORY_GIB for t in types)
    throughput = min(p.config.disk_throughput_mibps for p in placement.pools)
    return NodeShape(ami.family, ami.fast_image_pull and big_enough, throughput)


def _rope(m: ModelConfig, entry: CatalogModel | None) -> RopeOverride | None:
    """The model's ropeScaling with the catalog's defaults filled in (config/rules/ made sure a custom
    architecture states them)."""
    rope = m.rope_scaling
    if rope is None:
        return None
    original = rope.original_max_position_embeddings or (default_original_context(entry) if entry else None)
    theta = rope.rope_theta or (entry.rope_theta if entry else None)
    assert original is not None and theta is not None, f"{m.name}: rope-scaling-has-what-it-needs"
    return RopeOverride(rope.type, rope.factor, original, theta, rope.max_context(original))


def _key(i: int) -> str:
    return f"{NAMESPACE}:models[{i}]"


def _models_with(issues: list[ConfigIssue]) -> set[int]:
    """Positions of the models whose own keys already have an issue."""
    prefix = f"{NAMESPACE}:models["
    return {int(i.key[len(prefix) :].split("]", 1)[0]) for i in issues if i.key.startswith(prefix)}
