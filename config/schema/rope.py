"""`models[].ropeScaling`: serving a model beyond the context it was trained on (YaRN and friends)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.schema.base import Section


class RopeScalingConfig(Section):
    """`models[].ropeScaling` — stretch the model's rotary position embeddings to a longer context. Only then may
    `maxModelLen` exceed the model's own maximum (its catalog entry's `max_position_embeddings`); the longest
    context becomes `factor` x `originalMaxPositionEmbeddings`. Served as vLLM's `--hf-overrides` rope_parameters."""

    type: Literal["yarn", "linear", "dynamic"] = Field(
        "yarn",
        description="The rope scaling method (vLLM's rope_type); the model card says which it supports.",
    )
    factor: float = Field(gt=1, le=32, description="The longest context becomes factor x the original one.")
    original_max_position_embeddings: int | None = Field(
        None,
        ge=256,
        description="The context the model was trained on; default: the original context of the YaRN recipe its "
        "model card documents (Qwen3: 32,768), else its catalog entry's max_position_embeddings. Required for "
        "a custom architecture.",
    )
    rope_theta: float | None = Field(
        None,
        gt=0,
        description="The model's rope_theta (config.json); default: its catalog entry's. Required for a custom "
        "architecture: vLLM takes 10,000 when the override leaves it out.",
    )

    def max_context(self, default_original: int) -> int:
        """The longest context this scaling allows: factor x the original context."""
        return int(self.factor * (self.original_max_position_embeddings or default_original))
