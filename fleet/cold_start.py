"""The cold-start model: how long each stage from zero replicas to the first token takes, one function per stage,
each rate with its source. The startup probe, the KEDA HTTP hold timeout, the "still not ready" alert, the
rollout timeout and `make plan`'s cold-start table all come from these, so they can never disagree.

Each rate is the conservative published figure, not the best case; "ours" marks a figure no publication gives,
to be replaced by a measurement (bench/, README "Cold start").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

LoadFormat = Literal["auto", "runai_streamer"]


@dataclass(frozen=True)
class Rate:
    value: float
    unit: str
    source: str


# --- node -------------------------------------------------------------------------------------------------
NODE_READY = Rate(
    40, "s", "karpenter-provider-aws#6165: a new node is Ready in about 30-40 s (the upper end)"
)
GPU_ADVERTISED = Rate(
    60,
    "s",
    "ours: the device plugin registering the GPUs after Ready; no published AL2023 figure ('about a minute')",
)
# --- image ------------------------------------------------------------------------------------------------
# aws-samples/karpenter-blueprints blueprints/soci-snapshotter, gp3 at 1,000 MiB/s and 16,000 IOPS: the slower of
# its two published runs for each (v1.1.8, a 10.8 GB vLLM image; v1.1.10, a 9 GB one).
IMAGE_PULL = {
    "default": Rate(131, "s", "karpenter-blueprints v1.1.10: default containerd, 2m10.8s (v1.1.8: 1m52.3s)"),
    "al2023": Rate(60, "s", "karpenter-blueprints v1.1.8: SOCI parallel pull on AL2023, 59.8 s (v1.1.10: 39.6 s)"),
    "bottlerocket": Rate(45, "s", "karpenter-blueprints v1.1.8: SOCI parallel pull on Bottlerocket, 45.0 s (v1.1.10: 23.2 s)"),
}  # fmt: skip
# nodeadm: "we recommend at least 600MiB/s throughput. Below that value, you may see longer image pull times".
FAST_PULL_MIN_MIBPS = 600
# --- pod --------------------------------------------------------------------------------------------------
POD_START = Rate(
    10, "s", "ours: scheduling, the cache and GPU checks of the init containers, the process start"
)
# --- weights ----------------------------------------------------------------------------------------------
# modelplane#204: 894 GiB in about 43 minutes over two nodes from EFS elastic with vLLM's default loader, about
# 175 MiB/s per node (the Run:ai benchmark's default loader: 15 GB in 48 s from gp3, 318 MB/s).
DEFAULT_LOADER = Rate(
    175, "MiB/s", "modelplane#204: vLLM's default loader from EFS elastic, ~175 MiB/s per node"
)
# The Run:ai Model Streamer benchmarks (docs/src/benchmarks.md): Llama-3-8B, 15 GB, one process on a g5.12xlarge
# (40 Gbps); seconds to load by the streamer's concurrency. From gp3 at 1,000 MiB/s (Appendix A), which it
# saturates from concurrency 4: the stand-in for the EFS cache until bench/ measures the streamer on EFS. From an
# S3 bucket in the instance's region (Appendix C): 64 is slower than 32.
BENCH_BYTES = 15e9
STREAMER_FILE_S = {1: 47.56, 4: 14.43, 8: 14.42, 16: 14.34}
STREAMER_S3_S = {4: 28.24, 16: 8.45, 32: 4.88, 64: 5.01}
STREAMER_SOURCE = (
    "Run:ai Model Streamer benchmarks, Appendix A (gp3) and C (S3), at the concurrency configured"
)
# EFS elastic throughput (Amazon EFS user guide, "Performance"): 1,500 MiB/s per client (a node), through efs-utils
# 2.x's efs-proxy, which the EFS CSI driver 2.x and later mounts with by default (TLS, encryptInTransit); and per
# file system up to 60 GiB/s of reads in us-east-1 and us-west-2 ("Quotas"), which takes 40 nodes loading at once
# to reach. It bounds every read from the cache, whatever the loader.
EFS_PER_CLIENT = Rate(1500, "MiB/s", "Amazon EFS performance: elastic throughput, per client")


@dataclass(frozen=True)
class Loader:
    """How a replica reads its weights: vLLM's loader or the streamer at its concurrency, from the EFS cache or
    (streamFromSource) straight from S3.

    Tensor parallelism costs no extra reads. From the cache, the ranks of a replica read the same files and the
    node's page cache serves the second reader (the streamer opens them without O_DIRECT). From S3, where no page
    cache helps, each rank would stream every file (marin-community/marin#7136: eight full-model streams with TP
    8), so serving/server.py turns on the streamer's distributed mode there: each rank reads its part once. No
    gain from the ranks reading in parallel is counted: the node reads at one process's published rate."""

    format: LoadFormat = "auto"
    concurrency: int = 16
    from_s3: bool = False


def _published_rate_mibps(table: dict[int, float], concurrency: int) -> float:
    """The published figure at the largest measured concurrency at or under the one configured (so never a
    point the configuration does not reach); under the smallest measured, proportionally slower."""
    measured = [k for k in table if k <= concurrency]
    seconds = table[max(measured)] if measured else table[min(table)] * min(table) / concurrency
    return BENCH_BYTES / seconds / 2**20


def read_rate_mibps(loader: Loader) -> float:
    if loader.from_s3:
        return _published_rate_mibps(STREAMER_S3_S, loader.concurrency)
    if loader.format == "auto":
        rate = DEFAULT_LOADER.value
    else:
        rate = _published_rate_mibps(STREAMER_FILE_S, loader.concurrency)
    return min(rate, EFS_PER_CLIENT.value)


# --- engine -----------------------------------------------------------------------------------------------
# tensorfuse, Llama-3.1-8B on an L40S: torch.compile 42 s, CUDA graph capture 54 s; with a persisted vLLM cache
# 13 s and 7 s.
COMPILE = {
    False: Rate(42, "s", "tensorfuse: torch.compile, no cache"),
    True: Rate(13, "s", "tensorfuse: cached"),
}
GRAPH_CAPTURE = {
    False: Rate(54, "s", "tensorfuse: CUDA graphs, no cache"),
    True: Rate(7, "s", "tensorfuse: cached"),
}
ENGINE_OTHER = Rate(30, "s", "ours: imports, memory profiling, the KV cache allocation, the API server")


def node_launch_s(launched: bool) -> int:
    """A GPU node from nothing to schedulable: Karpenter's launch and join, then the GPUs advertised."""
    return int(NODE_READY.value + GPU_ADVERTISED.value) if launched else 0


def image_pull_s(family: str, fast_pull: bool, throughput_mibps: int, cached: bool) -> int:
    """The vLLM image onto the node: nothing when the node has it, parallel pull where the AMI and the volume
    allow it, else containerd's default."""
    if cached:
        return 0
    fast = fast_pull and throughput_mibps >= FAST_PULL_MIN_MIBPS
    return int(IMAGE_PULL[family if fast else "default"].value)


def weight_load_s(weights_gib: float, loader: Loader, sharing: int = 1) -> int:
    """The weights into the GPUs at the loader's rate; `sharing` replicas of one node read at once and split
    the node's share."""
    return math.ceil(weights_gib * 1024 / (read_rate_mibps(loader) / sharing))


def engine_start_s(cache_warm: bool) -> int:
    """Compile, CUDA graph capture and the rest of the engine's start, with or without the compile cache."""
    return int(COMPILE[cache_warm].value + GRAPH_CAPTURE[cache_warm].value + ENGINE_OTHER.value)


@dataclass(frozen=True)
class Stages:
    node_s: int
    image_s: int
    pod_s: int
    weights_s: int
    engine_s: int

    @property
    def total_s(self) -> int:
        return self.node_s + self.image_s + self.pod_s + self.weights_s + self.engine_s


@dataclass(frozen=True)
class NodeShape:
    """What the stages need of where a replica lands."""

    family: str  # AMI family
    fast_pull: bool
    throughput_mibps: int  # the image volume's


def stages(
    shape: NodeShape,
    weights_gib: float,
    loader: Loader,
    *,
    launched: bool,
    image_cached: bool,
    cache_warm: bool,
) -> Stages:
    return Stages(
        node_s=node_launch_s(launched),
        image_s=image_pull_s(shape.family, shape.fast_pull, shape.throughput_mibps, image_cached),
        pod_s=int(POD_START.value),
        weights_s=weight_load_s(weights_gib, loader),
        engine_s=engine_start_s(cache_warm),
    )


@dataclass(frozen=True)
class ColdStart:
    """One model's cold starts, by path: a node launched for it, a warm node holding one (headroom or spare
    capacity), and the next replica (the image on the node, the compile cache warm)."""

    launch: Stages | None  # None: no pool of the model launches nodes (managed node groups only)
    warm_node: Stages
    next_replica: Stages
    first_ever: Stages  # the worst: a launched (or warm) node, no image, an empty compile cache


# How far past its modelled time a start may run before its probe or hold gives up: the rates are published
# figures, not guarantees (EFS is shared, a node may pull two images).
MARGIN = 2.0


def cold_start(
    shape: NodeShape, weights_gib: float, loader: Loader, launches: bool, headroom: bool
) -> ColdStart:
    """`launches`: a pool of the model is a Karpenter NodePool; `headroom`: its warm nodes hold the image."""
    s = lambda **k: stages(shape, weights_gib, loader, **k)  # noqa: E731
    return ColdStart(
        launch=s(launched=True, image_cached=False, cache_warm=True) if launches else None,
        warm_node=s(launched=False, image_cached=headroom, cache_warm=True),
        next_replica=s(launched=False, image_cached=True, cache_warm=True),
        first_ever=s(launched=launches, image_cached=False, cache_warm=False),
    )


def startup_budget_s(weights_gib: float, loader: Loader, replicas_per_node: int) -> int:
    """Container start to serving, as the startup probe allows it: every replica of a node loading at once,
    with an empty compile cache, and the margin."""
    worst = weight_load_s(weights_gib, loader, replicas_per_node) + engine_start_s(False)
    return math.ceil(MARGIN * worst)


def hold_budget_s(c: ColdStart) -> int:
    """How long a request may wait for a model at zero replicas (the KEDA HTTP interceptor's hold)."""
    return math.ceil(MARGIN * c.first_ever.total_s)
