"""How clients reach the proxies: a ClusterIP Service by default; with `gateway.loadBalancer`, an NLB in front of
that Service (a LoadBalancer Service the AWS Load Balancer Controller provisions) or an ALB (an Ingress).

Annotations and their values as the controller reads them at v3.5.0 (docs/guide/service/annotations.md,
docs/guide/ingress/annotations.md). Targets are pod IPs (`ip`): the VPC CNI gives pods VPC addresses, so the load
balancer skips the node hop and its health checks reach the proxy itself.
"""

from __future__ import annotations

import json
from typing import Any

from fleet.resolved import GatewayPlan
from vocabulary.gateway import GATEWAY_NAME, PROXY_READY_PORT

NLB = "service.beta.kubernetes.io/aws-load-balancer-"
ALB = "alb.ingress.kubernetes.io/"
NLB_CLASS = "service.k8s.aws/nlb"  # the controller's default loadBalancerClass
ALB_CLASS = "alb"  # the IngressClass the chart creates (ingressClass: alb)
# The longest answer the gateway waits for (fleet/gateway.py GENERATION_TIMEOUT_S, and a cold start): an ALB
# closes a connection idle for 60 s by default, mid-way through a long non-streamed generation.
ALB_IDLE_TIMEOUT_S = 1800


def envoy_service(plan: GatewayPlan) -> dict[str, Any]:
    """EnvoyProxy's `envoyService`: its fixed name, and for an NLB its type, class, annotations and sources."""
    lb = plan.load_balancer
    if lb is None or lb.type == "alb":
        return {"name": GATEWAY_NAME, "type": "ClusterIP"}
    annotations = {
        f"{NLB}type": "external",
        f"{NLB}nlb-target-type": "ip",
        f"{NLB}scheme": lb.scheme,
        f"{NLB}attributes": "load_balancing.cross_zone.enabled=true",
    }
    if plan.load_balancer_subnets:
        annotations[f"{NLB}subnets"] = ",".join(plan.load_balancer_subnets)
    if lb.certificate_arn:
        annotations |= {f"{NLB}ssl-cert": lb.certificate_arn, f"{NLB}ssl-ports": str(plan.listener_port)}
    service: dict[str, Any] = {
        "name": GATEWAY_NAME,
        "type": "LoadBalancer",
        "loadBalancerClass": NLB_CLASS,
        "annotations": annotations,
    }
    if lb.source_cidrs:
        # Applied to the security group the controller makes for the NLB (preferred over the annotation).
        service["loadBalancerSourceRanges"] = [str(c) for c in lb.source_cidrs]
    return service


def alb_ingress(plan: GatewayPlan) -> dict[str, Any] | None:
    """The ALB's Ingress to the proxies' Service (None without an ALB). Health checks go to Envoy's own
    readiness endpoint: every path of the listener answers 401 without a key."""
    lb = plan.load_balancer
    if lb is None or lb.type != "alb":
        return None
    annotations = {
        f"{ALB}scheme": lb.scheme,
        f"{ALB}target-type": "ip",
        f"{ALB}healthcheck-port": str(PROXY_READY_PORT),
        f"{ALB}healthcheck-path": "/ready",
        f"{ALB}load-balancer-attributes": f"idle_timeout.timeout_seconds={ALB_IDLE_TIMEOUT_S}",
        f"{ALB}listen-ports": json.dumps([{"HTTPS": 443}] if lb.certificate_arn else [{"HTTP": 80}]),
    }
    if plan.load_balancer_subnets:
        annotations[f"{ALB}subnets"] = ",".join(plan.load_balancer_subnets)
    if lb.certificate_arn:
        annotations[f"{ALB}certificate-arn"] = lb.certificate_arn
    if lb.source_cidrs:
        annotations[f"{ALB}inbound-cidrs"] = ",".join(str(c) for c in lb.source_cidrs)
    backend = {"service": {"name": GATEWAY_NAME, "port": {"number": plan.listener_port}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": GATEWAY_NAME, "namespace": plan.namespace, "annotations": annotations},
        "spec": {
            "ingressClassName": ALB_CLASS,
            "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}],
        },
    }
