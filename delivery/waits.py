"""How long `pulumi up` may wait on a plan's resources before Pulumi itself gives up, from the rendered plan.

A deploy job killed by its own `timeout-minutes` in the middle of an update leaves the stack locked with
pending operations (README "When an update is interrupted"); a resource that times out is an ordinary failure
Pulumi records. So a deploy job's timeout must outlast every wait Pulumi may sit through in one update: the
longest chain of waits through the plan's dependencies (a resource waits for everything it depends on), plus
JOB_MARGIN_MINUTES for what the plan gives no timeout.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

# What the plan cannot bound: the AWS resources the providers wait on without a timeout of ours (the EKS control
# plane takes 10 to 15 minutes to create, a managed node group a few) and the job's own steps before `pulumi up`
# (checkout, the venv, the provider plugins: 2 to 5 minutes).
JOB_MARGIN_MINUTES = 30

# pulumi-kubernetes waits this long for the kinds it awaits when nothing else is said (its API docs: "If the
# Deployment has not reached a Ready state after 10 minutes, it will time out"; the same for each kind here).
AWAITED_KINDS = {
    "kubernetes:apps/v1:Deployment": 600,
    "kubernetes:apps/v1:StatefulSet": 600,
    "kubernetes:batch/v1:Job": 600,
    "kubernetes:core/v1:Pod": 600,
    "kubernetes:core/v1:Service": 600,
    "kubernetes:networking.k8s.io/v1:Ingress": 600,
}
GENERIC_AWAIT_S = 600  # an object with `pulumi.com/waitFor` and no timeout of its own
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
HELM_DEFAULT_TIMEOUT_S = 300  # the Release resource's `timeout` input when unset
_GO_DURATION = re.compile(r"(?P<n>[0-9.]+)(?P<unit>h|m|s|ms)")
_UNIT_S = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}


def duration_s(text: str) -> float:
    """Seconds of a Go duration as customTimeouts carries it ("1h30m", "90s")."""
    return sum(float(m["n"]) * _UNIT_S[m["unit"]] for m in _GO_DURATION.finditer(text))


def _annotations(record: Mapping[str, Any]) -> Mapping[str, str]:
    metadata = record["inputs"].get("metadata")
    return (metadata.get("annotations") or {}) if isinstance(metadata, dict) else {}


def wait_s(record: Mapping[str, Any]) -> float:
    """The longest Pulumi waits on this one resource before failing it: its customTimeouts, else what its
    provider waits for (a Helm release's `timeout`, a Kubernetes object's `pulumi.com/timeoutSeconds` or its
    kind's default); 0 for what is not waited on here."""
    if record.get("customTimeouts"):
        return max(duration_s(t) for t in record["customTimeouts"].values())
    if record["type"] == HELM_RELEASE:
        return (
            0
            if record["inputs"].get("skipAwait")
            else record["inputs"].get("timeout", HELM_DEFAULT_TIMEOUT_S)
        )
    annotations = _annotations(record)
    if annotations.get("pulumi.com/skipAwait") == "true":
        return 0
    if "pulumi.com/timeoutSeconds" in annotations:
        return float(annotations["pulumi.com/timeoutSeconds"])
    if "pulumi.com/waitFor" in annotations:
        return GENERIC_AWAIT_S
    return AWAITED_KINDS.get(record["type"], 0)


@dataclass(frozen=True)
class Chain:
    seconds: float
    names: tuple[str, ...]  # the waiting resources along it, first to last

    @property
    def job_minutes(self) -> int:
        """The least `timeout-minutes` a job running `pulumi up` over this plan should have."""
        return math.ceil(self.seconds / 60) + JOB_MARGIN_MINUTES


def longest_chain(records: Iterable[Mapping[str, Any]]) -> Chain:
    """The dependency chain with the most waiting in it (resources only wait on what they depend on)."""
    by_urn = {r["urn"]: r for r in records}

    @cache
    def chain(urn: str) -> Chain:
        record = by_urn[urn]
        before = max(
            (chain(d) for d in record["dependsOn"] if d in by_urn),
            key=lambda c: c.seconds,
            default=Chain(0, ()),
        )
        own = wait_s(record)
        return Chain(before.seconds + own, (*before.names, record["name"]) if own else before.names)

    return max((chain(u) for u in by_urn), key=lambda c: c.seconds, default=Chain(0, ()))
