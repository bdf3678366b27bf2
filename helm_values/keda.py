"""keda 2.20.2 and keda-add-ons-http 0.15.0, on the system nodes."""

from __future__ import annotations

from typing import Any

from vocabulary.scheduling import SYSTEM_NODES


def keda_values(metrics: bool, service_monitors: bool) -> dict[str, Any]:
    """Two operator replicas (leader election) so scaling survives a node drain. `metrics`: a Prometheus (ours
    or an existing one) is there to scrape KEDA's metrics ports; `service_monitors`: its prometheus-operator
    CRDs exist (the chart templates a ServiceMonitor per component and the install fails without the CRD).
    Metrics without ServiceMonitors: chart 2.20.2 annotates the operator's Service prometheus.io/scrape
    instead (templates/manager/service.yaml), for a Prometheus that discovers targets by annotation."""
    prometheus = {
        component: {"enabled": metrics, "serviceMonitor": {"enabled": service_monitors}}
        for component in ("operator", "metricServer", "webhooks")
    }
    return {
        "nodeSelector": SYSTEM_NODES,
        "operator": {"replicaCount": 2},
        "webhooks": {"enabled": True, "replicaCount": 2},
        "podDisruptionBudget": {
            "operator": {"maxUnavailable": 1},
            "metricServer": {"maxUnavailable": 1},
            "webhooks": {"maxUnavailable": 1},
        },
        "prometheus": prometheus,
    }


def keda_http_values() -> dict[str, Any]:
    """Installed beside KEDA (its docs: same namespace). Independent of the models: each InterceptorRoute sets
    its own cold-start bound; this is only the ceiling."""
    return {
        "crds": {"install": True},
        "operator": {"nodeSelector": SYSTEM_NODES},
        "scaler": {"nodeSelector": SYSTEM_NODES},
        "interceptor": {
            "nodeSelector": SYSTEM_NODES,
            "replicas": {"min": 2},
            # The global bound on holding a request during a cold start (routes set their own, shorter ones).
            "readinessTimeout": "1800s",
            # Non-streaming completions send headers only when done: allow long generations.
            "responseHeaderTimeout": "600s",
        },
    }
