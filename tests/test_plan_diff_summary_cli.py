"""`make plan-diff`'s summary on real changes, each rendered by the planner at the base and in the working tree
of a scratch copy of this project: a 70B model on its own H100 node group, a shorter context that moves a
model's TP, a new region, a policy violation. The numbers expected here are worked out from the catalogs,
the sizing and the cost estimate in this process, never read back from the diff."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.gpus import GPU_INSTANCES
from catalog.prices import (
    GP3_USD_PER_GB_MONTH,
    GP3_USD_PER_IOPS_MONTH,
    GP3_USD_PER_MIBPS_MONTH,
    on_demand_price,
    spot_price_estimate,
)
from config.schema.volumes import IOPS_INCLUDED, THROUGHPUT_INCLUDED
from cost.estimate import estimate
from cost.lines import HOURS_PER_MONTH
from cost.sources import TablePrices
from fleet.resolved import Fleet
from planner.run import validate_stack
from policy.rules import Resource, eks_endpoint_not_world_open
from tests.conftest import write_variant
from tests.test_plan_diff_cli import scratch_repository

Mutate = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return scratch_repository(tmp_path_factory.mktemp("scratch"))


def diff_with(repo: Path, stack: str, mutate: Mutate, *command: str) -> subprocess.CompletedProcess:
    """The stack file changed by `mutate` in the scratch working tree, diffed against its HEAD, then restored."""
    path = repo / f"Pulumi.{stack}.yaml"
    original = path.read_text()
    doc = yaml.safe_load(original)
    mutate(doc["config"])
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    env = {k: v for k, v in os.environ.items() if k != "LIVE_PRICES"}  # the offline table, on both sides
    try:
        return subprocess.run(
            list(command or (sys.executable, "-m", "plan_diff", "--base", "HEAD", "--stack", stack)),
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
    finally:
        path.write_text(original)


def variant_fleet(tmp_path: Path, stack: str, mutate: Mutate) -> Fleet:
    return validate_stack(write_variant(tmp_path, mutate, base=stack, name=stack), stack)[1]


def monthly(fleet: Fleet, stack: str) -> dict[str, float]:
    est = estimate(fleet, TablePrices(), stack)
    return {"min": est.monthly("min").usd, "max": est.monthly("max").usd}


def cost_row(text: str, scale: str) -> tuple[float, float, float]:
    """(before, after, change) of the summary's row for `scale` ("minimum"/"maximum"), as printed."""
    row = re.search(
        rf"^\| {scale} scale \| \$([\d,.]+) \| \$([\d,.]+) \| (no change|[+-]\$[\d,.]+) \|$", text, re.M
    )
    assert row, text
    before, after, change = row.groups()
    sign = -1 if change.startswith("-") else 1
    delta = 0.0 if change == "no change" else sign * float(change[2:].replace(",", ""))
    return float(before.replace(",", "")), float(after.replace(",", "")), delta


def usd(value: float) -> str:
    return f"${round(value, 4):,.4f}"


def section(text: str, title: str) -> list[str]:
    """The resource lines (`- \\`type\\` **name**`) of one `#### <title> (n)` section."""
    match = re.search(rf"^#### {re.escape(title)} \(\d+\)\n\n(.*?)(?=^#### |\Z)", text, re.M | re.S)
    return [] if match is None else [ln for ln in match.group(1).splitlines() if ln.startswith("- `")]


# --- (a) a 70B model on a node group of its own ------------------------------------------------------------
H100 = {"instance": "p5.48xlarge", "disk": 400, "iops": 6000, "throughput": 500}


def add_a_70b_model(c: dict[str, Any]) -> None:
    c["llm-platform:gpuNodeGroups"].append(
        {
            "name": "h100-on-demand",
            "capacityType": "on-demand",
            "instanceTypes": [H100["instance"]],
            "minSize": 1,
            "maxSize": 1,
            "diskSizeGib": H100["disk"],
            "diskIops": H100["iops"],
            "diskThroughputMibps": H100["throughput"],
        }
    )
    c["llm-platform:huggingFaceToken"] = {"secure": "v1:AAAAciphertext"}  # Llama is gated
    c["llm-platform:models"].append(
        {
            "name": "llama-70b",
            "source": "hf://meta-llama/Llama-3.3-70B-Instruct",
            "revision": "6f6073b423013f6a7d4d9f39144961bfbfbc386b",
            "placement": {"pools": ["h100-on-demand"], "capacityType": "on-demand"},
            "maxModelLen": 32768,
            "replicas": {"min": 1, "max": 1},
        }
    )


def test_a_70b_model_on_its_own_node_group(repo, plans, tmp_path):
    result = diff_with(repo, "prod", add_a_70b_model)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    # One more p5.48xlarge node at every scale (the group is 1..1), with its image volume: gp3 storage plus
    # what it provisions above gp3's included IOPS and throughput.
    volume = (
        H100["disk"] * GP3_USD_PER_GB_MONTH
        + (H100["iops"] - IOPS_INCLUDED) * GP3_USD_PER_IOPS_MONTH
        + (H100["throughput"] - THROUGHPUT_INCLUDED) * GP3_USD_PER_MIBPS_MONTH
    )
    node = on_demand_price("us-east-1", H100["instance"]) * HOURS_PER_MONTH + volume
    before = monthly(plans["prod"].fleet, "prod")
    for scale in ("minimum", "maximum"):
        shown_before, shown_after, shown_delta = cost_row(text, scale)
        assert shown_before == round(before[scale[:3]], 2)
        assert shown_after == pytest.approx(before[scale[:3]] + node, abs=0.006)
        assert shown_delta == pytest.approx(node, abs=0.011)

    tp = variant_fleet(tmp_path, "prod", add_a_70b_model).model("llama-70b").placement.tp
    gpus = GPU_INSTANCES[H100["instance"]]
    share = tp / gpus.gpu_count
    od, spot = (
        on_demand_price("us-east-1", H100["instance"]) * share,
        spot_price_estimate("us-east-1", H100["instance"]) * share,
    )
    assert f"| llama-70b (added) | {tp} | {tp} | 1..1 | {usd(od)} | {usd(spot)} |" in text
    # The new node group says what it is, not only its name.
    (group,) = [ln for ln in section(text, "Add") if "gpu-h100-on-demand-ng" in ln]
    block = text[text.index(group) :].split("  ```")[1]
    assert f'instanceTypes: ["{H100["instance"]}"]' in block
    assert f'(GPUs per node): "{gpus.gpu_count} x {gpus.gpu_name} {gpus.gpu_memory_gib} GiB"' in block
    assert "scalingConfig.maxSize: 1" in block and 'capacityType: "ON_DEMAND"' in block


# --- (b) a shorter context moves a model's TP ---------------------------------------------------------------
def shorter_context(c: dict[str, Any]) -> None:
    (entry,) = [m for m in c["llm-platform:models"] if m["name"] == "qwen3-32b"]
    entry["maxModelLen"] = 16384


def test_a_shorter_context_moves_a_model_s_tp(repo, plans, tmp_path):
    result = diff_with(repo, "prod", shorter_context)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    head = variant_fleet(tmp_path, "prod", shorter_context)
    old, new = plans["prod"].fleet.model("qwen3-32b").placement, head.model("qwen3-32b").placement
    assert old.tp != new.tp  # what the scenario is about

    def per_replica(p, price: Callable[[str, str], float | None]) -> str:
        # A replica is its GPUs' share of the cheapest node it fits on.
        return usd(min(price("us-east-1", t) * p.tp / GPU_INSTANCES[t].gpu_count for t in p.instance_types))

    cells = [
        f"{old.tp} -> {new.tp}",
        f"{old.tp} -> {new.tp}",
        "1..4",
        f"{per_replica(old, on_demand_price)} -> {per_replica(new, on_demand_price)}",
        f"{per_replica(old, spot_price_estimate)} -> {per_replica(new, spot_price_estimate)}",
    ]
    assert f"| qwen3-32b | {' | '.join(cells)} |" in text
    assert (
        f"- **GPUs**: `qwen3-32b`: TP {old.tp} -> {new.tp}, GPUs per replica {old.tp} -> {new.tp}: " in text
    )
    before, after = monthly(plans["prod"].fleet, "prod"), monthly(head, "prod")
    for scale in ("minimum", "maximum"):
        shown = cost_row(text, scale)
        key = scale[:3]
        assert shown[:2] == (round(before[key], 2), round(after[key], 2))
        assert shown[2] == pytest.approx(round(after[key], 2) - round(before[key], 2), abs=0.001)


# --- (c) a new region ---------------------------------------------------------------------------------------
def to_us_east_1(c: dict[str, Any]) -> None:
    c["aws:region"] = "us-east-1"
    c["llm-platform:network"]["availabilityZones"] = ["us-east-1a", "us-east-1b"]


def test_a_new_region_replaces_every_aws_resource(repo, plans):
    result = diff_with(repo, "dev", to_us_east_1)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    aws = [r for r in plans["dev"].resources if r["type"].startswith(("aws:", "eks:"))]
    assert f"**Every AWS resource of this stack is replaced ({len(aws)})**" in text
    assert "(`aws:region` us-west-2 -> us-east-1)" in text
    # No AWS resource is an in-place edit; each one of the base is replaced or deleted (a name that carries
    # its zone is a new resource in the new region).
    assert not [ln for ln in section(text, "Change in place") if ln.startswith(("- `aws:", "- `eks:"))]
    gone = [
        ln
        for ln in section(text, "Replace") + section(text, "Delete")
        if ln.startswith(("- `aws:", "- `eks:"))
    ]
    assert sorted(re.match(r"- `([^`]+)` \*\*([^*]+)\*\*", ln).groups() for ln in gone) == sorted(
        (r["type"], r["name"]) for r in aws
    )
    for typ in ("aws:efs/fileSystem:FileSystem", "aws:kms/key:Key", "eks:index:Cluster", "aws:ec2/vpc:Vpc",
                "aws:eks/nodeGroup:NodeGroup", "aws:ec2/subnet:Subnet"):  # fmt: skip
        assert re.search(rf"^- \*\*state\*\*: (Replaced|Deleted): `{re.escape(typ)}` ", text, re.M), typ


# --- (d) a mandatory policy violation -------------------------------------------------------------------------
def open_to_the_world(c: dict[str, Any]) -> None:
    c["llm-platform:cluster"]["endpoint"]["publicAccessCidrs"] = ["0.0.0.0/0"]


def test_a_mandatory_violation_leads_the_diff_and_fails_it(repo, plans):
    # Through make, as users run it: the diff is printed, and make reports the diff's exit 3 as its own 2.
    make = (
        "make",
        "-s",
        "-o",
        ".venv/.installed",
        f"PY={sys.executable}",
        "plan-diff",
        "BASE=HEAD",
        "STACK=prod",
    )
    result = diff_with(repo, "prod", open_to_the_world, *make)
    assert result.returncode == 2 and "Error 3" in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    (cluster,) = plans["prod"].of_type("eks:index:Cluster")
    inputs = {**cluster["inputs"], "publicAccessCidrs": ["0.0.0.0/0"]}
    (message,) = eks_endpoint_not_world_open(
        Resource(cluster["type"], cluster["name"], cluster["urn"], inputs), {}
    )
    assert lines[2].startswith("**Blocked: 1 mandatory policy violation in the working tree's plan**")
    assert (
        lines[3] == f"- `eks-endpoint-not-open-to-world` on `eks:index:Cluster {cluster['name']}`: {message}"
    )
    assert (
        f"- **exposure**: `eks:index:Cluster` **{cluster['name']}**: a CIDR open to the whole internet, "
        '`publicAccessCidrs` = `["0.0.0.0/0"]`'
    ) in lines
    # The diff itself is whole: the change is there, as in-place.
    assert section(result.stdout, "Change in place") == [f"- `eks:index:Cluster` **{cluster['name']}**"]
