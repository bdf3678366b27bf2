"""Rules across the models' keys and the keys they depend on (whether a model fits is fleet/placement.py's)."""

from __future__ import annotations

from collections.abc import Iterator

from catalog.models import MODEL_CATALOG, lookup
from config.issues import ConfigIssue
from config.rules.registry import K, Sections, rule
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
