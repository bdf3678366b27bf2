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
    }
)
