"""ModelServer: one served model — weights preload Job, vLLM Deployment, Service, PDB, PodMonitor, ScaledObject.

The objects themselves are built as data in `serving/`; this component registers them in order:
PodMonitor, PrometheusRule and ScaledObject only after the releases that bring their CRDs (kube-prometheus-stack,
KEDA; none to wait for when the CRDs come with an existing Prometheus), and the Deployment only after its
preload Job and cache claim exist. The PodMonitor and the PrometheusRule are optional: a Prometheus that does
not read prometheus-operator objects scrapes the pods its own way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.iam import POD_IDENTITY_TRUST


@dataclass(frozen=True)
class ModelServerArgs:
    name: str
    namespace: pulumi.Input[str]
    endpoint: str
    # None when the server streams its weights from the source itself (its service account then holds the role).
    preload_job: Mapping[str, Any] | None
    deployment: Mapping[str, Any]
    service: Mapping[str, Any]
    pod_disruption_budget: Mapping[str, Any]
    scaled_object: Mapping[str, Any]
    service_account: str
    # How long `pulumi up` waits for the Deployment: preload + model start, derived from the model size.
    rollout_timeout_s: int
    k8s_provider: k8s.Provider
    cluster_name: pulumi.Input[str]
    # (bucket, prefix) for s3:// models: a read-only role for the preload.
    s3_source: tuple[str, str] | None = None
    cache_ready: Sequence[pulumi.Resource] = ()
    monitoring_crds: Sequence[pulumi.Resource] = ()
    keda_crds: Sequence[pulumi.Resource] = ()
    # Scale to zero: the KEDA HTTP add-on's route and the `<model>-proxy` name callers use.
    interceptor_route: Mapping[str, Any] | None = None
    proxy_service: Mapping[str, Any] | None = None
    keda_http_crds: Sequence[pulumi.Resource] = ()
    pod_monitor: Mapping[str, Any] | None = None  # how Prometheus scrapes the pods (None: it needs no object)
    prometheus_rule: Mapping[str, Any] | None = None  # the model's own alerts (startup budget, TTFT SLO)


def s3_read_policy(bucket: str, prefix: str) -> dict[str, Any]:
    """Read one prefix of one bucket, nothing else."""
    prefix = prefix.strip("/")
    objects = f"{prefix}/*" if prefix else "*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{bucket}",
                "Condition": {"StringLike": {"s3:prefix": [objects]}},
            },
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/{objects}"},
        ],
    }


def _with(meta: Mapping[str, Any], namespace: pulumi.Input[str], **annotations: str) -> dict[str, Any]:
    out = {**meta, "namespace": namespace}
    if annotations:
        out["annotations"] = {**meta.get("annotations", {}), **annotations}
    return out


class ModelServer(pulumi.ComponentResource):
    def __init__(self, name: str, args: ModelServerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("llm-platform:serving:ModelServer", name, None, opts)
        self._name, self._args = name, args
        self.deployment = self._workload(self._preload_identity())
        self._service()
        self._monitoring()
        self._autoscaling()
        # The address callers use (through the interceptor when the model scales to zero).
        self.endpoint = pulumi.Output.from_input(args.endpoint)
        self.register_outputs({"endpoint": self.endpoint})

    def _preload_identity(self) -> list[pulumi.Resource]:
        """The preload's service account (and its S3 read role for s3:// models); returns what the preload
        Job must wait for."""
        name, args = self._name, self._args
        sa = k8s.core.v1.ServiceAccount(
            f"{name}-preload",
            metadata={"name": args.service_account, "namespace": args.namespace},
            automount_service_account_token=False,
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
        )
        preload_ready: list[pulumi.Resource] = [sa, *args.cache_ready]
        if args.s3_source is not None:
            preload_ready += self._s3_reader(*args.s3_source)
        return preload_ready

    def _s3_reader(self, bucket: str, prefix: str) -> list[pulumi.Resource]:
        """A role reading one S3 prefix, for the preload's service account through Pod Identity."""
        name, args = self._name, self._args
        role = aws.iam.Role(
            f"{name}-preload",
            description=f"weights preload of {args.name}: read s3://{bucket}/{prefix}",
            assume_role_policy=POD_IDENTITY_TRUST,
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-preload",
            role=role.id,
            policy=json.dumps(s3_read_policy(bucket, prefix)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        association = aws.eks.PodIdentityAssociation(
            f"{name}-preload",
            cluster_name=args.cluster_name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return [policy, association]

    def _workload(self, preload_ready: list[pulumi.Resource]) -> k8s.apps.v1.Deployment:
        """The weights preload Job, then the vLLM Deployment that waits for it (or, streaming from the
        source, for the role its pods read the source with)."""
        name, args, ns = self._name, self._args, self._args.namespace
        first = preload_ready
        if args.preload_job is not None:
            first = [k8s.batch.v1.Job(
                f"{name}-preload-job",
                metadata=_with(args.preload_job["metadata"], ns),
                spec=args.preload_job["spec"],
                opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=preload_ready),
            )]  # fmt: skip
        return k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=_with(
                args.deployment["metadata"], ns, **{"pulumi.com/timeoutSeconds": str(args.rollout_timeout_s)}
            ),
            spec=args.deployment["spec"],
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=args.k8s_provider,
                depends_on=[*first, *args.cache_ready],
                # KEDA owns the replica count once the ScaledObject exists.
                ignore_changes=["spec.replicas"],
            ),
        )

    def _service(self) -> None:
        """The model's Service and its PodDisruptionBudget."""
        name, args, ns = self._name, self._args, self._args.namespace
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider)
        self.service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=_with(args.service["metadata"], ns),
            spec=args.service["spec"],
            opts=k8s_opts,
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=_with(args.pod_disruption_budget["metadata"], ns),
            spec=args.pod_disruption_budget["spec"],
            opts=k8s_opts,
        )

    def _monitoring(self) -> None:
        """The PodMonitor and the model's own PrometheusRule (each when given), after the monitoring CRDs."""
        name, args = self._name, self._args
        for suffix, kind, obj in (
            ("podmonitor", "PodMonitor", args.pod_monitor),
            ("rules", "PrometheusRule", args.prometheus_rule),
        ):
            if obj is not None:
                self._custom(
                    name, suffix, "monitoring.coreos.com/v1", kind, obj, args, depends_on=args.monitoring_crds
                )

    def _autoscaling(self) -> None:
        """The scale-to-zero proxy Service and InterceptorRoute (when set), then the ScaledObject."""
        name, args = self._name, self._args
        scaled_after: list[pulumi.Resource] = [*args.keda_crds, self.deployment]
        if args.interceptor_route is not None and args.proxy_service is not None:
            k8s.core.v1.Service(
                f"{name}-proxy",
                metadata=_with(args.proxy_service["metadata"], args.namespace),
                spec=args.proxy_service["spec"],
                opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
            )
            # KEDA's docs: create the route before the ScaledObject whose trigger names it.
            scaled_after.append(
                self._custom(
                    name,
                    "route",
                    "http.keda.sh/v1beta1",
                    "InterceptorRoute",
                    args.interceptor_route,
                    args,
                    depends_on=args.keda_http_crds,
                )
            )
        self._custom(
            name,
            "scaledobject",
            "keda.sh/v1alpha1",
            "ScaledObject",
            args.scaled_object,
            args,
            depends_on=scaled_after,
        )

    def _custom(
        self,
        name: str,
        suffix: str,
        api_version: str,
        kind: str,
        obj: Mapping[str, Any],
        args: ModelServerArgs,
        depends_on: Sequence[pulumi.Resource],
    ) -> k8s.apiextensions.CustomResource:
        """A custom resource, created only after the release that brings its CRD."""
        return k8s.apiextensions.CustomResource(
            f"{name}-{suffix}",
            api_version=api_version,
            kind=kind,
            metadata=_with(obj["metadata"], args.namespace),
            spec=obj["spec"],
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=list(depends_on)),
        )
