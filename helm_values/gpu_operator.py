"""gpu-operator v26.7.0. EKS NVIDIA AMIs ship the driver and the container toolkit (AL2023's nodeadm makes
`nvidia` containerd's default runtime); Bottlerocket also ships the device plugin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from catalog.amis import AmiFamily
from vocabulary.objects import TIME_SLICING_CONFIGMAP
from vocabulary.scheduling import GPU_RESOURCE, SYSTEM_NODES


def time_slicing_config(replicas: int) -> str:
    """One device-plugin config (the `version: v1` format of NVIDIA's k8s-device-plugin)."""
    return yaml.safe_dump(
        {
            "version": "v1",
            "flags": {"migStrategy": "none"},
            "sharing": {"timeSlicing": {"resources": [{"name": GPU_RESOURCE, "replicas": replicas}]}},
        },
        sort_keys=False,
    )


def gpu_operator_values(ami: AmiFamily, slicing: Mapping[str, int], service_monitor: bool) -> dict[str, Any]:
    """`slicing`: pods per GPU by pool name (the time-sliced pools); `service_monitor`: the prometheus-operator
    CRDs exist (ours, or an existing operator-based Prometheus's) and the DCGM exporter gets a ServiceMonitor."""
    device_plugin: dict[str, Any] = {"enabled": not ami.ships_device_plugin}
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
            # Created by the operator only when the ServiceMonitor CRD exists: the release waits for our
            # monitoring; an existing Prometheus's CRDs are there before.
            "serviceMonitor": {"enabled": service_monitor, "interval": "15s", "honorLabels": False},
        },
        "gfd": {"enabled": True},
        "nfd": {"enabled": True},
        # None of our pools is partitioned with MIG; the manager would only add a DaemonSet on A100/H100 nodes.
        "migManager": {"enabled": False},
        # Operands carry the chart's default toleration for nvidia.com/gpu (daemonsets.tolerations).
        "operator": {"nodeSelector": {"kubernetes.io/os": "linux", **SYSTEM_NODES}},
    }
