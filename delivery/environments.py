"""Every `Pulumi.<stack>.yaml` as the environment CI previews and deploys: nothing else lists the stacks.

The workflows' first job runs `python -m delivery matrix` and builds its jobs from the answer, so adding a
stack file adds the stack to the previews, the offline diffs and the deploys, in its stack file's region, with
no other edit. Each stack file is read and validated whole (the same checks as `make plan`), so a workflow
never starts a job for a stack that cannot plan; the checks that span stacks (below) run here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from config.issues import ConfigError
from config.loader import load_config
from config.schema.platform import PlatformConfig
from planner.stackfile import StackFileError, available_stacks, read_stack
from policy.offline import config_path

# Stack names end up in job names, concurrency groups, environment names (`preview-<stack>`), artifact file
# names that plan-diff-comment.yml accepts only as [a-z0-9-]+, and $GITHUB_OUTPUT: lower-case letters, digits
# and '-' keep every one of them safe without quoting.
STACK_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$", re.ASCII)
# policy/config/default.json is the policy config of every stack without its own: a stack of that name would
# change every other stack's policy by changing its own.
RESERVED_STACKS = {"default": "policy/config/default.json is the policy default of every other stack"}
PREVIEW_ENVIRONMENT = "preview-{stack}"

# The secrets provider of a stack file (`secretsprovider:`), by its scheme, and what a job must hold for it. The
# workflows hold all of these (tests/test_workflows.py checks each is set); one not here would fail at its
# first decrypt, half way into a preview.
SECRETS_PROVIDERS = {
    "default": "PULUMI_ACCESS_TOKEN (Pulumi Cloud's per-stack key) or, on a self-managed backend, "
    "PULUMI_CONFIG_PASSPHRASE",
    "passphrase": "PULUMI_CONFIG_PASSPHRASE",
    "awskms": "the job's AWS role, allowed kms:Decrypt on the key",
}


class EnvironmentsError(Exception):
    """Stack files the workflows cannot run: every problem of every stack at once."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"the stack files cannot be previewed or deployed ({len(problems)} problem(s)):\n{lines}"
        )


@dataclass(frozen=True)
class Environment:
    """One stack as the workflows run it."""

    stack: str
    region: str
    order: int
    environment: str  # the GitHub environment of `pulumi up`
    preview_environment: str
    policy_config: str  # the file passed to --policy-pack-config, as the repository names it
    secrets_provider: str  # a key of SECRETS_PROVIDERS

    def matrix_entry(self) -> dict[str, str]:
        """The entry of a workflow's `strategy.matrix.include`: the names the workflows use."""
        return {
            "stack": self.stack,
            "region": self.region,
            "environment": self.environment,
            "previewEnvironment": self.preview_environment,
            "policyConfig": self.policy_config,
        }


def secrets_provider_kind(provider: str | None) -> str:
    """The SECRETS_PROVIDERS key of a stack file's `secretsprovider:`; ValueError for one the workflows lack."""
    kind = "default" if provider is None else provider.split("://", 1)[0]
    if kind not in SECRETS_PROVIDERS:
        raise ValueError(
            f"secretsprovider: {provider} is not one the workflows give credentials for "
            f'({", ".join(SECRETS_PROVIDERS)}); README "Add an environment"'
        )
    return kind


def stack_names(project_dir: Path) -> list[str]:
    """Every stack of the project by name, without reading the files (the offline diff reports a file it
    cannot read itself); EnvironmentsError for a name the workflows cannot carry."""
    stacks = available_stacks(project_dir)
    problems = []
    for stack in stacks:
        try:
            _check_name(stack)
        except ValueError as err:
            problems.append(f"Pulumi.{stack}.yaml: {err}")
    if problems or not stacks:
        raise EnvironmentsError(problems or [f"no Pulumi.<stack>.yaml in {project_dir}"])
    return stacks


def environments(project_dir: Path) -> list[Environment]:
    """Every stack of the project, in deploy order (`delivery.order`, then name). EnvironmentsError listing
    every problem: a stack name the workflows cannot carry, a stack file that does not validate, two stacks
    that would collide."""
    problems: list[str] = []
    found: list[tuple[Environment, PlatformConfig]] = []
    for stack in available_stacks(project_dir):
        try:
            found.append(_environment(project_dir, stack))
        except (ConfigError, StackFileError, ValueError) as err:
            problems.append(f"Pulumi.{stack}.yaml: {err}")
    problems += [p for rule in CROSS_STACK_RULES for p in rule(found)]
    if problems:
        raise EnvironmentsError(problems)
    if not found:
        raise EnvironmentsError([f"no Pulumi.<stack>.yaml in {project_dir}"])
    return sorted((env for env, _ in found), key=lambda e: (e.order, e.stack))


def _environment(project_dir: Path, stack: str) -> tuple[Environment, PlatformConfig]:
    _check_name(stack)
    sf = read_stack(project_dir, stack)
    cfg = load_config(sf.config, sf.path.name, sf.secret_keys)
    env = Environment(
        stack=stack,
        region=cfg.region,
        order=cfg.delivery.order,
        environment=cfg.delivery.environment or stack,
        preview_environment=PREVIEW_ENVIRONMENT.format(stack=stack),
        policy_config=f"policy/config/{config_path(stack).name}",
        secrets_provider=secrets_provider_kind(sf.secrets_provider),
    )
    return env, cfg


def _check_name(stack: str) -> None:
    if not STACK_NAME.match(stack):
        raise ValueError(
            "the stack name must be 1-40 lower-case letters, digits and '-', not starting or ending with '-' "
            "(it names jobs, environments and files in the workflows): rename the file"
        )
    if stack in RESERVED_STACKS:
        raise ValueError(f"the stack name {stack!r} is reserved: {RESERVED_STACKS[stack]}")


# --- what no two stacks may share ---------------------------------------------------------------------------


def _same_cluster(found: Sequence[tuple[Environment, PlatformConfig]]) -> list[str]:
    """Two clusters of one name in one region collide whatever their accounts' intent: the EKS cluster, its log
    group, and Karpenter's discovery tags, which would let one cluster's nodes join the other's subnets."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for env, cfg in found:
        key = (cfg.region, cfg.cluster.name)
        if key in seen:
            problems.append(
                f"Pulumi.{env.stack}.yaml: llm-platform:cluster.name {cfg.cluster.name} is also "
                f"Pulumi.{seen[key]}.yaml's, in the same region {cfg.region}: give each stack its own"
            )
        seen.setdefault(key, env.stack)
    return problems


def _overlapping_networks(found: Sequence[tuple[Environment, PlatformConfig]]) -> list[str]:
    """Overlapping VPC ranges can never be peered or routed through one transit gateway or VPN, which is how
    CI runners and operators reach private API endpoints."""
    problems = []
    for i, (env, cfg) in enumerate(found):
        for other, other_cfg in found[:i]:
            a, b = cfg.network.vpc_cidr, other_cfg.network.vpc_cidr
            if a.overlaps(b):
                problems.append(
                    f"Pulumi.{env.stack}.yaml: llm-platform:network.{cfg.network.vpc_cidr_key} {a} overlaps "
                    f"Pulumi.{other.stack}.yaml's {b}: give each stack a range of its own"
                )
    return problems


CROSS_STACK_RULES: tuple[Callable[[Sequence[tuple[Environment, PlatformConfig]]], list[str]], ...] = (
    _same_cluster,
    _overlapping_networks,
)
