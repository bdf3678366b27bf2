"""Run the real program offline under Pulumi's mocks and collect what the engine would have received."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from config.schema.platform import REGION_KEY, PlatformConfig
from fleet.load import load_fleet
from fleet.resolved import Fleet
from fleet.warnings import fleet_warnings
from planner.aws_identity import aws_identity
from planner.mocks import SECRET, UNKNOWN, PlanMocks, RecordingMonitor
from planner.stackfile import StackFile, read_stack


@dataclass
class Plan:
    stack: StackFile
    fleet: Fleet
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]
    warnings: list[str]

    @property
    def config(self) -> PlatformConfig:
        return self.fleet.config

    def of_type(self, typ: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == typ]

    def by_name(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.resources if r["name"] == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.stack.project,
            "stack": self.stack.stack,
            "resources": self.resources,
            "outputs": self.outputs,
            # The default providers' identity: what moves every resource of theirs (planner/aws_identity.py).
            "providers": {"aws": aws_identity(self.config.region, self.stack.config)},
        }


def validate_stack(project_dir: Path, stack: str) -> tuple[StackFile, Fleet]:
    """Read a stack file and resolve its fleet; raises ConfigError naming every bad key."""
    sf = read_stack(project_dir, stack)
    return sf, load_fleet(sf.config, sf.path.name, sf.secret_keys)


def run_plan(project_dir: Path, stack: str) -> Plan:
    sf, fleet = validate_stack(project_dir, stack)
    from stacks import program  # imported late: it pulls in the provider SDKs (~1.5 s)

    # The program gets the fleet resolved above (the same loader `pulumi up` runs): each model is sized once.
    resources, outputs = run_under_mocks(
        lambda: program.run(fleet),
        project=sf.project,
        stack=sf.stack,
        config=sf.config,
        secret_keys=sf.secret_keys,
    )
    return Plan(sf, fleet, resources, outputs, fleet_warnings(fleet))


def run_under_mocks(
    declare: Callable[[], Mapping[str, Any] | None],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run `declare` as a Pulumi program under the recording mocks.

    Returns every registered resource as the engine would receive it (sorted by URN: registration order
    depends on thread timing, URN order does not, so plans diff cleanly) and the resolved outputs `declare`
    returned, with secrets shown as "[secret]".
    """
    mocks = PlanMocks(region=config.get(REGION_KEY, "us-east-1"), stack=stack, project=project, config=config)
    monitor = RecordingMonitor(mocks)
    # A fresh root stack per run, so several programs can run in one process (tests do).
    pulumi_settings.ROOT.set(None)
    set_all_config(dict(config), list(secret_keys))
    # The plan prints config warnings itself; the engine log would repeat them.
    quiet = logging.getLogger("llm-platform.offline")
    quiet.setLevel(logging.ERROR)
    set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor, logger=quiet)

    outputs: dict[str, Any] = {}

    async def body() -> None:
        declared = declare() or {}
        for name, value in declared.items():
            outputs[name] = await _resolve(value)

    _sync_await(run_pulumi_func(lambda: body()))
    return sorted(monitor.records, key=lambda r: r["urn"]), outputs


async def _resolve(value: Any) -> Any:
    out = pulumi.Output.from_input(value)
    if await out.is_secret():
        return SECRET
    if not await out.is_known():
        return UNKNOWN
    return _plain(await out.future())


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
