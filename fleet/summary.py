"""The resolved fleet as plain data: `make plan` writes it to build/<stack>/fleet.json and `make plan-diff`
compares it, so a change that moves a model (its TP, its GPUs, its $/h per replica) or the fleet's GPU
capacity shows up in review even where no resource input changes."""

from __future__ import annotations

from typing import Any

from catalog.prices import on_demand_price, spot_price_estimate
from config.schema.infrastructure import GpuNodeGroupConfig
from fleet.resolved import Fleet, ModelPlan, Pool


def fleet_summary(fleet: Fleet) -> dict[str, Any]:
    return {
        "region": fleet.region,
        "namespace": fleet.namespace,
        "gpuCapacity": fleet.gpu_capacity,
        "gpuQuota": fleet.gpu_quota,
        "pools": {p.name: _pool(p) for p in fleet.pools.values()},
        "models": {m.name: _model(m, fleet.region) for m in fleet.models},
        "addons": {
            key: {"release": r.name, "namespace": r.namespace}
            for key, r in (
                ("monitoring", fleet.addons.monitoring),
                ("gpuOperator", fleet.addons.gpu_operator),
                ("keda", fleet.addons.keda),
                ("kedaHttp", fleet.addons.keda_http),
            )
            if r is not None
        },
    }


def _pool(p: Pool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": p.kind,
        "capacityType": p.capacity_type,
        "gpu": f"{p.gpu.gpu_name} {p.gpu.gpu_memory_gib} GiB",
        "instanceTypes": list(p.instance_types),
        "gpuCapacity": p.gpu_capacity,
        "timeSlices": p.time_slices,
    }
    if isinstance(p.config, GpuNodeGroupConfig):  # a NodePool's node count follows from its limits
        out["nodes"] = {"min": p.config.min_size, "max": p.config.max_size, "initial": p.config.initial_size}
    else:
        out["limits"] = dict(p.limits)
    return out


def _model(m: ModelPlan, region: str) -> dict[str, Any]:
    p = m.placement
    return {
        "tensorParallelSize": p.tp,
        "gpusPerReplica": p.tp,
        "pools": [pool.name for pool in p.pools],
        "instanceTypes": list(p.instance_types),
        "replicasPerNode": p.replicas_per_node(),
        "kvCacheTokens": p.fit.kv_tokens,
        "fullLengthSequences": round(p.fit.full_length_sequences, 2),
        "usdPerHourPerReplica": {
            "onDemand": _usd(p.price_per_replica(lambda t: on_demand_price(region, t))),
            "spot": _usd(p.price_per_replica(lambda t: spot_price_estimate(region, t))),
        },
        "replicas": {"min": m.config.replicas.min, "max": m.config.replicas.max},
        "endpoint": m.endpoint,
        "budgetSeconds": {
            "startup": m.startup_budget_s,
            "preload": m.preload_budget_s,
            "coldStart": m.cold_start_s,
            "rollout": m.rollout_timeout_s,
        },
        "loadFormat": m.config.load_format,
        # fleet/cold_start.py's stages per path, zero replicas to the first token (seconds).
        "coldStartSeconds": {
            path: None
            if st is None
            else {
                "node": st.node_s,
                "image": st.image_s,
                "pod": st.pod_s,
                "weights": st.weights_s,
                "engine": st.engine_s,
                "total": st.total_s,
            }
            for path, st in (
                ("nodeLaunched", m.cold.launch),
                ("warmNode", m.cold.warm_node),
                ("nextReplica", m.cold.next_replica),
                ("firstEver", m.cold.first_ever),
            )
        },
    }


def _usd(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# What `make plan` reports when a model moves between plans (the fleet.json it replaces against the new one).
WATCHED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TP", ("tensorParallelSize",)),
    ("GPUs per replica", ("gpusPerReplica",)),
    ("$/h per replica on-demand", ("usdPerHourPerReplica", "onDemand")),
    ("$/h per replica spot", ("usdPerHourPerReplica", "spot")),
    ("pools", ("pools",)),
    ("cold start on a warm node (s)", ("coldStartSeconds", "warmNode", "total")),
)


def model_changes(previous: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """One line per model whose TP, GPUs per replica, $/h per replica or pools changed."""
    before, after = previous.get("models", {}), current.get("models", {})
    lines = []
    for name, now in after.items():
        then = before.get(name)
        if then is None:
            continue
        moved = [
            f"{label} {_text(_at(then, path))} -> {_text(_at(now, path))}"
            for label, path in WATCHED
            if _at(then, path) != _at(now, path)
        ]
        if moved:
            lines.append(f"{name}: {', '.join(moved)}")
    return lines


def _at(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "n/a" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
