"""What a GPU node's user data adds to its AMI family's bootstrap: parallel image pulls.

- AL2023: nodeadm's `FastImagePull` feature gate (NodeConfig `node.eks.aws/v1alpha1`, amazon-eks-ami
  nodeadm/api/v1alpha1/nodeconfig_types.go at v20260714; gates: InstanceIdNodeName, FastImagePull, both off by
  default). It switches containerd to the SOCI snapshotter in parallel pull-and-unpack mode (not lazy loading),
  and is silently ignored below 4 vCPU or 7 GiB (nodeadm/internal/containerd/config.go). Named so since AMI
  release v20250821.
- Bottlerocket: `settings.container-runtime.snapshotter = "soci"` and the soci-snapshotter plugin's
  `parallel-pull-unpack` mode (Bottlerocket 1.44.0+), with the concurrency nodeadm uses on AL2023 (20 downloads,
  12 unpacks per image, 16 MB chunks) in place of Bottlerocket's defaults (3, 1, unlimited).

How each API takes it: an EKS managed node group merges launch-template user data with its own bootstrap, which
for AL2023 must be a MIME multipart archive with an `application/node.eks.aws` part (EKS user guide, launch
templates) and for Bottlerocket TOML; a Karpenter EC2NodeClass takes the NodeConfig YAML (or the TOML) as it is
and appends its own part last (karpenter-provider-aws pkg/providers/amifamily/bootstrap at v1.14.1). In both,
the platform's own values (cluster, labels, taints) come after ours and win.
"""

from __future__ import annotations

from types import MappingProxyType

import yaml

# The releases that first carry the setting, in each family's release_pattern `alias` form.
FAST_PULL_SINCE = MappingProxyType({"al2023": "20250821", "bottlerocket": "1.44.0"})
# nodeadm's floor below which FastImagePull does nothing (UseSOCISnapshotter).
FAST_PULL_MIN_VCPU, FAST_PULL_MIN_MEMORY_GIB = 4, 7

NODE_CONFIG = yaml.safe_dump(
    {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {"featureGates": {"FastImagePull": True}},
    },
    sort_keys=False,
)
BOTTLEROCKET_SETTINGS = """[settings.container-runtime]
snapshotter = "soci"
[settings.container-runtime-plugins.soci-snapshotter]
pull-mode = "parallel-pull-unpack"
[settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack]
max-concurrent-downloads-per-image = 20
concurrent-download-chunk-size = "16mb"
max-concurrent-unpacks-per-image = 12
discard-unpacked-layers = true
"""
# A fixed boundary: the launch template's user data must not change from one plan to the next.
MIME_BOUNDARY = "==llm-platform-nodeconfig=="


def karpenter_user_data(family: str) -> str:
    """An EC2NodeClass's `userData`: the NodeConfig YAML, or the Bottlerocket TOML."""
    return NODE_CONFIG if family == "al2023" else BOTTLEROCKET_SETTINGS


def node_group_user_data(family: str) -> str:
    """A managed node group launch template's user data (before base64): MIME for AL2023, TOML for Bottlerocket."""
    if family != "al2023":
        return BOTTLEROCKET_SETTINGS
    return (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{MIME_BOUNDARY}"\n\n'
        f"--{MIME_BOUNDARY}\n"
        "Content-Type: application/node.eks.aws\n\n"
        f"{NODE_CONFIG}\n"
        f"--{MIME_BOUNDARY}--\n"
    )
