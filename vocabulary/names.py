"""Every name the platform derives from a config value, defined once, and the limits of the APIs that receive
them.

A name built in two places drifts; a name no one measured fails at `pulumi up`, after the cloud half of the
stack exists (a 71-character Job name passes every offline check, then Kubernetes refuses it). So each derived
name is a function here, the composition builds names only through these functions, and config/rules/names.py
measures every one of them against the limit below before anything is registered. The fixed names of objects in
the same namespaces live here too: config/rules/names.py refuses a config value that would give two objects of
one kind the same namespace and name, and tests/stack/test_collisions.py holds that table to what a render
really registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

# --- limits -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    api: str  # what refuses a longer name, in words
    max_length: int
    source: str  # where the limit is defined


_APIMACHINERY = "k8s.io/apimachinery/pkg/util/validation/validation.go"
DNS_1123_LABEL = Limit(
    "a Kubernetes DNS-1123 label (Namespace names)", 63, f"{_APIMACHINERY}: DNS1123LabelMaxLength"
)
DNS_1123_SUBDOMAIN = Limit(
    "a Kubernetes object name (DNS-1123 subdomain)", 253, f"{_APIMACHINERY}: DNS1123SubdomainMaxLength"
)
# Service names are DNS-1035 labels: pkg/apis/core/validation ValidateServiceName = NameIsDNS1035Label.
DNS_1035_LABEL = Limit(
    "a Kubernetes Service name (DNS-1035 label)", 63, f"{_APIMACHINERY}: DNS1035LabelMaxLength"
)
LABEL_VALUE = Limit("a Kubernetes label value", 63, f"{_APIMACHINERY}: LabelValueMaxLength")
# The Job controller labels every pod with the Job's name (job-name, batch.kubernetes.io/job-name) and
# validation requires those labels: a Job name is a label value, not just a DNS subdomain.
JOB_NAME = Limit(
    "a Kubernetes Job name (its pods carry it as the job-name label value)",
    63,
    "kubernetes pkg/apis/batch/validation/validation.go: ValidateGeneratedSelector",
)
IAM_ROLE_NAME = Limit(
    "an IAM role name",
    64,
    "IAM API CreateRole RoleName; pulumi-aws provider/resources.go autonames aws_iam_role with maxlen 64",
)
IAM_INLINE_POLICY_NAME = Limit("an IAM inline policy name", 128, "IAM API PutRolePolicy PolicyName")
SQS_QUEUE_NAME = Limit("an SQS queue name", 80, "SQS API CreateQueue QueueName: up to 80 characters")
EVENTBRIDGE_RULE_NAME = Limit(
    "an EventBridge rule name",
    64,
    "EventBridge API PutRule Name; pulumi-aws provider/resources.go autonames it with maxlen 64",
)
EVENTBRIDGE_TARGET_ID = Limit("an EventBridge target id", 64, "EventBridge API PutTargets Target.Id")
# pulumi-aws autonames nodeGroupName with a 255-character cap: only EKS refuses a longer one, at apply.
EKS_NODE_GROUP_NAME = Limit(
    "an EKS managed node group name",
    63,
    "EKS API CreateNodegroup nodegroupName (pulumi-aws aws.eks.NodeGroup: can't be longer than 63 characters)",
)
EKS_CLUSTER_NAME = Limit("an EKS cluster name", 100, "EKS API CreateCluster name: 1-100 characters")
LAUNCH_TEMPLATE_NAME = Limit(
    "an EC2 launch template name", 128, "EC2 API CreateLaunchTemplate LaunchTemplateName: 3-128 characters"
)
SECURITY_GROUP_NAME = Limit("an EC2 security group name", 255, "EC2 API CreateSecurityGroup GroupName")
EFS_CREATION_TOKEN = Limit("an EFS creation token", 64, "EFS API CreateFileSystem CreationToken: 1-64")
AWS_TAG_KEY = Limit("an AWS tag key", 128, "EC2 User Guide, tag restrictions: key up to 128 characters")
AWS_TAG_VALUE = Limit("an AWS tag value", 256, "EC2 User Guide, tag restrictions: value up to 256 characters")
LOG_GROUP_NAME = Limit("a CloudWatch log group name", 512, "CloudWatch Logs API CreateLogGroup logGroupName")

# Pulumi names a resource that sets no name itself "<logical name>-<7 random hex characters>", and fails the
# preview when that exceeds the provider's declared maximum (pulumi/pulumi sdk/go/common/resource NewUniqueHex,
# called by pulumi-terraform-bridge tfbridge.AutoName with randlen 7).
AUTONAME_RANDOM = 7


def autonamed(logical: str) -> str:
    """The physical name Pulumi gives a resource named `logical`, the random part shown as x's."""
    return f"{logical}-{'x' * AUTONAME_RANDOM}"


# The physical name each autonamed resource type gets, by the input that holds it, and the limit it must fit.
AUTONAMED: MappingProxyType[str, tuple[str, Limit]] = MappingProxyType(
    {
        "aws:iam/role:Role": ("name", IAM_ROLE_NAME),
        "aws:iam/rolePolicy:RolePolicy": ("name", IAM_INLINE_POLICY_NAME),
        "aws:sqs/queue:Queue": ("name", SQS_QUEUE_NAME),
        "aws:cloudwatch/eventRule:EventRule": ("name", EVENTBRIDGE_RULE_NAME),
        "aws:cloudwatch/eventTarget:EventTarget": ("targetId", EVENTBRIDGE_TARGET_ID),
        "aws:eks/nodeGroup:NodeGroup": ("nodeGroupName", EKS_NODE_GROUP_NAME),
        "aws:ec2/launchTemplate:LaunchTemplate": ("name", LAUNCH_TEMPLATE_NAME),
        "aws:ec2/securityGroup:SecurityGroup": ("name", SECURITY_GROUP_NAME),
        "aws:efs/fileSystem:FileSystem": ("creationToken", EFS_CREATION_TOKEN),
    }
)

# --- names derived from a model's name ------------------------------------------------------------------------

PRELOAD_PREFIX = "preload-"


def model_objects(model: str) -> str:
    """The model's Deployment, Service, PodDisruptionBudget, PodMonitor, ScaledObject and InterceptorRoute."""
    return model


def preload_job(model: str) -> str:
    return f"{PRELOAD_PREFIX}{model}"


def preload_service_account(model: str) -> str:
    """The preload's ServiceAccount (and its Pod Identity association): the Job's name, on purpose."""
    return preload_job(model)


def proxy_service(model: str) -> str:
    """Scale to zero: the ExternalName Service callers use, resolving to KEDA's HTTP interceptor."""
    return f"{model}-proxy"


def model_rules(model: str) -> str:
    """The model's own PrometheusRule (its startup budget and TTFT SLO)."""
    return f"llm-model-{model}"


def model_server(model: str) -> str:
    """The ModelServer component's logical name; its children are named `<this>-<part>`."""
    return f"model-{model}"


# components/model_server.py names the preload's IAM role and inline policy `<component>-preload`. The
# component layer cannot import this module, so the suffix is restated here and held to the render by
# tests/unit/test_names.py (until the component exports it and this module imports it).
MODEL_SERVER_PRELOAD = "preload"


def model_server_part(model: str, part: str) -> str:
    return f"{model_server(model)}-{part}"


# --- names derived from a pool's name -------------------------------------------------------------------------


def gpu_node_group(pool: str) -> str:
    """A GPU node group's ManagedNodeGroup component (logical name; also its instances' `Name` tag)."""
    return f"gpu-{pool}"


# components/node_group.py names its children `<component>-ng` and `<component>-lt` (restated, as above).
NODE_GROUP_PART = "ng"
LAUNCH_TEMPLATE_PART = "lt"


def node_pool(pool: str) -> str:
    """A Karpenter NodePool: the pool's name (its nodes carry it as karpenter.sh/nodepool)."""
    return pool


def ec2_node_class(pool: str) -> str:
    """The NodePool's EC2NodeClass: the same name (its nodes carry it as karpenter.k8s.aws/ec2nodeclass)."""
    return pool


# --- names derived from the cluster's name ----------------------------------------------------------------------


def cluster_tag_key(cluster: str) -> str:
    """The tag Karpenter puts on what it launches, and its controller policy's conditions read."""
    return f"kubernetes.io/cluster/{cluster}"


def control_plane_log_group(cluster: str) -> str:
    """The log group EKS writes the control plane's logs to (created first, to bound its retention)."""
    return f"/aws/eks/{cluster}/cluster"


# --- what each config value names, and the limit each name must fit ----------------------------------------------


@dataclass(frozen=True)
class DerivedName:
    what: str  # "the preload Job"
    build: Callable[[str], str]  # from the config value
    limit: Limit
    # When the name exists at all (None: always). config/rules/names.py says what each condition means.
    only: str | None = None


SCALES_TO_ZERO = "scales to zero"
PRELOADS = "preloads its weights"  # every model but one streaming from its source
S3_SOURCE = "s3:// source"

MODEL_NAMES: tuple[DerivedName, ...] = (
    DerivedName("the model's Service", model_objects, DNS_1035_LABEL),
    DerivedName("the llm-platform.io/model label", model_objects, LABEL_VALUE),
    DerivedName("the preload Job", preload_job, JOB_NAME),
    DerivedName("the preload ServiceAccount", preload_service_account, DNS_1123_SUBDOMAIN),
    DerivedName("the model's PrometheusRule", model_rules, DNS_1123_SUBDOMAIN),
    DerivedName("the scale-to-zero proxy Service", proxy_service, DNS_1035_LABEL, SCALES_TO_ZERO),
    DerivedName(
        "the preload's IAM role (autonamed)",
        lambda m: autonamed(model_server_part(m, MODEL_SERVER_PRELOAD)),
        IAM_ROLE_NAME,
        S3_SOURCE,
    ),
    DerivedName(
        "the preload's inline policy (autonamed)",
        lambda m: autonamed(model_server_part(m, MODEL_SERVER_PRELOAD)),
        IAM_INLINE_POLICY_NAME,
        S3_SOURCE,
    ),
)
NODE_GROUP_NAMES: tuple[DerivedName, ...] = (
    DerivedName("the llm-platform.io/pool node label", lambda p: p, LABEL_VALUE),
    DerivedName(
        "the EKS node group (autonamed)",
        lambda p: autonamed(f"{gpu_node_group(p)}-{NODE_GROUP_PART}"),
        EKS_NODE_GROUP_NAME,
    ),
    DerivedName(
        "the launch template (autonamed)",
        lambda p: autonamed(f"{gpu_node_group(p)}-{LAUNCH_TEMPLATE_PART}"),
        LAUNCH_TEMPLATE_NAME,
    ),
    DerivedName("the instances' Name tag", gpu_node_group, AWS_TAG_VALUE),
)
NODE_POOL_NAMES: tuple[DerivedName, ...] = (
    DerivedName("the NodePool (the karpenter.sh/nodepool node label)", node_pool, LABEL_VALUE),
    DerivedName(
        "the EC2NodeClass (the karpenter.k8s.aws/ec2nodeclass node label)", ec2_node_class, LABEL_VALUE
    ),
    DerivedName("the llm-platform.io/pool node label", lambda p: p, LABEL_VALUE),
)
CLUSTER_NAMES: tuple[DerivedName, ...] = (
    DerivedName("the EKS cluster", lambda c: c, EKS_CLUSTER_NAME),
    DerivedName("Karpenter's cluster tag key", cluster_tag_key, AWS_TAG_KEY),
    DerivedName("the control plane's log group", control_plane_log_group, LOG_GROUP_NAME),
)
NAMESPACE_NAMES: tuple[DerivedName, ...] = (
    DerivedName("the inference Namespace", lambda n: n, DNS_1123_LABEL),
    DerivedName("its kubernetes.io/metadata.name label", lambda n: n, LABEL_VALUE),
)
PVC_NAMES: tuple[DerivedName, ...] = (
    DerivedName("the model cache's PersistentVolumeClaim", lambda n: n, DNS_1123_SUBDOMAIN),
)

# --- fixed names of objects sharing namespaces with the derived ones ---------------------------------------------

# The inference namespace's guardrails (stacks/model_servers.py).
GPU_QUOTA = "gpu"
DEFAULT_LIMITS = "defaults"
# Its NetworkPolicies (access/network_policies.py).
DEFAULT_DENY = "default-deny-ingress"
ALLOW_CLIENTS = "allow-model-clients"
ALLOW_PROMETHEUS = "allow-prometheus-scrape"
ALLOW_INTERCEPTOR = "allow-keda-http-interceptor"
ALLOW_GATEWAY = "allow-gateway"  # replaces ALLOW_CLIENTS while the gateway is on
# In the monitoring add-on's namespace: the platform's PrometheusRule and one ConfigMap per dashboard uid
# (stacks/addons.py, observability/dashboards.py).
PLATFORM_RULES = "llm-platform"
DASHBOARD_UIDS = ("llm-inference", "llm-gpu-fleet", "llm-capacity-cost")
GATEWAY_DASHBOARD_UID = "llm-gateway"  # only while the gateway is on


def headroom_deployment(pool: str) -> str:
    """A pool's warm-headroom placeholders (serving/headroom.py), in the inference namespace."""
    return f"headroom-{pool}"


HEADROOM_PRIORITY_CLASS = "llm-platform-headroom"  # cluster-scoped


def dashboard_configmap(uid: str) -> str:
    return f"dashboard-{uid}"


# Cluster-scoped StorageClasses: the default gp3 class and the model cache's, restated from
# components/block_storage.py and components/model_cache.py (importing them would pull the Pulumi SDKs into
# config validation; the composition should pass these names in through the components' Args instead).
STORAGE_CLASSES = ("gp3", "efs-model-cache")
# Karpenter's two releases and their namespace (restated from components/karpenter.py, as above).
KARPENTER_NAMESPACE = "kube-system"
KARPENTER_RELEASES = ("karpenter-crd", "karpenter")
