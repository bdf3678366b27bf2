"""Time budgets of one model, from the size of its weights: how long a start, a download and a cold start
from zero replicas may take before something is wrong. The startup probe, the rollout timeout, the alert on a
slow start and the scale-from-zero timeouts are all derived from these, so they can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

# Conservative read and download speeds (EFS elastic reads; Hugging Face downloads).
CACHE_READ_MIB_S = 100
DOWNLOAD_MIB_S = 50
# Engine start after the weights are in memory: CUDA graph capture, torch.compile, warm-up.
ENGINE_WARMUP_S = 300
# A download's own start: the pod, the image, listing the repository.
PRELOAD_OVERHEAD_S = 300
# From zero replicas a request also waits for a GPU node (Karpenter/ASG launch, join, GPU operator) and the
# vLLM image pull (~10 GB): measured launches of g6/g6e nodes take 3-5 minutes before the pod starts.
NODE_AND_IMAGE_S = 480


@dataclass(frozen=True)
class Budgets:
    startup_s: int  # container start to serving: weights read from the cache + engine warm-up
    preload_s: int  # the weights downloaded into the cache
    cold_start_s: int  # zero replicas to the first answer: a node, the image, then the start

    @property
    def rollout_timeout_s(self) -> int:
        """How long `pulumi up` waits for a Deployment: the preload, then the start."""
        return self.preload_s + self.startup_s


def budgets(weights_gib: float) -> Budgets:
    startup = int(weights_gib * 1024 / CACHE_READ_MIB_S) + ENGINE_WARMUP_S
    return Budgets(
        startup_s=startup,
        preload_s=int(weights_gib * 1024 / DOWNLOAD_MIB_S) + PRELOAD_OVERHEAD_S,
        cold_start_s=NODE_AND_IMAGE_S + startup,
    )


# Karpenter's drain of a node (drift, expiry) honours PodDisruptionBudgets until the NodePool's
# terminationGracePeriod, then deletes what is left (Karpenter v1 NodeClaim spec). It must outlast a model's
# cold start, so the eviction of a second replica may wait for the first one's replacement to serve, and be
# bounded, so drift and expiry always finish (an unset one waits forever on a PDB that never allows).
DRAIN_GRACE_MARGIN_S = 10 * 60
DRAIN_GRACE_MIN_S = 30 * 60


def drain_grace(cold_starts_s: list[int]) -> int:
    """The terminationGracePeriod of a NodePool whose models start in `cold_starts_s`, in whole minutes."""
    longest = max(cold_starts_s, default=0) + DRAIN_GRACE_MARGIN_S
    return max(DRAIN_GRACE_MIN_S, -(-longest // 60) * 60)
