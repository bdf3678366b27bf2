"""Composition: the only module that knows every component. It turns the resolved fleet into component args
and wires outputs to inputs; ordering comes from those outputs and explicit `depends_on`, never from staged runs.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from access.network_policies import network_policies
from access.pod_security import POD_SECURITY, namespace_metadata
from catalog.amis import AMI_FAMILIES
from catalog.kubernetes import EKS_ADDON_VERSIONS
from catalog.node_bootstrap import node_group_user_data
from components.model_cache import ModelCache, ModelCacheArgs
from components.node_group import ManagedNodeGroup, ManagedNodeGroupArgs
from fleet.resolved import Fleet, Pool
from stacks.addons import build_addons
from stacks.cluster import ClusterRefs, build_cluster
from stacks.gateway import build_gateway
from stacks.model_servers import build_model_servers
from stacks.network import NetworkIds, build_network
from stacks.reservations import reservation_target
from vocabulary import names
from vocabulary.scheduling import GPU_TAINT, POOL_TAG

# Config vocabulary (Karpenter's) -> EKS managed node group API; a reserved group by its reservation's type.
EKS_CAPACITY_TYPE = {
    "on-demand": "ON_DEMAND",
    "spot": "SPOT",
    "odcr": "ON_DEMAND",
    "capacityBlock": "CAPACITY_BLOCK",
}


def build(fleet: Fleet) -> dict[str, pulumi.Input]:
    """Declare the whole platform; returns the stack outputs."""
    network = build_network(fleet)
    cluster = build_cluster(fleet, network)
    gpu_groups = {p.name: _gpu_node_group(fleet, p, cluster, network) for p in fleet.node_groups}
    namespace = _inference_namespace(fleet, cluster)
    cache = _model_cache(fleet, cluster, network, namespace)
    addon_outputs, handles = build_addons(fleet, cluster)
    model_outputs = build_model_servers(fleet, cluster, cache, namespace, handles)
    gateway_outputs = build_gateway(fleet, cluster, network, handles)
    outputs = {
        **addon_outputs,
        **model_outputs,
        **gateway_outputs,
        "region": fleet.region,
        "clusterName": cluster.cluster_name,
        "kubeconfig": cluster.kubeconfig,
        "oidcProviderArn": cluster.oidc_provider_arn,
        "vpcId": network.vpc_id,
        "privateSubnetIds": network.private_subnet_ids,
        "publicSubnetIds": network.public_subnet_ids,
        "systemNodeGroupName": cluster.system_node_group_name,
        "gpuNodeGroupNames": {name: ng.node_group_name for name, ng in gpu_groups.items()},
        "nodeRoleArn": cluster.node_role.arn,
        "modelCacheFileSystemId": cache.file_system_id,
        "modelCachePvcName": cache.pvc_name,
        "modelCacheNamespace": cache.pvc_namespace,
    }
    # An existing cluster has no system node group of the platform's, and its OIDC provider is its owners'.
    return {name: value for name, value in outputs.items() if value is not None}


def _gpu_node_group(fleet: Fleet, pool: Pool, cluster: ClusterRefs, network: NetworkIds) -> ManagedNodeGroup:
    cfg, group, reservation = fleet.config, pool.config, pool.reservation
    ami = AMI_FAMILIES[cfg.node_ami.family]
    return ManagedNodeGroup(
        names.gpu_node_group(pool.name),
        ManagedNodeGroupArgs(
            cluster_name=cluster.cluster_name,
            node_role_arn=cluster.node_role.arn,
            # Every private AZ; a zonal reservation's zone only.
            subnet_ids=network.private_subnets_in(reservation.availability_zone if reservation else None),
            instance_types=pool.instance_types,
            capacity_type=EKS_CAPACITY_TYPE[reservation.type if reservation else pool.capacity_type],
            capacity_reservation=reservation_target(reservation),
            # Config validation guarantees one GPU model, and so one architecture, per group.
            ami_type=ami.gpu_ami_type[pool.gpu.arch],
            release_version=cfg.node_ami.release_version,
            image_volume_device=ami.image_volume_device,
            disk_size_gib=group.disk_size_gib,
            disk_iops=group.disk_iops,
            disk_throughput_mibps=group.disk_throughput_mibps,
            user_data=node_group_user_data(cfg.node_ami.family) if cfg.node_ami.fast_image_pull else None,
            min_size=group.min_size,
            max_size=group.max_size,
            desired_size=group.initial_size,
            labels=dict(pool.labels),
            taints=(GPU_TAINT.for_eks(),),
            tags={POOL_TAG: pool.name},
            # After the system nodes: cluster controllers (and later the GPU operator) come up before the
            # first GPU node, and on destroy GPU nodes go before what manages them.
            depends_on=(*cluster.system_ready, *cluster.node_role_ready, *network.egress),
        ),
    )


def _inference_namespace(fleet: Fleet, cluster: ClusterRefs) -> k8s.core.v1.Namespace:
    """The models' namespace, with Pod Security labels and (when on) default-deny ingress plus its allows."""
    k8s_opts = pulumi.ResourceOptions(provider=cluster.k8s_provider)
    namespace = k8s.core.v1.Namespace(
        "inference-namespace",
        metadata=namespace_metadata(fleet.namespace, POD_SECURITY["inference"]),
        opts=k8s_opts,
    )
    access, addons = fleet.config.access, fleet.addons
    if access.network_policies:
        for policy in network_policies(
            access.client_namespaces,
            addons.prometheus_namespace,  # ours, or an existing Prometheus's
            addons.keda_http.namespace if addons.keda_http else None,
            fleet.gateway.namespace if fleet.gateway else None,
        ):
            k8s.networking.v1.NetworkPolicy(
                f"inference-netpol-{policy['metadata']['name']}",
                metadata={**policy["metadata"], "namespace": namespace.metadata["name"]},
                spec=policy["spec"],
                opts=k8s_opts,
            )
    return namespace


def _model_cache(
    fleet: Fleet, cluster: ClusterRefs, network: NetworkIds, namespace: k8s.core.v1.Namespace
) -> ModelCache:
    mc = fleet.config.model_cache
    return ModelCache(
        "model-cache",
        ModelCacheArgs(
            cluster_name=cluster.cluster_name,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_per_zone,
            node_security_group_id=cluster.cluster_security_group_id,
            namespace=namespace.metadata["name"],
            pvc_name=mc.pvc_name,
            size_gib=mc.size_gib,
            throughput_mode=mc.throughput_mode,
            protect=mc.protect,
            efs_csi_version=EKS_ADDON_VERSIONS["aws-efs-csi-driver"],
            k8s_provider=cluster.k8s_provider,
            addon_depends_on=cluster.pod_identity_ready,
        ),
    )
