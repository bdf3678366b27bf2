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

from delivery.environments import SECRETS_PROVIDERS, environments, stack_names
from delivery.waits import longest_chain
from observability.alerts import DEPLOYED_BRANCH
from policy.offline import DEFAULT_CONFIG, config_path
from tests.conftest import PROJECT_DIR, STACKS, stack_doc

WORKFLOWS_DIR = PROJECT_DIR / ".github" / "workflows"

CHECKOUT = "actions/checkout"
SETUP_PYTHON = "actions/setup-python"
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
PULUMI = "pulumi/actions"
UPLOAD_ARTIFACT = "actions/upload-artifact"

# Every workflow and the events that start it. A new workflow, or a new trigger, is a decision to review here.
TRIGGERS: dict[str, set[str]] = {
    "ci.yml": {"pull_request", "workflow_call"},
    "preview.yml": {"pull_request"},
    "plan-diff.yml": {"pull_request"},
    "plan-diff-comment.yml": {"workflow_run"},
    "deploy.yml": {"push"},
}

# Each job's token, exactly. id-token: write only where a job assumes an AWS role; pull-requests: write only
# where a job posts a comment; nothing else writes.
JOB_PERMISSIONS: dict[tuple[str, str], dict[str, str]] = {
    ("ci.yml", "test"): {"contents": "read"},
    ("preview.yml", "stacks"): {"contents": "read"},
    ("preview.yml", "preview"): {"contents": "read", "id-token": "write", "pull-requests": "write"},
    ("plan-diff.yml", "plan-diff"): {"contents": "read"},
    ("plan-diff-comment.yml", "comment"): {"actions": "read", "pull-requests": "write"},
    ("deploy.yml", "test"): {"contents": "read"},
    ("deploy.yml", "stacks"): {"contents": "read"},
    ("deploy.yml", "up"): {"contents": "read", "id-token": "write"},
}

PREVIEW_ROLE = "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
DEPLOY_ROLE = "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"

SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*?))?\s*$")
VERSION_COMMENT = re.compile(r"^v\d+(\.\d+){0,2}$")
MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
# The one matrix the workflows use: the stack files' environments, as their `stacks` job lists them.
STACKS_MATRIX = "${{ fromJSON(needs.stacks.outputs.matrix) }}"
# The secrets a job may hold, each only in the Pulumi step's env and as presence checks (`!= ''`).
SECRETS = ("PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE")
PRESENCE_CHECK = re.compile(r"^\$\{\{ secrets\.(?P<name>[A-Z_]+) != '' \}\}$")
CREDENTIALS_STEP = '.venv/bin/python -m delivery credentials "$STACK"'


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


@cache
def stacks_matrix() -> tuple[dict[str, str], ...]:
    """What the `stacks` jobs give their workflows: one entry per stack file, in deploy order."""
    return tuple(e.matrix_entry() for e in environments(PROJECT_DIR))


def matrix_entries(job: dict[str, Any]) -> list[dict[str, Any]]:
    """One dict of matrix values per job instance (a job without a matrix has one, empty). The only matrix
    is the stack files' (STACKS_MATRIX): no workflow lists a stack itself."""
    matrix = job.get("strategy", {}).get("matrix")
    if not matrix:
        return [{}]
    assert matrix == STACKS_MATRIX, "a matrix of stacks comes from the stack files, never from a list here"
    return list(stacks_matrix())


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
    entry: dict[str, Any]  # the job instance's matrix values

    @property
    def stack(self) -> str:
        return self.inputs["stack-name"]

    def job_value(self, key: str) -> Any:
        """A job-level setting of this job instance (`environment`, `concurrency`), matrix values filled in."""
        value = self.job[key]
        return (
            {k: resolve(v, self.entry) for k, v in value.items()}
            if isinstance(value, dict)
            else resolve(value, self.entry)
        )

    def steps_before_pulumi(self) -> list[dict[str, Any]]:
        all_steps = steps(self.job)
        return all_steps[: next(i for i, s in enumerate(all_steps) if action(s) == PULUMI)]

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
                runs.append(PulumiRun(w.file, job_id, job, inputs, step.get("env", {}), aws_inputs, entry))
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
    assert [w.file for w in workflows().values() if "push" in w.on] == ["deploy.yml"]
    assert wf("deploy.yml").on["push"] == {"branches": ["main"]}


def test_ci_runs_once_per_merge_as_the_first_job_of_the_deploy():
    # A push to main runs the suite once: inside Deploy, which calls ci.yml. With its own `push:` trigger as
    # well, ci.yml would run it a second time on every merge.
    assert "push" not in wf("ci.yml").on and "workflow_call" in wf("ci.yml").on
    callers = [
        (w.file, job_id) for w, job_id, job in all_jobs() if job.get("uses") == "./.github/workflows/ci.yml"
    ]
    assert callers == [("deploy.yml", "test")]


def test_runbook_links_open_the_branch_that_is_deployed():
    assert wf("deploy.yml").on["push"]["branches"] == [DEPLOYED_BRANCH]


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
    # A secret's value is in the env of the Pulumi step alone; the credentials check before it gets only
    # whether each one is set (`secrets.X != ''` is true or false, never the value).
    for w in workflows().values():
        for path, value in strings(w.doc):
            if "secrets." not in value:
                continue
            name = path.rsplit(".", 1)[-1]
            check = PRESENCE_CHECK.match(value)
            if check:
                assert name == f"HAS_{check['name']}" and check["name"] in SECRETS, (w.file, path)
            else:
                assert name in SECRETS and value == f"${{{{ secrets.{name} }}}}", (w.file, path)
                assert path.endswith(f".env.{name}"), (w.file, path)
    for w, job_id, job in all_jobs():
        for step in steps(job):
            env = step.get("env", {})
            if any(name in env for name in SECRETS):
                assert action(step) == PULUMI, (w.file, job_id)
            if any(f"HAS_{name}" in env for name in SECRETS):
                assert step.get("run") == CREDENTIALS_STEP, (w.file, job_id)


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


def test_deploy_runs_the_tests_before_any_stack():
    deploy = wf("deploy.yml").jobs
    assert deploy["test"]["uses"] == "./.github/workflows/ci.yml"
    for r in ups():
        assert "test" in r.job["needs"], r.stack


# --- the stacks: read from the stack files, never listed here --------------------------------------------


def test_every_matrix_is_the_stack_files_listed_by_the_job_before_it():
    users = [(w, job) for w, _, job in all_jobs() if job.get("strategy", {}).get("matrix")]
    assert {w.file for w, _ in users} == {"preview.yml", "deploy.yml"}
    for w, job in users:
        needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
        assert "stacks" in needs, w.file
        lister = w.jobs["stacks"]
        (step,) = [s for s in steps(lister) if s.get("id") == "list"]
        lines = step["run"].splitlines()
        if w.file == "preview.yml":
            # Only the stacks the pull request changes (delivery/changed.py), against the fetched base; an
            # empty list skips the previews (an empty matrix is an error).
            assert lister["outputs"] == {"matrix": "${{ steps.list.outputs.matrix }}",
                                         "any": "${{ steps.list.outputs.any }}"}  # fmt: skip
            assert (
                lines[0] == 'matrix=$(.venv/bin/python -m delivery matrix --changed-since "origin/$BASE_REF")'
            )
            assert step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
            assert lines[2] == (
                """if [ "$matrix" = '{"include":[]}' ]; then echo "any=false"; else echo "any=true"; fi >> "$GITHUB_OUTPUT\""""
            )
            assert next(s for s in steps(lister) if "uses" in s)["with"]["fetch-depth"] == 0
            assert job["if"] == f"{lister['if']} && needs.stacks.outputs.any == 'true'"
        else:
            assert lister["outputs"] == {"matrix": "${{ steps.list.outputs.matrix }}"}
            assert lines[0] == "matrix=$(.venv/bin/python -m delivery matrix)"
            assert lister.get("if") == job.get("if"), "the list runs exactly when the jobs it feeds do"
        # The assignment fails the step when the tool does (an `echo "$(...)"` would not).
        assert lines[1] == 'echo "matrix=$matrix" >> "$GITHUB_OUTPUT"'


def test_no_workflow_names_a_stack():
    # Every stack reaches the workflows from the stack files (the matrix, $STACKS): a name written here would
    # be one more place to edit for a new environment, and one that drifts from the files.
    named = re.compile(rf"(?<![\w/.-])({'|'.join(map(re.escape, STACKS))})(?![\w/.-])")
    for w in workflows().values():
        for path, value in strings(w.doc):
            assert not named.search(value), (w.file, path, value)


def test_the_matrix_has_every_stack_file_with_its_region():
    assert sorted(e["stack"] for e in stacks_matrix()) == STACKS
    for e in stacks_matrix():
        assert e["region"] == stack_doc(e["stack"])["config"]["aws:region"], e["stack"]


def test_every_matrix_value_a_workflow_reads_is_in_the_matrix_and_every_one_is_read():
    read = {m for w in workflows().values() for m in MATRIX_REF.findall(w.text)}
    assert read == set(stacks_matrix()[0])


def test_the_offline_diff_lists_the_stack_files_before_diffing_them():
    (job,) = wf("plan-diff.yml").jobs.values()
    scripts = [s.get("run", "") for s in steps(job)]
    listing = scripts.index(
        'stacks=$(.venv/bin/python -m delivery stacks)\necho "STACKS=$stacks" >> "$GITHUB_ENV"\n'
    )
    diffing = next(i for i, s in enumerate(scripts) if ".venv/bin/python -m plan_diff" in s)
    assert listing < diffing and "for stack in $STACKS; do" in scripts[diffing]
    assert "STACKS" not in job.get("env", {}), "the list comes from the stack files, not from this file"
    assert stack_names(PROJECT_DIR) == STACKS


def test_every_stack_name_is_one_the_comment_workflow_posts():
    (job,) = wf("plan-diff-comment.yml").jobs.values()
    (accepted,) = re.findall(r'\[\[ "\$stack" =~ (\S+) \]\]', "\n".join(run_scripts(job)))
    for stack in STACKS:
        assert re.match(accepted, stack), stack


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
        assert r.inputs["policyPackConfigs"] == f"policy/config/{config_path(r.stack).name}", r.stack


def test_the_policy_pack_and_each_stack_s_policy_config_exist():
    assert (PROJECT_DIR / "policy").is_dir() and DEFAULT_CONFIG.is_file()
    for r in pulumi_runs():
        # policy/config/<stack>.json, or the documented default for a stack without one.
        assert r.inputs["policyPackConfigs"] == f"policy/config/{config_path(r.stack).name}", r.stack
        assert (PROJECT_DIR / r.inputs["policyPackConfigs"]).is_file(), r.stack


def test_pulumi_runs_log_in_to_one_backend_with_plain_stack_names_and_the_pinned_cli():
    (sdk,) = re.findall(
        r"^pulumi==(\S+)$", (PROJECT_DIR / "requirements.txt").read_text(), flags=re.MULTILINE
    )
    for r in pulumi_runs():
        # Plain names: the backend login picks the organisation (an empty org variable would give "/dev").
        assert r.stack in STACKS
        assert r.inputs["pulumi-version"] == sdk
        assert r.inputs["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert r.env == {name: f"${{{{ secrets.{name} }}}}" for name in SECRETS}
        assert r.inputs["diff"] is True


def test_previews_comment_on_the_pull_request_and_never_run_on_fork_prs():
    for r in previews():
        assert set(wf(r.workflow).on) == {"pull_request"}  # comment-on-pr works on pull_request events
        assert r.inputs["comment-on-pr"] is True
        assert r.job["if"] == f"{FORK_GUARD} && needs.stacks.outputs.any == 'true'"


def delivery_of(stack: str) -> dict[str, Any]:
    """`llm-platform:delivery` as the stack file writes it (absent: {})."""
    return stack_doc(stack)["config"].get("llm-platform:delivery", {})


def test_stacks_deploy_one_at_a_time_in_the_order_their_stack_files_give():
    (job,) = {r.job_id: r.job for r in ups()}.values()
    assert job["strategy"]["max-parallel"] == 1 and job["strategy"]["fail-fast"] is True
    # The matrix's order is the order the jobs run in: delivery.order (default 0), then the stack's name.
    expected = sorted(STACKS, key=lambda stack: (delivery_of(stack).get("order", 0), stack))
    assert [r.stack for r in ups()] == expected


def test_prod_deploys_last_behind_the_protected_production_environment():
    # The shipped example: prod's stack file gives it the highest order and the `production` environment.
    assert [r.stack for r in ups()][-1] == "prod"
    (prod,) = [r for r in ups() if r.stack == "prod"]
    assert prod.job_value("environment") == "production"


def test_every_job_holding_the_pulumi_token_takes_it_from_an_environment():
    # Pull requests run their own branch's copy of a workflow: repository secrets would reach any branch.
    # Environment secrets reach only jobs the environment's rules admit (main only; a reviewer for prod).
    wanted = {("deploy.yml", s): delivery_of(s).get("environment", s) for s in STACKS}
    wanted |= {("preview.yml", stack): f"preview-{stack}" for stack in STACKS}
    got = {(r.workflow, r.stack): r.job_value("environment") for r in pulumi_runs()}
    assert got == wanted
    holders = {job_id for w, job_id, job in all_jobs() if "secrets." in json.dumps(job)}
    assert holders == {job_id for _, job_id, job in all_jobs() if "environment" in job}


def test_only_deploys_use_a_deploy_environment_and_no_preview_waits_for_an_approval():
    # The approval gate is for `pulumi up` (its environment's required reviewers); a preview holds read-only
    # credentials in a `preview-<stack>` environment of its own, so it never waits for a reviewer nor gets
    # the deploy token.
    deploy_envs = {r.job_value("environment") for r in ups()}
    preview_envs = {r.job_value("environment") for r in previews()}
    assert all(e.startswith("preview-") for e in preview_envs)
    assert not deploy_envs & preview_envs and not any(e.startswith("preview-") for e in deploy_envs)


def test_each_stack_deploys_one_run_at_a_time_and_an_update_is_never_cancelled():
    groups = set()
    for r in ups():
        concurrency = r.job_value("concurrency")
        assert concurrency["cancel-in-progress"] is False, r.stack
        assert concurrency["group"] == f"pulumi-up-{r.stack}", r.stack
        groups.add(concurrency["group"])
    assert len(groups) == len(ups())
    assert "cancel-in-progress" not in json.dumps(wf("deploy.yml").doc.get("concurrency", {}))


# --- what a Pulumi step needs: the backend's login, the secrets provider's key, time -------------------------


def test_every_pulumi_step_is_given_each_secrets_provider_s_key_and_checks_it_first():
    # passphrase: PULUMI_CONFIG_PASSPHRASE from a secret; the default provider: the access token on Pulumi
    # Cloud, the passphrase on a self-managed backend; awskms: the job's AWS role, assumed before pulumi runs.
    for r in pulumi_runs():
        assert r.env == {name: f"${{{{ secrets.{name} }}}}" for name in SECRETS}, r.stack
        assert r.inputs["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}", r.stack
        before = r.steps_before_pulumi()
        assert [action(s) for s in before].index(AWS_CREDENTIALS) < [s.get("run") for s in before].index(
            CREDENTIALS_STEP
        ), "the check runs with the AWS role assumed, as pulumi does"
        (check,) = [s for s in before if s.get("run") == CREDENTIALS_STEP]
        assert {k: resolve(v, r.entry) for k, v in check["env"].items()} == {
            "STACK": r.stack,
            "PULUMI_BACKEND_URL": "${{ vars.PULUMI_BACKEND_URL }}",
            **{f"HAS_{name}": f"${{{{ secrets.{name} != '' }}}}" for name in SECRETS},
        }


def test_each_stack_s_secrets_provider_is_one_the_workflows_serve():
    # The credentials step checks each stack's provider (delivery/credentials.py); one the workflows give no
    # key for is refused when the stacks are listed.
    for env in environments(PROJECT_DIR):
        provider = stack_doc(env.stack).get("secretsprovider")
        assert env.secrets_provider == ("default" if provider is None else provider.split("://")[0])
        assert env.secrets_provider in SECRETS_PROVIDERS


def test_deploy_jobs_outlast_the_longest_chain_of_waits_in_every_plan(plans):
    # A job killed by its timeout mid-update leaves pending operations; a resource that times out is a failure
    # Pulumi records. So the job must outlast what Pulumi may wait for (delivery/waits.py), in every stack.
    needed = {stack: longest_chain(plan.resources) for stack, plan in plans.items()}
    assert all(chain.seconds > 0 for chain in needed.values()), "the plans' waits are read"
    for r in ups():
        chain = needed[r.stack]
        assert chain.job_minutes <= r.job["timeout-minutes"] <= 360, (r.stack, chain)


# --- the offline diff: fork PRs included -----------------------------------------------------------------


def test_the_plan_diff_runs_pr_code_with_a_read_only_token_for_every_stack():
    w = wf("plan-diff.yml")
    (job,) = w.jobs.values()
    assert job["permissions"] == {"contents": "read"}
    assert "secrets." not in w.text
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
