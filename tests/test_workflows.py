"""Policies over the GitHub Actions workflows (.github/workflows): what triggers each one, what each job is
allowed to do, and that the stacks, regions, roles and Makefile targets they name are the real ones.

The workflows hold AWS roles (through OIDC), the Pulumi token and the right to comment on pull requests, and
some of them run code from forks: every elevation and every trust boundary here is deliberate, and a change
to one should have to change a test too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_DIR, STACKS, stack_doc

WORKFLOWS_DIR = PROJECT_DIR / ".github" / "workflows"

CHECKOUT = "actions/checkout"
SETUP_PYTHON = "actions/setup-python"
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
PULUMI = "pulumi/actions"
UPLOAD_ARTIFACT = "actions/upload-artifact"

# Every workflow and the events that start it. A new workflow, or a new trigger, is a decision to review here.
TRIGGERS: dict[str, set[str]] = {
    "ci.yml": {"pull_request", "push", "workflow_call"},
    "preview.yml": {"pull_request"},
    "plan-diff.yml": {"pull_request"},
    "plan-diff-comment.yml": {"workflow_run"},
    "deploy.yml": {"push"},
}

# Each job's token, exactly. id-token: write only where a job assumes an AWS role; pull-requests: write only
# where a job posts a comment; nothing else writes.
JOB_PERMISSIONS: dict[tuple[str, str], dict[str, str]] = {
    ("ci.yml", "test"): {"contents": "read"},
    ("preview.yml", "preview"): {"contents": "read", "id-token": "write", "pull-requests": "write"},
    ("plan-diff.yml", "plan-diff"): {"contents": "read"},
    ("plan-diff-comment.yml", "comment"): {"actions": "read", "pull-requests": "write"},
    ("deploy.yml", "test"): {"contents": "read"},
    ("deploy.yml", "up-dev"): {"contents": "read", "id-token": "write"},
    ("deploy.yml", "up-prod"): {"contents": "read", "id-token": "write"},
}

PREVIEW_ROLE = "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
DEPLOY_ROLE = "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"

SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*?))?\s*$")
VERSION_COMMENT = re.compile(r"^v\d+(\.\d+){0,2}$")
MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")


@dataclass(frozen=True)
class Workflow:
    file: str
    text: str
    doc: dict[str, Any]

    @property
    def name(self) -> str:
        return self.doc["name"]

    @property
    def on(self) -> dict[str, Any]:
        # YAML 1.1 reads the bare key `on` as the boolean True.
        on = self.doc.get("on", self.doc.get(True))
        if isinstance(on, str):
            return {on: None}
        if isinstance(on, list):
            return dict.fromkeys(on)
        return on

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return self.doc["jobs"]


@cache
def workflows() -> dict[str, Workflow]:
    found = {}
    for path in sorted(WORKFLOWS_DIR.glob("*.y*ml")):
        text = path.read_text()
        found[path.name] = Workflow(path.name, text, yaml.safe_load(text))
    return found


def wf(file: str) -> Workflow:
    return workflows()[file]


def all_jobs() -> Iterator[tuple[Workflow, str, dict[str, Any]]]:
    for w in workflows().values():
        for job_id, job in w.jobs.items():
            yield w, job_id, job


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def action(step: dict[str, Any]) -> str:
    """`owner/repo` of a step's `uses:`, without the ref; '' for a `run:` step."""
    return step.get("uses", "").split("@")[0]


def steps_using(job: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [s for s in steps(job) if action(s) == name]


def run_scripts(job: dict[str, Any]) -> list[str]:
    return [s["run"] for s in steps(job) if "run" in s]


def without_comments(script: str) -> str:
    return "\n".join(re.sub(r"(^|\s)#.*$", "", line) for line in script.splitlines())


def matrix_entries(job: dict[str, Any]) -> list[dict[str, Any]]:
    """One dict of matrix values per job instance (a job without a matrix has one, empty)."""
    matrix = job.get("strategy", {}).get("matrix")
    if not matrix:
        return [{}]
    assert set(matrix) == {"include"}, "matrices here are explicit `include:` lists"
    return matrix["include"]


def resolve(value: Any, entry: dict[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    return MATRIX_REF.sub(lambda m: str(entry[m.group(1)]), value)


@dataclass(frozen=True)
class PulumiRun:
    """One `pulumi/actions` step of one job instance, matrix values filled in."""

    workflow: str
    job_id: str
    job: dict[str, Any]
    inputs: dict[str, Any]
    env: dict[str, Any]
    aws: dict[str, Any]

    @property
    def stack(self) -> str:
        return self.inputs["stack-name"]

    @property
    def command(self) -> str:
        return self.inputs["command"]


def pulumi_runs() -> list[PulumiRun]:
    runs = []
    for w, job_id, job in all_jobs():
        for entry in matrix_entries(job):
            (aws,) = steps_using(job, AWS_CREDENTIALS) or [{"with": {}}]
            aws_inputs = {k: resolve(v, entry) for k, v in aws["with"].items()}
            for step in steps_using(job, PULUMI):
                inputs = {k: resolve(v, entry) for k, v in step["with"].items()}
                runs.append(PulumiRun(w.file, job_id, job, inputs, step.get("env", {}), aws_inputs))
    return runs


def previews() -> list[PulumiRun]:
    return [r for r in pulumi_runs() if r.command == "preview"]


def ups() -> list[PulumiRun]:
    return [r for r in pulumi_runs() if r.command == "up"]


def makefile_targets() -> set[str]:
    targets = set()
    for line in (PROJECT_DIR / "Makefile").read_text().splitlines():
        m = re.match(r"^([^\s:#=$][^:=$]*?)\s*:(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    return targets - {".PHONY"}


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string value in a parsed workflow, with its path (`jobs.x.steps[2].env.Y`)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


# --- which workflows exist, and what starts them ---------------------------------------------------------


def test_every_workflow_is_one_these_policies_know():
    assert set(workflows()) == set(TRIGGERS)


@pytest.mark.parametrize("file", sorted(TRIGGERS))
def test_each_workflow_has_exactly_its_triggers(file):
    assert set(wf(file).on) == TRIGGERS[file]


def test_nothing_runs_pull_request_code_with_the_base_repository_s_privileges():
    # pull_request_target runs with secrets and a write token in the context of the base repository: with
    # a checkout of the PR it is the "pwn request". The offline diff of fork PRs goes through workflow_run.
    for w in workflows().values():
        assert "pull_request_target" not in w.on, w.file
    assert [w.file for w in workflows().values() if "workflow_run" in w.on] == ["plan-diff-comment.yml"]


def test_main_is_the_only_branch_that_is_deployed_or_built_on_push():
    assert wf("deploy.yml").on["push"] == {"branches": ["main"]}
    assert wf("ci.yml").on["push"] == {"branches": ["main"]}


def test_the_comment_workflow_follows_the_plan_diff_workflow_only_when_it_completes():
    assert wf("plan-diff-comment.yml").on["workflow_run"] == {
        "workflows": [wf("plan-diff.yml").name],
        "types": ["completed"],
    }


# --- what each job's token may do ------------------------------------------------------------------------


@pytest.mark.parametrize("file", sorted(TRIGGERS))
def test_workflow_level_permissions_grant_at_most_read_access_to_the_code(file):
    assert wf(file).doc["permissions"] in ({}, {"contents": "read"})


def test_each_job_declares_exactly_the_permissions_it_needs():
    declared = {(w.file, job_id): job.get("permissions") for w, job_id, job in all_jobs()}
    assert declared == JOB_PERMISSIONS


def test_only_jobs_that_assume_an_aws_role_can_mint_an_oidc_token():
    for w, job_id, job in all_jobs():
        assumes_role = bool(steps_using(job, AWS_CREDENTIALS))
        assert (job["permissions"].get("id-token") == "write") == assumes_role, (w.file, job_id)


def test_only_jobs_that_post_comments_can_write_to_pull_requests():
    for w, job_id, job in all_jobs():
        comments = any(s["with"].get("comment-on-pr") is True for s in steps_using(job, PULUMI)) or any(
            "gh pr comment" in script for script in run_scripts(job)
        )
        assert (job["permissions"].get("pull-requests") == "write") == comments, (w.file, job_id)


def test_secrets_reach_only_the_pulumi_steps():
    for w in workflows().values():
        for path, value in strings(w.doc):
            if "secrets." in value:
                assert value == "${{ secrets.PULUMI_ACCESS_TOKEN }}", (w.file, path)
                assert path.endswith(".env.PULUMI_ACCESS_TOKEN"), (w.file, path)
    for w, job_id, job in all_jobs():
        for step in steps(job):
            if "PULUMI_ACCESS_TOKEN" in step.get("env", {}):
                assert action(step) == PULUMI, (w.file, job_id)


def test_no_run_script_interpolates_an_expression():
    # `${{ }}` is pasted into the script before the shell reads it: a branch name or a PR title becomes
    # code. Values reach scripts through `env:`.
    for w, job_id, job in all_jobs():
        for script in run_scripts(job):
            assert "${{" not in script, (w.file, job_id, script)


# --- what each job runs ----------------------------------------------------------------------------------


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it():
    refs = []
    for w in workflows().values():
        for line in w.text.splitlines():
            m = USES_LINE.match(line)
            if not m:
                continue
            ref = m.group("ref")
            refs.append(ref)
            if ref.startswith("./"):
                # A reusable workflow of this repository, at the same commit as its caller.
                assert (PROJECT_DIR / ref).is_file(), (w.file, ref)
                continue
            assert SHA_PINNED.match(ref), f"{w.file}: {ref} is not pinned to a 40-hex commit"
            assert m.group("comment") and VERSION_COMMENT.match(m.group("comment")), (
                f"{w.file}: `{line.strip()}` needs its version in a trailing comment (# vX.Y.Z)"
            )
    parsed = [v for w in workflows().values() for p, v in strings(w.doc) if p.split(".")[-1] == "uses"]
    assert sorted(refs) == sorted(parsed), "every `uses:` must be on a line of its own"


def test_each_action_is_pinned_to_one_commit_across_all_workflows():
    pins: dict[str, set[str]] = {}
    for w in workflows().values():
        for line in w.text.splitlines():
            m = USES_LINE.match(line)
            if m and not m.group("ref").startswith("./"):
                name, sha = m.group("ref").split("@")
                pins.setdefault(name, set()).add(f"{sha} # {m.group('comment')}")
    assert {name: len(shas) for name, shas in pins.items()} == dict.fromkeys(pins, 1)


def test_every_job_has_a_timeout():
    for w, job_id, job in all_jobs():
        if "uses" in job:
            # A call of a reusable workflow: its own jobs carry the timeouts.
            assert "runs-on" not in job
            continue
        assert isinstance(job.get("timeout-minutes"), int), (w.file, job_id)


def test_checkouts_do_not_leave_the_token_in_git_config():
    for w, job_id, job in all_jobs():
        for step in steps_using(job, CHECKOUT):
            assert step["with"]["persist-credentials"] is False, (w.file, job_id)


def test_python_is_312_with_a_pip_cache_keyed_on_the_pinned_requirements():
    for w, job_id, job in all_jobs():
        for step in steps_using(job, SETUP_PYTHON):
            assert step["with"] == {
                "python-version": "3.12",
                "cache": "pip",
                "cache-dependency-path": "requirements.txt",
            }, (w.file, job_id)


def test_jobs_that_run_make_or_pulumi_set_up_python_first():
    for w, job_id, job in all_jobs():
        names = [action(s) or without_comments(s["run"]) for s in steps(job)]
        users = [
            i for i, n in enumerate(names) if n == PULUMI or re.search(r"(^|\s)(make|\.ci/run)(\s|$)", n)
        ]
        if users:
            assert SETUP_PYTHON in names[: users[0]], (w.file, job_id)


def test_every_make_target_a_workflow_calls_exists_in_the_makefile():
    called = set()
    for _, _, job in all_jobs():
        for script in run_scripts(job):
            called.update(
                re.findall(r"(?:^|[\s;&|(])make(?:\s+-\S+)*\s+([A-Za-z][\w.-]*)", without_comments(script))
            )
    assert "venv" in called
    assert called <= makefile_targets(), f"missing from the Makefile: {sorted(called - makefile_targets())}"


def test_ci_installs_promtool_with_sudo_and_then_runs_ci_run():
    # .ci/run installs promtool itself only when it is missing, with a plain apt-get that needs root.
    (job,) = wf("ci.yml").jobs.values()
    scripts = [s.get("run", "") for s in steps(job)]
    install = next(i for i, s in enumerate(scripts) if "sudo apt-get install" in s and "prometheus" in s)
    ci_run = scripts.index(".ci/run")
    assert install < ci_run


def test_deploy_runs_the_tests_before_dev():
    deploy = wf("deploy.yml").jobs
    assert deploy["test"]["uses"] == "./.github/workflows/ci.yml"
    assert deploy["up-dev"]["needs"] == "test"


# --- pulumi preview and up -------------------------------------------------------------------------------


def test_preview_covers_exactly_the_stacks_that_exist():
    assert sorted(r.stack for r in previews()) == STACKS


def test_every_stack_is_deployed_by_exactly_one_job():
    assert Counter(r.stack for r in ups()) == Counter(STACKS)


def test_each_stack_is_previewed_and_deployed_in_the_region_of_its_stack_file():
    for r in pulumi_runs():
        assert r.aws["aws-region"] == stack_doc(r.stack)["config"]["aws:region"], (r.job_id, r.stack)


def test_previews_hold_the_read_only_role_and_only_deploys_hold_the_deploy_role():
    for r in previews():
        assert r.aws["role-to-assume"] == PREVIEW_ROLE, r.stack
    for r in ups():
        assert r.workflow == "deploy.yml"
        assert r.aws["role-to-assume"] == DEPLOY_ROLE, r.stack


def test_preview_and_up_enforce_the_policy_pack_with_each_stack_s_config():
    for r in pulumi_runs():
        assert r.inputs["policyPacks"] == "policy", (r.command, r.stack)
        assert r.inputs["policyPackConfigs"] == f"policy/config/{r.stack}.json", (r.command, r.stack)


def test_the_policy_pack_and_each_stack_s_policy_config_exist():
    assert (PROJECT_DIR / "policy").is_dir()
    for stack in STACKS:
        assert (PROJECT_DIR / "policy" / "config" / f"{stack}.json").is_file(), stack


def test_pulumi_runs_log_in_to_one_backend_with_plain_stack_names_and_the_pinned_cli():
    (sdk,) = re.findall(
        r"^pulumi==(\S+)$", (PROJECT_DIR / "requirements.txt").read_text(), flags=re.MULTILINE
    )
    for r in pulumi_runs():
        # Plain names: the backend login picks the organisation (an empty org variable would give "/dev").
        assert r.stack in STACKS
        assert r.inputs["pulumi-version"] == sdk
        assert r.inputs["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert r.env == {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}
        assert r.inputs["diff"] is True


def test_previews_comment_on_the_pull_request_and_never_run_on_fork_prs():
    for r in previews():
        assert set(wf(r.workflow).on) == {"pull_request"}  # comment-on-pr works on pull_request events
        assert r.inputs["comment-on-pr"] is True
        assert r.job["if"] == FORK_GUARD


def test_prod_is_deployed_after_dev_behind_the_protected_production_environment():
    (prod,) = [r for r in ups() if r.stack == "prod"]
    (dev,) = [r for r in ups() if r.stack == "dev"]
    assert prod.job["environment"] == "production"
    assert prod.job["needs"] == dev.job_id


def test_every_job_holding_the_pulumi_token_takes_it_from_an_environment():
    # Pull requests run their own branch's copy of a workflow: repository secrets would reach any branch.
    # Environment secrets reach only jobs the environment's rules admit (main only; a reviewer for prod).
    wanted = {("deploy.yml", "dev"): "dev", ("deploy.yml", "prod"): "production"}
    wanted |= {("preview.yml", stack): f"preview-{stack}" for stack in STACKS}
    got = {}
    for r in pulumi_runs():
        env = r.job["environment"]
        got[(r.workflow, r.stack)] = env.replace("${{ matrix.stack }}", r.stack)
    assert got == wanted
    holders = {job_id for w, job_id, job in all_jobs() if "secrets." in json.dumps(job)}
    assert holders == {job_id for _, job_id, job in all_jobs() if "environment" in job}


def test_each_stack_deploys_one_run_at_a_time_and_an_update_is_never_cancelled():
    groups = set()
    for r in ups():
        concurrency = r.job["concurrency"]
        assert concurrency["cancel-in-progress"] is False, r.stack
        assert r.stack in concurrency["group"].split("-"), r.stack
        groups.add(concurrency["group"])
    assert len(groups) == len(ups())


# --- the offline diff: fork PRs included -----------------------------------------------------------------


def test_the_plan_diff_runs_pr_code_with_a_read_only_token_for_every_stack():
    w = wf("plan-diff.yml")
    (job,) = w.jobs.values()
    assert job["permissions"] == {"contents": "read"}
    assert "secrets." not in w.text
    assert sorted(job["env"]["STACKS"].split()) == STACKS
    (checkout,) = steps_using(job, CHECKOUT)
    assert checkout["with"]["fetch-depth"] == 0  # the base branch must be there to diff against
    (diff_step,) = [s for s in steps(job) if "-m plan_diff" in s.get("run", "")]
    assert '--base "origin/$BASE_REF"' in diff_step["run"]
    assert diff_step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert diff_step["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"


def test_a_plan_diff_blocked_by_policy_violations_is_uploaded_and_then_fails_the_job():
    # plan_diff exits 3 when the working tree's plan has mandatory violations (plan_diff/summary.py): every
    # stack is still diffed and uploaded, so the comment shows which rule fails where, and the job fails.
    (job,) = wf("plan-diff.yml").jobs.values()
    (diff_step,) = [s for s in steps(job) if "-m plan_diff" in s.get("run", "")]
    script = without_comments(diff_step["run"])
    assert "|| status=$?" in script and '3) blocked="$blocked $stack" ;;' in script
    assert '*) exit "$status" ;;' in script  # any other failure stops at once
    assert script.index("exit 3") > script.index("done")  # after every stack is diffed
    (upload,) = steps_using(job, UPLOAD_ARTIFACT)
    assert upload["if"] == f"success() || steps.{diff_step['id']}.outputs.blocked != ''"
    (comment,) = wf("plan-diff-comment.yml").jobs.values()
    (download, check, *_) = steps(comment)
    assert "if gh run download" in download["run"] and check["if"] == "steps.download.outputs.found == 'true'"


def test_the_comment_workflow_downloads_the_artifact_the_plan_diff_uploads():
    (job,) = wf("plan-diff.yml").jobs.values()
    (upload,) = steps_using(job, UPLOAD_ARTIFACT)
    name = upload["with"]["name"]
    assert upload["with"]["path"] == "plan-diff/"
    assert "plan-diff/pr-number" in "".join(run_scripts(job))
    (comment,) = wf("plan-diff-comment.yml").jobs.values()
    assert any(f'gh run download "$RUN_ID" -R "$REPO" -n {name} ' in s for s in run_scripts(comment))


def test_the_comment_workflow_never_checks_out_or_runs_pr_code():
    # It holds pull-requests: write and runs for fork PRs: the PR's files are data here, never code.
    # https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/
    for job in wf("plan-diff-comment.yml").jobs.values():
        assert [s["uses"] for s in steps(job) if "uses" in s] == []  # no checkout, no actions at all
        for script in run_scripts(job):
            code = without_comments(script)
            assert not re.search(
                r"(^|[\s;&|(])(make|python3?|pip3?|npm|npx|node|bash|sh|source|\.venv)\b", code
            )
            assert not re.search(r"(^|[\s;&|(])\./", code), "nothing downloaded is executed"


def test_the_comment_workflow_posts_only_for_completed_pr_runs_at_the_pr_s_current_head():
    (job,) = wf("plan-diff-comment.yml").jobs.values()
    # A failed run too: a diff blocked by policy violations fails its run after uploading the diff.
    assert job["if"] == (
        "github.event.workflow_run.event == 'pull_request' && "
        """contains(fromJSON('["success", "failure"]'), github.event.workflow_run.conclusion)"""
    )
    assert job["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    script = "\n".join(run_scripts(job))
    assert '[[ "$pr" =~ ^[0-9]+$ ]]' in script  # the PR number from the artifact is untrusted
    assert 'gh pr view "$pr" -R "$REPO" --json headRefOid' in script
    assert '[ "$head" != "$HEAD_SHA" ]' in script
