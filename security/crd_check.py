"""Validate every rendered custom resource strictly against the CRDs of the pinned releases.

    python -m security.crd_check --crds DIR build/dev build/prod      (make crd-check CRDS=DIR)

DIR holds the upstream CRD manifests at the versions catalog/ pins: Gateway API's standard-install.yaml,
Envoy Gateway's envoy-gateway-crds.yaml, the templates of ai-gateway-crds-helm, Karpenter's, KEDA's. They are
read, never committed (`make crd-fetch` downloads the pinned ones where the network allows).

Strict means what the API server does and more: every field must be in the schema (the API server would prune
an unknown one in silence, so a misspelt field would simply not apply), types, enums, patterns, bounds and
required fields hold. CEL rules (x-kubernetes-validations) are listed, not evaluated: the API server runs them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml


def load_crds(paths: Iterable[Path]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(group, version, kind) -> that version's openAPIV3Schema, from every CRD in `paths` (files or dirs; a
    chart's template lines `{{ ... }}` are dropped, and a template inside a line becomes a plain word)."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in paths:
        for file in sorted(path.rglob("*.yaml")) if path.is_dir() else [path]:
            lines = [ln for ln in file.read_text().splitlines() if not ln.lstrip().startswith("{{")]
            text = "\n".join(re.sub(r"\{\{.*?\}\}", "template", ln) for ln in lines)
            for doc in yaml.safe_load_all(text):
                if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc["spec"]
                for v in spec["versions"]:
                    if v.get("served") and "schema" in v:
                        out[(spec["group"], v["name"], spec["names"]["kind"])] = v["schema"][
                            "openAPIV3Schema"
                        ]
    return out


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The structural schema as JSON Schema that refuses unknown fields, keeps int-or-string and drops the
    Kubernetes-only keywords."""
    s = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if schema.get("x-kubernetes-int-or-string"):
        s.pop("type", None)
        s["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if "properties" in s:
        s["properties"] = {k: strict(v) for k, v in s["properties"].items()}
        if not schema.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in s:
            s["additionalProperties"] = False
    if isinstance(s.get("additionalProperties"), dict):
        s["additionalProperties"] = strict(s["additionalProperties"])
    if isinstance(s.get("items"), dict):
        s["items"] = strict(s["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:  # value rules only, in a structural schema: no field of their own to refuse
            s[key] = schema[key]
    return s


def cel_rules(schema: dict[str, Any], path: str = "") -> Iterator[str]:
    for rule in schema.get("x-kubernetes-validations", []):
        yield f"{path or '.'}: {rule['rule']}"
    for name, sub in schema.get("properties", {}).items():
        yield from cel_rules(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from cel_rules(schema["items"], f"{path}[]")


def errors(doc: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Messages for every violation of `doc` against the CRD schema (metadata is the API server's own)."""
    body = {k: v for k, v in doc.items() if k != "metadata"}
    top = strict(schema)
    top["properties"].pop("metadata", None)
    top["required"] = [r for r in top.get("required", []) if r != "metadata"]
    validator = jsonschema.Draft7Validator(top)
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '.'}: {e.message}"
        for e in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
    ]


def check(builds: Iterable[Path], crds: dict[tuple[str, str, str], dict[str, Any]]) -> tuple[int, list[str]]:
    """(objects checked, findings) over every manifest of `builds` whose kind one of `crds` defines."""
    checked, findings = 0, []
    for build in builds:
        for file in sorted((build / "manifests").glob("*.yaml")):
            doc = yaml.safe_load(file.read_text())
            group, _, version = doc["apiVersion"].rpartition("/")
            schema = crds.get((group, version, doc["kind"]))
            if schema is None:
                if "." in group and not group.endswith(".k8s.io"):
                    findings.append(
                        f"{file}: no CRD for {doc['apiVersion']} {doc['kind']} in the CRD directory"
                    )
                continue
            checked += 1
            findings += [f"{file}: {m}" for m in errors(doc, schema)]
    return checked, findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crds", type=Path, action="append", required=True, help="a CRD file or directory")
    parser.add_argument("builds", type=Path, nargs="+", help="rendered stacks (make plan's build/<stack>)")
    args = parser.parse_args(argv)
    crds = load_crds(args.crds)
    checked, findings = check(args.builds, crds)
    for f in findings:
        print(f)
    print(f"{checked} custom resources checked against {len(crds)} CRD versions: {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
