"""Shared fixtures: the project's real stack files, planned once per session, and helpers to vary them."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from collections.abc import Callable
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.schema.platform import PlatformConfig
from fleet.load import resolve_fleet
from fleet.resolved import ModelPlan
from planner.run import Plan, run_plan
from planner.stackfile import available_stacks

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS = available_stacks(PROJECT_DIR)


def run_planner(*args: str) -> subprocess.CompletedProcess:
    """`python -m planner ARGS` (what `make plan` runs) from the project root, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=180
    )


def stack_doc(stack: str = "dev") -> dict[str, Any]:
    return yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())


def write_variant(
    tmp: Path, mutate: Callable[[dict[str, Any]], None], base: str = "dev", name: str = "variant"
) -> Path:
    """A project dir holding Pulumi.yaml and Pulumi.<name>.yaml = Pulumi.<base>.yaml changed by `mutate`."""
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp / "Pulumi.yaml")
    doc = copy.deepcopy(stack_doc(base))
    mutate(doc["config"])
    (tmp / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return tmp


def unused_stack(preferred: str) -> str:
    """`preferred`, or it with a number after it, so that it names none of the project's stacks."""
    return next(n for n in (preferred, *(f"{preferred}{i}" for i in range(2, 100))) if n not in STACKS)


def unused_network() -> str:
    """A /16 of 10.0.0.0/8 that overlaps no stack's llm-platform:network.cidr."""
    taken = [ip_network(stack_doc(s)["config"]["llm-platform:network"]["cidr"]) for s in STACKS]
    return str(
        next(
            n
            for n in ip_network("10.0.0.0/8").subnets(new_prefix=16)
            if not any(n.overlaps(t) for t in taken)
        )
    )


def project_with(tmp: Path, name: str, *subs: tuple[str, str], base: str = "dev") -> Path:
    """A project dir holding Pulumi.yaml, every real stack file and Pulumi.<name>.yaml: the text of
    Pulumi.<base>.yaml with each (old, new) replaced, comments and all, as a person copying the file would."""
    assert name not in STACKS, f"Pulumi.{name}.yaml is one of the project's own: pick another (unused_stack)"
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp / "Pulumi.yaml")
    for stack in STACKS:
        shutil.copy(PROJECT_DIR / f"Pulumi.{stack}.yaml", tmp / f"Pulumi.{stack}.yaml")
    text = (PROJECT_DIR / f"Pulumi.{base}.yaml").read_text()
    for old, new in subs:
        assert text.count(old) == 1, f"Pulumi.{base}.yaml holds {old!r} {text.count(old)} times, not once"
        text = text.replace(old, new)
    (tmp / f"Pulumi.{name}.yaml").write_text(text)
    return tmp


def model_plan(cfg: PlatformConfig, name: str, **changes: Any) -> ModelPlan:
    """The resolved plan of model `name`, after `changes` to its config entry (as the stack file would)."""
    models = [m.model_copy(update=changes) if m.name == name and changes else m for m in cfg.models]
    return resolve_fleet(cfg.model_copy(update={"models": models})).model(name)


@pytest.fixture(scope="session")
def plans() -> dict[str, Plan]:
    """Every real Pulumi.<stack>.yaml in the project, planned offline once for the whole session."""
    return {stack: run_plan(PROJECT_DIR, stack) for stack in STACKS}


@pytest.fixture(params=STACKS)
def plan(request, plans) -> Plan:
    return plans[request.param]
