"""The AWS resources of a rendered plan (build/<stack>/plan.json) as checkov's Terraform plan input.

    .venv/bin/python -m security.tfplan build/dev build/prod     # writes build/<stack>/aws/tfplan.json

The shape is `terraform show -json`'s, as far as checkov's terraform_plan parser reads it
(checkov/terraform/plan_parser.py): `planned_values.root_module.resources[]` with address, mode, type, name
and values; `resource_changes[]` (every resource a create); and `configuration.root_module.resources[]`,
whose `expressions.<attribute>.references` are what checkov builds its graph edges from (the VPC a flow log
belongs to, the security group a mount target uses). The references are found by value: an input equal to an
id, ARN or name another resource of the plan was given (the offline mocks are deterministic, so those are
computed again from the plan, planner/mocks.py `recorded_outputs`).

Types come from security/aws_types.py. A type token of the `aws:` package (or a remote component that makes
AWS resources) that is neither mapped nor excluded there is an error naming it: nothing is dropped silently.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.mocks import PlanMocks, recorded_outputs
from security.aws_max_items_one import MAX_ITEMS_ONE
from security.aws_types import EXCLUDED, RENAMED, TF_TYPES
from security.eks_cluster import derived_cluster

FORMAT_VERSION = "1.2"
PROVIDER = "registry.terraform.io/hashicorp/aws"
EKS_COMPONENT = "eks:index:Cluster"
AWS_PACKAGES = ("aws:", "eks:")  # tokens that make AWS resources; kubernetes:, random:, llm-platform: do not
# Free text and maps that may repeat a name by chance (a tag or label value naming the cluster).
NOT_REFERENCES = {"tags", "tags_all", "description", "labels", "key", "value"}
MIN_REFERENCE_LEN = 6  # shorter outputs ("vpc", "1") are not ids


class UnmappedTypes(Exception):
    """AWS type tokens with no Terraform mapping and no recorded reason for leaving them out."""


def snake(name: str) -> str:
    """camelCase -> snake_case, the Terraform spelling of a Pulumi property: `mapPublicIpOnLaunch` ->
    `map_public_ip_on_launch`, `ipv6CidrBlock` -> `ipv6_cidr_block`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def tf_values(token: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """A resource's Pulumi inputs as Terraform attribute values: snake_case names (renamed ones as the bridge
    renames them), and each MaxItems=1 block, which Pulumi flattens to an object, back in a one-element list."""
    return _block(token, inputs, "")


def _block(token: str, obj: dict[str, Any], prefix: str) -> dict[str, Any]:
    renamed = RENAMED.get(token, {})
    one = MAX_ITEMS_ONE.get(token, frozenset())
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        name = renamed.get(path, snake(key))
        if isinstance(value, dict) and path in one:
            out[name] = [_block(token, value, path + ".")]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out[name] = [_block(token, v, path + ".") for v in value]  # a list block
        else:
            out[name] = value  # a scalar, a list of scalars, or a map (tags, labels): keys stay as written
    return out


@dataclass
class _Resource:
    tf_type: str
    name: str
    values: dict[str, Any]
    outputs: list[str] = field(default_factory=list)  # what other resources may refer to it by

    @property
    def address(self) -> str:
        return f"{self.tf_type}.{self.name}"


def convert(plan: dict[str, Any]) -> dict[str, Any]:
    """checkov's Terraform plan document for the plan's AWS resources. Raises UnmappedTypes."""
    region = (plan.get("outputs") or {}).get("region", "us-east-1")
    mocks = PlanMocks(region=region, stack=plan["stack"], project=plan["project"])
    resources: list[_Resource] = []
    unmapped: set[str] = set()
    taken: set[str] = set()
    for record in plan["resources"]:
        token = record["type"]
        if token == EKS_COMPONENT:
            name, values = derived_cluster(record["name"], record["inputs"])
            outputs = [values["name"], mocks.arn("eks", f"cluster/{values['name']}")]
            resources.append(_Resource("aws_eks_cluster", _unique(name, taken), values, outputs))
        elif token in TF_TYPES:
            rid, state = recorded_outputs(mocks, record)
            computed = [rid, *(v for k, v in state.items() if k not in record["inputs"])]
            tf = TF_TYPES[token]
            values = tf_values(token, record["inputs"])
            resources.append(_Resource(tf, _unique(record["name"], taken, tf), values, computed))
        elif token.startswith(AWS_PACKAGES) and token not in EXCLUDED:
            unmapped.add(token)
    if unmapped:
        raise UnmappedTypes(
            f"{plan['stack']}: no Terraform mapping for {', '.join(sorted(unmapped))}: add each to "
            "security/aws_types.py TF_TYPES (from pulumi-aws's bridge-metadata.json), or to EXCLUDED with why"
        )
    return _document(resources, region)


def _unique(name: str, taken: set[str], tf_type: str = "aws_eks_cluster") -> str:
    """A Terraform resource name (letters, digits, `_`, `-`) unique within its type."""
    base = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    base = base if re.match(r"[A-Za-z_]", base) else f"r_{base}"
    candidate, n = base, 1
    while f"{tf_type}.{candidate}" in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(f"{tf_type}.{candidate}")
    return candidate


def _references(resources: list[_Resource]) -> dict[str, dict[str, Any]]:
    """address -> {attribute: {"references": [...]}}, for every attribute holding another resource's output."""
    owner: dict[str, str] = {}
    for r in resources:
        for value in r.outputs:
            if isinstance(value, str) and len(value) >= MIN_REFERENCE_LEN:
                owner.setdefault(value, r.address)
    out: dict[str, dict[str, Any]] = {}
    for r in resources:
        expressions: dict[str, Any] = {}
        for attribute, value in r.values.items():
            if attribute in NOT_REFERENCES:
                continue
            targets = sorted({owner[s] for s in _strings(value) if owner.get(s, r.address) != r.address})
            if targets:
                expressions[attribute] = {"references": [x for t in targets for x in (f"{t}.id", t)]}
        out[r.address] = expressions
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _document(resources: list[_Resource], region: str) -> dict[str, Any]:
    references = _references(resources)
    planned, changes, configured = [], [], []
    for r in resources:
        head = {"address": r.address, "mode": "managed", "type": r.tf_type, "name": r.name}
        planned.append({**head, "provider_name": PROVIDER, "schema_version": 0, "values": r.values})
        change = {"actions": ["create"], "before": None, "after": r.values, "after_unknown": {}}
        changes.append({**head, "provider_name": PROVIDER, "change": change})
        configured.append({**head, "provider_config_key": "aws", "expressions": references[r.address]})
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": "1.9.0",  # checkov reads none of it; the shape is that version's
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": region}}}
            },
            "root_module": {"resources": configured},
        },
    }


def write(build: Path) -> Path:
    """build/<stack>/aws/tfplan.json from build/<stack>/plan.json."""
    document = convert(json.loads((build / "plan.json").read_text()))
    out = build / "aws" / "tfplan.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m security.tfplan", description=__doc__.split("\n\n")[0])
    parser.add_argument("builds", nargs="+", type=Path, help="rendered stacks: build/<stack>")
    args = parser.parse_args(argv)
    try:
        for build in args.builds:
            print(write(build))
    except UnmappedTypes as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
