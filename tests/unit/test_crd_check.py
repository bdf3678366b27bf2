"""security/crd_check.py, on a CRD of our own making: strict means unknown fields, wrong types, enums, bounds
and missing required fields are all found (the real CRDs are read by `make crd-check`, never committed)."""

from __future__ import annotations

import yaml

from security.crd_check import check, load_crds

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget"},
        "versions": [{"name": "v1", "served": True, "schema": {"openAPIV3Schema": {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                "spec": {"type": "object", "required": ["size"], "properties": {
                    "size": {"type": "integer", "minimum": 1},
                    "mode": {"type": "string", "enum": ["Fast", "Slow"]},
                    "port": {"x-kubernetes-int-or-string": True},
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                }},
            },
        }}}],
    },
}  # fmt: skip


def _build(tmp_path, spec: dict):
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "widget.yaml").write_text(
        "{{- if .Values.on }}\n" + yaml.safe_dump(CRD) + "{{- end }}\n"
    )
    (tmp_path / "build" / "manifests").mkdir(parents=True)
    doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}
    (tmp_path / "build" / "manifests" / "widget-w.yaml").write_text(yaml.safe_dump(doc))
    return check([tmp_path / "build"], load_crds([tmp_path / "crds"]))


def test_a_valid_object_passes_int_or_string_and_free_form_fields_included(tmp_path):
    assert _build(tmp_path, {"size": 2, "mode": "Fast", "port": "http", "free": {"any": 1}}) == (1, [])


def test_every_kind_of_violation_is_found(tmp_path):
    checked, findings = _build(tmp_path, {"size": 0, "mode": "Quick", "colour": "red"})
    text = "\n".join(findings)
    assert checked == 1 and len(findings) == 3
    assert (
        "'colour' was unexpected" in text
        and "'Quick' is not one of" in text
        and "less than the minimum" in text
    )


def test_a_missing_required_field_is_found(tmp_path):
    _, findings = _build(tmp_path, {"mode": "Slow"})
    assert findings and "'size' is a required property" in findings[0]
