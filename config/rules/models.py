"""Rules across the models' keys and the keys they depend on (whether a model fits is fleet/placement.py's)."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.models import MODEL_CATALOG, CatalogModel, lookup
from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule
from config.schema.models import ArchitectureConfig, ModelConfig
from config.schema.platform import HF_TOKEN_KEY


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


SHAPE = "{paramsB, layers, hiddenSize, attentionHeads, kvHeads, headDim}"


@rule("models")
def architecture_known(s: Sections) -> Iterator[ConfigIssue]:
    """A model's shape comes from the model catalog or from its own `architecture` block. The issue is at the
    key that names the unknown model: `architecture` when written, else `source` (never at a default)."""
    for i, m in enumerate(s.models):
        if m.architecture is not None and not isinstance(m.architecture, str):
            continue
        if m.catalog_key is not None and lookup(m.catalog_key) is not None:
            continue
        known = ", ".join(MODEL_CATALOG)
        if m.architecture is not None:
            yield ConfigIssue(
                f"{K}:models[{i}].architecture",
                f"{m.architecture!r} is not in the model catalog ({known}): name one, or give the shape, "
                f"architecture: {SHAPE} from its config.json",
            )
            continue
        which = "is not in the model catalog" if m.catalog_key else "is an s3:// prefix, which names no model"
        yield ConfigIssue(
            f"{K}:models[{i}].source",
            f"{m.source!r} {which} ({known}), and architecture is not written: add architecture: <catalog "
            f"name> when it is one of those models, or architecture: {SHAPE} from its config.json",
        )


@rule("models")
def warm_windows_within_replicas(s: Sections) -> Iterator[ConfigIssue]:
    """A warm window keeps at most replicas.max warm: KEDA caps the cron trigger's floor at maxReplicaCount
    without a word, so a larger window would not hold what it says."""
    for i, m in enumerate(s.models):
        for j, window in enumerate(m.autoscaling.warm_windows):
            if window.replicas > m.replicas.max:
                default = "" if "max" in m.replicas.model_fields_set else ", its default"
                yield ConfigIssue(
                    f"{K}:models[{i}].autoscaling.warmWindows[{j}].replicas",
                    f"{window.replicas} is above {K}:models[{i}].replicas.max ({m.replicas.max}{default}), "
                    "and KEDA never scales past it, so the window would keep only that many warm: lower the "
                    f"window to at most {m.replicas.max}, or raise replicas.max",
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


def default_original_context(entry: CatalogModel) -> int:
    """The trained context a ropeScaling stretches when it does not say: the model card's YaRN recipe's, else
    config.json's max_position_embeddings."""
    return entry.yarn.original if entry.yarn is not None else entry.max_position_embeddings


def context_limit(m: ModelConfig) -> int | None:
    """The longest maxModelLen the model takes: its catalog entry's max_position_embeddings, or with a ropeScaling
    factor x the original context. None for a custom architecture without ropeScaling: nothing here knows its
    config.json (vLLM checks it at start)."""
    entry = lookup(m.catalog_key) if m.catalog_key else None
    rope = m.rope_scaling
    if rope is not None and (entry is not None or rope.original_max_position_embeddings is not None):
        return rope.max_context(default_original_context(entry) if entry else 0)
    return entry.max_context if entry is not None else None


@rule("models")
def max_model_len_within_the_models_context(s: Sections) -> Iterator[ConfigIssue]:
    """maxModelLen is at most the model's context: config.json's max_position_embeddings (vLLM refuses a longer
    --max-model-len at start, and positions past it give NaNs), or what its ropeScaling allows."""
    for i, m in enumerate(s.models):
        limit = context_limit(m)
        if limit is None or m.max_model_len <= limit:
            continue
        entry = lookup(m.catalog_key) if m.catalog_key else None
        yield ConfigIssue(f"{K}:models[{i}].maxModelLen", _over_the_limit(m, entry, limit))


def _over_the_limit(m: ModelConfig, entry: CatalogModel | None, limit: int) -> str:
    want = m.max_model_len
    if m.rope_scaling is not None:
        original = limit / m.rope_scaling.factor
        return (
            f"{want:,} is above the {limit:,} tokens ropeScaling allows (factor {m.rope_scaling.factor:g} x "
            f"{original:,.0f} original positions). Ways out: maxModelLen <= {limit}; "
            f"ropeScaling.factor >= {want / original:.3g}"
        )
    assert entry is not None  # context_limit: no entry and no ropeScaling has no limit
    shipped = f", which includes the {entry.shipped_rope} rope scaling it ships" if entry.shipped_rope else ""
    ways = [f"maxModelLen <= {limit}"]
    if entry.yarn is not None:
        factor = max(entry.yarn.factor, want / entry.yarn.original)
        beyond = (
            f", beyond the {entry.yarn.factor:g}x its model card documents"
            if factor > entry.yarn.factor
            else ""
        )
        ways.append(
            f"ropeScaling: {{type: yarn, factor: {factor:.3g}, originalMaxPositionEmbeddings: {entry.yarn.original}}} "
            f"(the model card's YaRN{beyond}; it may cost some quality on short prompts)"
        )
    return (
        f"{want:,} is above {entry.hf_id}'s context of {limit:,} tokens (max_position_embeddings in its "
        f"config.json{shipped}): vLLM refuses it at start. Ways out: " + "; ".join(ways)
    )


@rule("models")
def rope_scaling_has_what_it_needs(s: Sections) -> Iterator[ConfigIssue]:
    """A ropeScaling replaces the model's rope parameters: not on a model that ships its own rope scaling, and
    for a custom architecture only with its original context and rope_theta stated."""
    for i, m in enumerate(s.models):
        rope, key = m.rope_scaling, f"{K}:models[{i}].ropeScaling"
        if rope is None:
            continue
        entry = lookup(m.catalog_key) if m.catalog_key else None
        if entry is not None and entry.shipped_rope is not None:
            yield ConfigIssue(
                key,
                f"{entry.hf_id} ships {entry.shipped_rope} rope scaling already (its {entry.max_context:,}-token "
                "context includes it): a ropeScaling would replace it. Remove ropeScaling",
            )
        if isinstance(m.architecture, ArchitectureConfig) or entry is None:
            for field, name in (("original_max_position_embeddings", "originalMaxPositionEmbeddings"),
                                ("rope_theta", "ropeTheta")):  # fmt: skip
                if getattr(rope, field) is None:
                    yield ConfigIssue(
                        f"{key}.{name}", "required with a custom architecture: see its config.json"
                    )
