"""HelmAddon: every in-cluster add-on goes through this one pattern.

A pinned Helm release, plus an optional IAM role for the add-on's service account, granted either through EKS
Pod Identity or IRSA; with IRSA the role ARN is written into the chart values at declared paths.

Why `helm.v3.Release`: it hands the chart to Helm at apply time, so `pulumi preview` of a stack whose cluster
does not exist yet succeeds (it only diffs values). `helm.v4.Chart` renders against the live cluster during
preview and fails on a first `pulumi up`. The cost: previews show value changes, not rendered-object diffs —
which `make plan` (build/<stack>/helm/) makes reviewable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.helm_chart import ChartPin
from components.iam import POD_IDENTITY_TRUST, managed_policy_arn


@dataclass(frozen=True)
class AddonIdentity:
    """An IAM role for one service account of the add-on."""

    service_account: str
    mechanism: Literal["pod-identity", "irsa"]
    # Managed policy names under arn:<partition>:iam::aws:policy/ (e.g. "service-role/AmazonEBSCSIDriverPolicy").
    managed_policies: tuple[str, ...] = ()
    # An inline policy document (JSON) scoped to what the add-on needs.
    inline_policy: pulumi.Input[str] | None = None
    # IRSA only: where the chart takes the role ARN, as key paths into the values.
    role_arn_value_paths: tuple[tuple[str, ...], ...] = ()
    # IRSA only: the cluster's OIDC provider.
    oidc_provider_arn: pulumi.Input[str] | None = None
    oidc_provider_url: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class HelmAddonArgs:
    release: str
    namespace: str
    chart: ChartPin
    values: Mapping[str, Any]  # every path must be among the pin's verified paths (checked before anything)
    k8s_provider: k8s.Provider
    cluster_name: pulumi.Input[str]
    identity: AddonIdentity | None = None
    skip_crds: bool = False  # when a separate release owns the chart's CRDs
    timeout_seconds: int = 900
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


def set_path(values: dict[str, Any], path: Sequence[str], value: Any) -> None:
    node = values
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _copy_tree(value: Any) -> Any:
    """Copy dicts and lists so ARNs can be set into them; leaves (which may be Outputs) are shared."""
    if isinstance(value, Mapping):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy_tree(v) for v in value]
    return value


def chart_reference(chart: str, repository: str) -> tuple[str, dict[str, str] | None]:
    """(chart, repositoryOpts) as helm.v3.Release takes them: OCI charts are addressed by full URL."""
    if repository.startswith("oci://"):
        return f"{repository.rstrip('/')}/{chart}", None
    if not repository.startswith("https://"):
        raise ValueError(f"chart repository must be https:// or oci://, got {repository!r}")
    return chart, {"repo": repository}


def verify_values(args: HelmAddonArgs) -> None:
    """Refuse a value path nobody read in the pinned chart's values.yaml, the role ARN's paths included."""
    values = _copy_tree(args.values)
    for path in args.identity.role_arn_value_paths if args.identity else ():
        set_path(values, path, "<role arn>")
    args.chart.require_verified(values)


class HelmAddon(pulumi.ComponentResource):
    def __init__(self, name: str, args: HelmAddonArgs, opts: pulumi.ResourceOptions | None = None):
        verify_values(args)  # before the component or any child is registered
        super().__init__("llm-platform:addons:HelmAddon", name, None, opts)
        values = _copy_tree(args.values)
        self.role: aws.iam.Role | None = None
        identity_ready: list[pulumi.Resource] = []

        if args.identity is not None:
            self.role, identity_ready = self._identity(name, args, values)

        chart, repository_opts = chart_reference(args.chart.chart, args.chart.repository)
        self.release = k8s.helm.v3.Release(
            name,
            name=args.release,
            chart=chart,
            version=args.chart.version,
            repository_opts=repository_opts,
            namespace=args.namespace,
            # The release's namespace must exist: ours carry Pod Security labels (access/pod_security.py), and
            # Karpenter's is kube-system. A chart-created namespace would have neither owner nor labels.
            create_namespace=False,
            skip_crds=args.skip_crds,
            values=values,
            # Wait until the add-on's workloads are ready, so dependents (custom resources, scaled objects)
            # are created against a working controller; roll back a failed upgrade instead of leaving it half.
            atomic=True,
            cleanup_on_fail=True,
            timeout=args.timeout_seconds,
            max_history=10,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.k8s_provider,
                depends_on=[*args.depends_on, *identity_ready],
            ),
        )
        self.namespace = args.namespace
        self.register_outputs({"release": self.release.name, "roleArn": self.role.arn if self.role else None})

    def _identity(
        self, name: str, args: HelmAddonArgs, values: dict[str, Any]
    ) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        """The add-on's role with its policies (and Pod Identity association); with IRSA the role's ARN is
        written into `values`. Returns the role and what the release must wait for."""
        ident = args.identity
        assert ident is not None
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role", description=f"{args.release} add-on", assume_role_policy=_trust(args), opts=child
        )
        ready = self._role_policies(name, role, ident)
        if ident.mechanism == "pod-identity":
            ready.append(
                aws.eks.PodIdentityAssociation(
                    f"{name}-pod-identity",
                    cluster_name=args.cluster_name,
                    namespace=args.namespace,
                    service_account=ident.service_account,
                    role_arn=role.arn,
                    opts=child,
                )
            )
        for path in ident.role_arn_value_paths:
            set_path(values, path, role.arn)
        return role, ready

    def _role_policies(self, name: str, role: aws.iam.Role, ident: AddonIdentity) -> list[pulumi.Resource]:
        """The role's inline policy and managed policy attachments."""
        child = pulumi.ResourceOptions(parent=self)
        ready: list[pulumi.Resource] = []
        if ident.inline_policy is not None:
            ready.append(
                aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=ident.inline_policy, opts=child)
            )
        for policy in ident.managed_policies:
            ready.append(
                aws.iam.RolePolicyAttachment(
                    f"{name}-{policy.rsplit('/', 1)[-1]}",
                    role=role.name,
                    policy_arn=managed_policy_arn(policy),
                    opts=child,
                )
            )
        return ready


def _trust(args: HelmAddonArgs) -> pulumi.Input[str]:
    """The role's trust policy: EKS Pod Identity, or the cluster's OIDC provider for this service account."""
    ident = args.identity
    assert ident is not None
    if ident.mechanism == "pod-identity":
        return POD_IDENTITY_TRUST
    return pulumi.Output.all(ident.oidc_provider_arn, ident.oidc_provider_url).apply(
        lambda a: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": a[0]},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringEquals": {
                                f"{a[1]}:sub": f"system:serviceaccount:{args.namespace}:{ident.service_account}",
                                f"{a[1]}:aud": "sts.amazonaws.com",
                            }
                        },
                    }
                ],
            }
        )
    )
