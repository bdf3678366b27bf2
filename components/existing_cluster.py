"""ExistingCluster: what the platform adds to an EKS cluster it does not own, so that its node groups can join
and its Kubernetes objects can be applied: the GPU nodes' role and a Kubernetes provider that acts as the role
the cluster's owners admitted. No control plane, system node group, access entry or core add-on."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.iam import node_role


@dataclass(frozen=True)
class ExistingClusterArgs:
    """What the composition read of the cluster (its lookup) and of the stack file."""

    name: str
    region: str
    endpoint: str  # the API server's URL
    certificate_authority_data: str  # base64, as EKS returns it
    security_group_id: str  # the EKS-created cluster security group every managed node group joins
    oidc_issuer_url: str  # https://oidc.eks.<region>.amazonaws.com/id/<id>
    # The role `aws eks get-token` assumes; the cluster's owners gave it an access entry with cluster-admin.
    deploy_role_arn: str
    # Policies the node role carries beyond NODE_POLICIES: the CNI's, where the cluster's aws-node acts as
    # its node (`cluster.existing.awsNodeCredentials: nodeRole`).
    node_extra_policies: tuple[str, ...] = ()


def kubeconfig(args: ExistingClusterArgs) -> dict:
    """The kubeconfig the provider uses: the cluster's endpoint and CA, and a token for `deploy_role_arn`.
    Every value comes from the lookup or the stack file, so it changes only when the cluster or the role
    does: a new kubeconfig would replace every Kubernetes object under the provider."""
    token = ["eks", "get-token", "--cluster-name", args.name, "--region", args.region]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": args.name,
                "cluster": {
                    "server": args.endpoint,
                    "certificate-authority-data": args.certificate_authority_data,
                },
            }
        ],
        "contexts": [{"name": args.name, "context": {"cluster": args.name, "user": args.name}}],
        "current-context": args.name,
        "users": [
            {
                "name": args.name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [*token, "--role-arn", args.deploy_role_arn],
                    }
                },
            }
        ],
    }


class ExistingCluster(pulumi.ComponentResource):
    """The same attributes the rest of the program reads of components/cluster.py's Cluster, for a cluster
    that exists: names and ids from the lookup, and the platform's own node role and provider."""

    def __init__(self, name: str, args: ExistingClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:cluster:ExistingCluster", name, None, opts)
        self.cluster_name: pulumi.Output[str] = pulumi.Output.from_input(args.name)
        self.cluster_security_group_id: pulumi.Output[str] = pulumi.Output.from_input(args.security_group_id)
        self.oidc_provider_url: pulumi.Output[str] = pulumi.Output.from_input(
            args.oidc_issuer_url.removeprefix("https://")
        )
        # The GPU node groups' role. EKS gives a managed node group's role its EC2_LINUX access entry itself in
        # the API and API_AND_CONFIG_MAP modes, as it does on a cluster the platform creates.
        self.node_role, attachments = node_role(
            f"{name}-node",
            f"EKS managed node groups the platform adds to {args.name}",
            self,
            args.node_extra_policies,
        )
        self.node_role_ready: tuple[pulumi.Resource, ...] = tuple(attachments)
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(json.dumps(kubeconfig(args)))
        self.k8s_provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "nodeRoleArn": self.node_role.arn,
            }
        )
