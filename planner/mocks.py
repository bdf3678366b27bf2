"""Pulumi mocks that behave like AWS and the EKS component closely enough to render a faithful plan.

Outputs are realistic (ids with AWS prefixes, ARNs in the stack's region, autonamed physical names) and
deterministic: the same config always yields the same ids, so two plans can be diffed. Unknown invokes fail
loudly instead of returning `{}`, which would surface much later as a `NoneType` error.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from catalog.kubernetes import EKS_ADDON_VERSIONS

ACCOUNT = "123456789012"  # offline placeholder account


def _hex(seed: str, n: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:n]


class PlanMocks(Mocks):
    def __init__(self, region: str, stack: str, project: str, config: Mapping[str, str] | None = None):
        self.region = region
        self.stack = stack
        self.project = project
        self.config = dict(
            config or {}
        )  # the stack's config as the CLI passes it: an existing cluster's facts
        self.monitor: RecordingMonitor | None = None  # set by RecordingMonitor, for resource references

    # --- invokes ---------------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> dict:
        handlers: dict[str, Callable[[dict], dict]] = {
            "aws:index/getPartition:getPartition": lambda a: {
                "id": "aws",
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            },
            "aws:index/getCallerIdentity:getCallerIdentity": lambda a: {
                "id": ACCOUNT,
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/offline",
                "userId": "AIDAOFFLINE",
            },
            "aws:index/getRegion:getRegion": lambda a: {
                "id": self.region,
                "name": self.region,
                "region": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            },
        }
        handler = handlers.get(args.token) or self._eks_lookups().get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"offline plan has no mock for invoke {args.token}; add one in planner/mocks.py"
            )
        return handler(args.args)

    def _eks_lookups(self) -> dict[str, Callable[[dict], Any]]:
        """The data sources an existing cluster is read with (stacks/cluster.py), answered from
        `offline_existing_cluster`; what it does not have is answered as EKS answers: not found."""
        found = offline_existing_cluster(self.config, self.project)
        return {
            "aws:eks/getCluster:getCluster": lambda a: self._existing_cluster(found, a["name"]),
            "aws:eks/getAddon:getAddon": lambda a: _or_not_found(
                found and a["clusterName"] == found["name"] and found["addons"].get(a["addonName"]),
                lambda version: {"addonName": a["addonName"], "addonVersion": version,
                                 "clusterName": a["clusterName"], "id": f"{a['clusterName']}:{a['addonName']}"},
                f"EKS Add-On ({a['clusterName']}:{a['addonName']})",
            ),
            "aws:eks/getAccessEntry:getAccessEntry": lambda a: _or_not_found(
                found and a["clusterName"] == found["name"] and found["accessEntries"].get(a["principalArn"]),
                lambda typ: {"clusterName": a["clusterName"], "principalArn": a["principalArn"], "type": typ,
                             "id": f"{a['clusterName']}:{a['principalArn']}"},
                f"EKS Access Entry ({a['clusterName']}:{a['principalArn']})",
            ),
        }  # fmt: skip

    def _existing_cluster(self, found: dict | None, name: str) -> Any:
        if not found or found["name"] != name:
            return _not_found(f"EKS Cluster ({name})")
        seed = f"{self.stack}/existing-cluster/{name}"
        issuer = f"https://oidc.eks.{self.region}.amazonaws.com/id/{_hex(seed + 'oidc', 32).upper()}"
        return {
            "id": name,
            "name": name,
            "arn": self.arn("eks", f"cluster/{name}"),
            "version": found["version"],
            "status": "ACTIVE",
            "endpoint": f"https://{_hex(seed, 32).upper()}.gr7.{self.region}.eks.amazonaws.com",
            "certificateAuthorities": [{"data": "TU9DSy1DQQ=="}],
            "identities": [{"oidcs": [{"issuer": issuer}]}],
            "accessConfigs": [
                {
                    "authenticationMode": found["authenticationMode"],
                    "bootstrapClusterCreatorAdminPermissions": False,
                }
            ],
            "vpcConfig": {
                "clusterSecurityGroupId": f"sg-{_hex(seed + 'sg', 17)}",
                "controlPlaneEgressMode": "",
                "endpointPrivateAccess": True,
                "endpointPublicAccess": False,
                "publicAccessCidrs": [],
                "securityGroupIds": [],
                "subnetIds": [],
                "vpcId": found["vpcId"],
            },
        }

    # --- resources -------------------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        urn = _CURRENT.urn or f"{args.typ}::{args.name}"
        seed = f"{self.stack}/{urn}"
        handler = _RESOURCES.get(args.typ)
        computed = handler(self, args, seed) if handler else {}
        resource_id = computed.pop("id", None) or f"{args.name}-{_hex(seed, 8)}"
        return resource_id, {**args.inputs, **computed}

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{ACCOUNT}:{resource}"

    def register_reference(self, parent_urn: str, typ: str, name: str, resource_id: str, state: dict) -> dict:
        """A child resource of a remote component, as the engine would return it: registered, referenced."""
        assert self.monitor is not None
        urn = self.monitor.make_urn(parent_urn, typ, name)
        self.monitor.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        return {rpc._special_sig_key: rpc._special_resource_sig, "urn": urn, "id": resource_id}


def offline_existing_cluster(config: Mapping[str, str], project: str) -> dict[str, Any] | None:
    """The cluster an offline plan finds for `cluster.existing`: the one the stack file says is there, meeting
    every precondition (its version, in `network.existing`'s VPC, API authentication, the Pod Identity agent
    at the pinned version, an access entry for the deploy role). None without `cluster.existing`. Tests
    replace it to show that a cluster breaking a precondition fails the plan."""
    cluster = json.loads(config.get(f"{project}:cluster", "{}"))
    if "existing" not in cluster:
        return None
    network = json.loads(config.get(f"{project}:network", "{}")).get("existing", {})
    return {
        "name": cluster.get("name"),
        "version": cluster.get("kubernetesVersion"),
        "authenticationMode": "API",
        "vpcId": network.get("vpcId"),
        "addons": {"eks-pod-identity-agent": EKS_ADDON_VERSIONS["eks-pod-identity-agent"]},
        "accessEntries": {cluster["existing"].get("deployRoleArn"): "STANDARD"},
    }


def _not_found(what: str) -> tuple[dict, list[tuple[str, str]]]:
    """An invoke failure as the AWS provider reports a missing thing (the SDK raises it as
    "invoke of <token> failed: ...")."""
    return {}, [("", f"reading {what}: couldn't find resource")]


def _or_not_found(value: Any, answer: Callable[[Any], dict], what: str) -> Any:
    return answer(value) if value else _not_found(what)


def _physical(args: MockResourceArgs, seed: str, key: str = "name") -> str:
    """Pulumi autonaming: the logical name plus a random suffix, unless the program set a name."""
    return args.inputs.get(key) or f"{args.name}-{_hex(seed, 7)}"


def _eks_cluster(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    name = args.inputs.get("name") or args.name
    endpoint = f"https://{_hex(seed, 32).upper()}.gr7.{m.region}.eks.amazonaws.com"
    oidc_id = _hex(seed + "oidc", 32).upper()
    issuer = f"https://oidc.eks.{m.region}.amazonaws.com/id/{oidc_id}"
    cluster_sg = f"sg-{_hex(seed + 'sg', 17)}"
    eks_state = {
        "name": name,
        "arn": m.arn("eks", f"cluster/{name}"),
        "endpoint": endpoint,
        "version": args.inputs.get("version"),
        "vpcConfig": {"clusterSecurityGroupId": cluster_sg, "vpcId": args.inputs.get("vpcId")},
        # pulumi-eks's own cluster role (ServiceRole `<name>-eksRole`, its Role `<name>-eksRole-role`).
        "roleArn": m.arn("iam", f"role/{args.name}-eksRole-role-{_hex(seed + 'role', 7)}", region=False),
        "identities": [{"oidcs": [{"issuer": issuer}]}],
        "certificateAuthority": {"data": "TU9DSy1DQQ=="},
    }
    kubeconfig = _kubeconfig(name, endpoint, m.region)
    parent = _CURRENT.urn or ""
    return {
        "eksCluster": m.register_reference(
            parent, "aws:eks/cluster:Cluster", f"{args.name}-eksCluster", name, eks_state
        ),
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "clusterSecurityGroupId": cluster_sg,
        "nodeSecurityGroupId": cluster_sg,  # skipDefaultSecurityGroups: both are the EKS-created group
        "oidcProviderArn": m.arn(
            "iam", f"oidc-provider/oidc.eks.{m.region}.amazonaws.com/id/{oidc_id}", region=False
        ),
        "oidcProviderUrl": issuer.removeprefix("https://"),
        "oidcIssuer": issuer.removeprefix("https://"),
    }


def _kubeconfig(name: str, endpoint: str, region: str) -> dict:
    """The kubeconfig pulumi-eks returns: the cluster's endpoint, and `aws eks get-token` for credentials."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "kubernetes",
                "cluster": {"server": endpoint, "certificate-authority-data": "TU9DSy1DQQ=="},
            }
        ],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
                    }
                },
            }
        ],
    }


def _simple(prefix: str, n: int = 17, **extra: Callable[[PlanMocks, MockResourceArgs, str], Any]):
    def handler(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
        out = {"id": f"{prefix}-{_hex(seed, n)}"}
        out.update({k: f(m, args, seed) for k, f in extra.items()})
        return out

    return handler


def _role(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    name = _physical(args, seed)
    return {
        "id": name,
        "name": name,
        "arn": m.arn("iam", f"role/{name}", region=False),
        "uniqueId": f"AROA{_hex(seed, 17).upper()}",
    }


def _kms(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    key_id = "-".join(_hex(seed, 32)[i:j] for i, j in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
    return {"id": key_id, "keyId": key_id, "arn": m.arn("kms", f"key/{key_id}")}


def _node_group(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    name = _physical(args, seed, "nodeGroupName")
    cluster = args.inputs.get("clusterName", "cluster")
    return {
        "id": f"{cluster}:{name}",
        "nodeGroupName": name,
        "arn": m.arn("eks", f"nodegroup/{cluster}/{name}/{_hex(seed, 8)}"),
        "status": "ACTIVE",
    }


def _file_system(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    fs_id = f"fs-{_hex(seed, 17)}"
    return {
        "id": fs_id,
        "arn": m.arn("elasticfilesystem", f"file-system/{fs_id}"),
        "dnsName": f"{fs_id}.efs.{m.region}.amazonaws.com",
    }


def _queue(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    name = _physical(args, seed)
    return {
        "id": f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT}/{name}",
        "name": name,
        "url": f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT}/{name}",
        "arn": m.arn("sqs", name),
    }


def _k8s(m: PlanMocks, args: MockResourceArgs, seed: str) -> dict:
    meta = dict(args.inputs.get("metadata") or {})
    meta.setdefault("name", f"{args.name}-{_hex(seed, 8)}")
    return {"id": f"{meta.get('namespace', '')}/{meta['name']}".lstrip("/"), "metadata": meta}


_RESOURCES: dict[str, Callable[[PlanMocks, MockResourceArgs, str], dict]] = {
    "eks:index:Cluster": _eks_cluster,
    "aws:ec2/vpc:Vpc": _simple("vpc", arn=lambda m, a, s: m.arn("ec2", f"vpc/vpc-{_hex(s, 17)}")),
    "aws:ec2/subnet:Subnet": _simple("subnet"),
    "aws:ec2/internetGateway:InternetGateway": _simple("igw"),
    "aws:ec2/routeTable:RouteTable": _simple("rtb"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _simple("rtbassoc"),
    "aws:ec2/eip:Eip": _simple(
        "eipalloc", publicIp=lambda m, a, s: f"203.0.113.{int(_hex(s, 2), 16) % 250 + 1}"
    ),
    "aws:ec2/natGateway:NatGateway": _simple("nat"),
    "aws:ec2/securityGroup:SecurityGroup": _simple("sg", name=lambda m, a, s: _physical(a, s)),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _simple("sgr"),
    "aws:ec2/launchTemplate:LaunchTemplate": _simple("lt", latestVersion=lambda m, a, s: 1),
    "aws:iam/role:Role": _role,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": lambda m, a, s: {"id": f"{a.name}-{_hex(s, 8)}"},
    "aws:kms/key:Key": _kms,
    "aws:cloudwatch/logGroup:LogGroup": lambda m, a, s: {
        "id": a.inputs.get("name"),
        "arn": m.arn("logs", f"log-group:{a.inputs.get('name')}"),
    },
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:eks/addon:Addon": lambda m, a, s: {
        "arn": m.arn("eks", f"addon/{a.inputs.get('addonName')}/{_hex(s, 8)}")
    },
    "aws:efs/fileSystem:FileSystem": _file_system,
    "aws:efs/mountTarget:MountTarget": _simple("fsmt"),
    "aws:sqs/queue:Queue": _queue,
    "aws:cloudwatch/eventRule:EventRule": lambda m, a, s: {
        "id": _physical(a, s),
        "name": _physical(a, s),
        "arn": m.arn("events", f"rule/{_physical(a, s)}"),
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": lambda m, a, s: {
        "associationId": f"a-{_hex(s, 17)}",
        "associationArn": m.arn(
            "eks", f"podidentityassociation/{a.inputs.get('clusterName')}/a-{_hex(s, 17)}"
        ),
    },
    "aws:eks/accessEntry:AccessEntry": lambda m, a, s: {
        "accessEntryArn": m.arn("eks", f"access-entry/{a.inputs.get('clusterName')}/{_hex(s, 12)}"),
    },
    "aws:iam/rolePolicy:RolePolicy": lambda m, a, s: {"id": f"{a.inputs.get('role')}:{_physical(a, s)}"},
    # What the cluster writes back once a load balancer exists (the program waits for it): Envoy Gateway copies
    # the LoadBalancer Service's hostname into the Gateway's status, the controller the ALB's into the
    # Ingress's. Offline: the shape AWS gives an NLB's or an ALB's DNS name, with an offline id in it.
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": lambda m, a, s: {
        "status": {
            "addresses": [
                {
                    "type": "Hostname",
                    "value": f"k8s-envoygat-llmgatew-{_hex(s, 10)}.elb.{m.region}.amazonaws.com",
                }
            ]
        }
    },
    "kubernetes:networking.k8s.io/v1:Ingress": lambda m, a, s: {
        "status": {
            "loadBalancer": {
                "ingress": [{"hostname": f"k8s-envoygat-llmgatew-{_hex(s, 10)}.{m.region}.elb.amazonaws.com"}]
            }
        }
    },
    # Deterministic, and obviously not a real password; the program marks it secret anyway.
    "random:index/randomPassword:RandomPassword": lambda m, a, s: {"result": f"offline-{_hex(s, 24)}"},
}


class _Current(threading.local):
    urn: str | None = None


# The URN of the resource being registered on this thread: the SDK calls the monitor from worker threads.
_CURRENT = _Current()


def is_kubernetes_object(typ: str) -> bool:
    """A whole Kubernetes object the program owns. Not a Helm release, and not a patch (`…Patch` types,
    server-side apply of a few fields of an object something else owns): a patch is not a manifest."""
    return (
        typ.startswith("kubernetes:")
        and not typ.startswith("kubernetes:helm.sh/")
        and not typ.endswith("Patch")
    )


class RecordingMonitor(MockMonitor):
    """A MockMonitor that also records what the engine would receive: type, parent, inputs, options."""

    def __init__(self, mocks: PlanMocks):
        super().__init__(mocks)
        mocks.monitor = self
        self.records: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type != "pulumi:pulumi:Stack":
            record = {
                "urn": urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent or None,
                "custom": bool(request.custom),
                "provider": request.provider.split("::")[-2] if request.provider else None,
                "inputs": wire_to_plain(_struct(request.object)),
                "dependsOn": sorted(set(request.dependencies)),
                "protect": bool(request.protect),
                "retainOnDelete": bool(request.retainOnDelete),
                "ignoreChanges": list(request.ignoreChanges),
            }
            # Only when set, so plans of resources without them stay as they were (delivery/waits.py reads them).
            timeouts = _custom_timeouts(request)
            if timeouts:
                record["customTimeouts"] = timeouts
            with self._lock:
                self.records.append(record)
        _CURRENT.urn = urn
        try:
            return super().RegisterResource(request)
        finally:
            _CURRENT.urn = None


def _custom_timeouts(request) -> dict[str, str]:
    """The `customTimeouts` resource option as the engine receives it: Go durations per operation ("30m")."""
    if not request.HasField("customTimeouts"):
        return {}
    t = request.customTimeouts
    return {op: getattr(t, op) for op in ("create", "update", "delete") if getattr(t, op)}


class DuplicateUrnError(Exception):
    """Registrations the engine would give one URN: `pulumi preview` fails with "Duplicate resource URN", while
    the mocks accept them all (the last silently overwrites the others)."""

    def __init__(self, duplicates: list[tuple[str, list[dict[str, Any]]]]):
        self.duplicates = duplicates
        lines = [f"{len(duplicates)} URN(s) registered more than once; the Pulumi engine refuses the second:"]
        for urn, group in duplicates:
            lines.append(f"  {urn}")
            lines += [f"    {i}. {_described(r)}" for i, r in enumerate(group, 1)]
        lines.append(
            "  a URN is the stack, the types of the parents, the type and the name: give one of them another "
            "name (children are usually named after their parent)"
        )
        super().__init__("\n".join(lines))


def engine_urns(records: list[dict[str, Any]]) -> list[str]:
    """The URN the engine gives each record. The mocks' URN holds only the parent's type; the engine's holds the
    types of every ancestor below the stack, and that is the one that must be unique."""
    by_urn = {r["urn"]: r for r in reversed(records)}  # a URN's first registration

    def qualified(r: dict[str, Any], depth: int = 0) -> str:
        parent = by_urn.get(r["parent"] or "")
        if parent is None or depth > 64:  # a child of the stack (or a cycle, which no real program makes)
            return r["type"]
        return f"{qualified(parent, depth + 1)}${r['type']}"

    return [f"{r['urn'].split('::', 2)[0]}::{r['urn'].split('::', 2)[1]}::{qualified(r)}::{r['name']}"
            for r in records]  # fmt: skip


def duplicate_urns(records: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each engine URN registered more than once, with its registrations in the order they came."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for urn, record in zip(engine_urns(records), records, strict=True):
        groups.setdefault(urn, []).append(record)
    return [(urn, group) for urn, group in groups.items() if len(group) > 1]


def refuse_duplicate_urns(records: list[dict[str, Any]]) -> None:
    """Raise DuplicateUrnError naming every URN the engine would refuse (all of them at once)."""
    duplicates = duplicate_urns(records)
    if duplicates:
        raise DuplicateUrnError(duplicates)


def _described(record: dict[str, Any]) -> str:
    """`type 'name'` and its parent's, read from the parent's URN (urn:pulumi:<stack>::<project>::<types>::<name>)."""
    parts = (record["parent"] or "").split("::", 3)
    types, name = (parts[2], parts[3]) if len(parts) == 4 else ("", "")
    if not types or types == "pulumi:pulumi:Stack":
        return f"{record['type']} {record['name']!r} at the stack's root"
    return f"{record['type']} {record['name']!r} under {types.rsplit('$', 1)[-1]} {name!r}"


def _struct(obj) -> dict:
    return json_format.MessageToDict(obj)


SECRET = "[secret]"
UNKNOWN = "[unknown]"


def wire_to_plain(value: Any) -> Any:
    """Engine wire values -> plain data: secrets become "[secret]", references their URN, floats ints."""
    if isinstance(value, dict):
        sig = value.get(rpc._special_sig_key)
        if sig == rpc._special_secret_sig:
            return SECRET
        if sig == rpc._special_resource_sig:
            return value.get("urn")
        if sig == rpc._special_output_value_sig:
            if value.get("secret"):
                return SECRET
            return wire_to_plain(value["value"]) if "value" in value else UNKNOWN
        # Sorted: protobuf maps have no order, and plans must diff cleanly.
        return {k: wire_to_plain(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [wire_to_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def recorded_outputs(mocks: PlanMocks, record: dict[str, Any]) -> tuple[str, dict]:
    """The id and outputs the mocks gave a recorded resource, computed again from its record (they are
    deterministic: the same stack, URN and inputs give the same ids). For tools that read a written plan and
    need what other resources' inputs refer to (security/tfplan.py). Not for remote components, whose
    outputs register child resources with the monitor."""
    _CURRENT.urn = record["urn"]
    try:
        args = MockResourceArgs(record["type"], record["name"], record["inputs"], custom=record["custom"])
        return mocks.new_resource(args)
    finally:
        _CURRENT.urn = None
