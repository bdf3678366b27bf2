"""The front door, resolved from `llm-platform:gateway` and the model plans: its releases, tenants, the route of
every model a tenant may call, its listener and the URL clients use."""

from __future__ import annotations

from collections.abc import Mapping

from config.schema.gateway import GatewayConfig, LoadBalancerConfig
from config.schema.infrastructure import NetworkConfig
from config.schema.platform import NAMESPACE
from fleet.resolved import AddonPlan, GatewayPlan, GatewayRoute, ModelPlan, TenantPlan
from vocabulary.addons import ADDON_RELEASES
from vocabulary.gateway import GATEWAY_NAME, PRIVILEGED_PORT_SHIFT
from vocabulary.objects import SERVING_PORT

# The AI Gateway gives a route 60 s unless told otherwise (internal/controller/ai_gateway_route.go, v1.1.0),
# and Envoy's route timeout runs to the end of a streamed answer: long generations need far more. A cold model
# (scale to zero) gets its cold start on top, which the interceptor spends holding the request.
GENERATION_TIMEOUT_S = 900
# The listener is plain HTTP on 80. With a certificate on an NLB it is 443: the NLB terminates TLS on the
# Service's port and forwards plain HTTP to the same port on the proxies. An ALB listens on 443 itself and
# forwards to the Service's port, 80.
HTTP_PORT, HTTPS_PORT = 80, 443


def resolve_gateway(
    cfg: GatewayConfig,
    network: NetworkConfig,
    held: Mapping[str, Mapping[str, object]],
    models: tuple[ModelPlan, ...],
    addons: AddonPlan,
) -> GatewayPlan | None:
    """None when the gateway is off. `held`: the stack file's keys by tenant (only their names are read)."""
    if not cfg.enabled:
        return None
    release = ADDON_RELEASES["envoy-gateway"]
    lb = cfg.load_balancer
    port = HTTPS_PORT if lb and lb.type == "nlb" and lb.certificate_arn else HTTP_PORT
    tenants = tuple(
        TenantPlan(
            name=t.name,
            key=f"{NAMESPACE}:gateway.tenants[{i}]",
            models=tuple(t.models) if t.models is not None else tuple(m.name for m in models),
            requests_per_minute=t.requests_per_minute,
            tokens_per_minute=t.tokens_per_minute,
            generated_keys=tuple(t.generated_keys),
            held_keys=tuple(held.get(t.name, {})),
        )
        for i, t in enumerate(cfg.tenants)
    )
    called = {name for t in tenants for name in t.models}
    return GatewayPlan(
        envoy_gateway=release,
        ai_gateway_crds=ADDON_RELEASES["ai-gateway-crds"],
        ai_gateway=ADDON_RELEASES["ai-gateway"],
        load_balancer_controller=ADDON_RELEASES["load-balancer-controller"] if lb else None,
        namespace=release.namespace,
        tenants=tenants,
        routes=tuple(_route(m, addons) for m in models if m.name in called),
        listener_port=port,
        container_port=port + PRIVILEGED_PORT_SHIFT if port < 1024 else port,
        proxy_replicas=cfg.proxy_replicas,
        load_balancer=lb,
        load_balancer_subnets=_load_balancer_subnets(lb, network),
        # Plain HTTP inside the cluster, to the Service's port (TLS, when configured, is the load balancer's).
        internal_url=f"http://{GATEWAY_NAME}.{release.namespace}.svc.cluster.local{'' if port == HTTP_PORT else f':{port}'}/v1",
    )


def _load_balancer_subnets(lb: LoadBalancerConfig | None, network: NetworkConfig) -> tuple[str, ...]:
    """In an existing network, the load balancer's subnets by id, one per zone (an NLB takes no more): the
    controller's discovery would search the whole shared VPC by role tag and could pick another team's subnets.
    In a created network, none: the platform tags its own subnets for discovery."""
    if lb is None or network.existing is None:
        return ()
    existing = network.existing
    return (
        existing.public_subnet_per_zone
        if lb.scheme == "internet-facing"
        else existing.private_subnet_per_zone
    )


def _route(m: ModelPlan, addons: AddonPlan) -> GatewayRoute:
    if m.proxy_name is not None:
        assert addons.interceptor_port is not None, "scale to zero needs the KEDA HTTP add-on (config rules)"
        return GatewayRoute(
            model=m.name,
            host=f"{m.proxy_name}.{m.namespace}.svc.cluster.local",
            port=addons.interceptor_port,
            via_interceptor=True,
            request_timeout_s=m.hold_s + GENERATION_TIMEOUT_S,
        )
    return GatewayRoute(
        model=m.name,
        host=f"{m.name}.{m.namespace}.svc.cluster.local",
        port=SERVING_PORT,
        via_interceptor=False,
        request_timeout_s=GENERATION_TIMEOUT_S,
    )
