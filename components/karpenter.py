"""Karpenter: GPU nodes on demand, spot first, from NodePools declared in stack config.

Ordering, created top to bottom and destroyed bottom to top:
  AWS side (roles, queue, rules)  ->  karpenter-crd release (the CRDs)  ->  karpenter release (the controller,
  on the system node group)  ->  EC2NodeClass  ->  NodePool.
Every custom resource lists the release that brings its CRD in `depends_on`, because Pulumi cannot know that
a chart provides a Kind: without it a first `pulumi up` fails with "failed to determine if the following GVK
is namespaced". The same edges make `pulumi destroy` remove NodePools (and so Karpenter's nodes) while the
controller still runs to drain them, and remove the controller before the node group it runs on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.helm_addon import AddonIdentity, HelmAddon, HelmAddonArgs
from components.helm_chart import ChartPin
from components.iam import node_role
from components.karpenter_iam import INTERRUPTION_EVENTS, controller_policy

NAMESPACE = "kube-system"  # Karpenter's docs: the default API priority FlowSchemas apply there
SERVICE_ACCOUNT = "karpenter"  # the chart's fullname for release "karpenter"
DISCOVERY_TAG = "karpenter.sh/discovery"


@dataclass(frozen=True)
class ReservationSelector:
    """The one capacity reservation a NodePool launches into (Karpenter v1.14.1 `reserved` capacity)."""

    reservation_id: str  # cr-...: the EC2NodeClass's capacityReservationSelectorTerms
    capacity_block: bool  # a Capacity Block for ML, else an ODCR (Karpenter's capacity-reservation-type)
    zone: str
    instance_type: str


@dataclass(frozen=True)
class NodePoolSpec:
    """A NodePool and its EC2NodeClass, already resolved from config (labels, GPU name, zones)."""

    name: str
    capacity_type: str  # spot | on-demand | reserved
    instance_families: tuple[str, ...]
    gpu_name: str
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, str], ...]
    limits: Mapping[str, int]  # the spending cap, e.g. {"nvidia.com/gpu": 8}
    weight: int
    consolidate_after: str
    expire_after: str
    disk_size_gib: int
    disk_iops: int = 3000
    disk_throughput_mibps: int = 250
    tags: Mapping[str, str] = field(default_factory=dict)  # on the nodes' instances and volumes
    # How long a drain (drift, expiry) honours PodDisruptionBudgets before Karpenter deletes the pods left, as a
    # Go duration; None leaves it unset, and then a PDB that never allows an eviction holds the node forever.
    termination_grace_period: str | None = None
    reservation: ReservationSelector | None = None  # with capacity type reserved


@dataclass(frozen=True)
class KarpenterArgs:
    cluster_name: pulumi.Input[str]
    # The plain config value: IAM conditions and discovery tags must be known strings.
    cluster_name_value: str
    region: str
    zones: tuple[str, ...]
    cluster_security_group_id: pulumi.Input[str]
    ami_alias: str  # e.g. al2023@v20260714: the same release as the managed node groups
    image_volume_device: str
    crd_chart: ChartPin
    chart: ChartPin
    node_pools: tuple[NodePoolSpec, ...]
    controller_node_selector: Mapping[str, str]
    k8s_provider: k8s.Provider
    service_monitor: bool = False
    user_data: str | None = None  # every EC2NodeClass's `userData` (NodeConfig YAML or Bottlerocket TOML)
    depends_on: Sequence[pulumi.Resource] = ()
    # The node subnets by id, for a network the platform does not own and so does not tag; empty: the private
    # subnets carrying the discovery tag (the platform tags those it creates).
    subnet_ids: tuple[str, ...] = ()
    # The cluster security group by id, for a cluster the platform does not own and so does not tag; empty: the
    # group carrying the discovery tag (the platform tags the one of the cluster it creates).
    security_group_ids: tuple[str, ...] = ()
    # Policies the nodes' role carries beyond NODE_POLICIES (the CNI's, in a cluster whose aws-node acts as
    # its node: `cluster.existing.awsNodeCredentials: nodeRole`).
    node_extra_policies: tuple[str, ...] = ()


def subnet_selector_terms(args: KarpenterArgs) -> list[dict[str, Any]]:
    """EC2NodeClass `subnetSelectorTerms` (Karpenter v1.14.1 CRD): each term is an `id` or `tags`, not both."""
    if args.subnet_ids:
        return [{"id": subnet_id} for subnet_id in args.subnet_ids]
    return [{"tags": {DISCOVERY_TAG: args.cluster_name_value}}]


def security_group_selector_terms(args: KarpenterArgs) -> list[dict[str, Any]]:
    """EC2NodeClass `securityGroupSelectorTerms`, by id or by the discovery tag, as subnets are."""
    if args.security_group_ids:
        return [{"id": group_id} for group_id in args.security_group_ids]
    return [{"tags": {DISCOVERY_TAG: args.cluster_name_value}}]


def ec2_node_class(spec: NodePoolSpec, args: KarpenterArgs, role_name: str) -> dict[str, Any]:
    return {
        "role": role_name,
        "amiSelectorTerms": [{"alias": args.ami_alias}],
        "subnetSelectorTerms": subnet_selector_terms(args),
        "securityGroupSelectorTerms": security_group_selector_terms(args),
        "blockDeviceMappings": [
            {
                "deviceName": args.image_volume_device,
                "ebs": {
                    "volumeSize": f"{spec.disk_size_gib}Gi",
                    "volumeType": "gp3",
                    "iops": spec.disk_iops,
                    "throughput": spec.disk_throughput_mibps,
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
        ],
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        "tags": {"Name": f"{args.cluster_name_value}-{spec.name}", **spec.tags},
        # Karpenter appends its own NodeConfig (or settings) after this, and its values win.
        **({"userData": args.user_data} if args.user_data else {}),
        # Karpenter does not match open reservations by itself: each one it may use is selected here (an id
        # term takes no other field). Capacity Blocks are selected the same way.
        **(
            {"capacityReservationSelectorTerms": [{"id": spec.reservation.reservation_id}]}
            if spec.reservation
            else {}
        ),
    }


def node_pool(spec: NodePoolSpec, args: KarpenterArgs) -> dict[str, Any]:
    return {
        "weight": spec.weight,
        # The spending cap: Karpenter launches nothing that would take the pool past it.
        "limits": {resource: str(limit) for resource, limit in spec.limits.items()},
        "disruption": {
            # Karpenter's consolidation is not GPU-aware: WhenEmptyOrUnderutilized could evict busy servers to
            # repack them. WhenEmpty only removes nodes nothing runs on; one node at a time.
            "consolidationPolicy": "WhenEmpty",
            "consolidateAfter": spec.consolidate_after,
            "budgets": [{"nodes": "1"}],
        },
        "template": {
            "metadata": {"labels": dict(spec.labels)},
            "spec": {
                "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": spec.name},
                "taints": [dict(t) for t in spec.taints],
                "expireAfter": spec.expire_after,
                **(
                    {"terminationGracePeriod": spec.termination_grace_period}
                    if spec.termination_grace_period
                    else {}
                ),
                "requirements": requirements(spec, args),
            },
        },
    }


def requirements(spec: NodePoolSpec, args: KarpenterArgs) -> list[dict[str, Any]]:
    """The NodePool's requirements: its capacity type, families, GPU and zones; a reserved pool also the
    reservation's kind, type and zone (labels Karpenter v1.14.1 puts on reserved nodes and takes here)."""
    reservation = spec.reservation
    out = [
        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": [spec.capacity_type]},
        {
            "key": "karpenter.k8s.aws/instance-family",
            "operator": "In",
            "values": list(spec.instance_families),
        },
        {"key": "karpenter.k8s.aws/instance-gpu-name", "operator": "In", "values": [spec.gpu_name]},
        {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
        {
            "key": "topology.kubernetes.io/zone",
            "operator": "In",
            "values": [reservation.zone] if reservation else list(args.zones),
        },
    ]
    if reservation:
        kind = "capacity-block" if reservation.capacity_block else "default"
        out += [
            {"key": "karpenter.k8s.aws/capacity-reservation-type", "operator": "In", "values": [kind]},
            {
                "key": "node.kubernetes.io/instance-type",
                "operator": "In",
                "values": [reservation.instance_type],
            },
        ]
    return out


class Karpenter(pulumi.ComponentResource):
    def __init__(self, name: str, args: KarpenterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:addons:Karpenter", name, None, opts)
        self._name, self._args = name, args
        node_access = self._nodes()
        self.queue = self._interruption_queue()
        self.controller = self._controller(node_access)
        self.node_pools: list[str] = [self._node_pool(spec) for spec in args.node_pools]
        self.register_outputs(
            {
                "nodeRoleArn": self.node_role.arn,
                "interruptionQueue": self.queue.name,
                "nodePools": self.node_pools,
            }
        )

    def _nodes(self) -> list[pulumi.Resource]:
        """The nodes' own role, admitted to the cluster through an EC2_LINUX access entry, and the tag by which
        they find the cluster security group. Returns what the controller must wait for."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        self.node_role, node_policies = node_role(
            f"{name}-node", f"Karpenter nodes of {args.cluster_name_value}", self, args.node_extra_policies
        )
        access = aws.eks.AccessEntry(
            f"{name}-node",
            cluster_name=args.cluster_name,
            principal_arn=self.node_role.arn,
            type="EC2_LINUX",
            opts=child,
        )
        if args.security_group_ids:  # not ours to tag: the node class names it by id
            return [access, *node_policies]
        # Our node groups use the EKS-created cluster security group; Karpenter's nodes find it by this tag.
        aws.ec2.Tag(
            f"{name}-cluster-sg-discovery",
            resource_id=args.cluster_security_group_id,
            key=DISCOVERY_TAG,
            value=args.cluster_name_value,
            opts=child,
        )
        return [access, *node_policies]

    def _interruption_queue(self) -> aws.sqs.Queue:
        """Spot warnings, rebalance, health and state events reach the controller through this queue."""
        name, child = self._name, pulumi.ResourceOptions(parent=self)
        queue = aws.sqs.Queue(
            f"{name}-interruptions", message_retention_seconds=300, sqs_managed_sse_enabled=True, opts=child
        )
        aws.sqs.QueuePolicy(
            f"{name}-interruptions",
            queue_url=queue.id,
            policy=queue.arn.apply(lambda arn: json.dumps(interruption_queue_policy(arn))),
            opts=child,
        )
        for event, pattern in INTERRUPTION_EVENTS.items():
            rule = aws.cloudwatch.EventRule(f"{name}-{event}", event_pattern=json.dumps(pattern), opts=child)
            aws.cloudwatch.EventTarget(f"{name}-{event}", rule=rule.name, arn=queue.arn, opts=child)
        return queue

    def _controller(self, node_access: list[pulumi.Resource]) -> HelmAddon:
        """The CRD release, then the controller with its scoped policy through Pod Identity."""
        name, args = self._name, self._args
        child = pulumi.ResourceOptions(parent=self)
        crds = HelmAddon(
            f"{name}-crd",
            HelmAddonArgs(
                release="karpenter-crd",
                namespace=NAMESPACE,
                chart=args.crd_chart,
                values={},
                k8s_provider=args.k8s_provider,
                cluster_name=args.cluster_name,
                depends_on=tuple(args.depends_on),
            ),
            opts=child,
        )
        return HelmAddon(
            name,
            HelmAddonArgs(
                release="karpenter",
                namespace=NAMESPACE,
                chart=args.chart,
                values=controller_values(args, self.queue.name),
                k8s_provider=args.k8s_provider,
                cluster_name=args.cluster_name,
                identity=AddonIdentity(
                    service_account=SERVICE_ACCOUNT, mechanism="pod-identity", inline_policy=self._policy()
                ),
                skip_crds=True,  # karpenter-crd owns them
                depends_on=(*args.depends_on, crds.release, *node_access),
            ),
            opts=child,
        )

    def _policy(self) -> pulumi.Output[str]:
        args = self._args
        return pulumi.Output.all(
            aws.get_partition_output().partition,
            aws.get_caller_identity_output().account_id,
            self.node_role.arn,
            self.queue.arn,
        ).apply(
            lambda a: json.dumps(
                controller_policy(
                    partition=a[0],
                    region=args.region,
                    account=a[1],
                    cluster=args.cluster_name_value,
                    node_role_arn=a[2],
                    queue_arn=a[3],
                )
            )
        )

    def _node_pool(self, spec: NodePoolSpec) -> str:
        """One EC2NodeClass and its NodePool, after the controller (whose release brings their CRDs)."""
        name, args = self._name, self._args
        node_class = k8s.apiextensions.CustomResource(
            f"{name}-nodeclass-{spec.name}",
            api_version="karpenter.k8s.aws/v1",
            kind="EC2NodeClass",
            metadata={"name": spec.name},
            spec=self.node_role.name.apply(lambda role: ec2_node_class(spec, args, role)),
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.k8s_provider, depends_on=[self.controller.release]
            ),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-nodepool-{spec.name}",
            api_version="karpenter.sh/v1",
            kind="NodePool",
            metadata={"name": spec.name},
            spec=node_pool(spec, args),
            opts=pulumi.ResourceOptions(
                parent=self, provider=args.k8s_provider, depends_on=[self.controller.release, node_class]
            ),
        )
        return spec.name


def controller_values(args: KarpenterArgs, queue_name: pulumi.Input[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {"clusterName": args.cluster_name_value, "interruptionQueue": queue_name}
    if any(spec.reservation for spec in args.node_pools):
        # Reserved capacity needs the ReservedCapacity feature gate: beta and on by default in chart 1.14.1, set
        # here so that a pool in a reservation never depends on a default a chart upgrade may change.
        settings["featureGates"] = {"reservedCapacity": True}
    return {
        "settings": settings,
        # On the system node group, never on nodes it manages (the chart's default affinity also keeps it off
        # any node with a karpenter.sh/nodepool label).
        "nodeSelector": {"kubernetes.io/os": "linux", **args.controller_node_selector},
        "replicas": 2,
        "serviceMonitor": {"enabled": args.service_monitor},
        "controller": {
            "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
        },
    }


def interruption_queue_policy(queue_arn: str) -> dict[str, Any]:
    """EventBridge (and SQS itself) may send; nothing may use the queue without TLS."""
    return {
        "Version": "2012-10-17",
        "Id": "EC2InterruptionPolicy",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
            },
            {
                "Sid": "DenyHTTP",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
