"""Run one component under the same recording mocks `make plan` uses and query what it registered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.run import run_under_mocks


class Recorded:
    def __init__(self, resources: list[dict[str, Any]], outputs: dict[str, Any]):
        self.resources = resources
        self.outputs = outputs

    def of_type(self, typ: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == typ]

    def one(self, typ: str) -> dict[str, Any]:
        found = self.of_type(typ)
        assert len(found) == 1, f"expected one {typ}, got {len(found)}"
        return found[0]


def record(declare: Callable[[], dict | None], region: str = "us-east-1") -> Recorded:
    resources, outputs = run_under_mocks(
        declare, project="llm-platform", stack="test", config={"aws:region": region}
    )
    return Recorded(resources, outputs)
