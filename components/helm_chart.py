"""ChartPin: a Helm chart pinned to one version, with the value paths someone read in that version's
values.yaml. Part of the Helm add-on pattern: `HelmAddon` refuses values outside those paths before it
registers anything, so a typo or a key that moved in a chart upgrade fails the plan instead of being ignored by
Helm. Plain data (no Pulumi import): the program's chart catalog builds its pins from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChartPin:
    """One pinned Helm chart. Every value we set is checked against `values_url` (the chart's values.yaml at
    exactly this version). `images` lists what the chart deploys by default at this version: the chart pins
    them, so pinning the chart pins the images."""

    chart: str
    repository: str  # https://… Helm repository, or oci://registry/path (the chart name is then appended)
    version: str  # exact chart version: never a range
    values_url: str
    images: tuple[str, ...]
    # Value paths we set, each read in `values_url` at `version`. A path ends where the chart takes free-form
    # data (a nodeSelector map, a resources block): everything below it is the chart's schema, not ours.
    settable: frozenset[str] = frozenset()

    def require_verified(self, values: Mapping[str, Any]) -> None:
        """Refuse a value path nobody read in this chart version's values.yaml."""
        bad = self.unverified_paths(values)
        if bad:
            raise ValueError(
                f"{self.chart} {self.version}: values {', '.join(bad)} are not among the paths verified in "
                f"{self.values_url}; read them there and add them to the pin's settable paths"
            )

    def unverified_paths(self, values: Mapping[str, Any], prefix: str = "") -> list[str]:
        """Paths in `values` not read in this chart version's values.yaml (a typo, or a key that moved)."""
        bad: list[str] = []
        for key, value in values.items():
            path = f"{prefix}{key}"
            if path in self.settable:
                continue
            if isinstance(value, Mapping) and any(s.startswith(f"{path}.") for s in self.settable):
                bad.extend(self.unverified_paths(value, f"{path}."))
            else:
                bad.append(path)
        return bad
