"""No secret of a stack reaches a rendered build, nor what the planner prints while it renders one.

Every stack here is rendered with its secrets set as a real stack file holds them (`secure:` ciphertext). The
offline reader hands the program planner/stackfile's SECRET_PLACEHOLDER for each, marked secret, so the
program takes the path a real secret takes: finding the placeholder anywhere means a secret would be there.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from config.schema.platform import SECRET_KEYS
from planner.stackfile import SECRET_PLACEHOLDER, read_stack
from tests.conftest import STACKS, run_planner, write_variant
from vocabulary.objects import GRAFANA_ADMIN_SECRET, HF_TOKEN_SECRET

# What `make plan` writes; each must be there, so that the scan below is never of an empty build.
BUILD = ("plan.json", "fleet.json", "cost.md", "cost.json", "policy.txt", "policy.json", "manifests", "helm")


def with_secrets(config: dict) -> None:
    for key in SECRET_KEYS:  # llm-platform:grafanaAdminPassword, llm-platform:huggingFaceToken
        config[key] = {"secure": "v1:AAABAMrpYl0iW9Hc4ldc5Rt1FqZ0DFuYyT1XfbbN0UMuAbNqk3g="}


@pytest.fixture(scope="module", params=STACKS)
def build(request, tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    # Named as the stack it copies, so the policy pack reads that stack's policy/config/<stack>.json.
    stack = request.param
    project = write_variant(tmp_path_factory.mktemp("project"), with_secrets, base=stack, name=stack)
    out = tmp_path_factory.mktemp("build") / stack
    result = run_planner("--stack", stack, "--out", str(out), "--project-dir", str(project))
    return project / f"Pulumi.{stack}.yaml", out, result


def test_the_secrets_are_read_as_secrets_and_rendered(build):
    stack_file, out, result = build
    # 1: a policy violation still writes the whole build; 2 would be a config error, with no build at all.
    assert result.returncode in (0, 1), result.stderr
    stack = read_stack(stack_file.parent, stack_file.stem.removeprefix("Pulumi."))
    assert sorted(stack.secret_keys) == sorted(SECRET_KEYS)
    assert {p.name for p in out.iterdir()} >= set(BUILD)
    # The program got both secrets and made a Kubernetes Secret of each, its data redacted in the plan.
    resources = json.loads((out / "plan.json").read_text())["resources"]
    secrets = {
        r["inputs"]["metadata"]["name"]: r["inputs"]
        for r in resources
        if r["type"] == "kubernetes:core/v1:Secret"
    }
    assert {HF_TOKEN_SECRET, GRAFANA_ADMIN_SECRET} <= set(secrets)
    for name in (HF_TOKEN_SECRET, GRAFANA_ADMIN_SECRET):
        assert "[secret]" in json.dumps(secrets[name]), name


def test_no_file_of_the_build_holds_a_secret(build):
    _, out, _ = build
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(files) > len(BUILD)
    leaked = [str(p.relative_to(out)) for p in files if SECRET_PLACEHOLDER in p.read_text(errors="replace")]
    assert leaked == []


def test_the_planner_prints_no_secret(build):
    _, _, result = build
    assert result.stdout and SECRET_PLACEHOLDER not in result.stdout
    assert SECRET_PLACEHOLDER not in result.stderr
