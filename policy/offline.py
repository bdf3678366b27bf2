"""Run the policy pack's rules outside the engine, with the same per-stack config `pulumi preview` gets.

The config file is the one CI passes to `--policy-pack-config` (policy/config/<stack>.json), read the way the
Pulumi CLI reads it: `"all"` sets every rule's enforcement level, and each rule's entry is either a level or an
object with `enforcementLevel` and the rule's own properties. The offline plan feeds its resources here
(planner/policy_check.py); a rule that touches a value unknown before apply is skipped, as under the engine.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from policy.pack import DEFAULT_LEVEL
from policy.rules import ALL_RULES, Resource, ResourceRule, StackRule

LEVELS = ("mandatory", "advisory", "disabled")
CONFIG_DIR = Path(__file__).resolve().parent / "config"
# What a stack without policy/config/<stack>.json gets, under `make plan` and in CI alike: every rule at the
# pack's level (mandatory) with its own defaults. A file, not the pack's built-in defaults, so the default is
# written down, reviewable and passed to `--policy-pack-config` like any other (README "Guardrails").
DEFAULT_CONFIG = CONFIG_DIR / "default.json"


class PolicyConfigError(ValueError):
    pass


@dataclass(frozen=True)
class PolicyConfig:
    levels: Mapping[str, str]
    properties: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Finding:
    policy: str
    level: str
    urn: str
    message: str

    @property
    def subject(self) -> str:
        """`type name` from the URN, or `stack` for stack-wide findings."""
        if not self.urn:
            return "stack"
        typ, name = self.urn.split("::")[-2].split("$")[-1], self.urn.split("::")[-1]
        return f"{typ} {name}"


@dataclass
class Report:
    rules: int
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rule/resource pairs that touched an unknown value

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "mandatory"]


def load_policy_config(path: Path) -> PolicyConfig:
    try:
        return load_policy_text(path.read_text(), path.name)
    except OSError as err:
        raise PolicyConfigError(f"{path}: {err}") from err


def load_policy_text(text: str, source: str) -> PolicyConfig:
    """Parse and check policy config JSON; every error names the key as written in the file."""
    try:
        raw = json.loads(text)
    except ValueError as err:
        raise PolicyConfigError(f"{source}: {err}") from err
    if not isinstance(raw, dict):
        raise PolicyConfigError(f"{source}: expected a JSON object of policy names")
    names = {r.name: r for r in ALL_RULES}
    default = raw.get("all", DEFAULT_LEVEL.value)
    if default not in LEVELS:
        raise PolicyConfigError(f"{source}: all: enforcement level must be one of {LEVELS} (got {default!r})")
    levels = dict.fromkeys(names, default)
    properties: dict[str, dict[str, Any]] = {
        n: {k: s["default"] for k, s in r.config_schema.items() if "default" in s} for n, r in names.items()
    }
    for key, value in raw.items():
        if key == "all":
            continue
        if key not in names:
            raise PolicyConfigError(f"{source}: {key}: no such policy (known: {', '.join(sorted(names))})")
        entry = {"enforcementLevel": value} if isinstance(value, str) else dict(value)
        level = entry.pop("enforcementLevel", levels[key])
        if level not in LEVELS:
            raise PolicyConfigError(
                f"{source}: {key}.enforcementLevel must be one of {LEVELS} (got {level!r})"
            )
        levels[key] = level
        for prop, v in entry.items():
            schema = names[key].config_schema.get(prop)
            if schema is None:
                raise PolicyConfigError(f"{source}: {key}.{prop}: the policy takes no such setting")
            if schema.get("type") == "integer" and (not isinstance(v, int) or v < schema.get("minimum", v)):
                raise PolicyConfigError(f"{source}: {key}.{prop}: expected an integer >= 0 (got {v!r})")
            properties[key][prop] = v
    return PolicyConfig(levels, properties)


def config_path(stack: str) -> Path:
    """The policy config file of `stack`: policy/config/<stack>.json, or DEFAULT_CONFIG when it has none."""
    own = CONFIG_DIR / f"{stack}.json"
    return own if own.is_file() else DEFAULT_CONFIG


def config_for_stack(stack: str) -> tuple[PolicyConfig, str]:
    """The stack's policy config and its file, as the repository names it (what CI passes the CLI)."""
    path = config_path(stack)
    return load_policy_config(path), f"{CONFIG_DIR.parent.name}/{CONFIG_DIR.name}/{path.name}"


def described(config: PolicyConfig) -> str:
    """What a config sets, in words: `every rule mandatory, gpu-quota maxGpus 16`."""
    levels = Counter(config.levels.values())
    usual = levels.most_common(1)[0][0]
    words = [f"every rule {usual}" if len(levels) == 1 else f"rules {usual}"]
    words += [f"{name} {level}" for name, level in sorted(config.levels.items()) if level != usual]
    words += [
        f"{name} {prop} {value}"
        for name, props in sorted(config.properties.items())
        for prop, value in sorted(props.items())
    ]
    return ", ".join(words)


def check(resources: Sequence[Resource], config: PolicyConfig) -> Report:
    report = Report(rules=len(ALL_RULES))
    for rule in ALL_RULES:
        level = _offline_level(rule, config.levels[rule.name])
        if level == "disabled":
            continue
        settings = config.properties[rule.name]
        if isinstance(rule, ResourceRule):
            _run_resource_rule(rule, level, settings, resources, report)
        elif isinstance(rule, StackRule):
            try:
                found = list(rule.check(resources, settings))
            except UnknownValueError:
                report.skipped.append(f"{rule.name}: stack")
                continue
            report.findings += [Finding(rule.name, level, urn, m) for urn, m in found]
    return report


def _offline_level(rule: ResourceRule | StackRule, level: str) -> str:
    """A rule may report its mandatory findings at a lower level offline (ResourceRule.offline_level): the
    shipped example stacks hold placeholders on purpose, which `make plan` warns about and a real preview or
    up refuses."""
    offline = getattr(rule, "offline_level", None)
    return offline if offline is not None and level == "mandatory" else level


def _run_resource_rule(
    rule: ResourceRule, level: str, settings: Mapping[str, Any], resources: Sequence[Resource], report: Report
) -> None:
    for r in resources:
        try:
            found = [(r.urn, m) for m in rule.check(r, settings)]
        except UnknownValueError:
            report.skipped.append(f"{rule.name}: {r.name}")
            continue
        report.findings += [Finding(rule.name, level, urn, m) for urn, m in found]


def blocks_real_preview(finding: Finding) -> bool:
    """A finding reported below mandatory offline only (ResourceRule.offline_level): the engine refuses it."""
    rule = next(r for r in ALL_RULES if r.name == finding.policy)
    return getattr(rule, "offline_level", None) is not None and finding.level != "mandatory"


def render(report: Report) -> list[str]:
    mandatory = len(report.mandatory)
    lines = [
        f"Policy pack: {report.rules} rules, {mandatory} mandatory and "
        f"{len(report.findings) - mandatory} advisory violations"
    ]
    for f in sorted(report.findings, key=lambda f: (f.level != "mandatory", f.policy, f.urn)):
        later = " [blocks a real preview or up]" if blocks_real_preview(f) else ""
        lines.append(
            f"  {'x' if f.level == 'mandatory' else '!'} [{f.policy}] {f.subject}: {f.message}{later}"
        )
    if report.skipped:
        lines.append(f"  ({len(report.skipped)} checks skipped on values unknown before apply)")
    return lines
