"""Which stacks a pull request previews for real (delivery/changed.py): those whose offline plan it changes,
and all of them when it changes an input the offline plan cannot judge. Run in a scratch copy of the project."""

from __future__ import annotations

import os

import pytest

from delivery.changed import changed_stacks, outside_the_plan
from delivery.environments import stack_names
from tests.test_plan_diff_cli import scratch_repository


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the worktrees and renders plan_diff makes
    return scratch_repository(tmp_path)


def test_only_the_stacks_whose_plan_moves_are_previewed(repo):
    stacks = stack_names(repo)
    assert changed_stacks("HEAD", stacks, repo) == []  # nothing changed: no preview, no reviewer asked
    prod = repo / "Pulumi.prod.yaml"
    prod.write_text(prod.read_text().replace("maxNumSeqs: 32", "maxNumSeqs: 24", 1))
    assert changed_stacks("HEAD", stacks, repo) == ["prod"]
    # A new policy rule changes the real preview's verdict, not the plan: every stack is previewed.
    rules = repo / "policy" / "rules.py"
    rules.write_text(rules.read_text() + "\n")
    assert changed_stacks("HEAD", stacks, repo) == stacks


def test_the_inputs_outside_the_plan():
    assert outside_the_plan(
        ["requirements.txt", "README.md", "policy/config/prod.json", "fleet/load.py"]
    ) == [
        "policy/config/prod.json",
        "requirements.txt",
    ]
    assert outside_the_plan(["policyx.py", "Pulumi.prod.yaml", os.path.join("docs", "runbooks.md")]) == []
