"""docs/configuration.md: generated from the schema, never stale, every field described, every key found."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from config import reference
from config.reference import OUTPUT, render_reference, undocumented_fields
from config.schema.platform import REGION_KEY, SECTIONS
from tests.conftest import STACKS, stack_doc

ROW = re.compile(r"^\| `(?P<key>[^`]+)` \| (?P<cells>.*) \|$")


def unescape(cell: str) -> str:
    return cell.replace("\\|", "|").replace("\\<", "<")


def split_cells(text: str) -> list[str]:
    return [unescape(c.strip()) for c in re.split(r"(?<!\\)\|", text)]


@pytest.fixture(scope="module")
def doc() -> str:
    return render_reference()


@pytest.fixture(scope="module")
def rows(doc: str) -> dict[str, dict[str, str]]:
    """Every table row of the rendered reference: key -> its cells by column name."""
    out: dict[str, dict[str, str]] = {}
    for line in doc.splitlines():
        m = ROW.match(line)
        if m:
            assert m["key"] not in out, f"{m['key']} is documented twice"
            cells = split_cells(m["cells"])
            assert len(cells) == len(reference.COLUMNS) - 1, line
            out[m["key"]] = dict(zip(reference.COLUMNS[1:], cells, strict=True))
    return out


@pytest.fixture(scope="module")
def headings(doc: str) -> list[tuple[int, str]]:
    return [(len(m[1]), m[2]) for m in re.finditer(r"^(#{2,3}) `([^`]+)`$", doc, re.MULTILINE)]


def test_the_committed_reference_is_what_the_schema_renders(doc):
    committed = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    assert committed == doc, (
        "docs/configuration.md is out of date with config/schema/: run `make config-reference`"
    )


def test_rendering_is_deterministic(doc):
    assert render_reference() == doc


def test_check_mode_passes_on_the_committed_file_and_fails_on_a_stale_one(tmp_path, monkeypatch, capsys):
    assert reference.main(["--check"]) == 0
    stale = tmp_path / "configuration.md"
    stale.write_text(render_reference().replace("VPC CIDR", "VPC range"), encoding="utf-8")
    monkeypatch.setattr(reference, "OUTPUT", stale)
    assert reference.main(["--check"]) == 1
    assert "make config-reference" in capsys.readouterr().err
    assert reference.main([]) == 0 and reference.main(["--check"]) == 0  # writing makes it current


def test_every_field_has_a_description():
    assert undocumented_fields() == [], "describe these fields in config/schema/ (Field(description=...))"


def test_every_row_has_a_description_and_a_type(rows):
    assert len(rows) > 100
    for key, cells in rows.items():
        assert cells["Description"], key
        assert cells["Type"], key
        assert cells["Default"], key


def test_header_says_the_file_is_generated(doc):
    head = doc[:600]
    assert doc.startswith("# Configuration reference\n")
    assert "make config-reference" in head and "config/schema/" in head and "do not edit" in head


def test_one_h2_per_top_level_key_in_sections_order(headings):
    assert [k for level, k in headings if level == 2] == [REGION_KEY, *SECTIONS]


def test_nested_sections_get_their_own_headings(headings):
    nested = {k for level, k in headings if level == 3}
    assert {
        "llm-platform:cluster.endpoint",
        "llm-platform:cluster.systemNodeGroup",
        "llm-platform:addons.karpenter.nodePools[]",
        "llm-platform:models[].placement",
        "llm-platform:models[].architecture",
        "llm-platform:models[].autoscaling.warmWindows[]",
    } <= nested


def test_section_intro_is_the_schema_docstring_and_says_whether_required(doc):
    network = doc.split("## `llm-platform:network`\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "`llm-platform:network` — the VPC: one the platform creates, or an `existing` one." in network
        and "**Required.**" in network
    )
    models = doc.split("## `llm-platform:models`\n", 1)[1].split("\n## ", 1)[0]
    assert "**Optional (absent: `[]`).**" in models and "A list" in models


def stack_keys(value: Any, path: str, rows: dict[str, dict[str, str]]) -> Iterator[str]:
    """Every key below `path` in a stack file's value; list entries as `[]`, free-form maps not entered."""
    yield path
    if isinstance(value, dict) and not rows.get(path, {}).get("Type", "").startswith("map of"):
        for key, sub in value.items():
            yield from stack_keys(sub, f"{path}.{key}", rows)
    elif isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict):
                for key, sub in entry.items():
                    yield from stack_keys(sub, f"{path}[].{key}", rows)


@pytest.mark.parametrize("stack", STACKS)
def test_every_key_of_the_real_stack_files_is_documented(stack, rows, headings):
    documented = set(rows) | {k for _, k in headings}
    keys = set()
    for top, value in stack_doc(stack)["config"].items():
        if top.startswith("aws:") and top != REGION_KEY:
            continue  # the AWS provider's own config (aws:defaultTags); the reference says so
        keys |= set(stack_keys(value, top, rows))
    assert {"llm-platform:cluster.endpoint.publicAccessCidrs", "llm-platform:models[].replicas.min"} <= keys
    assert sorted(keys - documented) == []
    for key in keys & set(rows):
        assert rows[key]["Description"], key


def test_free_form_maps_are_documented_as_maps(rows):
    assert rows["llm-platform:gpuNodeGroups[].labels"]["Type"] == "map of string to string"
    slicing = rows["llm-platform:addons.gpuOperator.timeSlicing"]
    assert slicing["Type"] == "map of string to integer"
    assert slicing["Constraints"] == "each value: ≥ 2, ≤ 48" and slicing["Default"] == "`{}`"


def test_provider_keys_are_explained(doc):
    assert "`aws:defaultTags`" in doc


def test_bounds_and_description_of_gpu_node_group_max_size(rows):
    row = rows["llm-platform:gpuNodeGroups[].maxSize"]
    assert row["Type"] == "integer" and row["Default"] == "required"
    assert row["Constraints"] == "≥ 1; ≤ 100"
    assert row["Description"] == "Most nodes: with the GPUs per node, the group's GPU capacity."


def test_literal_choices_and_default_of_nat_gateways(rows):
    row = rows["llm-platform:network.natGateways"]
    assert row["Type"] == "one of `single`, `perAz`" and row["Default"] == "`perAz`"


def test_literal_choices_are_written_as_yaml(rows):
    # A version string must be quoted in YAML, or it is read as a number and refused.
    assert rows["llm-platform:cluster.kubernetesVersion"]["Type"].startswith("one of `'1.")
    assert rows["llm-platform:models[].tensorParallelSize"]["Type"] == "one of `1`, `2`, `4`, `8`, `auto`"


def test_secrets_are_shown_as_secrets_without_a_value(rows):
    for key in ("llm-platform:grafanaAdminPassword", "llm-platform:huggingFaceToken"):
        assert rows[key]["Type"] == "secret string" and rows[key]["Default"] == "—"
        assert "--secret" in rows[key]["Description"]


def test_defaults_are_written_as_yaml(rows):
    assert rows["llm-platform:network.cidr"]["Default"] == "`10.0.0.0/16`"
    assert rows["llm-platform:cluster.systemNodeGroup.instanceTypes"]["Default"] == "`[m7i.xlarge]`"
    assert rows["llm-platform:cluster.deletionProtection"]["Default"] == "`true`"
    assert rows["llm-platform:models[].extraArgs"]["Default"] == "`[]`"
    assert rows["llm-platform:cluster.endpoint"]["Default"] == "defaults (below)"
    assert rows["llm-platform:models[].placement"]["Default"] == "required"
    assert rows["llm-platform:gpuNodeGroups[].desiredSize"]["Default"] == "none"
    assert rows["aws:region"]["Default"] == "required"


def test_list_and_item_constraints(rows):
    zones = rows["llm-platform:network.availabilityZones"]
    assert zones["Type"] == "list of string"
    assert "at least 2 entries" in zones["Constraints"] and "at most 6 entries" in zones["Constraints"]
    assert "unique entries" in zones["Constraints"]
    assert "each entry: pattern `^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$`" in zones["Constraints"]
    # Two length limits (the field's 30 and DnsLabel's 63): the tighter one is shown.
    assert rows["llm-platform:gpuNodeGroups[].name"]["Constraints"].startswith(
        "at most 30 characters; pattern"
    )


def test_nested_and_union_types(rows):
    assert rows["llm-platform:addons.karpenter.nodePools"]["Type"] == "list of sections (below)"
    assert rows["llm-platform:models[].architecture"]["Type"] == "string or section (below)"
    assert rows["llm-platform:addons.karpenter.nodePools[].expireAfter"]["Type"] == "string or `Never`"
    assert rows["llm-platform:cluster.endpoint.publicAccessCidrs"]["Type"] == "list of IPv4 network"


def test_pipes_are_escaped_in_tables(doc, rows):
    assert "on-demand \\| spot \\| reserved" in doc
    assert rows["llm-platform:gpuNodeGroups[].capacityType"]["Description"] == (
        "on-demand | spot | reserved (nodes in `capacityReservation`, capacity already paid for)."
    )
    assert "(h|d|w|y)" in rows["llm-platform:addons.monitoring.retention"]["Constraints"]


def test_every_validator_named_in_the_reference_still_exists(doc):
    # A renamed validator would silently drop its constraint from the reference.
    for name, text in reference._VALIDATORS.items():
        assert text in doc, f"no field uses the validator {name} any more: update config/reference.py"
