"""The AWS side: `network`, `cluster`, `nodeAmi`, `gpuNodeGroups` and `modelCache`."""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable
from ipaddress import IPv4Network
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from catalog.amis import AMI_FAMILIES
from catalog.cpus import CPU_FAMILIES, CPU_INSTANCES
from catalog.gpus import GPU_INSTANCES, gpu_model
from catalog.kubernetes import (
    KUBELET_LABEL_NAMESPACES,
    KUBELET_OWN_LABELS,
    KUBERNETES_LABEL_NAMESPACES,
    KUBERNETES_NAMESPACES,
    SUPPORTED_KUBERNETES_VERSIONS,
    is_kubernetes_minor,
    kubelet_refuses_label,
)
from catalog.node_bootstrap import FAST_PULL_SINCE
from config.schema.base import (
    AZ_PATTERN,
    DnsLabel,
    Ipv4Net,
    PoolName,
    RoleArn,
    RoleArns,
    Section,
    at_key,
    blame,
    in_order,
    key_of,
    pattern,
    said,
    unique,
    written,
)
from config.schema.reservations import NodeGroupReservationConfig, check_reservation
from config.schema.volumes import check_volume, disk_iops, disk_throughput, headroom
from vocabulary.scheduling import PLATFORM_NODE_LABELS

# The retention periods CloudWatch Logs accepts.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)  # fmt: skip
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


# Kubernetes label syntax (k8s.io/apimachinery validation IsQualifiedName, IsValidLabelValue): an optional
# DNS-subdomain prefix and '/', then a name of at most 63 characters; a value is empty or such a name.
_LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
LabelKey = Annotated[
    str,
    Field(
        pattern=pattern(
            rf"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?{_LABEL_NAME}$",
            "an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and "
            "ending with a letter or digit",
            "team or example.com/team",
        ),
        max_length=253 + 1 + 63,
    ),
]
LabelValue = Annotated[
    str,
    Field(
        pattern=pattern(
            rf"^({_LABEL_NAME})?$",
            "empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
            "search",
        )
    ),
]
QUANTITY_MAX_GIB = (2**63 - 1) // 2**30


def _label_problem(key: str) -> str | None:
    """Why a node group may not put the label `key` on its nodes, or None."""
    if key in PLATFORM_NODE_LABELS:
        return (
            f"{key} is a label the platform sets itself, to {PLATFORM_NODE_LABELS[key]}, and its value wins"
        )
    if key in KUBELET_OWN_LABELS:
        return (
            f"{key} is set by the kubelet or the cloud provider from the instance itself, and a value here "
            "would overwrite the real one"
        )
    if kubelet_refuses_label(key):
        allowed = ", ".join(f"{n}/" for n in KUBELET_LABEL_NAMESPACES)
        return (
            f"{key} is in the {' or '.join(KUBERNETES_LABEL_NAMESPACES)} namespace, where the kubelet (Kubernetes "
            f"1.35) refuses to start with --node-labels other than below {allowed} or its own well-known ones, "
            "so the nodes would never join"
        )
    return None


def _node_labels(labels: dict[str, str]) -> dict[str, str]:
    problems = [p for key in labels if (p := _label_problem(key))]
    if problems:
        raise ValueError("; ".join(problems) + ": use a prefix of your own, e.g. example.com/team")
    return labels


# AWS resource ids: the prefix, then 8 hex digits (older resources) or 17 (since 2018).
VPC_ID = pattern(r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$", "vpc- and 8 or 17 hex digits", "vpc-0a1b2c3d4e5f60718")
SUBNET_ID = pattern(
    r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$", "subnet- and 8 or 17 hex digits", "subnet-0a1b2c3d4e5f60718"
)


class ExistingSubnet(Section):
    """One subnet of `llm-platform:network.existing`: its id and its zone."""

    id: str = Field(pattern=SUBNET_ID, description="The subnet's id.")
    availability_zone: str = Field(
        pattern=AZ_PATTERN,
        description="The subnet's zone, as `aws ec2 describe-subnets` reports it. Written here so that the plan "
        "checks zone coverage offline, without calling AWS.",
    )


class ExistingNetworkConfig(Section):
    """`llm-platform:network.existing` — a VPC the network team owns: the platform creates no VPC, subnets,
    gateways or routes and places everything in these subnets."""

    vpc_id: str = Field(pattern=VPC_ID, description="The VPC's id.")
    cidr: Ipv4Net = Field(
        description="The VPC's primary CIDR: the gateway's NetworkPolicy admits its load balancer from it, and "
        "stacks of one delivery pipeline must not overlap."
    )
    private_subnets: list[ExistingSubnet] = Field(
        min_length=2,
        description="Subnets for the nodes, the cluster's network interfaces, the model cache's mount targets "
        "and internal load balancers; at least two zones (EKS needs two). Each needs egress (a NAT gateway, "
        "or VPC endpoints for ECR, S3, STS and EKS) and room for every pod's IP (VPC CNI).",
    )
    public_subnets: list[ExistingSubnet] = Field(
        default_factory=list,
        description="Subnets for internet-facing load balancers; needed only by an internet-facing gateway.",
    )

    @property
    def zones(self) -> tuple[str, ...]:
        """The private subnets' zones, each once, in the order written."""
        return tuple(dict.fromkeys(s.availability_zone for s in self.private_subnets))

    @property
    def private_subnet_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.private_subnets)

    @property
    def public_subnet_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.public_subnets)

    @property
    def private_subnet_per_zone(self) -> tuple[str, ...]:
        """The first private subnet listed in each zone: EFS takes one mount target per zone, and an NLB one
        subnet per zone."""
        return _first_per_zone(self.private_subnets)

    @property
    def public_subnet_per_zone(self) -> tuple[str, ...]:
        return _first_per_zone(self.public_subnets)


def _first_per_zone(subnets: list[ExistingSubnet]) -> tuple[str, ...]:
    """The id of the first subnet listed in each zone, zones in the order they first appear."""
    first: dict[str, str] = {}
    for s in subnets:
        first.setdefault(s.availability_zone, s.id)
    return tuple(first.values())


# An S3 bucket ARN, optionally with a folder for the flow log objects (AWS VPC user guide, "Create a flow log
# that publishes to Amazon S3": arn:aws:s3:::bucket_name/subfolder_name/).
S3_BUCKET_ARN = pattern(
    r"^arn:aws(-cn|-us-gov)?:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$",
    "arn:aws:s3::: then a bucket name, optionally /folder",
    "arn:aws:s3:::example-flow-logs/llm-prod",
)


class FlowLogsConfig(Section):
    """`llm-platform:network.flowLogs` — VPC flow logs: the IP traffic of every network interface in the VPC
    (who talked to whom, on which port, accepted or rejected), to CloudWatch Logs or to an S3 bucket."""

    destination: Literal["cloudWatch", "s3"] = Field(
        description="`cloudWatch`: a log group the platform creates, with `retentionDays`, and a role the flow "
        "log service writes it with. `s3`: objects in `bucketArn`, a bucket you own (its bucket policy must "
        "admit delivery.logs.amazonaws.com; its lifecycle rules are the retention)."
    )
    retention_days: Literal[LOG_RETENTION_DAYS] = Field(  # type: ignore[valid-type]
        90,
        description="CloudWatch retention of the flow log records (a log group keeps them forever otherwise). "
        "Only with `destination: cloudWatch`.",
    )
    bucket_arn: str | None = Field(
        None,
        pattern=S3_BUCKET_ARN,
        description="The bucket (and optional folder) the records are written to. Required with "
        "`destination: s3`, and only there.",
    )
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        "ALL",
        description="Which traffic is recorded: `REJECT` alone is cheaper, but shows nothing that got in.",
    )

    @model_validator(mode="after")
    def _destination_keys(self) -> FlowLogsConfig:
        if self.destination == "s3" and self.bucket_arn is None:
            raise at_key(
                "bucketArn",
                "required key is missing: destination is s3, so name the bucket (e.g. arn:aws:s3:::my-flow-logs)",
            )
        if self.destination == "cloudWatch" and self.bucket_arn is not None:
            raise at_key(
                "bucketArn",
                "is for destination s3, and destination is cloudWatch: remove it, or set destination: s3",
            )
        if self.destination == "s3" and written(self, "retention_days"):
            raise at_key(
                "retentionDays",
                "is for destination cloudWatch: with s3 the bucket's lifecycle rules decide how long records stay",
            )
        return self


class NetworkConfig(Section):
    """`llm-platform:network` — the VPC: one the platform creates, or an `existing` one."""

    cidr: Ipv4Net = Field(
        IPv4Network("10.0.0.0/16"),
        description="VPC CIDR, /16 to /20. Private subnets get 1/8 of it each (room for VPC-CNI pod IPs). "
        "Not with `existing`.",
    )
    availability_zones: (
        Annotated[list[Annotated[str, Field(pattern=AZ_PATTERN)]], AfterValidator(unique)] | None
    ) = Field(
        None,
        min_length=2,
        max_length=6,
        description="AZ names in `aws:region` (EKS needs two; prod uses three). Named, not counted, so a "
        "plan never changes because AWS reordered zones, and so GPU-scarce zones can be avoided. Required "
        "unless `existing`, whose private subnets' zones are used instead.",
    )
    nat_gateways: Literal["single", "perAz"] = Field(
        "perAz",
        description="`perAz` keeps private subnets online when one AZ fails; `single` is cheaper. Not with "
        "`existing`.",
    )
    existing: ExistingNetworkConfig | None = Field(
        None,
        description="Use a VPC and subnets that exist already instead of creating them; see the README's "
        "'Existing network'.",
    )
    flow_logs: FlowLogsConfig | None = Field(
        None,
        description="VPC flow logs on the VPC (the created one or `existing.vpcId`). Off when not written; prod "
        "turns them on. See the README's 'VPC flow logs'.",
    )

    @field_validator("cidr")
    @classmethod
    def _cidr_size(cls, v: IPv4Network) -> IPv4Network:
        if not 16 <= v.prefixlen <= 20:
            raise ValueError(f"prefix length must be /16 to /20, got /{v.prefixlen}")
        if not v.is_private:
            raise ValueError("must be a private (RFC 1918) range")
        return v

    @model_validator(mode="after")
    def _zones_named(self) -> NetworkConfig:
        if self.existing is None and self.availability_zones is None:
            raise at_key(
                "availabilityZones",
                "required key is missing: name the zones to create subnets in (e.g. [us-west-2a, us-west-2b]), "
                "or give the network to use under existing",
            )
        return self

    @property
    def zones(self) -> tuple[str, ...]:
        """The zones the platform runs in: those it creates subnets in, or the existing private subnets'."""
        return self.existing.zones if self.existing else tuple(self.availability_zones or ())

    @property
    def vpc_cidr(self) -> IPv4Network:
        return self.existing.cidr if self.existing else self.cidr

    @property
    def vpc_cidr_key(self) -> str:
        """`vpc_cidr`'s key below `llm-platform:network`, as the stack file writes it."""
        return "existing.cidr" if self.existing else "cidr"

    @property
    def nat_gateway_count(self) -> int:
        """NAT gateways the platform creates (and pays for): none in an existing network."""
        if self.existing:
            return 0
        return len(self.zones) if self.nat_gateways == "perAz" else 1


class EndpointConfig(Section):
    """`llm-platform:cluster.endpoint` — who can reach the Kubernetes API."""

    private_access: bool = Field(True, description="Reachable from inside the VPC.")
    public_access: bool = Field(
        False, description="Reachable from the internet, restricted to `publicAccessCidrs`."
    )
    public_access_cidrs: Annotated[list[Ipv4Net], AfterValidator(unique)] = Field(
        default_factory=list,
        description="Required when `publicAccess` is true; 0.0.0.0/0 is allowed but warned.",
    )

    @model_validator(mode="after")
    def _reachable(self) -> EndpointConfig:
        if not self.private_access and not self.public_access:
            raise at_key(
                blame(self, "private_access", "public_access"),
                f"{said(self, 'private_access')} and {said(self, 'public_access')} are both false: nobody "
                "could reach the cluster API; set privateAccess: true (from inside the VPC)",
            )
        return self

    @model_validator(mode="after")
    def _cidrs_match_access(self) -> EndpointConfig:
        if self.public_access and not self.public_access_cidrs:
            raise at_key(
                blame(self, "public_access", "public_access_cidrs"),
                "publicAccess is true, so list the CIDRs allowed in under publicAccessCidrs "
                "(e.g. your VPN egress, 203.0.113.0/24)",
            )
        if self.public_access_cidrs and not self.public_access:
            raise at_key(
                key_of(self, "public_access_cidrs"),
                f"set but {said(self, 'public_access')} is false: remove the CIDRs or set publicAccess: true",
            )
        return self


class SizedNodeGroup(Section):
    """Size rules shared by every node group section (each subclass declares minSize, maxSize, desiredSize).
    They run once the sizes themselves are valid, and report at the size the stack file wrote."""

    @model_validator(mode="after")
    def _sizes_in_order(self) -> SizedNodeGroup:
        in_order(self, "min_size", "max_size")
        desired = self.desired_size  # type: ignore[attr-defined]
        if desired is not None and not self.min_size <= desired <= self.max_size:  # type: ignore[attr-defined]
            raise at_key(
                "desiredSize",
                f"{desired} must lie between {said(self, 'min_size')} and {said(self, 'max_size')}",
            )
        return self

    @property
    def initial_size(self) -> int:
        """The node count at creation: desiredSize, else minSize. Afterwards the autoscaler owns it."""
        return self.desired_size if self.desired_size is not None else self.min_size  # type: ignore[attr-defined]


class SystemNodeGroupConfig(SizedNodeGroup):
    """`llm-platform:cluster.systemNodeGroup` — on-demand CPU nodes for controllers (never GPUs)."""

    instance_types: Annotated[list[str], AfterValidator(unique)] = Field(
        ["m7i.xlarge"],
        min_length=1,
        description="x86_64 CPU instance types; EKS launches on-demand capacity in the order listed.",
    )
    min_size: int = Field(
        2, ge=1, description="At least 1: controllers (Karpenter, KEDA, CoreDNS) live here."
    )
    max_size: int = Field(4, ge=1, le=100, description="Most nodes the group may scale to.")
    desired_size: int | None = Field(
        None, description="Initial size; defaults to minSize. The autoscaler owns it."
    )
    disk_size_gib: int = Field(50, ge=20, le=1000, description="Root volume (gp3) of each system node.")

    @field_validator("instance_types")
    @classmethod
    def _known_cpu_types(cls, v: list[str]) -> list[str]:
        gpus = [t for t in v if t in GPU_INSTANCES]
        if gpus:
            raise ValueError(f"GPU instance types do not belong in the system node group: {', '.join(gpus)}")
        # The system group runs the x86_64 AMI; Graviton families (m7g, c8gd, ...) would not boot it.
        graviton = [t for t in v if re.match(r"^[a-z]+[0-9]+g[a-z]*\.", t, re.ASCII)]
        if graviton:
            raise ValueError(f"arm64 (Graviton) instance types are not supported yet: {', '.join(graviton)}")
        # EKS refuses an instance type that does not exist only at `pulumi up`, once the VPC and cluster exist.
        unknown = [t for t in v if t not in CPU_INSTANCES]
        if unknown:
            raise ValueError(
                "not in the x86_64 CPU instance catalog (catalog/cpus.py): "
                + ", ".join(_with_guess(t, CPU_INSTANCES) for t in unknown)
                + f"; families: {', '.join(CPU_FAMILIES)}, sizes large and up"
            )
        return v


def _with_guess(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return f"{value} (did you mean {close[0]}?)" if close else value


class ExistingClusterConfig(Section):
    """`llm-platform:cluster.existing` — an EKS cluster that exists already, named by `cluster.name`: the
    platform creates no control plane, system node group or core add-on and installs everything else into it."""

    deploy_role_arn: RoleArn = Field(
        description="The IAM role the program's Kubernetes provider acts as: its kubeconfig runs `aws eks "
        "get-token --role-arn` with it. The cluster's owners give it an access entry with "
        "AmazonEKSClusterAdminPolicy at cluster scope (the preview fails when it has no entry); the platform "
        "never grants itself access to a cluster it does not own.",
    )
    aws_node_credentials: Literal["nodeRole", "ownRole"] = Field(
        "nodeRole",
        description="Where the cluster's `aws-node` (the VPC CNI) gets its AWS credentials. `nodeRole`, EKS's "
        "default when aws-node has no role of its own: the node roles the platform creates (its GPU node "
        "groups' and Karpenter's) carry AmazonEKS_CNI_Policy, since aws-node on their nodes acts as the node; "
        "without it those nodes never turn Ready. `ownRole`: aws-node has a role of its own (IRSA on the "
        "vpc-cni add-on, or a Pod Identity association for kube-system/aws-node), and the node roles carry no "
        "CNI rights, as on a cluster the platform creates. The plan cannot tell which holds: an association "
        "made outside the add-on does not show in any lookup the preview can make.",
    )


class ClusterConfig(Section):
    """`llm-platform:cluster` — the EKS control plane: one the platform creates, or an `existing` one."""

    name: str = Field(
        pattern=pattern(
            r"^[a-zA-Z][a-zA-Z0-9-]{0,99}$",
            "letters, digits and '-', starting with a letter, at most 100 characters",
            "llm-prod",
        ),
        description="EKS cluster name: the cluster the platform creates, or the `existing` one's.",
    )
    kubernetes_version: Literal[SUPPORTED_KUBERNETES_VERSIONS] = Field(  # type: ignore[valid-type]
        description="Pinned Kubernetes minor version. With `existing`, the version the cluster runs: written "
        "so that the AMI release and the charts are checked offline, and the preview fails when the cluster "
        "runs another."
    )
    endpoint: EndpointConfig = Field(
        default_factory=EndpointConfig,
        description="Who can reach the Kubernetes API (see below). Not with `existing`.",
    )
    log_types: Annotated[list[Literal[LOG_TYPES]], AfterValidator(unique)] = Field(  # type: ignore[valid-type]
        list(LOG_TYPES), description="Control-plane log types sent to CloudWatch Logs. Not with `existing`."
    )
    log_retention_days: Literal[LOG_RETENTION_DAYS] = Field(  # type: ignore[valid-type]
        90,
        description="CloudWatch retention of control-plane logs (EKS would keep them forever). Not with "
        "`existing`.",
    )
    admin_role_arns: RoleArns = Field(
        default_factory=list,
        description="IAM roles granted cluster-admin through EKS access entries. Not with `existing`.",
    )
    deletion_protection: bool = Field(
        True, description="EKS refuses to delete the cluster while true. Not with `existing`."
    )
    support_type: Literal["STANDARD", "EXTENDED"] = Field(
        "STANDARD",
        description="EKS upgrade policy. EXTENDED keeps an old version running at 6x the control-plane price. "
        "Not with `existing`.",
    )
    system_node_group: SystemNodeGroupConfig = Field(
        default_factory=SystemNodeGroupConfig,
        description="The on-demand CPU node group every controller runs on (see below). Not with `existing`.",
    )
    existing: ExistingClusterConfig | None = Field(
        None,
        description="Install into an EKS cluster that exists already instead of creating one; needs "
        "`network.existing` (its VPC). See the README's 'Install into an existing cluster'.",
    )


class NodeAmiConfig(Section):
    """`llm-platform:nodeAmi` — ONE pinned AMI release for every node we create (one driver/CUDA version)."""

    family: Literal[tuple(AMI_FAMILIES)] = Field(  # type: ignore[valid-type]
        "al2023", description="al2023 (driver + toolkit in the AMI) or bottlerocket (also the device plugin)."
    )
    release_version: str = Field(
        description="Managed node group release_version, e.g. 1.35.6-20260714 (al2023) or 1.65.0-0be31b34 "
        "(bottlerocket). Never 'latest': an AMI release changes the NVIDIA driver."
    )
    fast_image_pull: bool = Field(
        True,
        description="Parallel image pulls on GPU nodes (AL2023 nodeadm FastImagePull, Bottlerocket SOCI "
        "parallel-pull-unpack): a ~10 GB vLLM image in about 40-60 s instead of about 2 minutes.",
    )

    @model_validator(mode="after")
    def _fast_pull_in_the_release(self) -> NodeAmiConfig:
        since = FAST_PULL_SINCE[self.family]
        match = AMI_FAMILIES[self.family].release_pattern.match(self.release_version)
        if self.fast_image_pull and match and _version(match["alias"]) < _version(since):
            raise at_key(
                "fastImagePull",
                f"{self.family} {self.release_version} predates parallel image pulls ({since}): pin a newer "
                "releaseVersion, or set fastImagePull: false",
            )
        return self

    @field_validator("release_version")
    @classmethod
    def _release_matches_family(cls, v: str, info: ValidationInfo) -> str:
        family = info.data.get("family")
        problem = None if family is None else _release_problem(family, v)
        if problem:
            raise ValueError(problem)
        return v


def _version(alias: str) -> tuple[int, ...]:
    """A release alias as comparable numbers: 20250821, or 1.44.0."""
    return tuple(int(p) for p in alias.split("."))


def _release_problem(family: str, release: str) -> str | None:
    """Why `release` is no release version of AMI family `family`, or None. EKS refuses a release that does not
    exist only at `pulumi up`, and Karpenter finds no AMI for its alias."""
    fam = AMI_FAMILIES[family]
    match = fam.release_pattern.match(release)
    if match is None:
        return (
            f"{release!r} is not a release version of {family} (nodeAmi.family): pin one release in the form "
            f"{fam.release_example} ({fam.release_source})"
        )
    built = match.groupdict().get("date")
    no_date = _not_a_date(built) if built else None
    if no_date:
        return (
            f"{release!r} has no real build date: {built} is read as YYYYMMDD, and {no_date}. Pin a release "
            f"listed in {fam.release_source}, e.g. {fam.release_example}"
        )
    other = _release_of_another_family(family, release)
    if other:
        theirs = AMI_FAMILIES[other]
        return (
            f"{release!r} is a release version of {other} (<Kubernetes version>-<build date>), not of {family} "
            f"(nodeAmi.family): pin a {family} release in the form {fam.release_example} ({fam.release_source}), "
            f"or set nodeAmi.family: {other} (its releases look like {theirs.release_example})"
        )
    return None


def _release_of_another_family(family: str, release: str) -> str | None:
    """The other AMI family whose release `release` is, recognised by a Kubernetes minor and a real build date
    in its place (Bottlerocket's build is 8 hex digits, so an AL2023 date would pass its form)."""
    for name, other in AMI_FAMILIES.items():
        match = other.release_pattern.match(release) if name != family else None
        fields = match.groupdict() if match else {}
        k8s, built = fields.get("k8s"), fields.get("date")
        if k8s and built and is_kubernetes_minor(k8s) and _not_a_date(built) is None:
            return name
    return None


def _not_a_date(yyyymmdd: str) -> str | None:
    """Why the digits YYYYMMDD name no calendar date, or None when they name one."""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return f"{calendar.month_name[month]} {year} has no day {day}"
    return None


class GpuNodeGroupConfig(SizedNodeGroup):
    """One entry of `llm-platform:gpuNodeGroups` — one EKS managed node group, tainted for GPU work only."""

    name: PoolName = Field(
        examples=["l40s-on-demand"], description="Pool name; becomes the node label llm-platform.io/pool."
    )
    capacity_type: Literal["on-demand", "spot", "reserved"] = Field(
        description="on-demand | spot | reserved (nodes in `capacityReservation`, capacity already paid for)."
    )
    instance_types: Annotated[list[str], AfterValidator(unique)] = Field(
        min_length=1,
        description="GPU instance types, all with the same GPU model. Spot: list several. Reserved: the one "
        "reserved type.",
    )
    min_size: int = Field(ge=0, le=100, description="Nodes kept running; 0 lets the group scale to zero.")
    max_size: int = Field(
        ge=1, le=100, description="Most nodes: with the GPUs per node, the group's GPU capacity."
    )
    desired_size: int | None = Field(
        None, description="Initial size; defaults to minSize. The autoscaler owns it."
    )
    disk_size_gib: int = Field(
        200, ge=100, le=4096, description="Image volume: vLLM images are ~10 GB compressed, ~25 GB unpacked."
    )
    disk_throughput_mibps: int = disk_throughput()
    disk_iops: int = disk_iops()
    headroom: int = headroom()
    labels: Annotated[dict[LabelKey, LabelValue], AfterValidator(_node_labels)] = Field(
        default_factory=dict,
        description="Extra node labels, passed to the kubelet as --node-labels. Not the platform's own "
        "llm-platform.io/ labels, and in the kubernetes.io and k8s.io namespaces only what the kubelet takes.",
    )
    capacity_reservation: NodeGroupReservationConfig | None = Field(
        None,
        description="The ODCR or Capacity Block the group launches into, with capacityType: reserved; see the "
        "README's 'Reserved capacity'.",
    )

    @field_validator("instance_types")
    @classmethod
    def _known_gpu_types(cls, v: list[str]) -> list[str]:
        unknown = [t for t in v if t not in GPU_INSTANCES]
        if unknown:
            known = ", ".join(sorted({i.family for i in GPU_INSTANCES.values()}))
            raise ValueError(f"not in the GPU instance catalog: {', '.join(unknown)} (families: {known})")
        gpus = sorted({gpu_model(GPU_INSTANCES[t]) for t in v})
        if len(gpus) > 1:
            raise ValueError(
                "instance types mix GPU models "
                + ", ".join(f"{n} {m} GiB" for n, m in gpus)
                + ": one node group must expose one GPU model (split it into several groups)"
            )
        return v

    @model_validator(mode="after")
    def _reservation_holds_the_group(self) -> GpuNodeGroupConfig:
        reservation = self.capacity_reservation
        check_reservation(self, self.capacity_type, reservation, "instanceTypes", self.instance_types)
        if reservation is not None and self.max_size > reservation.instances:
            # A targeted reservation does not fall back to on-demand: launches beyond it fail.
            raise at_key(
                "maxSize",
                f"{self.max_size} is above capacityReservation.instances ({reservation.instances}): nodes beyond "
                "the reservation never launch; lower maxSize, or reserve more instances",
            )
        return self

    @model_validator(mode="after")
    def _volume_within_gp3(self) -> GpuNodeGroupConfig:
        check_volume(self, self.disk_size_gib, self.disk_iops, self.disk_throughput_mibps)
        if self.headroom > self.min_size:
            # Nothing adds nodes to a managed node group: a placeholder beyond minSize would pend forever.
            raise at_key(
                "headroom",
                f"{self.headroom} is above {said(self, 'min_size')}: a managed node group "
                "only has its running nodes to hold warm (a NodePool launches nodes for headroom)",
            )
        return self


def _not_a_kubernetes_namespace(namespace: str) -> str:
    # The platform creates the inference namespace and labels it Pod Security `enforce: baseline`: on one the
    # cluster already has, the create fails (AlreadyExists) and the label would stop the aws-node, kube-proxy
    # and CSI node pods of kube-system. The add-ons' namespaces are the rule objects-have-distinct-names'.
    if namespace in KUBERNETES_NAMESPACES:
        raise ValueError(
            f"{namespace!r} is a namespace every Kubernetes cluster already has ("
            f"{', '.join(sorted(KUBERNETES_NAMESPACES))}), and the platform creates the inference namespace "
            "and sets its Pod Security level: name one of its own, e.g. inference"
        )
    return namespace


class ModelCacheConfig(Section):
    """`llm-platform:modelCache` — the shared EFS model-weights cache."""

    namespace: Annotated[DnsLabel, AfterValidator(_not_a_kubernetes_namespace)] = Field(
        "inference",
        examples=["inference"],
        description="Namespace of the inference workloads and the PVC, which the platform creates.",
    )
    pvc_name: DnsLabel = Field(
        "model-cache", examples=["model-cache"], description="The one shared ReadWriteMany claim."
    )
    size_gib: int = Field(
        1024,
        ge=1,
        # A Kubernetes quantity holds at most 2^63-1 (bytes here); a larger one is silently capped
        # (k8s.io/apimachinery pkg/api/resource/quantity.go, the Quantity type's documentation).
        le=QUANTITY_MAX_GIB,
        description="Requested PVC size. EFS does not enforce it; it documents the expected footprint.",
    )
    throughput_mode: Literal["elastic", "bursting"] = Field(
        "elastic", description="elastic: full read speed for cold starts without provisioning throughput."
    )
    protect: bool = Field(
        True,
        description="Protect the file system and its KMS key from deletion and keep them when the stack is "
        "destroyed, so no config edit or destroy can lose cached weights.",
    )
