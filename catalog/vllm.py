"""What the pinned vLLM exports that config values must agree with: its TTFT histogram's bucket edges."""

from __future__ import annotations

# The vLLM release the serving image pins (catalog/images.py SERVING_IMAGES["vllm"]; a test keeps them equal).
VLLM_VERSION = "0.31.0"

# Upper bounds (le) of vllm:time_to_first_token_seconds, read in vllm 0.31.0's own source:
# vllm/v1/metrics/buckets.py TIME_TO_FIRST_TOKEN_BUCKETS, which vllm/v1/metrics/loggers.py passes as the
# histogram's buckets (histogram_buckets("time_to_first_token")). A p95 target between two edges would be
# interpolated inside one bucket, so TTFT targets must sit on one of these. Re-read on every vLLM bump.
TTFT_BUCKET_EDGES: tuple[float, ...] = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
    80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
