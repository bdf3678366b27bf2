"""build/<stack> is written all or nothing: a new plan replaces the old one whole, and an error at any step
leaves the old one (or none) exactly as it was, with nothing half-written beside it."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from planner import render
from planner.mocks import DuplicateUrnError
from planner.render import staged, write_plan
from planner.run import Plan


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def previous_plan(tmp_path: Path) -> Path:
    out = tmp_path / "build" / "dev"
    (out / "manifests").mkdir(parents=True)
    (out / "plan.json").write_text("{}")
    (out / "manifests" / "stale.yaml").write_text("kind: Stale\n")
    return out


def test_a_new_plan_replaces_the_previous_one_whole(plans, tmp_path):
    out = previous_plan(tmp_path)
    written = write_plan(plans["dev"], out)
    files = tree(out)
    assert "manifests/stale.yaml" not in files and files["plan.json"] != b"{}"
    assert {"plan.json", "fleet.json"} <= set(files) and len(written["manifests"]) >= 20
    assert all(p.is_file() and out in p.parents for paths in written.values() for p in paths)
    assert sorted(p.name for p in out.parent.iterdir()) == ["dev"]  # nothing left beside it


def test_an_error_while_writing_leaves_the_previous_plan_untouched(plans, tmp_path, monkeypatch):
    out = previous_plan(tmp_path)
    before = tree(out)

    def broken(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(render, "_release_values", broken)  # after plan.json and most manifests are written
    with pytest.raises(RuntimeError, match="disk full"):
        write_plan(plans["dev"], out)
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dev"]


def test_an_error_leaves_no_plan_where_there_was_none(tmp_path):
    out = tmp_path / "build" / "dev"
    with pytest.raises(RuntimeError), staged(out) as new:
        (new / "plan.json").write_text("{}")
        raise RuntimeError("policy check crashed")
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_a_plan_with_a_duplicate_urn_writes_nothing(plans, tmp_path):
    out = previous_plan(tmp_path)
    before = tree(out)
    plan: Plan = plans["dev"]
    first = plan.resources[0]
    twice = dataclasses.replace(plan, resources=[*plan.resources, {**first, "inputs": {}}])
    with pytest.raises(DuplicateUrnError, match=first["type"]):
        write_plan(twice, out)
    assert tree(out) == before and sorted(p.name for p in out.parent.iterdir()) == ["dev"]


def test_the_plan_directory_gets_the_usual_permissions(plans, tmp_path):
    # A private temporary directory (mkdtemp's 0700) moved into place would lock CI's other readers out.
    umask = os.umask(0)
    os.umask(umask)
    out = tmp_path / "dev"
    write_plan(plans["dev"], out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask
