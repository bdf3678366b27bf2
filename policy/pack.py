"""The rules of policy/rules.py as pulumi_policy objects (importable without starting the analyzer server)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policy.rules import RESOURCE_RULES, STACK_RULES, Resource, ResourceRule, StackRule

PACK_NAME = "llm-platform"


def _schema(properties: Mapping[str, Mapping[str, Any]]) -> PolicyConfigSchema | None:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in properties.items()}) if properties else None


def resource_policy(rule: ResourceRule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation) -> None:
        resource = Resource(args.resource_type, args.name, args.urn, args.props)
        for message in rule.check(resource, args.get_config() or {}):
            report_violation(message, args.urn)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        config_schema=_schema(rule.config_schema),
    )


def stack_policy(rule: StackRule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation) -> None:
        resources = [Resource(r.resource_type, r.name, r.urn, r.props) for r in args.resources]
        for urn, message in rule.check(resources, args.get_config() or {}):
            report_violation(message, urn or None)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        config_schema=_schema(rule.config_schema),
    )


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [resource_policy(r) for r in RESOURCE_RULES] + [stack_policy(r) for r in STACK_RULES]


# Every rule blocks by default; policy/config/<stack>.json relaxes one per stack (e.g. dev's endpoint rule).
DEFAULT_LEVEL = EnforcementLevel.MANDATORY
