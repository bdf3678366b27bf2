"""Write a plan to build/<stack>/ and summarise it for a reviewer."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from catalog.prices import PRICE_SOURCE, on_demand_price, spot_price_estimate
from fleet.cold_start import Loader, weight_load_s
from fleet.resolved import ModelPlan
from fleet.summary import fleet_summary
from planner.mocks import SECRET, is_kubernetes_object, refuse_duplicate_urns
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


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A new directory beside `out` to write a plan into, put in `out`'s place when the block completes.

    All or nothing: an error anywhere in the block removes the new directory and leaves `out` as it was (or
    absent), so build/<stack> never mixes files of two plans and never holds half of one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # Beside `out`: the final move is a rename within one file system, never a copy. mkdir (not mkdtemp, whose
    # directories are private) so the plan gets the usual permissions.
    new = out.with_name(f".{out.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.new")
    new.mkdir()
    try:
        yield new
        _replace(out, new)
    finally:
        shutil.rmtree(new, ignore_errors=True)  # gone already when the block completed


def _replace(out: Path, new: Path) -> None:
    """Put `new` where `out` is: two renames (POSIX cannot swap two directories in one), the old one restored if
    the second fails."""
    if not out.exists() and not out.is_symlink():
        new.rename(out)
        return
    old = out.with_name(f"{new.name}.old")
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()


def write_plan(plan: Plan, out: Path) -> dict[str, list[Path]]:
    """plan.json, fleet.json, the manifests and Helm values, in place of whatever `out` held (all or nothing)."""
    refuse_duplicate_urns(plan.resources)
    with staged(out) as new:
        written = render_plan(plan, new)
    return rebased(written, new, out)


def rebased(written: dict[str, list[Path]], old: Path, new: Path) -> dict[str, list[Path]]:
    """The paths `render_plan` wrote under `old`, as they are once the directory has moved to `new`."""
    return {part: [new / p.relative_to(old) for p in paths] for part, paths in written.items()}


def render_plan(plan: Plan, into: Path) -> dict[str, list[Path]]:
    """Write the plan's files into the empty directory `into`; refuses a plan the engine would refuse first."""
    refuse_duplicate_urns(plan.resources)
    (into / "manifests").mkdir()
    (into / "helm").mkdir()
    (into / "plan.json").write_text(json.dumps(plan.as_json(), indent=2, sort_keys=False) + "\n")
    (into / "fleet.json").write_text(json.dumps(fleet_summary(plan.fleet), indent=2) + "\n")

    written: dict[str, list[Path]] = {"manifests": [], "helm": []}
    for record in plan.resources:
        if is_kubernetes_object(record["type"]) and "kind" in record["inputs"]:
            manifest = manifest_of(record)
            path = into / "manifests" / manifest_filename(manifest)
            if path.exists():
                # Config rules (config/rules/names.py) refuse what config can cause; this is a program bug.
                raise RuntimeError(f"two Kubernetes objects render to {path.name}")
            path.write_text(_yaml(manifest))
            written["manifests"].append(path)
        elif record["type"] == HELM_RELEASE:
            path = into / "helm" / f"{record['name']}.yaml"
            path.write_text(_yaml(_release_values(record)))
            written["helm"].append(path)
    return written


def _release_values(record: dict[str, Any]) -> dict[str, Any]:
    """A Helm release as build/<stack>/helm/ shows it: where it goes, which chart, and its full values."""
    i = record["inputs"]
    return {
        "release": i.get("name", record["name"]),
        "namespace": i.get("namespace"),
        "chart": i.get("chart"),
        "repository": (i.get("repositoryOpts") or {}).get("repo"),
        "version": i.get("version"),
        "values": i.get("values", {}),
    }


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


def cold_start_table(plan: Plan) -> list[str]:
    """Per model and path, zero replicas to the first token: node / image / weights / engine / total (seconds),
    and the weights' load time with each loader. The rates and their sources: fleet/cold_start.py."""
    models = plan.fleet.models
    if not models:
        return []
    lines = [
        "",
        "Cold start, zero replicas to the first token (s; fleet/cold_start.py, README 'Cold start'):",
    ]
    lines.append(f"  {'model':<20} {'path':<13} {'node':>5} {'image':>5} {'pod':>4} {'weights':>7} {'engine':>6} "
                 f"{'total':>6}   weights: auto / runai_streamer / from S3")  # fmt: skip
    for m in models:
        c = m.cold
        paths = [("node launched", c.launch), ("warm node", c.warm_node), ("next replica", c.next_replica),
                 ("first ever", c.first_ever)]  # fmt: skip
        loaders = " / ".join(_weights_by_loader(m))
        for i, (path, st) in enumerate((p, st) for p, st in paths if st is not None):
            lines.append(
                f"  {m.name if i == 0 else '':<20} {path:<13} {st.node_s:>5} {st.image_s:>5} {st.pod_s:>4} "
                f"{st.weights_s:>7} {st.engine_s:>6} {st.total_s:>6}   {loaders if i == 0 else ''}".rstrip()
            )
    return lines


def _weights_by_loader(m: ModelPlan) -> list[str]:
    """The weights stage with each loader the model could use, at its configured concurrency: from the cache
    with vLLM's loader and with the streamer, and straight from S3 where the source is there."""
    concurrency = m.config.streamer_concurrency
    from_s3 = (
        Loader("runai_streamer", concurrency, from_s3=True) if m.config.source.startswith("s3://") else None
    )
    options = [Loader("auto"), Loader("runai_streamer", concurrency), from_s3]
    return [str(weight_load_s(m.weights_gib, o)) if o else "-" for o in options]


def gateway_table(plan: Plan) -> list[str]:
    """Tenants x models x limits: what each key may call, and how much (limits are per tenant, all models)."""
    g = plan.fleet.gateway
    if g is None:
        return []
    lb = g.load_balancer
    exposed = (
        f"{lb.scheme} {lb.type.upper()}" + (", TLS" if lb.certificate_arn else "") if lb else "in-cluster"
    )
    lines = ["", f"Gateway ({exposed}; {g.internal_url} in the cluster):"]
    lines.append(f"  {'tenant':<16} {'model':<20} {'req/min':>9} {'tokens/min':>12}  keys")
    for t in g.tenants:
        for i, model in enumerate(t.models):
            limits = (
                f"{t.requests_per_minute:>9,} {t.tokens_per_minute:>12,}  {', '.join(t.key_names)}"
                if i == 0
                else ""
            )
            lines.append(f"  {t.name if i == 0 else '':<16} {model:<20} {limits}".rstrip())
    return lines


def _existing(cfg) -> str:
    """ " (existing cluster <name>)" when the stack installs into one, else nothing."""
    return f" (existing cluster {cfg.cluster.name})" if cfg.cluster.existing else ""


def summary(plan: Plan, out: Path, written: dict[str, list[Path]]) -> str:
    cfg = plan.config
    custom = [r for r in plan.resources if r["custom"] and not r["type"].startswith("pulumi:providers:")]
    lines = [f"llm-platform plan for stack '{plan.stack.stack}' ({plan.stack.path.name}) -> {out}/", ""]
    lines.append(f"Resources: {len(custom)} ({len(plan.resources) - len(custom)} components and providers)")
    for typ, n in sorted(Counter(r["type"] for r in custom).items()):
        lines.append(f"  {n:3d}  {typ}")
    existing = f" (existing cluster {cfg.cluster.name})" if cfg.cluster.existing else ""
    lines += [
        "",
        f"Kubernetes {cfg.cluster.kubernetes_version}{existing}, AMI {cfg.node_ami.family} "
        f"{cfg.node_ami.release_version}",
        "GPU node groups:",
    ]
    for g in cfg.gpu_node_groups:
        lines.append(
            f"  {g.name:<18} {g.capacity_type:<9} {','.join(g.instance_types):<40} "
            f"size {g.min_size}..{g.max_size}  disk {g.disk_size_gib} GiB"
        )
    lines += model_table(plan)
    lines += cold_start_table(plan)
    lines += gateway_table(plan)
    lines += [
        "",
        f"Wrote plan.json, fleet.json, {len(written['manifests'])} manifests, {len(written['helm'])} Helm values "
        "files.",
    ]
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  ! {w}" for w in plan.warnings]
    return "\n".join(lines)
