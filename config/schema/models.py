"""`llm-platform:models` — one entry per served model."""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources
from typing import Annotated, Literal

import tzdata
from croniter import CroniterBadDateError, CroniterError, croniter
from docker_image.digest import InvalidDigest
from docker_image.reference import InvalidReference, NameContainsUppercase, Reference
from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from catalog.time_zones import zone_hint
from config.schema.base import (
    ModelName,
    PoolName,
    Section,
    ascii_skeleton,
    at_key,
    in_order,
    key_of,
    non_ascii_note,
    on_ttft_bucket_edge,
    pattern,
    unique,
)
from config.schema.rope import RopeScalingConfig
from config.schema.vllm_args import check_extra_args


class ArchitectureConfig(Section):
    """A model's shape, from its config.json, for models not in the catalog (catalog/models.py)."""

    params_b: float = Field(gt=0, le=2000, description="Total parameters in billions (all MoE experts).")
    layers: int = Field(ge=1, le=256, description="num_hidden_layers")
    hidden_size: int = Field(ge=64, le=65536, description="hidden_size")
    attention_heads: int = Field(ge=1, le=256, description="num_attention_heads")
    kv_heads: int = Field(ge=1, le=256, description="num_key_value_heads")
    head_dim: int = Field(ge=16, le=512, description="head_dim (hidden_size / num_attention_heads if absent)")
    native_dtype: Literal["bfloat16", "float16"] = Field(
        "bfloat16", description="torch_dtype: the precision the checkpoint is published in."
    )


class PlacementConfig(Section):
    """`models[].placement` — where a model's replicas may run."""

    pools: Annotated[list[PoolName], AfterValidator(unique)] = Field(
        min_length=1,
        description="GPU pools (managed node groups and/or Karpenter NodePools) the model may use.",
    )
    capacity_type: Literal["on-demand", "spot", "either"] = Field(
        "either", description="either: prefer spot, fall back to on-demand."
    )


class ReplicasConfig(Section):
    """`models[].replicas` — the bounds KEDA scales between."""

    min: int = Field(
        1, ge=0, le=100, description="Warm replicas kept at all times; 0 only with scale to zero."
    )
    max: int = Field(2, ge=1, le=100, description="Most replicas under load (each takes its GPUs).")

    @model_validator(mode="after")
    def _max_ge_min(self) -> ReplicasConfig:
        in_order(self, "min", "max")
        return self


@cache
def iana_time_zones() -> frozenset[str]:
    """Every zone name of the pinned IANA database (the tzdata package's list, whatever the host has)."""
    return frozenset(resources.files(tzdata).joinpath("zones").read_text(encoding="ascii").split())


def _time_zone(v: str) -> str:
    """A zone of the IANA database, as KEDA's cron scaler loads it (Go's time.LoadLocation)."""
    if v in iana_time_zones():
        return v
    note = non_ascii_note(v)
    what = f"{v!r} {note}, so it is not" if note else f"{v!r} is not"
    raise ValueError(
        f"{what} a zone of the IANA database (tzdata {tzdata.IANA_VERSION}), and the timezone must be an IANA "
        f"name{_zone_suggestion(ascii_skeleton(v))}"
    )


def _zone_suggestion(v: str) -> str:
    """What to write instead: the zones an abbreviation or UTC offset means (catalog/time_zones.py), which the
    closest spelling would miss ('PST' is one letter from 'MST', an hour off), else the closest spelling."""
    hint = zone_hint(v)
    if hint is not None:
        zones = " or ".join(z for z in hint.zones if z in iana_time_zones())
        note = f" ({hint.note})" if hint.note else ""
        return f"; for {hint.what}, write {zones}{note}" if zones else f": {v!r} is {hint.what}, {hint.note}"
    by_case = [z for z in iana_time_zones() if z.lower() == v.lower()]
    close = by_case or difflib.get_close_matches(v, iana_time_zones(), n=1)
    return f"; did you mean {close[0]}?" if close else ", e.g. Europe/Berlin or America/New_York"


# KEDA 2.20's cron scaler parses `start` and `end` with robfig/cron v3's NewParser(Minute | Hour | Dom | Month |
# Dow) (kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go; vendor/github.com/robfig/cron/v3/parser.go): exactly
# five fields, no @descriptors, each a comma list of `*`, `?`, a number or name, `a-b`, each with an optional
# `/step`; day of week 0-6 (sun-sat). The table and the item grammar below are that parser's rules, which also
# refuse what croniter accepts and KEDA does not (7 for Sunday, reversed ranges, L, W, #, H, a sixth field);
# croniter then parses the whole schedule and finds when it next fires (one that never fires is refused).
CRON_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
)
# Names robfig/cron reads (case-insensitively) for months (1-12) and weekdays (0-6).
_CRON_NAMES = {
    3: ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    4: ("sun", "mon", "tue", "wed", "thu", "fri", "sat"),
}
_CRON_ITEM = re.compile(r"^(?:[*?]|([0-9]+|[a-z]{3})(?:-([0-9]+|[a-z]{3}))?)(?:/([0-9]+))?$", re.ASCII | re.I)
CRON_EXAMPLE = "'0 8 * * 1-5' (08:00, Monday to Friday)"


def _cron_value(token: str, position: int) -> int | None:
    """A field's number, or the number of a month or weekday name (None: neither)."""
    if token.isdigit():
        return int(token)
    names = _CRON_NAMES.get(position, ())
    return names.index(token.lower()) + CRON_FIELDS[position][1] if token.lower() in names else None


def _cron_item_issue(item: str, position: int) -> str | None:
    """What is wrong with one comma-separated item of a cron field, or None."""
    name, low, high = CRON_FIELDS[position]
    match = _CRON_ITEM.match(item)
    if not match:
        return f"{name} {item!r} is not cron syntax KEDA reads: use numbers, names, a-b, a,b and */n"
    tokens = [t for t in match.groups()[:2] if t]
    values = [_cron_value(t, position) for t in tokens]
    if None in values:
        return f"{name} {item!r} names no {name}" + (
            f" ({', '.join(_CRON_NAMES[position])})" if position >= 3 else ""
        )
    if any(not low <= v <= high for v in values):  # type: ignore[operator]
        return f"{name} {item!r} is out of range {low}-{high}"
    if len(values) == 2 and values[0] > values[1]:  # type: ignore[operator]
        return f"{name} {item!r} runs backwards: write the lower bound first"
    if match.group(3) is not None and int(match.group(3)) == 0:
        return f"{name} {item!r} has a step of 0: steps start at 1"
    return None


def _cron(v: str) -> str:
    """A schedule KEDA's cron scaler parses, and one that fires."""
    fields = v.split()
    if v.startswith("@") or len(fields) != len(CRON_FIELDS):
        raise ValueError(
            f"{v!r} is not a five-field cron schedule (minute hour day-of-month month day-of-week), the only "
            f"form KEDA's cron scaler reads: e.g. {CRON_EXAMPLE}"
        )
    issues = [
        i for pos, text in enumerate(fields) for item in text.split(",") if (i := _cron_item_issue(item, pos))
    ]
    if issues:
        raise ValueError(f"{v!r}: {issues[0]}")
    try:
        croniter(v).get_next()
    except CroniterBadDateError:
        raise ValueError(f"{v!r} never fires (that day does not exist in that month)") from None
    except CroniterError as exc:
        raise ValueError(f"{v!r} is not a valid schedule ({exc}): e.g. {CRON_EXAMPLE}") from None
    return v


Cron = Annotated[str, AfterValidator(_cron)]


class WarmWindowConfig(Section):
    """`models[].autoscaling.warmWindows[]` — a KEDA cron window keeping at least `replicas` warm."""

    timezone: Annotated[str, AfterValidator(_time_zone)] = Field(
        description="IANA time zone name, e.g. Europe/Berlin"
    )
    start: Cron = Field(description="cron (five fields, as KEDA reads them), e.g. '0 8 * * 1-5'")
    end: Cron = Field(description="cron (five fields, as KEDA reads them), e.g. '0 19 * * 1-5'")
    replicas: int = Field(ge=1, le=100, description="Replicas kept warm between start and end.")

    @model_validator(mode="after")
    def _window_has_length(self) -> WarmWindowConfig:
        if self.start == self.end:  # KEDA refuses it: "start and end can not have exactly same time input"
            raise at_key("end", f"{self.end!r} is also the start: a window must end at another time")
        return self


class AutoscalingConfig(Section):
    """`models[].autoscaling` — KEDA triggers for one model. Queue depth always; TTFT and KV usage when set."""

    queue_depth_per_replica: int = Field(
        4,
        ge=1,
        le=1000,
        description="Waiting requests per replica (vllm:num_requests_waiting) before adding one.",
    )
    ttft_p95_seconds: float | None = Field(
        None,
        description="Scale up when p95 time-to-first-token exceeds this; an edge of vLLM's TTFT histogram.",
    )
    kv_cache_usage: float | None = Field(
        None, ge=0.5, le=0.99, description="Scale up when a replica's KV cache is fuller than this (0-1)."
    )
    warm_windows: list[WarmWindowConfig] = Field(
        default_factory=list, description="Cron windows with a floor of warm replicas (e.g. office hours)."
    )
    scale_to_zero: bool = Field(
        False,
        description="Allow 0 replicas when idle (dev). Needs addons.kedaHttp: requests then go through its "
        "interceptor, which counts them even at zero pods and holds them through the cold start.",
    )
    idle_minutes_before_zero: int = Field(
        30, ge=5, le=1440, description="Idle time before the last replica goes."
    )

    @field_validator("ttft_p95_seconds")
    @classmethod
    def _on_bucket_edge(cls, v: float | None) -> float | None:
        return on_ttft_bucket_edge(v)


# Hugging Face repo ids ([A-Za-z0-9._-], huggingface_hub's validate_repo_id) and S3 bucket names and key
# prefixes (the S3 user guide's bucket naming rules and "safe" key characters), in ASCII classes only.
HF_SOURCE = r"^hf://[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+$"
S3_SOURCE = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*'()/-]*)?$"
SOURCE = pattern(
    f"({HF_SOURCE})|({S3_SOURCE})", "hf://<org>/<model> or s3://<bucket>/<prefix>", "hf://Qwen/Qwen3-8B"
)
REVISION = pattern(
    r"^[0-9a-f]{40}$",
    "the full 40-character commit sha (lower-case hex), not a branch or tag name",
    "c1899de289a04d12100db370d81485cdf75e47ca",
)
IMAGE_EXAMPLE = "vllm/vllm-openai:v0.31.0, or registry.internal:5000/vllm/vllm-openai:v0.31.0@sha256:<64 hex>"
# What the distribution reference grammar refuses, in words (docker-image-py's exceptions).
_IMAGE_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (NameContainsUppercase, "repository names are lower-case"),
    (InvalidDigest, "a digest is sha256: and 64 lower-case hex digits (or sha384/sha512)"),
    (InvalidReference, "not [registry[:port]/]repository[:tag][@digest]"),
)


def _image_reference(v: str | None) -> str | None:
    """A pinned image reference in the distribution grammar (as the kubelet parses it): tag or digest, not
    ':latest'. Registry ports and tag plus digest are fine."""
    if v is None:
        return v
    note = non_ascii_note(v)
    if note:
        raise ValueError(f"{v!r} {note}: image references are ASCII")
    try:
        ref = Reference.parse_normalized_named(v)
    except (InvalidReference, InvalidDigest) as exc:
        why = next(text for kind, text in _IMAGE_ERRORS if isinstance(exc, kind))
        raise ValueError(f"{v!r} is not an image reference ({why}): e.g. {IMAGE_EXAMPLE}") from None
    if ref["tag"] == "latest":
        raise ValueError(f"{v!r}: ':latest' is not a pin: use a version tag or a digest")
    if not ref["tag"] and not ref["digest"]:
        raise ValueError(
            f"{v!r} has no tag or digest, so it serves whatever is pushed next: e.g. {IMAGE_EXAMPLE}"
        )
    return v


class ModelConfig(Section):
    """One entry of `llm-platform:models` — one served model."""

    name: ModelName = Field(
        examples=["qwen3-8b"], description="--served-model-name and the metrics' model_name label."
    )
    source: str = Field(pattern=SOURCE, description="hf://org/model or s3://bucket/prefix")
    revision: str | None = Field(
        None, pattern=REVISION, description="hf:// only: the commit to serve (a branch name drifts)."
    )
    architecture: str | ArchitectureConfig | None = Field(
        None,
        description="A catalog name (see `make size`), or the shape itself; default: the catalog entry of an hf:// source.",
    )
    image: Annotated[str | None, AfterValidator(_image_reference)] = Field(
        None,
        description="Override the pinned vLLM image: a reference with a version tag or a digest (a registry "
        "port, and a tag with a digest, are fine).",
    )
    placement: PlacementConfig = Field(description="Where the replicas may run (see below).")
    tensor_parallel_size: Literal[1, 2, 4, 8, "auto"] = Field(
        "auto",
        description="GPUs per replica; auto picks the smallest that fits minConcurrency sequences of maxModelLen.",
    )
    max_model_len: int = Field(
        ge=256, le=1_048_576, description="Longest sequence (prompt + output, tokens) a request may have."
    )
    gpu_memory_utilization: float = Field(
        0.9,
        ge=0.1,
        le=0.95,
        description="Share of each GPU vLLM takes; on a time-sliced pool, at most 0.95 / slices.",
    )
    max_num_seqs: int = Field(
        64, ge=1, le=1024, description="Most sequences one replica batches at once (vLLM --max-num-seqs)."
    )
    dtype: Literal["auto", "bfloat16", "float16"] = Field(
        "auto", description="Compute precision; auto uses the checkpoint's."
    )
    quantization: Literal["none", "fp8", "awq", "gptq"] = Field(
        "none", description="fp8 quantizes at load; awq/gptq need a checkpoint published in that format."
    )
    kv_cache_dtype: Literal["auto", "fp8"] = Field(
        "auto", description="KV cache precision; fp8 holds twice the tokens."
    )
    prefix_caching: bool = Field(True, description="Reuse the KV cache of shared prompt prefixes.")
    load_format: Literal["auto", "runai_streamer"] = Field(
        "auto",
        description="How vLLM reads the weights from the model cache: auto (its safetensors loader) or "
        "runai_streamer (the Run:ai Model Streamer, in the pinned image: concurrent reads, several times faster "
        "from EFS; see README 'Cold start').",
    )
    stream_from_source: bool = Field(
        False,
        description="runai_streamer with an s3:// source: stream the weights from S3 through the model's Pod "
        "Identity role instead of the EFS cache (no preload Job, no copy on EFS).",
    )
    streamer_concurrency: int = Field(
        16,
        ge=1,
        le=64,
        description="runai_streamer: concurrent reads (the streamer's default for a file system). The cold-start "
        "model reads at the published rate for it: from S3, 32 is the fastest measured.",
    )
    streamer_memory_limit_gib: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="runai_streamer: most host memory each rank's read buffers take (vLLM runs one process a "
        "GPU, each with its own); absent: a quarter of the replica's memory, shared by its ranks. All ranks "
        "together may take at most half the replica's memory limit.",
    )
    min_concurrency: float = Field(
        2,
        ge=1,
        le=1024,
        description="Full-length sequences the KV cache must hold at once for the model to 'fit'.",
    )
    rope_scaling: RopeScalingConfig | None = Field(
        None, description="Stretch the context past the model's own maximum (see below); off by default."
    )
    extra_args: list[str] = Field(
        default_factory=list,
        description="More `vllm serve` flags, read as vLLM 0.31.0 reads them; refused: flags the platform sets, "
        "placement and memory flags, unknown flags, credentials.",
    )
    replicas: ReplicasConfig = Field(
        default_factory=ReplicasConfig, description="Replica bounds (see below)."
    )
    autoscaling: AutoscalingConfig = Field(
        default_factory=AutoscalingConfig, description="Scaling triggers (see below)."
    )

    @property
    def catalog_key(self) -> str | None:
        """The model catalog entry this model names: `architecture` when it is a name, else an hf:// source
        (a custom shape, or an s3:// source without one, names none)."""
        if isinstance(self.architecture, str):
            return self.architecture
        if self.architecture is None and self.source.startswith("hf://"):
            return self.source
        return None

    @model_validator(mode="after")
    def _zero_only_when_allowed(self) -> ModelConfig:
        # replicas.min defaults to 1, so a 0 was written: the error is there, not at a scaleToZero nobody wrote.
        if self.replicas.min == 0 and not self.autoscaling.scale_to_zero:
            default = "" if "scale_to_zero" in self.autoscaling.model_fields_set else ", its default"
            raise at_key(
                f"{key_of(self, 'replicas')}.min",
                f"0 needs autoscaling.scaleToZero: true (it is false{default}): keep min >= 1, or allow "
                "scale to zero",
            )
        if self.stream_from_source and not (
            self.source.startswith("s3://") and self.load_format == "runai_streamer"
        ):
            raise at_key(
                "streamFromSource",
                "streams only an s3:// source with loadFormat: runai_streamer (vLLM's own loader reads local "
                "files; an hf:// source is cached on EFS first)",
            )
        return self

    @property
    def streams_from_source(self) -> bool:
        return self.stream_from_source

    @field_validator("revision")
    @classmethod
    def _revision_for_hf(cls, v: str | None, info: ValidationInfo) -> str | None:
        source = info.data.get("source", "")
        if source.startswith("hf://") and v is None:
            raise ValueError("required for hf:// sources: the 40-character commit sha to serve")
        if source.startswith("s3://") and v is not None:
            raise ValueError("only for hf:// sources (an s3:// prefix is already one immutable copy)")
        return v

    @field_validator("extra_args")
    @classmethod
    def _no_overrides(cls, v: list[str]) -> list[str]:
        return check_extra_args(v)
