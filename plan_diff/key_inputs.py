"""What an added resource is, at a glance: its key inputs, per type, so a new node group reads as "8 x H100,
400 GiB, on-demand, 1..1 nodes" in the diff instead of a bare name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from catalog.gpus import GPU_INSTANCES
from plan_diff.replacements import HELM_RELEASE
from plan_diff.values import flatten, value_at

_CONTAINER = r"spec\.(template\.spec\.)?(initContainers|containers)\[[^\]]+\]"
_POD_TEMPLATE = (
    rf"^{_CONTAINER}\.image$",
    rf'^{_CONTAINER}\.resources\.limits\["nvidia\.com/gpu"\]$',
)

# Per type, the flattened input paths (regular expressions, plan_diff/values.py `flatten`) that say what an
# added resource is. A type not listed shows its name only.
KEY_INPUTS: Mapping[str, tuple[str, ...]] = {
    "aws:eks/nodeGroup:NodeGroup": (
        r"^instanceTypes$",
        r"^capacityType$",
        r"^amiType$",
        r"^releaseVersion$",
        r"^scalingConfig\.(minSize|maxSize)$",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        r"^blockDeviceMappings\[\d+\]\.ebs\.(volumeSize|volumeType|iops|throughput)$",
    ),
    "aws:efs/fileSystem:FileSystem": (r"^(encrypted|performanceMode|throughputMode)$",),
    "aws:kms/key:Key": (r"^(description|enableKeyRotation|deletionWindowInDays)$",),
    "aws:ec2/vpc:Vpc": (r"^cidrBlock$",),
    "aws:ec2/subnet:Subnet": (r"^(cidrBlock|availabilityZone|mapPublicIpOnLaunch)$",),
    "eks:index:Cluster": (r"^(name|version|endpointPublicAccess|publicAccessCidrs)$",),
    "kubernetes:apps/v1:Deployment": (r"^spec\.replicas$", *_POD_TEMPLATE),
    "kubernetes:apps/v1:StatefulSet": (
        r"^spec\.replicas$",
        *_POD_TEMPLATE,
        r"^spec\.volumeClaimTemplates\[[^\]]+\]\.spec\.resources\.requests\.storage$",
    ),
    "kubernetes:batch/v1:Job": _POD_TEMPLATE,
    HELM_RELEASE: (r"^(chart|version|namespace)$", r"^repositoryOpts\.repo$"),
    "kubernetes:karpenter.sh/v1:NodePool": (r"^spec\.limits\.", r"^spec\.weight$"),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        r"^spec\.resources\.requests\.storage$",
        r"^spec\.storageClassName$",
    ),
    "kubernetes:policy/v1:PodDisruptionBudget": (r"^spec\.(minAvailable|maxUnavailable)$",),
    "kubernetes:keda.sh/v1alpha1:ScaledObject": (r"^spec\.(minReplicaCount|maxReplicaCount)$",),
    "kubernetes:core/v1:Service": (r"^spec\.type$",),
}


def _gpus_per_node(inputs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A node group's GPUs per node, per instance type, from the GPU catalog (no input names them)."""
    types = value_at(inputs, "instanceTypes")
    known = [GPU_INSTANCES[t] for t in types if t in GPU_INSTANCES] if isinstance(types, list) else []
    shown = [f"{i.gpu_count} x {i.gpu_name} {i.gpu_memory_gib} GiB" for i in known]
    return [("(GPUs per node)", ", ".join(dict.fromkeys(shown)))] if shown else []


# What a type's inputs imply that no single input says.
DERIVED: Mapping[str, Callable[[Mapping[str, Any]], list[tuple[str, Any]]]] = {
    "aws:eks/nodeGroup:NodeGroup": _gpus_per_node,
}


def key_inputs(typ: str, inputs: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """(path, value) of the type's key inputs that the resource sets, in input order, then what they imply."""
    patterns = [re.compile(p) for p in KEY_INPUTS.get(typ, ())]
    found = [(path, v) for path, v in flatten(dict(inputs)) if any(p.search(path) for p in patterns)]
    derive = DERIVED.get(typ)
    return tuple(found + (derive(inputs) if derive else []))
