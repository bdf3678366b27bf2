"""Kubernetes minors we support and the EKS add-on versions pinned for them."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class KubernetesRelease:
    """What one Kubernetes minor needs pinned besides the AMI: the EKS-managed core add-ons.

    Sources: the "latest version for each Kubernetes version" tables of the EKS user guide pages
    managing-coredns and managing-kube-proxy (read 2026-11). A minor joins this table only once both pins
    are read there; 1.36 waits for its CoreDNS row.
    """

    coredns: str
    kube_proxy: str


KUBERNETES_RELEASES: MappingProxyType[str, KubernetesRelease] = MappingProxyType(
    {
        # EKS standard support ends 2026-12-02.
        "1.34": KubernetesRelease(coredns="v1.13.2-eksbuild.7", kube_proxy="v1.34.6-eksbuild.13"),
        # EKS standard support ends 2027-03-27.
        "1.35": KubernetesRelease(coredns="v1.14.2-eksbuild.4", kube_proxy="v1.35.3-eksbuild.13"),
    }
)
SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = tuple(KUBERNETES_RELEASES)

# EKS add-ons whose versions do not follow the Kubernetes minor. Pinned so a `pulumi up` months later installs
# what was reviewed. Sources: public infrastructure repos pinning them for EKS 1.34/1.35 in 2026; the EFS CSI
# driver's v3 line is kubernetes-sigs/aws-efs-csi-driver v3.x (chart 4.4.x). Check with
# `aws eks describe-addon-versions --addon-name <name> --kubernetes-version <minor>` before bumping.
EKS_ADDON_VERSIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
        "aws-efs-csi-driver": "v3.4.0-eksbuild.1",
        # Pinned in public configs as the 2026-08 default for EKS 1.36 (driver v1.64.0, chart 2.64.0).
        "aws-ebs-csi-driver": "v1.64.0-eksbuild.1",
        # The EKS default for 1.34 and 1.35 in the managing-vpc-cni table as read 2026-08 and in public configs
        # of 2026-09/10. NetworkPolicy enforcement (enableNetworkPolicy) needs >= v1.14; probes pass since v1.15.1.
        "vpc-cni": "v1.22.4-eksbuild.3",
    }
)
