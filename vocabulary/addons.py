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
        # The front door: Envoy Gateway (its controller, rate-limit service and the proxies, which run in the
        # controller's namespace) and Envoy AI Gateway in the namespaces their docs install them in.
        "envoy-gateway": Release("envoy-gateway", "envoy-gateway-system", "gateway-helm"),
        "ai-gateway-crds": Release("ai-gateway-crds", "envoy-ai-gateway-system", "ai-gateway-crds-helm"),
        "ai-gateway": Release("ai-gateway", "envoy-ai-gateway-system", "ai-gateway-helm"),
        "load-balancer-controller": Release(
            "aws-load-balancer-controller", "kube-system", "aws-load-balancer-controller"
        ),
    }
)
