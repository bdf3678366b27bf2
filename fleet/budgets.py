"""Time budgets besides the cold start (fleet/cold_start.py has those): the weights' download into the cache,
and how long Karpenter may wait on a drain."""

from __future__ import annotations

# The preload's download into the cache (not part of a cold start: it runs once per revision, before any
# replica). Ours: Hugging Face's CDN serves tens of MiB/s per connection to a single `hf download`.
DOWNLOAD_MIB_S = 50
PRELOAD_OVERHEAD_S = 300  # the Job's pod, the image, listing the repository


def preload_budget_s(weights_gib: float) -> int:
    return int(weights_gib * 1024 / DOWNLOAD_MIB_S) + PRELOAD_OVERHEAD_S


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
