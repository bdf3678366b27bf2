"""The base of every config section and the field types several sections share."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic.alias_generators import to_camel


class Section(BaseModel):
    """Base for every config object: unknown keys are errors, values are immutable once validated."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        frozen=True,
        # Defaults pass through the same checks, so cross-field rules also see omitted keys.
        validate_default=True,
    )


def unique(values: list) -> list:
    dupes = sorted({str(v) for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"duplicate entries: {', '.join(dupes)}")
    return values


def at_least(v: int, info: ValidationInfo, lower_field: str) -> int:
    """An upper bound must not be below the lower bound declared before it (named as in the stack file)."""
    lo = info.data.get(lower_field)
    if lo is not None and v < lo:
        raise ValueError(f"must be >= {to_camel(lower_field)} ({lo})")
    return v


DnsLabel = Annotated[str, Field(pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$", max_length=63)]
GoDuration = Annotated[str, Field(pattern=r"^(\d+h)?(\d+m)?(\d+s)?$", min_length=2)]

IAM_ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$")


def _role_arns(values: list[str]) -> list[str]:
    bad = [a for a in values if not IAM_ROLE_ARN.match(a)]
    if bad:
        raise ValueError(f"not IAM role ARNs (arn:aws:iam::<account>:role/<name>): {', '.join(bad)}")
    return values


RoleArns = Annotated[list[str], AfterValidator(unique), AfterValidator(_role_arns)]

# Edges of vLLM's TTFT histogram (vllm:time_to_first_token_seconds): a p95 target between two edges would be
# interpolated inside one bucket, so targets must sit on an edge.
TTFT_BUCKET_EDGES = (0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0)


def on_ttft_bucket_edge(v: float | None) -> float | None:
    if v is not None and v not in TTFT_BUCKET_EDGES:
        raise ValueError(
            f"must be a bucket edge of vLLM's TTFT histogram: {', '.join(map(str, TTFT_BUCKET_EDGES))}"
        )
    return v
