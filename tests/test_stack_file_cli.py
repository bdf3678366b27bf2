"""`python -m planner` (what `make plan` runs) on stack and project files the Pulumi CLI would refuse: exit 2,
one framed error naming the file, the line and the column, never a traceback, and the previous plan left as
it was."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR, run_planner

DEV = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
MODELS_LINE = DEV.splitlines().index("  llm-platform:models:") + 1


def plan(project: Path, out: Path) -> subprocess.CompletedProcess:
    return run_planner("--stack", "broken", "--out", str(out), "--project-dir", str(project))


def project_with(tmp_path: Path, stack_text: str, project_text: str | None = None) -> Path:
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    if project_text is not None:
        (tmp_path / "Pulumi.yaml").write_text(project_text)
    (tmp_path / "Pulumi.broken.yaml").write_text(stack_text)
    return tmp_path


def previous_build(tmp_path: Path) -> Path:
    out = tmp_path / "build"
    (out / "manifests").mkdir(parents=True)
    (out / "plan.json").write_text('{"previous": true}')
    return out


CASES = [
    # (stack file text, what stderr must say). Before: AttributeError / ParserError tracebacks, or a silent misread.
    pytest.param(
        "- aws:region: us-west-2\n",
        ["Pulumi.broken.yaml", "line 1, column 1: the top level is a list"],
        id="list",
    ),
    pytest.param("us-west-2\n", ["line 1, column 1: the top level is a scalar"], id="scalar"),
    pytest.param("", ["line 1, column 1: the file is empty"], id="empty"),
    pytest.param("config:\n  aws:region: [us-west-2\n", ["line 3, column 1: invalid YAML"], id="syntax"),
    pytest.param(
        DEV.replace("config:", "Config:", 1),
        ["unknown top-level key 'Config'; did you mean config?", "no `config:` key"],
        id="no-config",
    ),
    pytest.param("config: [aws:region]\n", ["line 1, column 9: config: is a list"], id="config-list"),
    pytest.param(
        DEV + "  llm-platform:models:\n    - name: second\n",
        [
            f"line {len(DEV.splitlines()) + 1}, column 3: key 'llm-platform:models' is given twice in one "
            f"mapping (first at line {MODELS_LINE})"
        ],
        id="duplicate",
    ),
]


@pytest.mark.parametrize(("stack_text", "wanted"), CASES)
def test_a_stack_file_the_cli_refuses_exits_2_with_one_framed_error_and_keeps_the_old_plan(
    tmp_path, stack_text, wanted
):
    out = previous_build(tmp_path)
    result = plan(project_with(tmp_path, stack_text), out)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: cannot read Pulumi.broken.yaml as the Pulumi CLI does")
    for text in wanted:
        assert text in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["manifests", "plan.json"]
    assert (out / "plan.json").read_text() == '{"previous": true}'


def test_a_project_file_without_a_name_exits_2_naming_pulumi_yaml(tmp_path):
    out = previous_build(tmp_path)
    result = plan(project_with(tmp_path, DEV, project_text="runtime: python\n"), out)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot read Pulumi.yaml as the Pulumi CLI does")
    assert (
        "line 1, column 1: the project has no `name:`" in result.stderr and "Traceback" not in result.stderr
    )
    assert (out / "plan.json").read_text() == '{"previous": true}'


def test_a_misspelt_namespace_fails_the_plan_instead_of_dropping_the_section(tmp_path):
    # Before: `llm-platfrom:access` was ignored, and prod silently lost its client namespaces and roles.
    prod = (
        (PROJECT_DIR / "Pulumi.prod.yaml").read_text().replace("llm-platform:access:", "llm-platfrom:access:")
    )
    result = plan(project_with(tmp_path, prod), tmp_path / "out")
    assert result.returncode == 2
    assert (
        "llm-platfrom:access: unknown namespace 'llm-platfrom'; did you mean llm-platform:access?"
        in result.stderr
    )
