"""The cluster the rest of the platform is installed into: one this stack creates (components/cluster.py), or
an existing one named by `llm-platform:cluster.name` with `cluster.existing`, of which the platform creates no
control plane, system node group, access entry or core add-on. Everything downstream (node groups, model
cache, add-ons, models, gateway, outputs) reads the same `ClusterRefs`, so it cannot tell the two apart.

An existing cluster is looked up when the program starts (EKS DescribeCluster, DescribeAddon and
DescribeAccessEntry, through pulumi-aws data sources) and the preview fails, before anything is registered, when
a precondition the platform relies on does not hold; each message names the stack key it is checked against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from catalog.amis import AMI_FAMILIES
from catalog.kubernetes import EKS_ADDON_VERSIONS, KUBERNETES_RELEASES, SUPPORTED_KUBERNETES_VERSIONS
from components.cluster import Cluster, ClusterArgs, SystemNodesArgs
from components.existing_cluster import ExistingCluster, ExistingClusterArgs
from components.iam import CNI_POLICY
from config.schema.infrastructure import ExistingClusterConfig
from config.schema.platform import NAMESPACE as K
from fleet.resolved import Fleet
from stacks.network import NetworkIds
from vocabulary.scheduling import CAPACITY_TYPE_LABEL, POOL_LABEL, SYSTEM_POOL

# System instance types are not in the GPU catalog; the defaults (and the validated types) are x86_64.
SYSTEM_ARCH = "x86_64"
# Access entries work in these modes only; CONFIG_MAP would need the aws-auth ConfigMap edited for every role.
ACCESS_ENTRY_MODES = ("API", "API_AND_CONFIG_MAP")
# What every add-on's credentials come through (EFS and EBS CSI, Karpenter, the load balancer controller).
POD_IDENTITY_AGENT = "eks-pod-identity-agent"


@dataclass(frozen=True)
class ClusterRefs:
    """What the platform reads of its cluster."""

    cluster_name: pulumi.Input[str]
    cluster_security_group_id: pulumi.Input[str]
    kubeconfig: pulumi.Output[str]
    k8s_provider: k8s.Provider
    # The GPU node groups' role, and its policy attachments (nodes cannot join before them).
    node_role: aws.iam.Role
    node_role_ready: tuple[pulumi.Resource, ...]
    # What every controller waits for: the system node group, or nothing (the existing cluster's own nodes).
    system_ready: tuple[pulumi.Resource, ...]
    # What every Pod Identity association waits for: the agent add-on, or nothing (the existing cluster's).
    pod_identity_ready: tuple[pulumi.Resource, ...]
    # The cluster security group by id where the platform may not tag it (an existing cluster's): Karpenter's
    # node class names it; empty: the created cluster's group, which carries Karpenter's discovery tag.
    security_group_ids_by_id: tuple[str, ...]
    # Policies every node role the platform creates carries beyond NODE_POLICIES (Karpenter's too).
    node_extra_policies: tuple[str, ...]
    # Stack outputs that only a created cluster has (None: not exported).
    oidc_provider_arn: pulumi.Input[str] | None
    system_node_group_name: pulumi.Input[str] | None


def build_cluster(fleet: Fleet, network: NetworkIds) -> ClusterRefs:
    existing = fleet.config.cluster.existing
    return _existing(fleet, existing) if existing else _created(fleet, network)


# --- a cluster the platform creates --------------------------------------------------------------------------


def _created(fleet: Fleet, network: NetworkIds) -> ClusterRefs:
    cluster = _cluster(fleet, network)
    return _refs(
        cluster,
        system_ready=(cluster.system_nodes.node_group,),
        pod_identity_ready=(cluster.pod_identity_agent,),
        security_group_ids_by_id=(),
        node_extra_policies=(),  # aws-node has its own role (components/cluster.py `_cni_credentials`)
        oidc_provider_arn=cluster.oidc_provider_arn,
        system_node_group_name=cluster.system_nodes.node_group_name,
    )


def _refs(cluster: Cluster | ExistingCluster, **only_one_has: Any) -> ClusterRefs:
    """What both kinds of cluster give under the same names, and what differs between them."""
    return ClusterRefs(
        cluster_name=cluster.cluster_name,
        cluster_security_group_id=cluster.cluster_security_group_id,
        kubeconfig=cluster.kubeconfig,
        k8s_provider=cluster.k8s_provider,
        node_role=cluster.node_role,
        node_role_ready=cluster.node_role_ready,
        **only_one_has,
    )


def _cluster(fleet: Fleet, network: NetworkIds) -> Cluster:
    cfg = fleet.config
    k8s_release = KUBERNETES_RELEASES[cfg.cluster.kubernetes_version]
    return Cluster(
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
            editable_namespaces=(fleet.namespace,),
            network_policy_enforcement=cfg.access.network_policies,
            vpc_cni_version=EKS_ADDON_VERSIONS["vpc-cni"],
            deletion_protection=cfg.cluster.deletion_protection,
            support_type=cfg.cluster.support_type,
            coredns_version=k8s_release.coredns,
            kube_proxy_version=k8s_release.kube_proxy,
            pod_identity_agent_version=EKS_ADDON_VERSIONS[POD_IDENTITY_AGENT],
            system_nodes=_system_nodes(fleet),
            node_network_ready=network.egress,
        ),
    )


def _system_nodes(fleet: Fleet) -> SystemNodesArgs:
    cfg = fleet.config
    sys_cfg, ami = cfg.cluster.system_node_group, AMI_FAMILIES[cfg.node_ami.family]
    return SystemNodesArgs(
        instance_types=tuple(sys_cfg.instance_types),
        ami_type=ami.system_ami_type[SYSTEM_ARCH],
        release_version=cfg.node_ami.release_version,
        image_volume_device=ami.image_volume_device,
        disk_size_gib=sys_cfg.disk_size_gib,
        min_size=sys_cfg.min_size,
        max_size=sys_cfg.max_size,
        desired_size=sys_cfg.initial_size,
        labels={POOL_LABEL: SYSTEM_POOL, CAPACITY_TYPE_LABEL: "on-demand"},
    )


# --- an existing cluster -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundCluster:
    """What the lookup read of an existing cluster; None where EKS has no such thing."""

    name: str
    version: str
    authentication_mode: str
    vpc_id: str
    security_group_id: str
    endpoint: str
    certificate_authority_data: str
    oidc_issuer_url: str
    pod_identity_agent_version: str | None  # the eks-pod-identity-agent add-on's version
    deploy_role_entry_type: str | None  # the type of existing.deployRoleArn's access entry


def _existing(fleet: Fleet, existing: ExistingClusterConfig) -> ClusterRefs:
    cfg = fleet.config
    found = look_up(cfg.cluster.name, existing.deploy_role_arn)
    problems = cluster_problems(
        found, cfg.cluster.kubernetes_version, cfg.network.existing.vpc_id if cfg.network.existing else None
    )
    if problems:
        raise pulumi.RunError(
            f"the existing cluster {cfg.cluster.name} does not meet what the platform needs (README 'Install "
            "into an existing cluster'):\n" + "\n".join(f"  {p}" for p in problems)
        )
    cluster = ExistingCluster(
        "cluster",
        ExistingClusterArgs(
            name=found.name,
            region=fleet.region,
            endpoint=found.endpoint,
            certificate_authority_data=found.certificate_authority_data,
            security_group_id=found.security_group_id,
            oidc_issuer_url=found.oidc_issuer_url,
            deploy_role_arn=existing.deploy_role_arn,
            node_extra_policies=node_extra_policies(existing),
        ),
    )
    return _refs(
        cluster,
        system_ready=(),
        pod_identity_ready=(),
        security_group_ids_by_id=(found.security_group_id,),
        node_extra_policies=node_extra_policies(existing),
        oidc_provider_arn=None,
        system_node_group_name=None,
    )


def node_extra_policies(existing: ExistingClusterConfig) -> tuple[str, ...]:
    """The CNI's policy on the platform's node roles where the cluster's aws-node acts as its node: the
    cluster the platform creates gives aws-node a role of its own instead (components/cluster.py)."""
    return (CNI_POLICY,) if existing.aws_node_credentials == "nodeRole" else ()


def look_up(name: str, deploy_role_arn: str) -> FoundCluster:
    """The cluster, its Pod Identity agent add-on and the deploy role's access entry, read from EKS. The plain
    (not `_output`) data sources: each answers before anything is registered, so a missing precondition fails
    the preview at once, and an add-on or entry that does not exist can be told from one that does."""
    cluster = _found(lambda: aws.eks.get_cluster(name=name))
    if cluster is None:
        raise pulumi.RunError(
            f"{K}:cluster.name: no EKS cluster {name} in aws:region (cluster.existing names a cluster that "
            "exists; check the name, the region and that the credentials may eks:DescribeCluster)"
        )
    agent = _found(lambda: aws.eks.get_addon(cluster_name=name, addon_name=POD_IDENTITY_AGENT))
    entry = _found(lambda: aws.eks.get_access_entry(cluster_name=name, principal_arn=deploy_role_arn))
    (access,) = cluster.access_configs
    return FoundCluster(
        name=cluster.name,
        version=cluster.version,
        authentication_mode=access.authentication_mode,
        vpc_id=cluster.vpc_config.vpc_id,
        security_group_id=cluster.vpc_config.cluster_security_group_id,
        endpoint=cluster.endpoint,
        certificate_authority_data=cluster.certificate_authorities[0].data,
        oidc_issuer_url=cluster.identities[0].oidcs[0].issuer,
        pod_identity_agent_version=agent.addon_version if agent else None,
        deploy_role_entry_type=entry.type if entry else None,
    )


def _found(read: Callable[[], Any]) -> Any:
    """The data source's answer, or None when the provider says the thing does not exist. The SDK raises a
    plain Exception for every failed invoke ("invoke of <token> failed: ..."); only not-found is an answer."""
    try:
        return read()
    except Exception as e:  # see the docstring: anything but not-found is raised again
        if "couldn't find resource" in str(e) or "NotFound" in str(e):
            return None
        raise


def cluster_problems(found: FoundCluster, kubernetes_version: str, vpc_id: str | None) -> list[str]:
    """Every precondition of README 'Install into an existing cluster' the lookup shows broken, each message
    starting with the stack key it is checked against."""
    problems = []
    if found.version != kubernetes_version:
        supported = " or ".join(SUPPORTED_KUBERNETES_VERSIONS)
        problems.append(
            f"{K}:cluster.kubernetesVersion: is {kubernetes_version}, and {found.name} runs Kubernetes "
            f"{found.version}: write the version it runs (the platform's AMI and add-on pins support "
            f"{supported}), or upgrade the cluster first"
        )
    if found.authentication_mode not in ACCESS_ENTRY_MODES:
        problems.append(
            f"{K}:cluster.existing: {found.name}'s authentication mode is {found.authentication_mode}, and the "
            f"platform's node groups and Karpenter's nodes join through access entries: switch it to "
            f"{' or '.join(ACCESS_ENTRY_MODES)} (aws eks update-cluster-config --access-config "
            "authenticationMode=API_AND_CONFIG_MAP; it cannot be switched back)"
        )
    if found.pod_identity_agent_version is None:
        problems.append(
            f"{K}:cluster.existing: {found.name} has no {POD_IDENTITY_AGENT} add-on, and every add-on the "
            f"platform installs gets its AWS credentials through Pod Identity: ask the cluster's owners to "
            f"install it (aws eks create-addon --cluster-name {found.name} --addon-name {POD_IDENTITY_AGENT})"
        )
    if found.deploy_role_entry_type is None:
        problems.append(
            f"{K}:cluster.existing.deployRoleArn: has no access entry on {found.name}, so the program could not "
            "apply anything: ask the cluster's owners for one with AmazonEKSClusterAdminPolicy at cluster scope"
        )
    if vpc_id is not None and found.vpc_id != vpc_id:
        problems.append(
            f"{K}:network.existing.vpcId: is {vpc_id}, and {found.name} is in {found.vpc_id}: name the "
            "cluster's own VPC and subnets under network.existing"
        )
    return problems
