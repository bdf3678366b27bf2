"""The gateway's lines of the cost estimate: its load balancer (an hourly charge of its own), and what its pods
take of the system nodes (already paid for in the system node group's line: shown so the group is sized for it,
never added to the totals)."""

from __future__ import annotations

from collections.abc import Callable

from catalog.cpus import CPU_INSTANCES
from catalog.prices import LOAD_BALANCER_USD_PER_HOUR
from cost.lines import Charge
from fleet.resolved import Fleet
from gateway.proxies import EXTPROC_RESOURCES, PROXY_RESOURCES

# CPU requests of the gateway's other pods on the system nodes: Valkey (gateway/valkey.py), and the charts'
# defaults for Envoy Gateway's controller and rate-limit service (100m each, values.tmpl.yaml and
# api/v1alpha1/shared_types.go), the AI Gateway controller (helm_values/gateway.py) and the load balancer
# controller's two replicas.
VALKEY_CPU, CONTROLLERS_CPU, LBC_CPU = 0.1, 0.3, 0.2


def _cpu(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def load_balancer(fleet: Fleet) -> Charge | None:
    g = fleet.gateway
    if g is None or g.load_balancer is None:
        return None
    lb = g.load_balancer
    what = f"{lb.type.upper()} of the gateway ({lb.scheme}; hourly charge only)"
    return Charge(what, 1, LOAD_BALANCER_USD_PER_HOUR.get(fleet.region))


def system_shares(fleet: Fleet, node_price: Callable[[str], float | None]) -> tuple[Charge, ...]:
    """(what, vCPUs requested) of the gateway's pods, priced at the system type's $/vCPU-hour."""
    g = fleet.gateway
    if g is None:
        return ()
    system_type = fleet.config.cluster.system_node_group.instance_types[0]
    price = node_price(system_type)
    per_vcpu = None if price is None else price / CPU_INSTANCES[system_type].vcpus
    proxy = _cpu(PROXY_RESOURCES["requests"]["cpu"]) + _cpu(EXTPROC_RESOURCES["requests"]["cpu"])
    parts = [
        (f"Gateway proxies ({g.proxy_replicas} x {proxy:g} vCPU, Envoy and the AI Gateway sidecar)",
         g.proxy_replicas * proxy),
        (f"Valkey, the rate-limit counters ({VALKEY_CPU:g} vCPU)", VALKEY_CPU),
        (f"Gateway controllers and rate-limit service ({CONTROLLERS_CPU:g} vCPU)", CONTROLLERS_CPU),
    ]  # fmt: skip
    if g.load_balancer:
        parts.append((f"AWS Load Balancer Controller ({LBC_CPU:g} vCPU)", LBC_CPU))
    return tuple(Charge(what, 1, None if per_vcpu is None else per_vcpu * vcpus) for what, vcpus in parts)
