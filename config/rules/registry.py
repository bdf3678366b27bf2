"""The registry of rules across keys: each rule reads some sections of the stack file and runs only when
every one of them validated, so one broken section never hides another section's errors and no rule sees
half-valid data. Rules register themselves with `@rule(...)` in the modules of this package."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from config.issues import ConfigIssue
from config.schema.platform import NAMESPACE

K = NAMESPACE  # keys below read as the stack file writes them: f"{K}:network.availabilityZones[0]"


class Sections:
    """The sections of one stack file that validated, as attributes named like PlatformConfig's fields."""

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)

    def __getattr__(self, field: str) -> Any:
        try:
            return self._values[field]
        except KeyError:
            raise AttributeError(f"section {field!r} did not validate") from None

    def has(self, fields: Iterable[str]) -> bool:
        return all(f in self._values for f in fields)


@dataclass(frozen=True)
class Rule:
    name: str
    reads: tuple[str, ...]  # PlatformConfig fields that must have validated for the rule to run
    check: Callable[[Sections], Iterable[ConfigIssue]]

    @property
    def description(self) -> str:
        return (self.check.__doc__ or "").strip()


RULES: list[Rule] = []


def rule(*reads: str) -> Callable[[Callable[[Sections], Iterable[ConfigIssue]]], Callable]:
    """Register a rule under its function's name (dashes for underscores); `reads` are the sections it needs."""

    def register(check: Callable[[Sections], Iterable[ConfigIssue]]) -> Callable:
        RULES.append(Rule(check.__name__.replace("_", "-"), reads, check))
        return check

    return register


def run_rules(sections: Sections) -> list[ConfigIssue]:
    return [issue for r in RULES if sections.has(r.reads) for issue in r.check(sections)]
