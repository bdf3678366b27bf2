"""Composition of the in-cluster add-ons: block storage, monitoring, GPU operator, KEDA, Karpenter.

Ordering: the system node group first (every controller runs there); kube-prometheus-stack before the charts
that create ServiceMonitors (GPU operator, KEDA, Karpenter) and before the platform's PrometheusRule, since they
need its CRDs; Karpenter as its component says. With an existing Prometheus (addons.monitoring.external) there
is no release to wait for: its prometheus-operator CRDs must already exist, or operatorCrds is false and none
of those objects is created.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from access.pod_security import POD_SECURITY, namespace_metadata
from catalog.amis import AMI_FAMILIES, karpenter_ami_alias
from catalog.charts import HELM_CHARTS
from catalog.kubernetes import EKS_ADDON_VERSIONS
from catalog.node_bootstrap import karpenter_user_data
from components.block_storage import BlockStorage, BlockStorageArgs
from components.helm_addon import HelmAddon, HelmAddonArgs
from components.karpenter import Karpenter, KarpenterArgs, NodePoolSpec
from fleet.resolved import Fleet, Pool
from helm_values.gpu_operator import gpu_operator_values
from helm_values.keda import keda_http_values, keda_values
from helm_values.monitoring import monitoring_values
from observability.alerts import platform_rules, runbooks_url
from observability.dashboards import all_dashboards, as_configmap_data
from observability.gateway import gateway_dashboard, gateway_rules
from stacks.cluster import ClusterRefs
from stacks.reservations import reservation_selector
from vocabulary import names
from vocabulary.addons import Release
from vocabulary.objects import DASHBOARD_LABEL, GRAFANA_ADMIN_SECRET, PART_OF
from vocabulary.scheduling import GPU_TAINT, POOL_TAG, SYSTEM_NODES

Resources = tuple[pulumi.Resource, ...]


@dataclass(frozen=True)
class AddonHandles:
    """What later parts wait for: the releases that bring the CRDs their objects use."""

    monitoring: Resources = ()  # empty with an existing Prometheus: its CRDs exist before this stack
    keda: Resources = ()
    keda_http: Resources = ()


def build_addons(fleet: Fleet, cluster: ClusterRefs) -> tuple[dict[str, pulumi.Input], AddonHandles]:
    system_ready: Resources = cluster.system_ready
    storage = BlockStorage(
        "block-storage",
        BlockStorageArgs(
            cluster_name=cluster.cluster_name,
            ebs_csi_version=EKS_ADDON_VERSIONS["aws-ebs-csi-driver"],
            k8s_provider=cluster.k8s_provider,
            addon_depends_on=cluster.pod_identity_ready,
        ),
    )
    outputs: dict[str, pulumi.Input] = {}
    monitoring: Resources = ()
    monitoring_namespace: Resources = ()
    if fleet.addons.monitoring:
        chart, namespace = _monitoring(fleet, fleet.addons.monitoring, cluster, storage, system_ready)
        monitoring, monitoring_namespace = (chart,), (namespace,)
    _rules_and_dashboards(fleet, cluster, monitoring, monitoring_namespace)
    if fleet.addons.prometheus_url:
        outputs["prometheusUrl"] = fleet.addons.prometheus_url
    if fleet.addons.grafana_service:
        outputs["grafanaService"] = fleet.addons.grafana_service
    if fleet.addons.gpu_operator:
        _gpu_operator(fleet, fleet.addons.gpu_operator, cluster, (*system_ready, *monitoring))
    keda = keda_http = keda_namespace = ()
    if fleet.addons.keda:
        keda_namespace = (addon_namespace("keda", fleet.addons.keda.namespace, cluster),)
        keda = _keda(fleet, fleet.addons.keda, cluster, (*system_ready, *monitoring, *keda_namespace))
    if fleet.addons.keda_http:
        # Its chart creates a ScaledObject for the interceptor: KEDA's CRDs must exist first.
        keda_http = _keda_http(fleet.addons.keda_http, cluster, (*system_ready, *keda, *keda_namespace))
    if fleet.config.addons.karpenter.enabled:
        # After monitoring: the chart renders its ServiceMonitor only if that CRD already exists.
        outputs |= _karpenter(fleet, cluster, (*system_ready, *cluster.pod_identity_ready, *monitoring))
    return outputs, AddonHandles(monitoring=monitoring, keda=keda, keda_http=keda_http)


def addon_namespace(role: str, name: str, cluster: ClusterRefs) -> k8s.core.v1.Namespace:
    """Our namespaces are ours, not the charts': created here so they carry Pod Security Admission labels."""
    return k8s.core.v1.Namespace(
        f"{role}-namespace",
        metadata=namespace_metadata(name, POD_SECURITY[role]),
        opts=pulumi.ResourceOptions(provider=cluster.k8s_provider),
    )


def addon_release(name: str, release: Release, cluster: ClusterRefs, **kwargs) -> HelmAddon:
    """One add-on through the Helm add-on pattern, at its pinned chart (which verifies the values)."""
    return HelmAddon(
        name,
        HelmAddonArgs(
            release=release.name,
            namespace=release.namespace,
            chart=HELM_CHARTS[release.chart],
            k8s_provider=cluster.k8s_provider,
            cluster_name=cluster.cluster_name,
            **kwargs,
        ),
    )


def _monitoring(
    fleet: Fleet, release: Release, cluster: ClusterRefs, storage: BlockStorage, after: Resources
) -> tuple[pulumi.Resource, pulumi.Resource]:
    """kube-prometheus-stack, its namespace and Grafana's admin Secret; returns the release (which brings the
    prometheus-operator CRDs) and the namespace."""
    k8s_opts = pulumi.ResourceOptions(provider=cluster.k8s_provider)
    namespace = addon_namespace("monitoring", release.namespace, cluster)
    admin = k8s.core.v1.Secret(
        "grafana-admin",
        metadata={"name": GRAFANA_ADMIN_SECRET, "namespace": namespace.metadata["name"]},
        type="Opaque",
        string_data={"admin-user": "admin", "admin-password": _grafana_password(fleet)},
        opts=k8s_opts,
    )
    chart = addon_release(
        "monitoring",
        release,
        cluster,
        values=monitoring_values(fleet.config.addons.monitoring, storage.storage_class_name),
        depends_on=(*after, namespace, admin, storage.storage_class, storage.addon),
    )
    return chart.release, namespace


def _rules_and_dashboards(fleet: Fleet, cluster: ClusterRefs, crds: Resources, namespace: Resources) -> None:
    """The platform's alert and recording rules and the dashboards, for our Prometheus and Grafana or for the
    existing ones. `crds`, `namespace`: our release and its namespace; both empty with an existing Prometheus,
    whose CRDs and namespaces must already exist (nothing here creates them, so there is nothing to wait for)."""
    addons = fleet.addons
    runbooks = runbooks_url(fleet.config.repository.url)
    if addons.rules_namespace:  # per-model rules live with each model
        k8s.apiextensions.CustomResource(
            "llm-platform-rules",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata={
                "name": names.PLATFORM_RULES,
                "namespace": addons.rules_namespace,
                "labels": dict(PART_OF),
            },
            spec={
                "groups": platform_rules(fleet.config.alerts, fleet.namespace, runbooks)
                + (gateway_rules(fleet.config.alerts, fleet.gateway, runbooks) if fleet.gateway else [])
            },
            opts=pulumi.ResourceOptions(provider=cluster.k8s_provider, depends_on=list(crds)),
        )
    if not addons.dashboards_namespace:
        return
    # Dashboards: ConfigMaps the Grafana sidecar picks up by their label.
    boards = all_dashboards(fleet)
    if fleet.gateway:
        boards[names.GATEWAY_DASHBOARD_UID] = gateway_dashboard(
            fleet.gateway, fleet.addons.grafana_datasource_uid
        )
    for uid, dashboard in boards.items():
        k8s.core.v1.ConfigMap(
            names.dashboard_configmap(uid),
            metadata={
                "name": names.dashboard_configmap(uid),
                "namespace": addons.dashboards_namespace,
                "labels": {**DASHBOARD_LABEL, **PART_OF},
            },
            data=as_configmap_data(dashboard),
            opts=pulumi.ResourceOptions(provider=cluster.k8s_provider, depends_on=list(namespace)),
        )


def _grafana_password(fleet: Fleet) -> pulumi.Output[str]:
    if fleet.config.grafana_admin_password is not None:
        return pulumi.Output.secret(fleet.config.grafana_admin_password.get_secret_value())
    generated = random.RandomPassword("grafana-admin", length=32, special=False)
    return pulumi.Output.secret(generated.result)


def _gpu_operator(fleet: Fleet, release: Release, cluster: ClusterRefs, after: Resources) -> None:
    slicing = {p.name: p.time_slices for p in fleet.pools.values() if p.time_slices > 1}
    addon_release(
        "gpu-operator",
        release,
        cluster,
        values=gpu_operator_values(
            AMI_FAMILIES[fleet.config.node_ami.family],
            slicing,
            service_monitor=fleet.addons.monitoring_crds,
        ),
        depends_on=(*after, addon_namespace("gpu-operator", release.namespace, cluster)),
    )


def _keda(fleet: Fleet, release: Release, cluster: ClusterRefs, after: Resources) -> Resources:
    chart = addon_release(
        "keda",
        release,
        cluster,
        values=keda_values(
            metrics=fleet.addons.prometheus_url is not None, service_monitors=fleet.addons.monitoring_crds
        ),
        depends_on=after,
    )
    return (chart.release,)


def _keda_http(release: Release, cluster: ClusterRefs, after: Resources) -> Resources:
    return (
        addon_release("keda-http", release, cluster, values=keda_http_values(), depends_on=after).release,
    )


def _karpenter(fleet: Fleet, cluster: ClusterRefs, after: Resources) -> dict[str, pulumi.Input]:
    cfg = fleet.config
    karpenter = Karpenter(
        "karpenter",
        KarpenterArgs(
            cluster_name=cluster.cluster_name,
            cluster_name_value=cfg.cluster.name,
            region=cfg.region,
            zones=cfg.network.zones,
            subnet_ids=cfg.network.existing.private_subnet_ids if cfg.network.existing else (),
            cluster_security_group_id=cluster.cluster_security_group_id,
            security_group_ids=cluster.security_group_ids_by_id,
            node_extra_policies=cluster.node_extra_policies,
            ami_alias=karpenter_ami_alias(cfg.node_ami.family, cfg.node_ami.release_version),
            image_volume_device=AMI_FAMILIES[cfg.node_ami.family].image_volume_device,
            crd_chart=HELM_CHARTS["karpenter-crd"],
            chart=HELM_CHARTS["karpenter"],
            node_pools=tuple(_node_pool_spec(p, fleet.drain_grace_s[p.name]) for p in fleet.node_pools),
            controller_node_selector=SYSTEM_NODES,
            user_data=karpenter_user_data(cfg.node_ami.family) if cfg.node_ami.fast_image_pull else None,
            service_monitor=fleet.addons.monitoring_crds,
            k8s_provider=cluster.k8s_provider,
            depends_on=after,
        ),
    )
    return {
        "karpenterNodeRoleArn": karpenter.node_role.arn,
        "karpenterInterruptionQueue": karpenter.queue.name,
        "karpenterNodePools": karpenter.node_pools,
    }


def _node_pool_spec(pool: Pool, drain_grace_s: int) -> NodePoolSpec:
    p = pool.config
    return NodePoolSpec(
        name=pool.name,
        capacity_type=pool.capacity_type,
        instance_families=tuple(p.instance_families),
        gpu_name=pool.gpu.gpu_name,
        labels=pool.labels,
        taints=(GPU_TAINT.for_kubernetes(),),
        limits=pool.limits,
        weight=p.weight,
        consolidate_after=p.consolidate_after,
        expire_after=p.expire_after,
        disk_size_gib=p.disk_size_gib,
        disk_iops=p.disk_iops,
        disk_throughput_mibps=p.disk_throughput_mibps,
        tags={POOL_TAG: pool.name},
        termination_grace_period=f"{drain_grace_s // 60}m",
        reservation=reservation_selector(p.capacity_reservation),
    )
