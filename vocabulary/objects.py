"""Labels and annotations on the objects we create, and the names of objects two parts must agree on."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

PART_OF = MappingProxyType({"app.kubernetes.io/part-of": "llm-platform"})
# Why an object exists, for whoever reads it in the cluster (NetworkPolicies carry one each).
WHY_ANNOTATION = "llm-platform.io/why"

# Model servers: every object of one model carries MODEL_LABEL; the server's pods also carry SERVER_LABELS,
# which NetworkPolicies and the PDB select on. Preload pods carry neither (a download is not a replica).
MODEL_LABEL = "llm-platform.io/model"
SERVER_LABELS = MappingProxyType({"app.kubernetes.io/name": "vllm"})
PRELOAD_LABELS = MappingProxyType({"app.kubernetes.io/name": "vllm-preload"})
PRELOAD_OF_LABEL = "llm-platform.io/preload-of"
# Warm-headroom placeholders (serving/headroom.py) carry it, with their pool as value: they hold GPUs, serve
# nothing, and the policy pack's model-server rules leave them alone.
HEADROOM_LABEL = "llm-platform.io/headroom"
# vLLM's OpenAI-compatible server listens here in every model pod.
SERVING_PORT = 8000

# The Hugging Face token Secret in the inference namespace (created by the composition, mounted by preloads).
HF_TOKEN_SECRET = "huggingface-token"
# Grafana's admin credentials (created by the composition, referenced by kube-prometheus-stack's values).
GRAFANA_ADMIN_SECRET = "grafana-admin"
# Grafana's dashboard sidecar loads every ConfigMap with this label (configured in the chart's values).
DASHBOARD_LABEL = MappingProxyType({"grafana_dashboard": "1"})
# The device plugin's time-slicing config (the GPU operator chart creates it from our values).
TIME_SLICING_CONFIGMAP = "time-slicing-config"
# Where every model pod mounts the shared model cache; each model's weights live below it.
MODEL_CACHE_MOUNT = "/models"

# Every container we run ourselves (model servers, preloads, the gateway's Valkey): no privilege, nothing written
# outside its volumes.
RESTRICTED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
# Tags are pinned releases, so a node's cached copy is the right one: `Always` would make every pod start, every
# scale-up from zero, depend on reaching the public registry (security/checkov-skips.yaml).
PULL_POLICY = "IfNotPresent"

# The namespace label the API server sets on every namespace (Kubernetes >= 1.22): a selector on it cannot be
# spoofed by whoever may label their own namespace.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def from_namespaces(names: Sequence[str]) -> dict[str, Any]:
    """A NetworkPolicy peer: every pod in the named namespaces."""
    return {
        "namespaceSelector": {
            "matchExpressions": [{"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": list(names)}]
        }
    }
