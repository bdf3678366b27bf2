"""Cluster: the EKS control plane, its CPU system node group, and the Kubernetes provider later parts use."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from components import kms
from components.iam import CNI_POLICY, aws_context, node_role, pod_identity_role
from components.key_policies import secrets_key_policy
from components.node_group import ManagedNodeGroup, ManagedNodeGroupArgs

_CLUSTER_ADMIN_POLICY = "arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
_EDIT_POLICY = "arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
_VIEW_POLICY = "arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"


@dataclass(frozen=True)
class _AwsNode:
    """The VPC CNI's DaemonSet and service account, as the vpc-cni add-on installs them."""

    namespace: str = "kube-system"
    daemon_set: str = "aws-node"
    service_account: str = "aws-node"
    # Changing it rolls aws-node, so every pod is created again and gets the Pod Identity credentials.
    annotation: str = "llm-platform.io/aws-credentials"


AWS_NODE = _AwsNode()


def _entry_key(principal_arn: str) -> str:
    """The access entry's key, from its principal alone. pulumi-eks names the AccessEntry after the key and
    replaces it on a new principal; EKS takes one entry per principal and creates the new before deleting the
    old. A key from a list position (or the access level) would move a role to another key when the list or
    its level changes, and that create fails. The level is the association's name, which can change freely."""
    account, resource = principal_arn.split(":")[4:6]
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{account}-{resource}")


@dataclass(frozen=True)
class SystemNodesArgs:
    """The on-demand CPU node group for controllers; AMI facts come from the shared AMI pin."""

    instance_types: tuple[str, ...]
    ami_type: str
    release_version: str
    image_volume_device: str
    disk_size_gib: int
    min_size: int
    max_size: int
    desired_size: int
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterArgs:
    name: str
    kubernetes_version: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    endpoint_private_access: bool
    endpoint_public_access: bool
    public_access_cidrs: tuple[str, ...]
    log_types: tuple[str, ...]
    log_retention_days: int
    admin_role_arns: tuple[str, ...]
    # Roles with read-only rights across the cluster (CI previews).
    viewer_role_arns: tuple[str, ...]
    # Roles with Kubernetes `edit` rights in `editable_namespaces` only (app teams).
    namespace_editor_role_arns: tuple[str, ...]
    editable_namespaces: tuple[str, ...]
    # Turns on the VPC CNI's NetworkPolicy agent; without it NetworkPolicies are stored but not enforced.
    network_policy_enforcement: bool
    vpc_cni_version: str
    deletion_protection: bool
    support_type: str
    coredns_version: str
    kube_proxy_version: str
    pod_identity_agent_version: str
    system_nodes: SystemNodesArgs
    # NAT gateways and routes: nodes cannot join (or pull images) before private subnets have egress.
    node_network_ready: Sequence[pulumi.Resource] = ()


class Cluster(pulumi.ComponentResource):
    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:cluster:Cluster", name, None, opts)
        self._name, self._args = name, args
        secrets_key, log_group = self._control_plane_prerequisites()
        self._control_plane(secrets_key, log_group)
        self._secrets_key_policy(secrets_key)
        self._kubernetes_provider()
        self._pod_identity_agent()
        self._cni_credentials()
        self._system_nodes()
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "oidcProviderArn": self.oidc_provider_arn,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "nodeRoleArn": self.node_role.arn,
            }
        )

    def _control_plane_prerequisites(self) -> tuple[aws.kms.Key, aws.cloudwatch.LogGroup]:
        """The secrets encryption key and the control plane's log group, both before the cluster. The key's
        policy comes after the cluster (`_secrets_key_policy`): it names the cluster role, which pulumi-eks
        creates inside the cluster component, so a policy on the key itself would be a cycle."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        secrets_key = kms.key(
            f"{name}-secrets", f"EKS envelope encryption of Kubernetes secrets for {args.name}", child
        )
        # EKS creates this log group itself with no expiry; creating it first bounds what audit logs cost, and
        # encrypts them (audit events name every principal and object the API served) under a key of its own.
        group_name = f"/aws/eks/{args.name}/cluster"
        logs_key = kms.log_group_key(
            f"{name}-control-plane-logs-key", group_name, f"EKS control-plane logs of {args.name}", self
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=logs_key.arn,
            opts=child,
        )
        return secrets_key, log_group

    def _control_plane(self, secrets_key: aws.kms.Key, log_group: aws.cloudwatch.LogGroup) -> None:
        """The EKS cluster (pulumi-eks) with its access entries and core add-ons, and the outputs it gives."""
        name, args = self._name, self._args
        self.eks = eks.Cluster(
            name,
            name=args.name,
            version=args.kubernetes_version,
            vpc_id=args.vpc_id,
            private_subnet_ids=list(args.private_subnet_ids),
            public_subnet_ids=list(args.public_subnet_ids),
            node_associate_public_ip_address=False,
            endpoint_private_access=args.endpoint_private_access,
            endpoint_public_access=args.endpoint_public_access,
            public_access_cidrs=list(args.public_access_cidrs) if args.endpoint_public_access else None,
            # Access entries only: no aws-auth ConfigMap to drift or to lock everybody out.
            authentication_mode=eks.AuthenticationMode.API,
            access_entries=_access_entries(args, aws.get_partition_output().partition),
            vpc_cni_options=eks.VpcCniOptionsArgs(
                addon_version=args.vpc_cni_version,
                enable_network_policy=args.network_policy_enforcement,
            ),
            create_oidc_provider=True,  # IRSA, for charts that do not support Pod Identity yet
            encryption_config_key_arn=secrets_key.arn,
            enabled_cluster_log_types=list(args.log_types),
            # No pulumi-eks default node group or extra security groups: our managed node groups use the
            # EKS-created cluster security group, which `cluster_security_group_id` then returns.
            skip_default_node_group=True,
            skip_default_security_groups=True,
            deletion_protection=args.deletion_protection,
            upgrade_policy={"support_type": args.support_type},
            coredns_addon_options={"version": args.coredns_version},
            kube_proxy_addon_options={"version": args.kube_proxy_version},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )
        self.cluster_name: pulumi.Output[str] = self.eks.eks_cluster.name
        self.cluster_security_group_id: pulumi.Output[str] = self.eks.cluster_security_group_id
        self.oidc_provider_arn: pulumi.Output[str] = self.eks.oidc_provider_arn
        self.oidc_provider_url: pulumi.Output[str] = self.eks.oidc_provider_url
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(self.eks.kubeconfig_json)

    def _system_nodes(self) -> None:
        """The node role and the on-demand CPU node group that runs the controllers."""
        name, args = self._name, self._args
        self.node_role, attachments = node_role(
            f"{name}-node", f"EKS managed node groups of {args.name}", self
        )

        sys = args.system_nodes
        self.system_nodes = ManagedNodeGroup(
            f"{name}-system",
            ManagedNodeGroupArgs(
                cluster_name=self.cluster_name,
                node_role_arn=self.node_role.arn,
                subnet_ids=args.private_subnet_ids,
                instance_types=sys.instance_types,
                capacity_type="ON_DEMAND",
                ami_type=sys.ami_type,
                release_version=sys.release_version,
                image_volume_device=sys.image_volume_device,
                disk_size_gib=sys.disk_size_gib,
                min_size=sys.min_size,
                max_size=sys.max_size,
                desired_size=sys.desired_size,
                labels=sys.labels,
                # Nodes cannot join before their role carries the worker policies and the subnets have egress,
                # nor turn Ready before aws-node can get its credentials (`_cni_credentials`).
                depends_on=(*attachments, *args.node_network_ready, *self.cni_ready),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.node_role_ready: tuple[pulumi.Resource, ...] = tuple(attachments)

    def _pod_identity_agent(self) -> None:
        """The EKS Pod Identity agent add-on: credentials for aws-node, the add-ons (EFS CSI, Karpenter) and
        the models. Before any node: aws-node needs it to turn a node Ready. A DaemonSet add-on turns ACTIVE
        with no nodes (terraform-aws-eks#1838: only Deployment add-ons such as CoreDNS wait for nodes), and the
        agent tolerates every taint (its chart's `tolerations: [{operator: Exists}]`), not-ready included."""
        self.pod_identity_agent = aws.eks.Addon(
            f"{self._name}-pod-identity-agent",
            cluster_name=self.cluster_name,
            addon_name="eks-pod-identity-agent",
            addon_version=self._args.pod_identity_agent_version,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _secrets_key_policy(self, secrets_key: aws.kms.Key) -> None:
        """The secrets key's own policy (components/key_policies.py), naming the cluster role."""
        policy = pulumi.Output.all(aws_context(), self.eks.eks_cluster.role_arn).apply(
            lambda a: secrets_key_policy(*a[0], cluster_role=a[1])
        )
        aws.kms.KeyPolicy(
            f"{self._name}-secrets-policy",
            key_id=secrets_key.key_id,
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _cni_credentials(self) -> None:
        """The VPC CNI's rights on a role of its own, for the aws-node service account through Pod Identity,
        instead of on the node role (components/iam.py NODE_POLICIES).

        Order matters twice. On a new cluster, the association and the agent exist before the first node:
        the Pod Identity webhook injects credentials into a pod only when it is created, and aws-node pods
        are created as nodes join. On a cluster that had the policy on its node role, the running aws-node
        pods hold instance-profile credentials, which lose the CNI rights when the old attachment goes (Pulumi
        deletes removed resources last in an update); restarting aws-node first, by a pod-template annotation,
        gives every pod the new credentials before that."""
        name, args = self._name, self._args
        role, attachment = pod_identity_role(
            f"{name}-vpc-cni",
            f"VPC CNI (aws-node) of {args.name}, through EKS Pod Identity",
            CNI_POLICY,
            self,
        )
        association = aws.eks.PodIdentityAssociation(
            f"{name}-vpc-cni",
            cluster_name=self.cluster_name,
            namespace=AWS_NODE.namespace,
            service_account=AWS_NODE.service_account,
            role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )
        restart = k8s.apps.v1.DaemonSetPatch(
            f"{name}-aws-node-credentials",
            metadata={"name": AWS_NODE.daemon_set, "namespace": AWS_NODE.namespace},
            spec={"template": {"metadata": {"annotations": {AWS_NODE.annotation: "pod-identity"}}}},
            # The DaemonSet exists once the cluster does: EKS installs aws-node at creation (pulumi-eks leaves
            # bootstrapSelfManagedAddons at its default, true) and the vpc-cni add-on then adopts it.
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=self.k8s_provider,
                depends_on=[self.eks, association, self.pod_identity_agent],
            ),
        )
        self.cni_ready: tuple[pulumi.Resource, ...] = (association, self.pod_identity_agent, restart)

    def _kubernetes_provider(self) -> None:
        """The Kubernetes provider every later in-cluster resource uses."""
        # Built from our own kubeconfig output: `cluster.provider` is not usable from Python, and a stable
        # kubeconfig keeps every Kubernetes object from being replaced when unrelated cluster inputs change.
        self.k8s_provider = k8s.Provider(
            f"{self._name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _access_entries(args: ClusterArgs, partition: pulumi.Output[str]) -> dict[str, eks.AccessEntryArgs]:
    """The cluster's access entries: admins, viewers and namespace editors, each keyed by its principal."""
    return {
        _entry_key(arn): eks.AccessEntryArgs(
            principal_arn=arn,
            access_policies={
                association: eks.AccessPolicyAssociationArgs(
                    policy_arn=partition.apply(lambda p, policy=policy: policy.format(partition=p)),
                    access_scope=scope,
                )
            },
        )
        for arns, association, policy, scope in (
            (args.admin_role_arns, "cluster-admin", _CLUSTER_ADMIN_POLICY, {"type": "cluster"}),
            (args.viewer_role_arns, "view", _VIEW_POLICY, {"type": "cluster"}),
            (
                args.namespace_editor_role_arns,
                "edit",
                _EDIT_POLICY,
                {"type": "namespace", "namespaces": list(args.editable_namespaces)},
            ),
        )
        for arn in arns
    }
