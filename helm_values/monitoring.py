"""kube-prometheus-stack 88.5.3: Prometheus, Alertmanager and Grafana, on the system nodes."""

from __future__ import annotations

from typing import Any

from config.schema.addons import MonitoringConfig
from observability.dashboards import NODE_LABELS_ALLOWLIST
from vocabulary.objects import DASHBOARD_LABEL, GRAFANA_ADMIN_SECRET
from vocabulary.scheduling import SYSTEM_NODES


def monitoring_values(m: MonitoringConfig, storage_class: str) -> dict[str, Any]:
    return {
        "crds": {"enabled": True},
        # EKS does not expose these control-plane endpoints (and kube-proxy binds metrics to 127.0.0.1):
        # scraping them would only produce permanently-down targets and alerts.
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeEtcd": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "prometheusOperator": {
            "nodeSelector": SYSTEM_NODES,
            "admissionWebhooks": {"patch": {"nodeSelector": SYSTEM_NODES}},
        },
        "prometheus": {"prometheusSpec": _prometheus(m, storage_class)},
        "alertmanager": {"enabled": True, "alertmanagerSpec": {"nodeSelector": SYSTEM_NODES}},
        "grafana": _grafana(),
        # GPU nodes are tainted: without this node-exporter would not run there. Exists tolerates every effect.
        "prometheus-node-exporter": {"tolerations": [{"operator": "Exists"}]},
        # Node labels for the capacity dashboard (instance type, capacity type, pool): none are exported unless
        # allow-listed.
        "kube-state-metrics": {"nodeSelector": SYSTEM_NODES, "metricLabelsAllowlist": NODE_LABELS_ALLOWLIST},
    }


def _prometheus(m: MonitoringConfig, storage_class: str) -> dict[str, Any]:
    everything = {
        # The chart's default selects only objects labelled release=<release>; we want every ServiceMonitor,
        # PodMonitor and PrometheusRule in any namespace (the namespace selectors default to all: {}).
        f"{kind}SelectorNilUsesHelmValues": False
        for kind in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig")
    }
    return {
        **everything,
        "retention": m.retention,
        "scrapeInterval": "30s",
        "evaluationInterval": "30s",
        "nodeSelector": SYSTEM_NODES,
        "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}, "limits": {"memory": "4Gi"}},
        "storageSpec": {
            "volumeClaimTemplate": {
                "spec": {
                    "storageClassName": storage_class,
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": f"{m.storage_gib}Gi"}},
                }
            }
        },
    }


def _grafana() -> dict[str, Any]:
    ((label, value),) = DASHBOARD_LABEL.items()
    return {
        "enabled": True,
        "nodeSelector": SYSTEM_NODES,
        # The password lives in a Secret we create from a Pulumi secret; it never enters Helm values.
        "admin": {
            "existingSecret": GRAFANA_ADMIN_SECRET,
            "userKey": "admin-user",
            "passwordKey": "admin-password",
        },
        "sidecar": {
            "dashboards": {"enabled": True, "label": label, "labelValue": value, "searchNamespace": "ALL"}
        },
    }
