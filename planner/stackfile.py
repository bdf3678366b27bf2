"""Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands them to a program.

The CLI passes every config value as a string: objects and lists JSON-encoded, scalars as text. `secure:`
values are ciphertext that only the CLI can decrypt; offline they become a placeholder marked secret, so the
program takes the same secret-handling path and the plan shows `[secret]`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

SECRET_PLACEHOLDER = "offline-placeholder-secret"


@dataclass(frozen=True)
class StackFile:
    project: str
    stack: str
    path: Path
    config: dict[str, str]  # flat, as the CLI passes it
    secret_keys: tuple[str, ...]


def project_name(project_dir: Path) -> str:
    doc = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    return str(doc["name"])


def available_stacks(project_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def read_stack(project_dir: Path, stack: str) -> StackFile:
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = ", ".join(available_stacks(project_dir)) or "none"
        raise FileNotFoundError(f"no stack file {path.name} (stacks here: {stacks})")
    project = project_name(project_dir)
    doc = yaml.safe_load(path.read_text()) or {}
    raw = doc.get("config") or {}
    flat: dict[str, str] = {}
    secret: list[str] = []
    for key, value in raw.items():
        # A key without a namespace belongs to the project, as the CLI reads it.
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            flat[full] = SECRET_PLACEHOLDER
            secret.append(full)
        elif isinstance(value, str):
            flat[full] = value
        else:
            flat[full] = json.dumps(value)
    return StackFile(project, stack, path, flat, tuple(secret))
