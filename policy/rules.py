"""The platform's guardrails as plain functions over resource inputs.

One rule set, two runners: `policy/__main__.py` wraps these functions as a Pulumi CrossGuard policy pack for
`pulumi preview/up --policy-pack policy`, and `policy/offline.py` runs the very same functions over the offline
plan (`make plan`). Props are the engine's input properties (camelCase keys, as on the wire). Under
`pulumi preview` they are read-only Mapping/Sequence proxies that raise on values not known yet, so the rules
only use Mapping/Sequence operations and never isinstance(dict/list).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalog.gpus import GPU_INSTANCES
from catalog.placeholders import is_documentation_account, is_documentation_bucket, is_documentation_network
from vocabulary.objects import HEADROOM_LABEL
from vocabulary.scheduling import GPU_RESOURCE, GPU_TAINT


@dataclass(frozen=True)
class Resource:
    """What a rule sees of one resource, in either runner."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]


@dataclass(frozen=True)
class ResourceRule:
    name: str
    description: str
    check: Callable[[Resource, Mapping[str, Any]], Iterable[str]]
    # JSON-schema properties of the rule's configuration (policy/config/<stack>.json), if it takes any.
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The level the offline runner reports a mandatory finding at, when it differs: a rule about values the
    # example stacks ship on purpose (placeholders) warns in `make plan` and blocks a real preview or up.
    offline_level: str | None = None


@dataclass(frozen=True)
class StackRule:
    name: str
    description: str
    # Yields (urn or "", message) so a finding can point at the resource to blame.
    check: Callable[[Sequence[Resource], Mapping[str, Any]], Iterable[tuple[str, str]]]
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


# --- reading props --------------------------------------------------------------------------------------


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, Sequence) and not isinstance(value, str | bytes) else ()


def _get(props: Mapping[str, Any], *path: str) -> Any:
    value: Any = props
    for key in path:
        value = _map(value).get(key)
    return value


def _kind(resource: Resource) -> str:
    return resource.type.rsplit(":", 1)[-1] if resource.type.startswith("kubernetes:") else ""


# Where each Kubernetes workload kind keeps its pod spec.
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def pod_spec(resource: Resource) -> Mapping[str, Any] | None:
    path = POD_SPEC_PATHS.get(_kind(resource))
    return _map(_get(resource.props, *path)) if path else None


def containers(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("initContainers", "containers"):
        for c in _list(spec.get(key)):
            yield _map(c)


def _gpus(container: Mapping[str, Any]) -> int:
    res = _map(container.get("resources"))
    values = [_map(res.get(k)).get(GPU_RESOURCE) for k in ("limits", "requests")]
    return max((int(v) for v in values if v is not None), default=0)


def requests_gpus(spec: Mapping[str, Any]) -> bool:
    return any(_gpus(c) > 0 for c in containers(spec))


def tolerates_gpu_taint(spec: Mapping[str, Any]) -> bool:
    for t in _list(spec.get("tolerations")):
        t = _map(t)
        key, op = t.get("key"), t.get("operator") or "Equal"
        if key not in (None, "", GPU_TAINT.key) or (not key and op != "Exists"):
            continue
        if op == "Equal" and t.get("value") != GPU_TAINT.value:
            continue
        if t.get("effect") in (None, "", GPU_TAINT.effect):
            return True
    return False


# --- resource rules -------------------------------------------------------------------------------------


def gpu_workloads_tolerate_and_request(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    spec = pod_spec(r)
    if spec is None:
        return
    asks, tolerates = requests_gpus(spec), tolerates_gpu_taint(spec)
    taint = f"{GPU_TAINT.key}={GPU_TAINT.value}:{GPU_TAINT.effect}"
    if asks and not tolerates:
        yield f"requests {GPU_RESOURCE} but does not tolerate the GPU taint {taint}: it can never schedule"
    if tolerates and not asks:
        yield f"tolerates the GPU taint {taint} without requesting {GPU_RESOURCE}: it could hold a GPU node idle"
    for c in containers(spec):
        gpus = _map(_map(c.get("resources")).get("limits")).get(GPU_RESOURCE)
        if _gpus(c) and not gpus:
            yield f"container {c.get('name')!r} requests {GPU_RESOURCE} without a limit (extended resources need one)"


def image_is_pinned(image: str) -> bool:
    """A digest, or a tag other than `latest` (a registry port like host:5000/x is not a tag)."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


# Chart versions must be exact SemVer (Helm's own version format): a range or wildcard (`^1.2`, `1.2.x`, `>=1`)
# floats like `:latest` does. Offline only, in effect: under the engine a Release's `version` arrives already
# resolved by the provider's Check, so CrossGuard sees an exact version either way.
_EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def images_pinned(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    spec = pod_spec(r)
    for c in containers(spec or {}):
        image = c.get("image") or ""
        if not image_is_pinned(image):
            yield f"container {c.get('name')!r} runs unpinned image {image!r} (pin a tag other than latest, or a digest)"
    if r.type.startswith("kubernetes:helm.sh/"):
        version = str(r.props.get("version") or "")
        if not _EXACT_VERSION.match(version):
            yield f"Helm chart {r.props.get('chart')!r} has no exact version (got {version!r})"


_PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def is_model_deployment(r: Resource) -> bool:
    """A model server is a Deployment that asks for GPUs: whatever serves tokens from a GPU must be probed.
    Warm-headroom placeholders hold GPUs and serve nothing."""
    spec = pod_spec(r)
    labels = _map(_get(r.props, "spec", "template", "metadata", "labels"))
    placeholder = HEADROOM_LABEL in labels
    return _kind(r) == "Deployment" and spec is not None and requests_gpus(spec) and not placeholder


def model_deployments_have_probes(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if not is_model_deployment(r):
        return
    for c in _list(_map(pod_spec(r)).get("containers")):
        c = _map(c)
        if not _gpus(c):
            continue
        # startupProbe: loading weights takes minutes; without it the liveness probe kills the load.
        missing = [p for p in _PROBES if not c.get(p)]
        if missing:
            yield f"model container {c.get('name')!r} has no {', '.join(missing)}"


def is_gpu_node_pool(r: Resource) -> bool:
    spec = _map(_get(r.props, "spec", "template", "spec"))
    tainted = any(_map(t).get("key") == GPU_TAINT.key for t in _list(spec.get("taints")))
    gpu_requirement = any("gpu" in str(_map(req).get("key", "")) for req in _list(spec.get("requirements")))
    return tainted or gpu_requirement


def gpu_node_pools_have_limits(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if r.type != "kubernetes:karpenter.sh/v1:NodePool" or not is_gpu_node_pool(r):
        return
    limit = _map(_get(r.props, "spec", "limits")).get(GPU_RESOURCE)
    if limit is None or int(limit) <= 0:
        yield f"GPU NodePool has no spec.limits[{GPU_RESOURCE!r}]: Karpenter could launch GPUs without bound"


def efs_encrypted(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if r.type == "aws:efs/fileSystem:FileSystem" and r.props.get("encrypted") is not True:
        yield "EFS file system is not encrypted at rest (encrypted: true, ideally with our own KMS key)"


_WORLD = {"0.0.0.0/0", "::/0"}


def _endpoint(r: Resource) -> tuple[bool, Sequence[str]] | None:
    """(public?, allowed CIDRs) of an EKS control plane, from the pulumi-eks component or the raw cluster.
    Both defaults are AWS's: a public endpoint open to the world."""
    if r.type == "eks:index:Cluster":
        props = r.props
    elif r.type == "aws:eks/cluster:Cluster":
        props = _map(r.props.get("vpcConfig"))
    else:
        return None
    public = props.get("endpointPublicAccess")
    return public is not False, list(_list(props.get("publicAccessCidrs"))) or ["0.0.0.0/0"]


def eks_endpoint_not_world_open(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    endpoint = _endpoint(r)
    if endpoint and endpoint[0] and _WORLD & set(endpoint[1]):
        yield "the EKS API endpoint is public and open to 0.0.0.0/0: make it private or list publicAccessCidrs"


# AMI types that run GPU drivers: the driver/CUDA pairing is part of the AMI release, so it must not float.
_GPU_AMI_MARKERS = ("NVIDIA", "GPU", "NEURON")


def is_gpu_node_group(r: Resource) -> bool:
    return r.type == "aws:eks/nodeGroup:NodeGroup" and any(
        m in str(r.props.get("amiType", "")) for m in _GPU_AMI_MARKERS
    )


def node_amis_pinned(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    if is_gpu_node_group(r) and not r.props.get("releaseVersion"):
        yield (
            f"GPU node group ({r.props.get('amiType')}) has no releaseVersion: every node would boot the "
            "newest AMI (and NVIDIA driver) of the day"
        )
    if r.type == "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass":
        for term in _list(_get(r.props, "spec", "amiSelectorTerms")):
            term = _map(term)
            alias = str(term.get("alias") or "")
            if term.get("id"):
                continue
            if not alias or alias.endswith("@latest") or "@" not in alias:
                yield f"EC2NodeClass amiSelectorTerms entry {dict(term)} does not pin an AMI release (alias family@vYYYYMMDD or id)"


_POLICY_DOCS: Mapping[str, str] = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
_ADMIN_POLICY_SUFFIX = ":policy/AdministratorAccess"


def _documents(r: Resource) -> Iterator[Any]:
    if r.type in _POLICY_DOCS:
        yield r.props.get(_POLICY_DOCS[r.type])
    if r.type == "aws:iam/role:Role":
        for inline in _list(r.props.get("inlinePolicies")):
            yield _map(inline).get("policy")


def _statements(document: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return
    statements = _map(document).get("Statement")
    for s in [statements] if isinstance(statements, Mapping) else _list(statements):
        yield _map(s)


def _as_set(value: Any) -> set[str]:
    return {value} if isinstance(value, str) else {str(v) for v in _list(value)}


def no_iam_star_on_star(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    for doc in _documents(r):
        for s in _statements(doc):
            if (
                s.get("Effect") == "Allow"
                and _as_set(s.get("Action")) & {"*", "*:*"}
                and "*" in _as_set(s.get("Resource"))
            ):
                sid = f" {s['Sid']!r}" if s.get("Sid") else ""
                yield f"IAM statement{sid} allows every action on every resource ('*' on '*')"
    attachment = r.type in (
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    )
    if attachment and str(r.props.get("policyArn", "")).endswith(_ADMIN_POLICY_SUFFIX):
        yield "attaches AdministratorAccess, which allows '*' on '*'"


def _placeholder_findings(props: Mapping[str, Any]) -> Iterator[str]:
    for key, entry in _map(props.get("accessEntries")).items():
        arn = str(_map(entry).get("principalArn") or "")
        if is_documentation_account(arn):
            yield (
                f"access entry {key!r} is for {arn}, in a documentation account: EKS refuses an access entry "
                "for a role that does not exist (replace it with your role's ARN)"
            )


def _s3_buckets(r: Resource) -> Iterator[str]:
    """The buckets an IAM policy's statements name (arn:partition:s3:::bucket[/key])."""
    for doc in _documents(r):
        for st in _statements(doc):
            for arn in _as_set(st.get("Resource")):
                parts = arn.split(":", 5)
                if len(parts) == 6 and parts[2] == "s3":
                    yield parts[5].split("/", 1)[0]


def no_placeholder_values(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    """Placeholders the example stacks ship: documentation accounts and documentation CIDRs."""
    if r.type == "eks:index:Cluster":
        yield from _placeholder_findings(r.props)
    front = _load_balancer(r)
    if front and front.certificate and is_documentation_account(front.certificate):
        yield (
            f"the load balancer's certificate {front.certificate} is in a documentation account: the load "
            "balancer cannot be created with it (set gateway.loadBalancer.certificateArn to your ACM certificate)"
        )
    buckets = sorted({b for b in _s3_buckets(r) if is_documentation_bucket(b)})
    if buckets:
        yield (
            f"the policy grants S3 bucket {', '.join(buckets)}, an AWS documentation bucket no account can "
            "create: the weights cannot be read (set the model's source to your bucket)"
        )
    endpoint = _endpoint(r)
    if endpoint and endpoint[0]:
        cidrs = [str(c) for c in endpoint[1]]
        if cidrs and all(is_documentation_network(c) for c in cidrs):
            yield (
                f"the API endpoint admits only documentation ranges ({', '.join(cidrs)}): nothing can reach it, "
                "so every Kubernetes resource would time out (list your CI's and VPN's egress CIDRs)"
            )


# --- stack rules ----------------------------------------------------------------------------------------


# --- load balancers in front of the gateway --------------------------------------------------------------------

NLB_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-"
ALB_ANNOTATION = "alb.ingress.kubernetes.io/"


@dataclass(frozen=True)
class LoadBalancerFront:
    """What a rule reads of a load balancer the AWS Load Balancer Controller will make: its scheme, its TLS
    certificate (None: plain HTTP) and the sources it admits (empty: any)."""

    scheme: str
    certificate: str | None
    sources: tuple[str, ...]


def _load_balancer(r: Resource) -> LoadBalancerFront | None:
    """An NLB (an EnvoyProxy's LoadBalancer Service) or an ALB (an Ingress of class alb); None otherwise."""
    if _kind(r) == "EnvoyProxy":
        service = _map(_get(r.props, "spec", "provider", "kubernetes", "envoyService"))
        if service.get("type") != "LoadBalancer":
            return None
        notes = _map(service.get("annotations"))
        sources = tuple(str(c) for c in _list(service.get("loadBalancerSourceRanges")))
        return LoadBalancerFront(
            str(notes.get(f"{NLB_ANNOTATION}scheme", "internal")),
            notes.get(f"{NLB_ANNOTATION}ssl-cert"),
            sources,
        )
    if _kind(r) == "Ingress" and _get(r.props, "spec", "ingressClassName") == "alb":
        notes = _map(_get(r.props, "metadata", "annotations"))
        cidrs = str(notes.get(f"{ALB_ANNOTATION}inbound-cidrs", ""))
        sources = tuple(c.strip() for c in cidrs.split(",") if c.strip())
        return LoadBalancerFront(
            str(notes.get(f"{ALB_ANNOTATION}scheme", "internal")),
            notes.get(f"{ALB_ANNOTATION}certificate-arn"),
            sources,
        )
    return None


def public_load_balancers_need_tls_and_sources(r: Resource, _: Mapping[str, Any]) -> Iterator[str]:
    front = _load_balancer(r)
    if front is None or front.scheme != "internet-facing":
        return
    if not front.certificate:
        yield "an internet-facing load balancer without a TLS certificate: keys and prompts would cross in clear"
    if not front.sources or any(c.endswith("/0") for c in front.sources):
        yield "an internet-facing load balancer open to every address: list the clients' source CIDRs"


def _namespace(r: Resource) -> str:
    return _get(r.props, "metadata", "namespace") or "default"


def model_deployments_have_pdb(
    resources: Sequence[Resource], _: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    pdbs = [r for r in resources if _kind(r) == "PodDisruptionBudget"]
    for d in filter(is_model_deployment, resources):
        labels = _map(_get(d.props, "spec", "template", "metadata", "labels"))
        covered = any(
            _namespace(p) == _namespace(d)
            and (selector := _map(_get(p.props, "spec", "selector", "matchLabels")))
            and all(labels.get(k) == v for k, v in selector.items())
            for p in pdbs
        )
        if not covered:
            name = _get(d.props, "metadata", "name") or d.name
            yield d.urn, f"model Deployment {name!r} has no PodDisruptionBudget selecting its pods"


def gpu_capacity(resources: Sequence[Resource]) -> tuple[int, list[str]]:
    """The most GPUs the stack can ever run: GPU node group maxima x GPUs per instance, plus NodePool limits.
    Returns the total and one line per contributor."""
    total, parts = 0, []
    for r in resources:
        if is_gpu_node_group(r):
            types = _node_group_types(r, resources)
            unknown = [t for t in types if t not in GPU_INSTANCES]
            if unknown or not types:
                raise ValueError(f"{r.name}: GPU count unknown for instance types {unknown or types}")
            per_node = max(GPU_INSTANCES[t].gpu_count for t in types)
            nodes = int(_map(r.props.get("scalingConfig")).get("maxSize") or 0)
            total += nodes * per_node
            parts.append(f"{r.name}: {nodes} x {per_node}")
        elif r.type == "kubernetes:karpenter.sh/v1:NodePool" and is_gpu_node_pool(r):
            limit = int(_map(_get(r.props, "spec", "limits")).get(GPU_RESOURCE) or 0)
            total += limit
            parts.append(f"{r.name}: limit {limit}")
    return total, parts


def _node_group_types(group: Resource, resources: Sequence[Resource]) -> list[str]:
    """A node group's instance types: its own, or (a Capacity Block group, which EKS gives one type through its
    launch template) the `instanceType` of the launch template tagged with the same Name."""
    types = [str(t) for t in _list(group.props.get("instanceTypes"))]
    name = _map(group.props.get("tags")).get("Name")
    if types or name is None:
        return types
    return [
        str(lt.props["instanceType"])
        for lt in resources
        if lt.type == "aws:ec2/launchTemplate:LaunchTemplate"
        and lt.props.get("instanceType")
        and _map(lt.props.get("tags")).get("Name") == name
    ]


def gpu_quota(resources: Sequence[Resource], config: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    cap = int(config.get("maxGpus", DEFAULT_MAX_GPUS))
    try:
        total, parts = gpu_capacity(resources)
    except ValueError as err:
        yield "", str(err)
        return
    if total > cap:
        yield "", f"the stack can run {total} GPUs ({'; '.join(parts)}), over its cap of {cap} (maxGpus)"


DEFAULT_MAX_GPUS = 16

RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "gpu-workloads-tolerate-and-request-gpus",
        "Pods that request nvidia.com/gpu tolerate the GPU taint, and pods that tolerate it request GPUs.",
        gpu_workloads_tolerate_and_request,
    ),
    ResourceRule(
        "images-and-charts-pinned",
        "Container images carry a tag other than latest (or a digest); Helm charts an exact version.",
        images_pinned,
    ),
    ResourceRule(
        "model-deployments-have-probes",
        "Every GPU-serving container has startup, readiness and liveness probes.",
        model_deployments_have_probes,
    ),
    ResourceRule(
        "gpu-nodepools-have-limits",
        "Every Karpenter NodePool for GPUs caps nvidia.com/gpu in spec.limits.",
        gpu_node_pools_have_limits,
    ),
    ResourceRule("efs-encrypted", "EFS file systems are encrypted at rest.", efs_encrypted),
    ResourceRule(
        "eks-endpoint-not-open-to-world",
        "A public EKS API endpoint lists allowed CIDRs and none of them is 0.0.0.0/0.",
        eks_endpoint_not_world_open,
    ),
    ResourceRule(
        "node-amis-pinned",
        "GPU managed node groups set releaseVersion; Karpenter EC2NodeClasses select a versioned alias or an id.",
        node_amis_pinned,
    ),
    ResourceRule(
        "no-placeholder-values",
        "No documentation values (AWS example account ids and buckets, RFC 5737 CIDRs) in access entries, the API "
        "endpoint, a load balancer's certificate or an IAM policy's S3 resources.",
        no_placeholder_values,
        offline_level="advisory",
    ),
    ResourceRule(
        "public-load-balancers-need-tls-and-sources",
        "An internet-facing load balancer terminates TLS and admits only listed source CIDRs (none is /0).",
        public_load_balancers_need_tls_and_sources,
    ),
    ResourceRule(
        "no-iam-star-on-star",
        "No IAM statement allows Action '*' on Resource '*' (and no AdministratorAccess attachment).",
        no_iam_star_on_star,
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "model-deployments-have-pdb",
        "Every model Deployment has a PodDisruptionBudget in its namespace selecting its pods.",
        model_deployments_have_pdb,
    ),
    StackRule(
        "gpu-quota",
        "The stack's GPU ceiling (node group maxima x GPUs per instance + NodePool limits) stays under maxGpus.",
        gpu_quota,
        config_schema={"maxGpus": {"type": "integer", "minimum": 0, "default": DEFAULT_MAX_GPUS}},
    ),
)

ALL_RULES: tuple[ResourceRule | StackRule, ...] = RESOURCE_RULES + STACK_RULES
