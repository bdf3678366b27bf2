"""Valkey: the store of the rate-limit counters, which Envoy Gateway's rate-limit service keeps in Redis (the
only backend it takes, api/v1alpha1/envoygateway_types.go RateLimitDatabaseBackend).

One replica, in memory only: the counters are per-minute windows with TTLs, so a restart forgets at most one
minute of counting, and a drain may take it (its PDB allows one eviction; a PDB that allowed none would block
every node upgrade). If Valkey is unreachable the rate-limit service fails open (Envoy Gateway's `failClosed`
default), so the gateway keeps serving without limits rather than refusing every request.
"""

from __future__ import annotations

from typing import Any

from catalog.images import SERVING_IMAGES
from fleet.resolved import GatewayPlan
from gateway.proxies import meta
from vocabulary.gateway import VALKEY_LABELS, VALKEY_NAME, VALKEY_PORT
from vocabulary.objects import PULL_POLICY, RESTRICTED
from vocabulary.scheduling import SYSTEM_NODES

# A high UID of no user on the node (the image's own valkey user is 999, under the host's system range): the
# image has no USER line, so the pod names one. valkey-server, started directly, needs no passwd entry and
# writes only its working directory, /data (an emptyDir the fsGroup makes writable); valkey-container's tests
# run it as an arbitrary non-root UID.
VALKEY_UID = VALKEY_GID = 10001
# Keys carry TTLs (one window each): evict those first if memory ever runs out, never refuse a write.
MAX_MEMORY = "192mb"
VALKEY_ARGS = [
    "--save",
    "",
    "--appendonly",
    "no",
    "--maxmemory",
    MAX_MEMORY,
    "--maxmemory-policy",
    "volatile-ttl",
]


def valkey_url(plan: GatewayPlan) -> str:
    """As the rate-limit service takes it (config.envoyGateway.rateLimit.backend.redis.url): host:port."""
    return f"{VALKEY_NAME}.{plan.namespace}.svc.cluster.local:{VALKEY_PORT}"


def valkey_deployment(plan: GatewayPlan) -> dict[str, Any]:
    container = {
        "name": "valkey",
        "image": SERVING_IMAGES["valkey"],
        "imagePullPolicy": PULL_POLICY,
        # valkey-server itself, not the entrypoint script: nothing to chown, no root step.
        "command": ["valkey-server", *VALKEY_ARGS],
        "ports": [{"name": "redis", "containerPort": VALKEY_PORT}],
        "readinessProbe": {"tcpSocket": {"port": VALKEY_PORT}, "periodSeconds": 5},
        "livenessProbe": {"tcpSocket": {"port": VALKEY_PORT}, "periodSeconds": 10, "failureThreshold": 6},
        # Valkey serves from one thread: a CPU limit of one core costs it nothing.
        "resources": {
            "requests": {"cpu": "100m", "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "256Mi"},
        },
        "securityContext": dict(RESTRICTED),
        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
    }
    pod = {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "nodeSelector": dict(SYSTEM_NODES),
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": VALKEY_UID,
            "runAsGroup": VALKEY_GID,
            "fsGroup": VALKEY_GID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "256Mi"}}],
    }
    return {
        "metadata": meta(VALKEY_NAME, plan.namespace),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(VALKEY_LABELS)},
            "template": {"metadata": {"labels": {**VALKEY_LABELS}}, "spec": pod},
        },
    }


def valkey_service(plan: GatewayPlan) -> dict[str, Any]:
    return {
        "metadata": meta(VALKEY_NAME, plan.namespace),
        "spec": {"selector": dict(VALKEY_LABELS), "ports": [{"name": "redis", "port": VALKEY_PORT}]},
    }


def valkey_pdb(plan: GatewayPlan) -> dict[str, Any]:
    return {
        "metadata": meta(VALKEY_NAME, plan.namespace),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(VALKEY_LABELS)}},
    }
