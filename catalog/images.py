"""Container images the platform runs itself (not through a chart, which pins its own)."""

from __future__ import annotations

from types import MappingProxyType

# Container images the platform runs itself. vLLM v0.3x images are built on CUDA 13 and need an R580+ driver:
# the pinned AL2023 NVIDIA AMI (v20260714) ships 580.159.03. The vLLM image also carries huggingface_hub's
# `hf` CLI, so the weights preload uses the same reviewed image instead of installing tools at run time.
SERVING_IMAGES: MappingProxyType[str, str] = MappingProxyType(
    {
        "vllm": "vllm/vllm-openai:v0.31.0",
        "aws-cli": "amazon/aws-cli:2.37.12",
        # The gateway's rate-limit counters. Valkey, BSD-3-Clause (Redis is RSALv2/SSPLv1 since 7.4 and adds
        # AGPLv3 in 8; Bitnami's free Redis images moved to the unmaintained bitnamilegacy in 2025). The
        # project's own ECR Public mirror (valkey-io/valkey-container's release workflow), so EKS nodes pull it
        # without Docker Hub's rate limit. The Alpine variant's valkey user is UID 999, GID 1000.
        "valkey": "public.ecr.aws/valkey/valkey:9.1.1-alpine",
        # The warm-headroom placeholders hold GPUs doing nothing: the Kubernetes pause image, its newest release
        # (kubernetes build/pause/CHANGELOG.md 3.10.1; it runs as UID 65535).
        "pause": "registry.k8s.io/pause:3.10.1",
    }
)
