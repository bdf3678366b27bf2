"""Data tables the platform is built from: supported versions, AMI families, GPU instance types.

Everything here is data, not logic: adding an instance type or a Kubernetes version is a new row, never a new
`if`. Every version string is pinned; where it came from is written beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

Arch = Literal["x86_64", "arm64"]


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


@dataclass(frozen=True)
class AmiFamily:
    """How one EKS AMI family is named in each API that needs it.

    `release_pattern` matches the managed node group `release_version` of that family; its first group is
    what Karpenter's `amiSelectorTerms` alias takes after `@v`, so both fleets can be pinned to one release.
    """

    gpu_ami_type: MappingProxyType[str, str]
    system_ami_type: MappingProxyType[str, str]
    # The EBS device that holds container images: AL2023 keeps them on the root volume, Bottlerocket on its
    # second (data) volume. Sizing the wrong one leaves multi-GB inference images on a 20 GiB disk.
    image_volume_device: str
    release_pattern: re.Pattern[str]
    release_example: str
    karpenter_alias_prefix: str
    # Bottlerocket NVIDIA AMIs ship the device plugin themselves; AL2023 NVIDIA AMIs do not.
    ships_device_plugin: bool


AMI_FAMILIES: MappingProxyType[str, AmiFamily] = MappingProxyType(
    {
        "al2023": AmiFamily(
            gpu_ami_type=MappingProxyType(
                {"x86_64": "AL2023_x86_64_NVIDIA", "arm64": "AL2023_ARM_64_NVIDIA"}
            ),
            system_ami_type=MappingProxyType(
                {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD"}
            ),
            image_volume_device="/dev/xvda",
            # <kubernetes major.minor.patch>-<YYYYMMDD>: the "Release version" column of amazon-eks-ami's
            # CHANGELOG.md, e.g. v20260714 ships 1.35.6-20260714 and 1.34.9-20260714 (NVIDIA variants included).
            release_pattern=re.compile(r"^(?P<k8s>1\.\d+)\.\d+-(?P<alias>\d{8})$"),
            release_example="1.35.6-20260714",
            karpenter_alias_prefix="al2023",
            ships_device_plugin=False,
        ),
        "bottlerocket": AmiFamily(
            gpu_ami_type=MappingProxyType(
                {"x86_64": "BOTTLEROCKET_x86_64_NVIDIA", "arm64": "BOTTLEROCKET_ARM_64_NVIDIA"}
            ),
            system_ami_type=MappingProxyType(
                {"x86_64": "BOTTLEROCKET_x86_64", "arm64": "BOTTLEROCKET_ARM_64"}
            ),
            image_volume_device="/dev/xvdb",
            # <bottlerocket X.Y.Z>-<8 hex build>: SSM /aws/service/bottlerocket/aws-k8s-<minor>-nvidia/x86_64/
            # latest/image_version, e.g. 1.65.0-0be31b34. The Kubernetes minor is the variant's.
            release_pattern=re.compile(r"^(?P<alias>\d+\.\d+\.\d+)-[0-9a-f]{8}$"),
            release_example="1.65.0-0be31b34",
            karpenter_alias_prefix="bottlerocket",
            ships_device_plugin=True,
        ),
    }
)


@dataclass(frozen=True)
class GpuInstance:
    """One EC2 GPU instance type. `gpu_name` uses Karpenter's `karpenter.k8s.aws/instance-gpu-name` values, so
    one node label vocabulary serves managed node groups and Karpenter NodePools alike."""

    family: str
    gpu_name: str
    gpu_count: int
    gpu_memory_gib: int
    vcpu: int
    memory_gib: int
    arch: Arch = "x86_64"

    @property
    def reported_memory_gib(self) -> float:
        """Memory per GPU as the driver reports it (nvidia-smi), which is what vLLM's utilisation applies to."""
        return GPU_MEMORY_MIB[(self.gpu_name, self.gpu_memory_gib)] / 1024


# Total memory per GPU as nvidia-smi reports it, in MiB (NVIDIA datasheets and nvidia-smi output quoted in
# public bug reports): marketed "24 GB" is 22.5 GiB, which decides whether an 8B model fits with KV to spare.
GPU_MEMORY_MIB: MappingProxyType[tuple[str, int], int] = MappingProxyType(
    {
        ("t4", 16): 15360,
        ("a10g", 24): 23028,
        ("l4", 24): 23034,
        ("l40s", 48): 46068,
        ("a100", 40): 40960,
        ("a100", 80): 81920,
        ("h100", 80): 81559,
        ("h200", 141): 143771,
    }
)


def _family(
    family: str, gpu: str, gpu_mem: int, rows: dict[str, tuple[int, int, int]]
) -> dict[str, GpuInstance]:
    return {
        f"{family}.{size}": GpuInstance(family, gpu, count, gpu_mem, vcpu, mem)
        for size, (count, vcpu, mem) in rows.items()
    }


# Source: AWS EC2 accelerated-computing instance specifications (aws.amazon.com/ec2/instance-types), read
# 2026-11. Columns per size: (GPUs, vCPUs, memory GiB). GPU memory is per GPU, in GiB as marketed.
GPU_INSTANCES: MappingProxyType[str, GpuInstance] = MappingProxyType(
    {
        **_family(
            "g4dn",
            "t4",
            16,
            {
                "xlarge": (1, 4, 16),
                "2xlarge": (1, 8, 32),
                "4xlarge": (1, 16, 64),
                "8xlarge": (1, 32, 128),
                "12xlarge": (4, 48, 192),
                "16xlarge": (1, 64, 256),
                "metal": (8, 96, 384),
            },
        ),
        **_family(
            "g5",
            "a10g",
            24,
            {
                "xlarge": (1, 4, 16),
                "2xlarge": (1, 8, 32),
                "4xlarge": (1, 16, 64),
                "8xlarge": (1, 32, 128),
                "12xlarge": (4, 48, 192),
                "16xlarge": (1, 64, 256),
                "24xlarge": (4, 96, 384),
                "48xlarge": (8, 192, 768),
            },
        ),
        **_family(
            "g6",
            "l4",
            24,
            {
                "xlarge": (1, 4, 16),
                "2xlarge": (1, 8, 32),
                "4xlarge": (1, 16, 64),
                "8xlarge": (1, 32, 128),
                "12xlarge": (4, 48, 192),
                "16xlarge": (1, 64, 256),
                "24xlarge": (4, 96, 384),
                "48xlarge": (8, 192, 768),
            },
        ),
        **_family(
            "g6e",
            "l40s",
            48,
            {
                "xlarge": (1, 4, 32),
                "2xlarge": (1, 8, 64),
                "4xlarge": (1, 16, 128),
                "8xlarge": (1, 32, 256),
                "12xlarge": (4, 48, 384),
                "16xlarge": (1, 64, 512),
                "24xlarge": (4, 96, 768),
                "48xlarge": (8, 192, 1536),
            },
        ),
        **_family("p4d", "a100", 40, {"24xlarge": (8, 96, 1152)}),
        **_family("p4de", "a100", 80, {"24xlarge": (8, 96, 1152)}),
        **_family("p5", "h100", 80, {"4xlarge": (1, 16, 256), "48xlarge": (8, 192, 2048)}),
        **_family("p5e", "h200", 141, {"48xlarge": (8, 192, 2048)}),
        **_family("p5en", "h200", 141, {"48xlarge": (8, 192, 2048)}),
    }
)


def karpenter_ami_alias(family: str, release_version: str) -> str:
    """The Karpenter `amiSelectorTerms` alias pinned to the same AMI release as the managed node groups."""
    fam = AMI_FAMILIES[family]
    match = fam.release_pattern.match(release_version)
    if match is None:
        raise ValueError(
            f"{release_version!r} is not a {family} release version (e.g. {fam.release_example})"
        )
    return f"{fam.karpenter_alias_prefix}@v{match['alias']}"


@dataclass(frozen=True)
class ChartPin:
    """One pinned Helm chart. Every value we set is checked against `values_url` (the chart's values.yaml at
    exactly this version). `images` lists what the chart deploys by default at this version: the chart pins
    them, so pinning the chart pins the images."""

    chart: str
    repository: str
    version: str
    values_url: str
    images: tuple[str, ...]
    # Value paths we set, each read in `values_url` at `version`. A path ends where the chart takes free-form
    # data (a nodeSelector map, a resources block): everything below it is the chart's schema, not ours.
    settable: frozenset[str] = frozenset()

    def require_verified(self, values: Mapping[str, Any]) -> None:
        """Refuse, before anything is registered, a value path nobody read in this chart version's values.yaml."""
        bad = self.unverified_paths(values)
        if bad:
            raise ValueError(
                f"{self.chart} {self.version}: values {', '.join(bad)} are not among the paths verified in "
                f"{self.values_url}; read them there and add them to HELM_CHARTS[...].settable"
            )

    def unverified_paths(self, values: Mapping[str, Any], prefix: str = "") -> list[str]:
        """Paths in `values` not read in this chart version's values.yaml (a typo, or a key that moved)."""
        bad: list[str] = []
        for key, value in values.items():
            path = f"{prefix}{key}"
            if path in self.settable:
                continue
            if isinstance(value, Mapping) and any(s.startswith(f"{path}.") for s in self.settable):
                bad.extend(self.unverified_paths(value, f"{path}."))
            else:
                bad.append(path)
        return bad


HELM_CHARTS: MappingProxyType[str, ChartPin] = MappingProxyType(
    {
        "kube-prometheus-stack": ChartPin(
            chart="kube-prometheus-stack",
            repository="https://prometheus-community.github.io/helm-charts",
            version="88.5.3",
            values_url="https://github.com/prometheus-community/helm-charts/blob/kube-prometheus-stack-88.5.3/"
            "charts/kube-prometheus-stack/values.yaml",
            images=(
                "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
                "grafana 13.2.0 (subchart 12.11.1)",
                "kube-state-metrics (subchart 8.4.0)",
                "prometheus-node-exporter (subchart 4.56.1)",
            ),
            settable=frozenset(
                {
                    "crds.enabled",
                    "kubeControllerManager.enabled",
                    "kubeScheduler.enabled",
                    "kubeEtcd.enabled",
                    "kubeProxy.enabled",
                    "prometheusOperator.nodeSelector",
                    "prometheusOperator.admissionWebhooks.patch.nodeSelector",
                    *(
                        f"prometheus.prometheusSpec.{k}"
                        for k in (
                            "serviceMonitorSelectorNilUsesHelmValues",
                            "podMonitorSelectorNilUsesHelmValues",
                            "ruleSelectorNilUsesHelmValues",
                            "probeSelectorNilUsesHelmValues",
                            "scrapeConfigSelectorNilUsesHelmValues",
                            "retention",
                            "scrapeInterval",
                            "evaluationInterval",
                            "nodeSelector",
                            "resources",
                            "storageSpec",
                        )
                    ),
                    "alertmanager.enabled",
                    "alertmanager.alertmanagerSpec.nodeSelector",
                    # grafana.* below the first level are the grafana subchart's (12.11.1) values.
                    "grafana.enabled",
                    "grafana.nodeSelector",
                    "grafana.admin.existingSecret",
                    "grafana.admin.userKey",
                    "grafana.admin.passwordKey",
                    *(
                        f"grafana.sidecar.dashboards.{k}"
                        for k in ("enabled", "label", "labelValue", "searchNamespace")
                    ),
                    "prometheus-node-exporter.tolerations",  # subchart 4.56.1
                    "kube-state-metrics.nodeSelector",  # subchart 8.4.0
                    "kube-state-metrics.metricLabelsAllowlist",  # subchart 8.4.0 (default [])
                }
            ),
        ),
        "gpu-operator": ChartPin(
            chart="gpu-operator",
            repository="https://helm.ngc.nvidia.com/nvidia",
            version="v26.7.0",  # with the leading v, as NVIDIA publishes it
            values_url="https://github.com/NVIDIA/gpu-operator/blob/v26.7.0/deployments/gpu-operator/values.yaml",
            images=(
                "nvcr.io/nvidia/gpu-operator:v26.7.0",
                "nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
                "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless",
            ),
            settable=frozenset(
                {
                    "driver.enabled",
                    "toolkit.enabled",
                    "devicePlugin.enabled",
                    "devicePlugin.config.create",
                    "devicePlugin.config.name",
                    "devicePlugin.config.data",
                    "dcgmExporter.enabled",
                    "dcgmExporter.serviceMonitor.enabled",
                    "dcgmExporter.serviceMonitor.interval",
                    "dcgmExporter.serviceMonitor.honorLabels",
                    "gfd.enabled",
                    "nfd.enabled",
                    "migManager.enabled",
                    "operator.nodeSelector",
                }
            ),
        ),
        # Helm installs a chart's crds/ only on first install and never upgrades them; Karpenter's own
        # karpenter-crd chart ships them as templates, so `pulumi up` after a version bump upgrades them too.
        "karpenter-crd": ChartPin(
            chart="karpenter-crd",
            repository="oci://public.ecr.aws/karpenter",
            version="1.14.1",
            values_url="https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/charts/karpenter-crd/values.yaml",
            images=(),
        ),
        "karpenter": ChartPin(
            chart="karpenter",
            repository="oci://public.ecr.aws/karpenter",
            version="1.14.1",
            values_url="https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/charts/karpenter/values.yaml",
            images=(
                "public.ecr.aws/karpenter/controller:1.14.1@sha256:723130949e4cab989461ff07d1be4cd781d63515432494641b33c235f300ae23",
            ),
            settable=frozenset(
                {
                    "settings.clusterName",
                    "settings.interruptionQueue",
                    "nodeSelector",
                    "replicas",
                    "controller.resources",
                    "serviceMonitor.enabled",
                }
            ),
        ),
        "keda": ChartPin(
            chart="keda",
            repository="https://kedacore.github.io/charts",
            version="2.20.2",
            values_url="https://github.com/kedacore/charts/blob/v2.20.2/keda/values.yaml",
            images=(
                "ghcr.io/kedacore/keda:2.20.2",
                "ghcr.io/kedacore/keda-metrics-apiserver:2.20.2",
                "ghcr.io/kedacore/keda-admission-webhooks:2.20.2",
            ),
            settable=frozenset(
                {
                    "nodeSelector",
                    "operator.replicaCount",
                    "webhooks.enabled",
                    "webhooks.replicaCount",
                    "podDisruptionBudget.operator",
                    "podDisruptionBudget.metricServer",
                    "podDisruptionBudget.webhooks",
                    *(
                        f"prometheus.{c}.{k}"
                        for c in ("operator", "metricServer", "webhooks")
                        for k in ("enabled", "serviceMonitor.enabled")
                    ),
                }
            ),
        ),
        # KEDA's HTTP add-on: the newest release whose chart and CRDs we read (0.16.0 was announced, unread).
        "keda-add-ons-http": ChartPin(
            chart="keda-add-ons-http",
            repository="https://kedacore.github.io/charts",
            version="0.15.0",
            values_url="https://github.com/kedacore/charts/blob/c4b92e9eed0ddc6668b1395d5f137e3ad4baa3d4/"
            "http-add-on/values.yaml",
            images=(
                "ghcr.io/kedacore/http-add-on-interceptor:0.15.0",
                "ghcr.io/kedacore/http-add-on-scaler:0.15.0",
                "ghcr.io/kedacore/http-add-on-operator:0.15.0",
            ),
            settable=frozenset(
                {
                    "crds.install",
                    "operator.nodeSelector",
                    "scaler.nodeSelector",
                    "interceptor.nodeSelector",
                    "interceptor.replicas.min",
                    "interceptor.readinessTimeout",
                    "interceptor.responseHeaderTimeout",
                }
            ),
        ),
    }
)


def gpu_of_family(family: str) -> GpuInstance:
    """The GPU every size of an instance family carries (one GPU model per family in this catalog)."""
    return next(i for i in GPU_INSTANCES.values() if i.family == family)


# On-demand Linux USD/hour. us-east-1: aws/karpenter-provider-aws pkg/providers/pricing/
# zz_generated.pricing_aws.go at v1.14.1 ("generated at 2026-07-06T14:20:29Z for us-east-1"); us-west-2:
# skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv (commit e385a0d3), whose us-east-1 rows equal
# Karpenter's. Prices are after AWS's June 2025 P4/P5 cut. p5e.48xlarge is sold only as Capacity Blocks: no
# on-demand price. Both regions list the same prices; other regions have no price here (reports say "n/a").
_PRICES_2026_07 = {
    "g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752, "g4dn.4xlarge": 1.204, "g4dn.8xlarge": 2.176,
    "g4dn.12xlarge": 3.912, "g4dn.16xlarge": 4.352, "g4dn.metal": 7.824,
    "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.8xlarge": 2.448, "g5.12xlarge": 5.672,
    "g5.16xlarge": 4.096, "g5.24xlarge": 8.144, "g5.48xlarge": 16.288,
    "g6.xlarge": 0.8048, "g6.2xlarge": 0.9776, "g6.4xlarge": 1.3232, "g6.8xlarge": 2.0144, "g6.12xlarge": 4.6016,
    "g6.16xlarge": 3.3968, "g6.24xlarge": 6.6752, "g6.48xlarge": 13.3504,
    "g6e.xlarge": 1.861, "g6e.2xlarge": 2.24208, "g6e.4xlarge": 3.00424, "g6e.8xlarge": 4.52856,
    "g6e.12xlarge": 10.49264, "g6e.16xlarge": 7.57719, "g6e.24xlarge": 15.06559, "g6e.48xlarge": 30.13118,
    "p4d.24xlarge": 21.957642, "p4de.24xlarge": 27.44705,
    "p5.4xlarge": 6.88, "p5.48xlarge": 55.04, "p5en.48xlarge": 63.296,
}  # fmt: skip
PRICE_SOURCE = "AWS Pricing API snapshots of 2026-07 (Karpenter v1.14.1 generated table; SkyPilot catalog v8)"
ON_DEMAND_USD_PER_HOUR: MappingProxyType[str, MappingProxyType[str, float]] = MappingProxyType(
    {region: MappingProxyType(_PRICES_2026_07) for region in ("us-east-1", "us-west-2")}
)

# Spot as a fraction of on-demand: the zone-averaged SkyPilot spot snapshots for us-east-1/us-west-2 (2026),
# rounded up so estimates err expensive. Spot for p4de/p5/p5en capacity is thin: treat as a hope, not a plan.
SPOT_FRACTION: MappingProxyType[str, float] = MappingProxyType(
    {"g4dn": 0.42, "g5": 0.41, "g6": 0.47, "g6e": 0.42, "p4d": 0.50, "p4de": 0.50, "p5": 0.40, "p5en": 0.40}
)


def on_demand_price(region: str, instance_type: str) -> float | None:
    return ON_DEMAND_USD_PER_HOUR.get(region, {}).get(instance_type)


def spot_price_estimate(region: str, instance_type: str) -> float | None:
    price = on_demand_price(region, instance_type)
    fraction = SPOT_FRACTION.get(instance_type.split(".")[0])
    return None if price is None or fraction is None else price * fraction


# Container images the platform runs itself. vLLM v0.3x images are built on CUDA 13 and need an R580+ driver:
# the pinned AL2023 NVIDIA AMI (v20260714) ships 580.159.03. The vLLM image also carries huggingface_hub's
# `hf` CLI, so the weights preload uses the same reviewed image instead of installing tools at run time.
SERVING_IMAGES: MappingProxyType[str, str] = MappingProxyType(
    {
        "vllm": "vllm/vllm-openai:v0.31.0",
        "aws-cli": "amazon/aws-cli:2.37.12",
    }
)
