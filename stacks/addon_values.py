"""Helm values for each add-on, as pure functions of validated config.

Every key written here exists in the chart's values.yaml at the version pinned in `stacks/catalog.py`
(HELM_CHARTS[...].values_url); the comment above each function names the lines that matter.
"""

from __future__ import annotations

from typing import Any

import yaml

from stacks.catalog import AMI_FAMILIES
from stacks.config import PlatformConfig
from stacks.dashboards import NODE_LABELS_ALLOWLIST
from stacks.scheduling import POOL_LABEL

# Controllers run on the on-demand CPU system node group, never on (expensive, interruptible) GPU capacity.
SYSTEM_NODES = {POOL_LABEL: "system"}

MONITORING_NAMESPACE = "monitoring"
MONITORING_RELEASE = "kube-prometheus-stack"
GRAFANA_ADMIN_SECRET = "grafana-admin"
# With release name "kube-prometheus-stack" the chart's fullname is the release name (see its _helpers.tpl).
PROMETHEUS_URL = f"http://{MONITORING_RELEASE}-prometheus.{MONITORING_NAMESPACE}.svc:9090"
GRAFANA_SERVICE = f"{MONITORING_RELEASE}-grafana.{MONITORING_NAMESPACE}.svc:80"

# The device plugin picks its config by this node label; unlabelled nodes get plain whole-GPU scheduling.
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"
TIME_SLICING_CONFIGMAP = "time-slicing-config"


def monitoring_values(cfg: PlatformConfig, storage_class: str) -> dict[str, Any]:
    """kube-prometheus-stack 88.5.3."""
    m = cfg.addons.monitoring
    everything = {
        # The chart's default selects only objects labelled release=<release>; we want every ServiceMonitor,
        # PodMonitor and PrometheusRule in any namespace (the namespace selectors default to all: {}).
        f"{kind}SelectorNilUsesHelmValues": False
        for kind in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig")
    }
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
        "prometheus": {
            "prometheusSpec": {
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
        },
        "alertmanager": {"enabled": True, "alertmanagerSpec": {"nodeSelector": SYSTEM_NODES}},
        "grafana": {
            "enabled": True,
            "nodeSelector": SYSTEM_NODES,
            # The password lives in a Secret we create from a Pulumi secret; it never enters Helm values.
            "admin": {
                "existingSecret": GRAFANA_ADMIN_SECRET,
                "userKey": "admin-user",
                "passwordKey": "admin-password",
            },
            "sidecar": {
                "dashboards": {
                    "enabled": True,
                    "label": "grafana_dashboard",
                    "labelValue": "1",
                    "searchNamespace": "ALL",
                }
            },
        },
        # GPU nodes are tainted: without this node-exporter would not run there. Exists tolerates every effect.
        "prometheus-node-exporter": {"tolerations": [{"operator": "Exists"}]},
        # Node labels for the capacity dashboard (instance type, capacity type, pool): none are exported unless
        # allow-listed.
        "kube-state-metrics": {"nodeSelector": SYSTEM_NODES, "metricLabelsAllowlist": NODE_LABELS_ALLOWLIST},
    }


def time_slicing_config(replicas: int) -> str:
    """One device-plugin config (the `version: v1` format of NVIDIA's k8s-device-plugin)."""
    return yaml.safe_dump(
        {
            "version": "v1",
            "flags": {"migStrategy": "none"},
            "sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": replicas}]}},
        },
        sort_keys=False,
    )


def gpu_operator_values(cfg: PlatformConfig) -> dict[str, Any]:
    """gpu-operator v26.7.0. EKS NVIDIA AMIs ship the driver and the container toolkit (AL2023's nodeadm makes
    `nvidia` containerd's default runtime); Bottlerocket also ships the device plugin."""
    family = AMI_FAMILIES[cfg.node_ami.family]
    slicing = cfg.addons.gpu_operator.time_slicing
    device_plugin: dict[str, Any] = {"enabled": not family.ships_device_plugin}
    if slicing:
        device_plugin["config"] = {
            "create": True,
            "name": TIME_SLICING_CONFIGMAP,
            # No default: only pools labelled nvidia.com/device-plugin.config=<pool> share their GPUs.
            "data": {pool: time_slicing_config(n) for pool, n in sorted(slicing.items())},
        }
    return {
        "driver": {"enabled": False},
        "toolkit": {"enabled": False},
        "devicePlugin": device_plugin,
        "dcgmExporter": {
            "enabled": True,
            # Created by the operator only when the ServiceMonitor CRD exists: the release waits for monitoring.
            "serviceMonitor": {
                "enabled": cfg.addons.monitoring.enabled,
                "interval": "15s",
                "honorLabels": False,
            },
        },
        "gfd": {"enabled": True},
        "nfd": {"enabled": True},
        # None of our pools is partitioned with MIG; the manager would only add a DaemonSet on A100/H100 nodes.
        "migManager": {"enabled": False},
        # Operands carry the chart's default toleration for nvidia.com/gpu (daemonsets.tolerations).
        "operator": {"nodeSelector": {"kubernetes.io/os": "linux", **SYSTEM_NODES}},
    }


def keda_values(cfg: PlatformConfig) -> dict[str, Any]:
    """keda 2.20.2. Two operator replicas (leader election) so scaling survives a node drain."""
    metrics = cfg.addons.monitoring.enabled
    prometheus = {
        component: {"enabled": metrics, "serviceMonitor": {"enabled": metrics}}
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


def keda_http_values(cfg: PlatformConfig) -> dict[str, Any]:
    """keda-add-ons-http 0.15.0, installed beside KEDA (its docs: same namespace). Independent of the models:
    each InterceptorRoute sets its own cold-start bound; this is only the ceiling."""
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
