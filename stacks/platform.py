"""Composition: the only module that knows every component. It turns validated config into component args
and wires outputs to inputs; ordering comes from those outputs and explicit `depends_on`, never from staged runs.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import Cluster, ClusterArgs, SystemNodesArgs
from components.model_cache import ModelCache, ModelCacheArgs
from components.network import Network, NetworkArgs
from components.node_group import ManagedNodeGroup, ManagedNodeGroupArgs
from stacks.access import POD_SECURITY, namespace_metadata, network_policies
from stacks.addon_values import MONITORING_NAMESPACE
from stacks.addons import KEDA_NAMESPACE, build_addons
from stacks.catalog import AMI_FAMILIES, EKS_ADDON_VERSIONS, GPU_INSTANCES, KUBERNETES_RELEASES
from stacks.config import PlatformConfig
from stacks.labels import pool_labels
from stacks.scheduling import CAPACITY_TYPE_LABEL, GPU_TAINT, POOL_LABEL
from stacks.serving_composition import build_models

# Config vocabulary (Karpenter's) -> EKS managed node group API.
EKS_CAPACITY_TYPE = {"on-demand": "ON_DEMAND", "spot": "SPOT"}


def build(cfg: PlatformConfig) -> dict[str, pulumi.Input]:
    """Declare the whole platform; returns the stack outputs."""
    ami = AMI_FAMILIES[cfg.node_ami.family]
    k8s_release = KUBERNETES_RELEASES[cfg.cluster.kubernetes_version]

    network = Network(
        "network",
        NetworkArgs(
            cidr=cfg.network.cidr,
            availability_zones=tuple(cfg.network.availability_zones),
            nat_per_az=cfg.network.nat_gateways == "perAz",
            cluster_name=cfg.cluster.name,
        ),
    )

    sys_cfg = cfg.cluster.system_node_group
    sys_arch = "x86_64"  # system instance types are not in the GPU catalog; the defaults are x86_64
    cluster = Cluster(
        "cluster",
        ClusterArgs(
            name=cfg.cluster.name,
            kubernetes_version=cfg.cluster.kubernetes_version,
            vpc_id=network.vpc_id,
            private_subnet_ids=network.private_subnet_ids,
            public_subnet_ids=network.public_subnet_ids,
            endpoint_private_access=cfg.cluster.endpoint.private_access,
            endpoint_public_access=cfg.cluster.endpoint.public_access,
            public_access_cidrs=tuple(str(c) for c in cfg.cluster.endpoint.public_access_cidrs),
            log_types=tuple(cfg.cluster.log_types),
            log_retention_days=cfg.cluster.log_retention_days,
            admin_role_arns=tuple(cfg.cluster.admin_role_arns),
            viewer_role_arns=tuple(cfg.access.read_only_role_arns),
            namespace_editor_role_arns=tuple(cfg.access.app_team_role_arns),
            editable_namespaces=(cfg.model_cache.namespace,),
            network_policy_enforcement=cfg.access.network_policies,
            vpc_cni_version=EKS_ADDON_VERSIONS["vpc-cni"],
            deletion_protection=cfg.cluster.deletion_protection,
            support_type=cfg.cluster.support_type,
            coredns_version=k8s_release.coredns,
            kube_proxy_version=k8s_release.kube_proxy,
            pod_identity_agent_version=EKS_ADDON_VERSIONS["eks-pod-identity-agent"],
            system_nodes=SystemNodesArgs(
                instance_types=tuple(sys_cfg.instance_types),
                ami_type=ami.system_ami_type[sys_arch],
                release_version=cfg.node_ami.release_version,
                image_volume_device=ami.image_volume_device,
                disk_size_gib=sys_cfg.disk_size_gib,
                min_size=sys_cfg.min_size,
                max_size=sys_cfg.max_size,
                desired_size=sys_cfg.initial_size,
                labels={POOL_LABEL: "system", CAPACITY_TYPE_LABEL: "on-demand"},
            ),
            node_network_ready=tuple(network.egress),
        ),
    )

    gpu_groups = []
    for group in cfg.gpu_node_groups:
        gpu = GPU_INSTANCES[group.instance_types[0]]
        gpu_groups.append(
            ManagedNodeGroup(
                f"gpu-{group.name}",
                ManagedNodeGroupArgs(
                    cluster_name=cluster.cluster_name,
                    node_role_arn=cluster.node_role.arn,
                    subnet_ids=network.private_subnet_ids,  # every private AZ
                    instance_types=tuple(group.instance_types),
                    capacity_type=EKS_CAPACITY_TYPE[group.capacity_type],
                    ami_type=ami.gpu_ami_type[gpu.arch],
                    release_version=cfg.node_ami.release_version,
                    image_volume_device=ami.image_volume_device,
                    disk_size_gib=group.disk_size_gib,
                    min_size=group.min_size,
                    max_size=group.max_size,
                    desired_size=group.initial_size,
                    # Config validation guarantees one GPU model per group.
                    labels=pool_labels(cfg, group.name, group.capacity_type, gpu, dict(group.labels)),
                    taints=(GPU_TAINT.for_eks(),),
                    tags={"llm-platform/pool": group.name},
                    # After the system nodes: cluster controllers (and later the GPU operator) come up before
                    # the first GPU node, and on destroy GPU nodes go before what manages them.
                    depends_on=(cluster.system_nodes.node_group, *cluster.node_role_ready, *network.egress),
                ),
            )
        )

    mc = cfg.model_cache
    namespace = k8s.core.v1.Namespace(
        "inference-namespace",
        metadata=namespace_metadata(mc.namespace, POD_SECURITY["inference"]),
        opts=pulumi.ResourceOptions(provider=cluster.k8s_provider),
    )
    if cfg.access.network_policies:
        for policy in network_policies(
            cfg.access.client_namespaces,
            MONITORING_NAMESPACE if cfg.addons.monitoring.enabled else None,
            KEDA_NAMESPACE if cfg.addons.keda_http.enabled else None,
        ):
            k8s.networking.v1.NetworkPolicy(
                f"inference-netpol-{policy['metadata']['name']}",
                metadata={**policy["metadata"], "namespace": namespace.metadata["name"]},
                spec=policy["spec"],
                opts=pulumi.ResourceOptions(provider=cluster.k8s_provider),
            )
    cache = ModelCache(
        "model-cache",
        ModelCacheArgs(
            cluster_name=cluster.cluster_name,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            node_security_group_id=cluster.cluster_security_group_id,
            namespace=namespace.metadata["name"],
            pvc_name=mc.pvc_name,
            size_gib=mc.size_gib,
            throughput_mode=mc.throughput_mode,
            protect=mc.protect,
            efs_csi_version=EKS_ADDON_VERSIONS["aws-efs-csi-driver"],
            k8s_provider=cluster.k8s_provider,
            addon_depends_on=(cluster.pod_identity_agent,),
        ),
    )

    addon_outputs, handles = build_addons(cfg, cluster)
    model_outputs = build_models(cfg, cluster, cache, namespace, handles)

    return {
        **addon_outputs,
        **model_outputs,
        "region": cfg.region,
        "clusterName": cluster.cluster_name,
        "kubeconfig": cluster.kubeconfig,
        "oidcProviderArn": cluster.oidc_provider_arn,
        "vpcId": network.vpc_id,
        "privateSubnetIds": network.private_subnet_ids,
        "publicSubnetIds": network.public_subnet_ids,
        "systemNodeGroupName": cluster.system_nodes.node_group_name,
        "gpuNodeGroupNames": {
            g.name: ng.node_group_name for g, ng in zip(cfg.gpu_node_groups, gpu_groups, strict=True)
        },
        "nodeRoleArn": cluster.node_role.arn,
        "modelCacheFileSystemId": cache.file_system_id,
        "modelCachePvcName": cache.pvc_name,
        "modelCacheNamespace": cache.pvc_namespace,
    }
