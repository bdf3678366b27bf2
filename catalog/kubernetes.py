"""Kubernetes minors we support and the EKS add-on versions pinned for them."""

from __future__ import annotations

import re
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
_NEWEST_MINOR = max(int(v.split(".")[1]) for v in KUBERNETES_RELEASES)


def is_kubernetes_minor(version: str) -> bool:
    """Whether `version` ("1.N") names a Kubernetes minor released so far: 1.0 up to the newest of this table."""
    match = re.fullmatch(r"1\.(0|[1-9][0-9]*)", version, re.ASCII)
    return match is not None and int(match[1]) <= _NEWEST_MINOR


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

# The namespaces every cluster has from its first start, which no stack file may ask the platform to create or
# relabel: Kubernetes 1.35 pkg/controlplane/controller/systemnamespaces keeps kube-system, kube-public and
# kube-node-lease (metav1.NamespaceSystem, NamespacePublic, corev1.NamespaceNodeLease), and the API server's
# kubernetesservice controller keeps `default` (metav1.NamespaceDefault) for the `kubernetes` Service.
KUBERNETES_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
# The one of them where workloads without a namespace of their own run.
DEFAULT_NAMESPACE = "default"

# --- node labels the kubelet takes -------------------------------------------------------------------------
#
# An EKS managed node group's `labels` reach the kubelet as --node-labels (nodeadm writes them into its flags). The
# kubelet refuses to start with a --node-labels key in the kubernetes.io or k8s.io namespaces, or below them,
# unless Kubernetes lets kubelets set it on their own Node: Kubernetes 1.35 cmd/kubelet/app/options/options.go
# (ValidateKubeletFlags, isKubernetesLabel: "unknown 'kubernetes.io' or 'k8s.io' labels specified with
# --node-labels") over staging/src/k8s.io/kubelet/pkg/apis/well_known_labels.go (IsKubeletLabel).
KUBERNETES_LABEL_NAMESPACES = ("kubernetes.io", "k8s.io")
# well_known_labels.go kubeletLabelNamespaces: any key below these prefixes passes (v1.LabelNamespaceSuffixKubelet,
# v1.LabelNamespaceSuffixNode), e.g. node.kubernetes.io/exclude-from-external-load-balancers.
KUBELET_LABEL_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")
# well_known_labels.go kubeletLabels: the keys a kubelet may set outside those prefixes. They are its own: the
# kubelet sets hostname, os and arch itself (pkg/kubelet/kubelet_node_status.go initialNode, where a
# --node-labels value overwrites its default), the cloud provider sets zone, region and instance type from the
# instance. A value written in a stack file would overwrite the real one, so the platform refuses them too.
KUBELET_OWN_LABELS = frozenset(
    {
        "kubernetes.io/hostname",  # v1.LabelHostname
        "topology.kubernetes.io/zone",  # v1.LabelTopologyZone
        "topology.kubernetes.io/region",  # v1.LabelTopologyRegion
        "failure-domain.beta.kubernetes.io/zone",  # v1.LabelFailureDomainBetaZone
        "failure-domain.beta.kubernetes.io/region",  # v1.LabelFailureDomainBetaRegion
        "beta.kubernetes.io/instance-type",  # v1.LabelInstanceType
        "node.kubernetes.io/instance-type",  # v1.LabelInstanceTypeStable
        "kubernetes.io/os",  # v1.LabelOSStable
        "kubernetes.io/arch",  # v1.LabelArchStable
        "beta.kubernetes.io/os",  # kubeletapis.LabelOS
        "beta.kubernetes.io/arch",  # kubeletapis.LabelArch
    }
)


def label_namespace(key: str) -> str:
    """The prefix of a label key before its '/', or "" (well_known_labels.go getLabelNamespace)."""
    prefix, slash, _ = key.partition("/")
    return prefix if slash else ""


def in_label_namespace(key: str, namespaces: tuple[str, ...]) -> bool:
    """Whether `key`'s prefix is one of `namespaces` or a subdomain of one (node-role.kubernetes.io is below
    kubernetes.io), as options.go isKubernetesLabel and IsKubeletLabel read it."""
    prefix = label_namespace(key)
    return any(prefix == n or prefix.endswith("." + n) for n in namespaces)


def kubelet_refuses_label(key: str) -> bool:
    """Whether the kubelet 1.35 refuses to start with `key` among its --node-labels."""
    return (
        in_label_namespace(key, KUBERNETES_LABEL_NAMESPACES)
        and key not in KUBELET_OWN_LABELS
        and not in_label_namespace(key, KUBELET_LABEL_NAMESPACES)
    )
