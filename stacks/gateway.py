"""Composition of the front door: its CRDs, Envoy Gateway, Envoy AI Gateway, Valkey, the API keys, the gateway
objects, the load balancer and its controller, NetworkPolicies and the scrape config.

Ordering: the system nodes, then the CRDs (server-side applied from the pinned release manifests, and the AI
Gateway's CRD chart) before any release or object using them; Envoy Gateway before the AI Gateway (whose
webhook and extension server it calls); both controllers before the gateway objects. With a load balancer the
Gateway waits for the AWS Load Balancer Controller, so on destroy the controller outlives the Service whose
NLB it must delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from catalog.gateway import GATEWAY_RELEASE
from components.helm_addon import AddonIdentity
from components.load_balancer_controller_iam import load_balancer_controller_policy
from fleet.resolved import Fleet, GatewayPlan
from gateway import policies, proxies, routes, valkey
from gateway.exposure import alb_ingress
from gateway.network import gateway_policies, interceptor_policy
from helm_values.gateway import (
    ai_gateway_values,
    envoy_gateway_values,
    load_balancer_controller_values,
)
from stacks.addons import AddonHandles, addon_namespace, addon_release
from stacks.cluster import ClusterRefs
from stacks.network import NetworkIds
from vocabulary.gateway import (
    GATEWAY_NAME,
    PROXY_LABELS,
    client_id,
    key_secret_name,
)
from vocabulary.objects import PART_OF

Resources = tuple[pulumi.Resource, ...]
LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller"
# Generated keys: OpenAI-style, and long (about 238 bits from 40 letters and digits).
KEY_PREFIX, KEY_LENGTH = "sk-llmp-", 40


def build_gateway(
    fleet: Fleet, cluster: ClusterRefs, network: NetworkIds, handles: AddonHandles
) -> dict[str, Any]:
    plan = fleet.gateway
    if plan is None:
        return {}
    system: Resources = cluster.system_ready
    namespace = addon_namespace("gateway", plan.namespace, cluster)
    controllers = _controllers(plan, cluster, system, namespace)
    # After monitoring: the controller's chart renders a ServiceMonitor when its CRD exists.
    after = (*system, *handles.monitoring)
    lbc = _load_balancer_controller(fleet, plan, cluster, network, after) if plan.load_balancer else ()
    _valkey(plan, cluster, namespace)
    keys, generated = _keys(fleet, plan, cluster, namespace)
    gateway = _objects(plan, cluster, (*controllers, *keys, *lbc))
    _network_policies(fleet, plan, cluster, namespace)
    if fleet.addons.monitoring_crds:
        _pod_monitor(plan, cluster, (*handles.monitoring, namespace))
    return _outputs(plan, _public_name(plan, cluster, gateway, lbc), generated)


def _opts(cluster: ClusterRefs, after: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=cluster.k8s_provider, depends_on=list(after))


def _controllers(
    plan: GatewayPlan, cluster: ClusterRefs, system: Resources, namespace: pulumi.Resource
) -> Resources:
    """The CRDs, Envoy Gateway and the AI Gateway; returns what the gateway objects wait for."""
    crds = tuple(
        k8s.yaml.v2.ConfigFile(name, file=url, opts=_opts(cluster, system))
        for name, url in GATEWAY_RELEASE.crd_manifests
    )
    eg = addon_release(
        "envoy-gateway", plan.envoy_gateway, cluster, values=envoy_gateway_values(plan), skip_crds=True,
        depends_on=(*system, *crds, namespace),
    )  # fmt: skip
    ai_namespace = addon_namespace("ai-gateway", plan.ai_gateway.namespace, cluster)
    ai_crds = addon_release(
        "ai-gateway-crds", plan.ai_gateway_crds, cluster, values={}, depends_on=(*system, ai_namespace)
    )
    ai = addon_release(
        "ai-gateway", plan.ai_gateway, cluster, values=ai_gateway_values(), skip_crds=True,
        depends_on=(*system, ai_crds.release, eg.release, ai_namespace),
    )  # fmt: skip
    return (*crds, eg.release, ai_crds.release, ai.release)


def _load_balancer_controller(
    fleet: Fleet, plan: GatewayPlan, cluster: ClusterRefs, network: NetworkIds, after: Resources
) -> Resources:
    release = plan.load_balancer_controller
    assert release is not None
    partition = aws.get_partition_output().partition
    chart = addon_release(
        "load-balancer-controller",
        release,
        cluster,
        values=load_balancer_controller_values(
            cluster.cluster_name,
            fleet.region,
            network.vpc_id,
            LBC_SERVICE_ACCOUNT,
            fleet.addons.monitoring_crds,
        ),
        identity=AddonIdentity(
            service_account=LBC_SERVICE_ACCOUNT,
            mechanism="pod-identity",
            inline_policy=partition.apply(load_balancer_controller_policy),
        ),
        depends_on=(*after, *cluster.pod_identity_ready),
    )
    return (chart.release,)


def _valkey(plan: GatewayPlan, cluster: ClusterRefs, namespace: pulumi.Resource) -> None:
    opts = _opts(cluster, [namespace])
    deployment = valkey.valkey_deployment(plan)
    k8s.apps.v1.Deployment(
        "gateway-valkey-deployment", metadata=deployment["metadata"], spec=deployment["spec"], opts=opts
    )
    service = valkey.valkey_service(plan)
    k8s.core.v1.Service(
        "gateway-valkey-service", metadata=service["metadata"], spec=service["spec"], opts=opts
    )
    pdb = valkey.valkey_pdb(plan)
    k8s.policy.v1.PodDisruptionBudget(
        "gateway-valkey-pdb", metadata=pdb["metadata"], spec=pdb["spec"], opts=opts
    )


def _keys(
    fleet: Fleet, plan: GatewayPlan, cluster: ClusterRefs, namespace: pulumi.Resource
) -> tuple[Resources, dict[str, dict[str, pulumi.Output[str]]]]:
    """One Secret per key (data: client id -> key), from the stack file's secrets or generated. Returns the
    Secrets and the generated keys by tenant and name (exported as one secret output, never in clear)."""
    secrets: list[pulumi.Resource] = []
    generated: dict[str, dict[str, pulumi.Output[str]]] = {}
    held = fleet.config.gateway_api_keys
    for t in plan.tenants:
        for name in t.key_names:
            if name in t.held_keys:
                value = pulumi.Output.secret(held[t.name][name].get_secret_value())
            else:
                value = _generated_key(t.name, name)
                generated.setdefault(t.name, {})[name] = value
            secrets.append(
                k8s.core.v1.Secret(
                    key_secret_name(t.name, name),
                    metadata={
                        "name": key_secret_name(t.name, name),
                        "namespace": plan.namespace,
                        "labels": dict(PART_OF),
                    },
                    type="Opaque",
                    string_data={client_id(t.name, name): value},
                    opts=_opts(cluster, [namespace]),
                )
            )
    return tuple(secrets), generated


def _generated_key(tenant: str, name: str) -> pulumi.Output[str]:
    """Generated once and kept in the state, encrypted; a new key name generates a new key (rotation)."""
    password = random.RandomPassword(
        f"gateway-generated-key-{tenant}-{name}", length=KEY_LENGTH, special=False
    )
    return pulumi.Output.secret(password.result.apply(lambda r: KEY_PREFIX + r))


def _objects(plan: GatewayPlan, cluster: ClusterRefs, after: Resources) -> _CustomResourceWithStatus:
    """Every gateway object, after the controllers (and the keys, and the load balancer controller); returns
    the Gateway."""
    docs = [
        proxies.gateway_class(), proxies.envoy_proxy(plan), proxies.gateway_config(plan),
        proxies.client_traffic(plan),
        *(routes.backend(plan, r) for r in plan.routes),
        *(routes.ai_service_backend(plan, r) for r in plan.routes),
        *routes.ai_gateway_routes(plan),
        routes.models_route(plan), routes.models_fallback(plan), routes.models_lua(plan),
        *policies.security_policies(plan), policies.traffic_policy(plan),
    ]  # fmt: skip
    for doc in docs:
        _custom(doc, cluster, after)
    gateway_doc = proxies.gateway(plan)
    if plan.load_balancer:
        # Wait for the load balancer's name, which Envoy Gateway copies from its Service into the status.
        gateway_doc["metadata"]["annotations"]["pulumi.com/waitFor"] = (
            'jsonpath={.status.addresses[?(@.type=="Hostname")].value}'
        )
    return _custom(gateway_doc, cluster, after)


class _CustomResourceWithStatus(pulumi.CustomResource):
    """A custom resource whose live `status` is an output too: `k8s.apiextensions.CustomResource` declares only
    its inputs as outputs. Same type token and inputs, so the same resource to the engine and the provider."""

    status: pulumi.Output[Any]

    def __init__(self, name: str, doc: dict[str, Any], opts: pulumi.ResourceOptions):
        props = {"apiVersion": doc["apiVersion"], "kind": doc["kind"], "metadata": doc["metadata"],
                 "spec": doc["spec"], "status": None}  # fmt: skip
        version = pulumi.ResourceOptions(version=k8s._utilities.get_version())
        super().__init__(f"kubernetes:{doc['apiVersion']}:{doc['kind']}", name, props, opts.merge(version))


def _custom(doc: dict[str, Any], cluster: ClusterRefs, after: Resources) -> pulumi.CustomResource:
    kind, name = doc["kind"], doc["metadata"]["name"]
    return _CustomResourceWithStatus(f"gateway-{kind.lower()}-{name}", doc, _opts(cluster, after))


def _network_policies(
    fleet: Fleet, plan: GatewayPlan, cluster: ClusterRefs, namespace: pulumi.Resource
) -> None:
    access, addons = fleet.config.access, fleet.addons
    if not access.network_policies:
        return
    docs = gateway_policies(
        plan, access.client_namespaces, str(fleet.config.network.vpc_cidr), addons.prometheus_namespace
    )
    if addons.keda_http and addons.interceptor_port:
        docs.append(interceptor_policy(plan, addons.keda_http.namespace, addons.interceptor_port,
                                       addons.prometheus_namespace))  # fmt: skip
    for doc in docs:
        k8s.networking.v1.NetworkPolicy(
            f"gateway-netpol-{doc['metadata']['name']}", metadata=doc["metadata"], spec=doc["spec"],
            opts=_opts(cluster, [namespace]),
        )  # fmt: skip


def _pod_monitor(plan: GatewayPlan, cluster: ClusterRefs, after: Resources) -> None:
    """The proxies' Envoy stats and the AI Gateway sidecar's GenAI metrics (neither chart makes a monitor)."""
    k8s.apiextensions.CustomResource(
        "gateway-podmonitor",
        api_version="monitoring.coreos.com/v1",
        kind="PodMonitor",
        metadata={"name": GATEWAY_NAME, "namespace": plan.namespace, "labels": dict(PART_OF)},
        spec={
            "selector": {"matchLabels": dict(PROXY_LABELS)},
            "podMetricsEndpoints": [
                {"port": "metrics", "path": "/stats/prometheus"},
                {"port": "aigw-admin", "path": "/metrics"},
            ],
        },
        opts=_opts(cluster, after),
    )


def _public_name(
    plan: GatewayPlan, cluster: ClusterRefs, gateway: _CustomResourceWithStatus, lbc: Resources
) -> pulumi.Output[str] | None:
    """The load balancer's DNS name, once AWS has made it (None without one): an NLB's from the Gateway's
    status, an ALB's from its Ingress, which the provider waits on until the controller reports it."""
    lb = plan.load_balancer
    if lb is None:
        return None
    if lb.type == "nlb":
        return gateway.status.apply(
            lambda s: next(a["value"] for a in s["addresses"] if a["type"] == "Hostname")
        )
    doc = alb_ingress(plan)
    assert doc is not None
    ingress = k8s.networking.v1.Ingress(
        "gateway-alb", metadata=doc["metadata"], spec=doc["spec"], opts=_opts(cluster, [gateway, *lbc])
    )
    return ingress.status.apply(lambda s: s.load_balancer.ingress[0].hostname)


def _outputs(
    plan: GatewayPlan,
    public_name: pulumi.Output[str] | None,
    generated: dict[str, dict[str, pulumi.Output[str]]],
) -> dict[str, Any]:
    """`openaiBaseUrl`: the one URL clients use (the load balancer's, else the in-cluster Service's)."""
    base_url = public_name.apply(lambda h: f"{plan.scheme}://{h}/v1") if public_name else plan.internal_url
    outputs: dict[str, Any] = {
        "openaiBaseUrl": base_url,
        "gatewayInternalUrl": plan.internal_url,
        "gatewayTenants": {
            t.name: {
                "models": list(t.models),
                "requestsPerMinute": t.requests_per_minute,
                "tokensPerMinute": t.tokens_per_minute,
                "keys": list(t.key_names),
            }
            for t in plan.tenants
        },
    }
    if public_name is not None:
        outputs["gatewayDnsName"] = public_name
    if generated:
        outputs["gatewayApiKeys"] = pulumi.Output.secret(generated)
    return outputs
