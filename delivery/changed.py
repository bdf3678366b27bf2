"""Which stacks a pull request changes: the ones whose real preview it needs.

A real preview decrypts the stack's config secrets and runs the program with the preview role, so a stack whose
secrets not every writer may read keeps a required reviewer on its `preview-<stack>` environment (README
"Continuous delivery"). Asking that reviewer on every push of every pull request is what made previews a
chore; asking only when the pull request changes what the stack would do is the approval scoped to its need.

A stack counts as changed when its offline plan differs from the base's (resources, outputs, the resolved
fleet, the policy findings: `make plan-diff`), or when the pull request touches an input the offline plan cannot
judge: the provider and SDK pins, the project file, the policy pack (a new rule changes the real preview's
verdict, not the plan). An unchanged offline plan leaves a real preview only drift to show, and previews never
refresh (README "The real path").
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from plan_diff.worktree import DiffError, plan_diff

# Inputs of a real preview that the offline plan does not model: any change to them previews every stack.
OUTSIDE_THE_PLAN = ("requirements.txt", "Pulumi.yaml", "policy/")


def touched(base_ref: str, project_dir: Path) -> list[str]:
    """Paths the pull request changes: from the merge base with `base_ref` to the working tree."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=project_dir, capture_output=True, text=True, check=True
        ).stdout

    base = git("merge-base", base_ref, "HEAD").strip()
    return [line for line in git("diff", "--name-only", base, "--").splitlines() if line]


def outside_the_plan(paths: Iterable[str]) -> list[str]:
    return sorted(
        p for p in paths if any(p == o or (o.endswith("/") and p.startswith(o)) for o in OUTSIDE_THE_PLAN)
    )


def plan_changed(base_ref: str, stack: str, project_dir: Path) -> bool:
    """Whether the offline plan moved; a diff that cannot be made (a base that does not render) counts as a
    change: better a preview too many than one missing."""
    try:
        rendered = plan_diff(base_ref, stack, project_dir)
    except DiffError:
        return True
    findings = [(s.policy or {}).get("findings") for s in (rendered.base, rendered.head)]
    return not rendered.diff.empty or findings[0] != findings[1]


def changed_stacks(base_ref: str, stacks: Iterable[str], project_dir: Path) -> list[str]:
    """The stacks, in their order, whose real preview the change since `base_ref` needs."""
    stacks = list(stacks)
    if outside_the_plan(touched(base_ref, project_dir)):
        return stacks
    return [s for s in stacks if plan_changed(base_ref, s, project_dir)]
