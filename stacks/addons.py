"""Composition of the in-cluster add-ons: block storage, monitoring, GPU operator, KEDA, Karpenter.

Ordering: the system node group first (every controller runs there); kube-prometheus-stack before the charts
that create ServiceMonitors (GPU operator, KEDA), since they need its CRDs; Karpenter as its component says.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.block_storage import BlockStorage, BlockStorageArgs
from components.cluster import Cluster
from components.helm_addon import HelmAddon, HelmAddonArgs
from components.karpenter import Karpenter, KarpenterArgs, NodePoolSpec
from stacks.access import POD_SECURITY, namespace_metadata
from stacks.addon_values import (
    GRAFANA_ADMIN_SECRET,
    GRAFANA_SERVICE,
    MONITORING_NAMESPACE,
    MONITORING_RELEASE,
    PROMETHEUS_URL,
    SYSTEM_NODES,
    gpu_operator_values,
    keda_http_values,
    keda_values,
    monitoring_values,
)
from stacks.alerts import platform_rules
from stacks.catalog import (
    AMI_FAMILIES,
    EKS_ADDON_VERSIONS,
    HELM_CHARTS,
    gpu_of_family,
    karpenter_ami_alias,
)
from stacks.config import PlatformConfig
from stacks.dashboards import all_dashboards, as_configmap_data
from stacks.labels import pool_labels
from stacks.model_sizing import gpu_pools
from stacks.scheduling import GPU_TAINT

KEDA_NAMESPACE = "keda"  # KEDA and its HTTP add-on (the add-on's docs: same namespace)
GPU_OPERATOR_NAMESPACE = "gpu-operator"


def _namespace(role: str, name: str, cluster: Cluster) -> k8s.core.v1.Namespace:
    """Our namespaces are ours, not the charts': created here so they carry Pod Security Admission labels."""
    return k8s.core.v1.Namespace(
        f"{role}-namespace",
        metadata=namespace_metadata(name, POD_SECURITY[role]),
        opts=pulumi.ResourceOptions(provider=cluster.k8s_provider),
    )


def _addon(name: str, cluster: Cluster, **kwargs) -> HelmAddon:
    pin = HELM_CHARTS[kwargs.pop("chart_key", name)]
    pin.require_verified(kwargs["values"])
    return HelmAddon(
        name,
        HelmAddonArgs(
            chart=pin.chart,
            repository=pin.repository,
            version=pin.version,
            k8s_provider=cluster.k8s_provider,
            cluster_name=cluster.cluster_name,
            **kwargs,
        ),
    )


@dataclass(frozen=True)
class AddonHandles:
    """What later parts wait for: the releases that bring the CRDs their objects use."""

    monitoring: tuple[pulumi.Resource, ...] = ()
    keda: tuple[pulumi.Resource, ...] = ()
    keda_http: tuple[pulumi.Resource, ...] = ()


def build_addons(cfg: PlatformConfig, cluster: Cluster) -> tuple[dict[str, pulumi.Input], AddonHandles]:
    addons = cfg.addons
    keda_release: tuple[pulumi.Resource, ...] = ()
    system_ready: tuple[pulumi.Resource, ...] = (cluster.system_nodes.node_group,)
    outputs: dict[str, pulumi.Input] = {}

    storage = BlockStorage(
        "block-storage",
        BlockStorageArgs(
            cluster_name=cluster.cluster_name,
            ebs_csi_version=EKS_ADDON_VERSIONS["aws-ebs-csi-driver"],
            k8s_provider=cluster.k8s_provider,
            addon_depends_on=(cluster.pod_identity_agent,),
        ),
    )

    service_monitor_crds: tuple[pulumi.Resource, ...] = ()
    if addons.monitoring.enabled:
        namespace = _namespace("monitoring", MONITORING_NAMESPACE, cluster)
        if cfg.grafana_admin_password is not None:
            password = pulumi.Output.secret(cfg.grafana_admin_password.get_secret_value())
        else:
            generated = random.RandomPassword("grafana-admin", length=32, special=False)
            password = pulumi.Output.secret(generated.result)
        admin = k8s.core.v1.Secret(
            "grafana-admin",
            metadata={"name": GRAFANA_ADMIN_SECRET, "namespace": namespace.metadata["name"]},
            type="Opaque",
            string_data={"admin-user": "admin", "admin-password": password},
            opts=pulumi.ResourceOptions(provider=cluster.k8s_provider),
        )
        monitoring = _addon(
            "monitoring",
            cluster,
            chart_key="kube-prometheus-stack",
            release=MONITORING_RELEASE,
            namespace=MONITORING_NAMESPACE,
            values=monitoring_values(cfg, storage.storage_class_name),
            depends_on=(*system_ready, namespace, admin, storage.storage_class, storage.addon),
        )
        service_monitor_crds = (monitoring.release,)
        outputs |= {"prometheusUrl": PROMETHEUS_URL, "grafanaService": GRAFANA_SERVICE}
        # Platform-wide alert and recording rules (per-model ones live with each model).
        k8s.apiextensions.CustomResource(
            "llm-platform-rules",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata={
                "name": "llm-platform",
                "namespace": MONITORING_NAMESPACE,
                "labels": {"app.kubernetes.io/part-of": "llm-platform"},
            },
            spec={"groups": platform_rules(cfg.alerts, cfg.model_cache.namespace)},
            opts=pulumi.ResourceOptions(provider=cluster.k8s_provider, depends_on=[monitoring.release]),
        )
        # Dashboards: ConfigMaps the Grafana sidecar picks up (label grafana_dashboard: "1").
        pools = gpu_pools(cfg)
        for uid, dashboard in all_dashboards(
            cfg.region, cfg.model_cache.namespace, [t for p in pools.values() for t in p.instance_types]
        ).items():
            k8s.core.v1.ConfigMap(
                f"dashboard-{uid}",
                metadata={
                    "name": f"dashboard-{uid}",
                    "namespace": MONITORING_NAMESPACE,
                    "labels": {"grafana_dashboard": "1", "app.kubernetes.io/part-of": "llm-platform"},
                },
                data=as_configmap_data(dashboard),
                opts=pulumi.ResourceOptions(provider=cluster.k8s_provider, depends_on=[namespace]),
            )

    if addons.gpu_operator.enabled:
        _addon(
            "gpu-operator",
            cluster,
            release="gpu-operator",
            namespace=GPU_OPERATOR_NAMESPACE,
            values=gpu_operator_values(cfg),
            depends_on=(
                *system_ready,
                *service_monitor_crds,
                _namespace("gpu-operator", GPU_OPERATOR_NAMESPACE, cluster),
            ),
        )

    keda_namespace: tuple[pulumi.Resource, ...] = ()
    if addons.keda.enabled:
        keda_namespace = (_namespace("keda", KEDA_NAMESPACE, cluster),)
        keda = _addon(
            "keda",
            cluster,
            release="keda",
            namespace=KEDA_NAMESPACE,
            values=keda_values(cfg),
            depends_on=(*system_ready, *service_monitor_crds, *keda_namespace),
        )
        keda_release = (keda.release,)

    keda_http_release: tuple[pulumi.Resource, ...] = ()
    if addons.keda_http.enabled:
        keda_http = _addon(
            "keda-http",
            cluster,
            chart_key="keda-add-ons-http",
            release="keda-add-ons-http",
            namespace=KEDA_NAMESPACE,
            values=keda_http_values(cfg),
            # Its chart creates a ScaledObject for the interceptor: KEDA's CRDs must exist first.
            depends_on=(*system_ready, *keda_release, *keda_namespace),
        )
        keda_http_release = (keda_http.release,)

    if addons.karpenter.enabled:
        ami = AMI_FAMILIES[cfg.node_ami.family]
        specs = tuple(
            NodePoolSpec(
                name=p.name,
                capacity_type=p.capacity_type,
                instance_families=tuple(p.instance_families),
                gpu_name=gpu_of_family(p.instance_families[0]).gpu_name,
                labels=pool_labels(cfg, p.name, p.capacity_type, gpu_of_family(p.instance_families[0])),
                taints=(GPU_TAINT.for_kubernetes(),),
                gpu_limit=p.gpu_limit,
                weight=p.weight,
                consolidate_after=p.consolidate_after,
                expire_after=p.expire_after,
                disk_size_gib=p.disk_size_gib,
            )
            for p in addons.karpenter.node_pools
        )
        karpenter = Karpenter(
            "karpenter",
            KarpenterArgs(
                cluster_name=cluster.cluster_name,
                cluster_name_value=cfg.cluster.name,
                region=cfg.region,
                zones=tuple(cfg.network.availability_zones),
                cluster_security_group_id=cluster.cluster_security_group_id,
                ami_alias=karpenter_ami_alias(cfg.node_ami.family, cfg.node_ami.release_version),
                image_volume_device=ami.image_volume_device,
                crd_chart=HELM_CHARTS["karpenter-crd"],
                chart=HELM_CHARTS["karpenter"],
                node_pools=specs,
                controller_node_selector=SYSTEM_NODES,
                service_monitor=addons.monitoring.enabled,
                k8s_provider=cluster.k8s_provider,
                # After monitoring: the chart renders its ServiceMonitor only if that CRD already exists.
                depends_on=(*system_ready, cluster.pod_identity_agent, *service_monitor_crds),
            ),
        )
        outputs |= {
            "karpenterNodeRoleArn": karpenter.node_role.arn,
            "karpenterInterruptionQueue": karpenter.queue.name,
            "karpenterNodePools": karpenter.node_pools,
        }
    return outputs, AddonHandles(
        monitoring=service_monitor_crds, keda=keda_release, keda_http=keda_http_release
    )
