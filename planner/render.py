"""Write a plan to build/<stack>/ and summarise it for a reviewer."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from catalog.prices import PRICE_SOURCE, on_demand_price, spot_price_estimate
from fleet.summary import fleet_summary
from planner.mocks import SECRET, is_kubernetes_object
from planner.run import Plan

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def manifest_of(record: dict[str, Any]) -> dict[str, Any]:
    """A Kubernetes object as the provider would apply it: apiVersion, kind, metadata first."""
    inputs = dict(record["inputs"])
    head = {k: inputs.pop(k) for k in ("apiVersion", "kind", "metadata") if k in inputs}
    # A Secret's data arrives redacted as a whole; keep the manifest schema-valid and the redaction visible.
    for field in ("data", "stringData"):
        if inputs.get(field) == SECRET:
            inputs[field] = {"redacted": SECRET}
    return {**head, **inputs}


def manifest_filename(manifest: dict[str, Any]) -> str:
    meta = manifest.get("metadata", {})
    parts = [manifest["kind"].lower(), meta.get("namespace"), meta.get("name")]
    return "-".join(p for p in parts if p) + ".yaml"


def write_plan(plan: Plan, out: Path) -> dict[str, list[Path]]:
    if out.exists():
        shutil.rmtree(out)  # never leave files of an older plan beside the new one
    (out / "manifests").mkdir(parents=True)
    (out / "helm").mkdir()
    (out / "plan.json").write_text(json.dumps(plan.as_json(), indent=2, sort_keys=False) + "\n")
    (out / "fleet.json").write_text(json.dumps(fleet_summary(plan.fleet), indent=2) + "\n")

    written: dict[str, list[Path]] = {"manifests": [], "helm": []}
    for record in plan.resources:
        if is_kubernetes_object(record["type"]) and "kind" in record["inputs"]:
            manifest = manifest_of(record)
            path = out / "manifests" / manifest_filename(manifest)
            if path.exists():
                raise RuntimeError(f"two Kubernetes objects render to {path.name}")
            path.write_text(_yaml(manifest))
            written["manifests"].append(path)
        elif record["type"] == HELM_RELEASE:
            i = record["inputs"]
            release = {
                "release": i.get("name", record["name"]),
                "namespace": i.get("namespace"),
                "chart": i.get("chart"),
                "repository": (i.get("repositoryOpts") or {}).get("repo"),
                "version": i.get("version"),
                "values": i.get("values", {}),
            }
            path = out / "helm" / f"{record['name']}.yaml"
            path.write_text(_yaml(release))
            written["helm"].append(path)
    return written


def _yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=120)


def model_table(plan: Plan) -> list[str]:
    fleet = plan.fleet
    if not fleet.models:
        return []
    region = fleet.region
    lines = ["", f"Models ({region}; {PRICE_SOURCE}; spot is an estimate):"]
    lines.append(
        f"  {'model':<20} {'GPU':<9} {'TP':>2} {'instance types':<38} {'/node':>5} {'KV tokens':>10} "
        f"{'seqs':>5} {'$/h od':>7} {'$/h spot':>8}"
    )
    for m in fleet.models:
        p = m.placement
        od = p.price_per_replica(lambda t: on_demand_price(region, t))
        spot = p.price_per_replica(lambda t: spot_price_estimate(region, t))
        types = ",".join(p.instance_types[:3]) + (
            f" +{len(p.instance_types) - 3}" if len(p.instance_types) > 3 else ""
        )
        gpu = p.pools[0].gpu
        lines.append(
            f"  {m.name:<20} {gpu.gpu_name + ' ' + str(gpu.gpu_memory_gib) + 'G':<9} {p.tp:>2} {types:<38} "
            f"{p.replicas_per_node():>5} {p.fit.kv_tokens:>10,} {p.fit.full_length_sequences:>5.1f} "
            f"{'n/a' if od is None else f'{od:.2f}':>7} {'n/a' if spot is None else f'{spot:.2f}':>8}"
        )
    return lines


def summary(plan: Plan, out: Path, written: dict[str, list[Path]]) -> str:
    cfg = plan.config
    custom = [r for r in plan.resources if r["custom"] and not r["type"].startswith("pulumi:providers:")]
    lines = [f"llm-platform plan for stack '{plan.stack.stack}' ({plan.stack.path.name}) -> {out}/", ""]
    lines.append(f"Resources: {len(custom)} ({len(plan.resources) - len(custom)} components and providers)")
    for typ, n in sorted(Counter(r["type"] for r in custom).items()):
        lines.append(f"  {n:3d}  {typ}")
    lines += [
        "",
        f"Kubernetes {cfg.cluster.kubernetes_version}, AMI {cfg.node_ami.family} {cfg.node_ami.release_version}",
        "GPU node groups:",
    ]
    for g in cfg.gpu_node_groups:
        lines.append(
            f"  {g.name:<18} {g.capacity_type:<9} {','.join(g.instance_types):<40} "
            f"size {g.min_size}..{g.max_size}  disk {g.disk_size_gib} GiB"
        )
    lines += model_table(plan)
    lines += [
        "",
        f"Wrote plan.json, fleet.json, {len(written['manifests'])} manifests, {len(written['helm'])} Helm values "
        "files.",
    ]
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in plan.warnings]
    return "\n".join(lines)
