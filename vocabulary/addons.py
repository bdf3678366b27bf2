"""Where each in-cluster add-on is released: its Helm release name, namespace and pinned chart.

The services other parts call (Prometheus, the KEDA HTTP add-on's scaler and interceptor) are derived from
these in the resolved fleet (fleet/addons.py), so the release, the namespace and every address stay one fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Release:
    name: str  # the Helm release name
    namespace: str
    chart: str  # key of catalog.charts.HELM_CHARTS


ADDON_RELEASES: MappingProxyType[str, Release] = MappingProxyType(
    {
        "monitoring": Release("kube-prometheus-stack", "monitoring", "kube-prometheus-stack"),
        "gpu-operator": Release("gpu-operator", "gpu-operator", "gpu-operator"),
        "keda": Release("keda", "keda", "keda"),
        # Beside KEDA, in its namespace (the add-on's docs).
        "keda-http": Release("keda-add-ons-http", "keda", "keda-add-ons-http"),
    }
)
