"""Render a stack at a git ref (in a temporary worktree, with that tree's own planner) and in the working
tree, side by side, and compare what both wrote: plan.json and fleet.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plan_diff.compare import PlanDiff, diff_plans

PROJECT_DIR = Path(__file__).resolve().parent.parent


class DiffError(Exception):
    """A diff that cannot be made: a bad ref, a missing stack, an invalid config, a failed render."""


@dataclass(frozen=True)
class Rendered:
    diff: PlanDiff
    base_label: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Side:
    plan: dict[str, Any] | None
    fleet: dict[str, Any] | None


def plan_diff(base_ref: str, stack: str, project_dir: Path = PROJECT_DIR) -> Rendered:
    """Render `stack` at `base_ref` (in a temporary worktree) and in the working tree, and diff the plans."""
    project_dir = project_dir.resolve()
    stack_file = f"Pulumi.{stack}.yaml"
    if not (project_dir / stack_file).is_file():
        here = ", ".join(sorted(p.name[7:-5] for p in project_dir.glob("Pulumi.*.yaml"))) or "none"
        raise DiffError(f"no stack file {stack_file} in the working tree (stacks here: {here})")
    if base_ref.startswith("-"):
        raise DiffError(f"not a git ref: {base_ref}")
    try:
        sha = _git(project_dir, "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}")
    except DiffError:
        raise DiffError(f"not a commit in this repository: {base_ref}") from None
    base_label = f"`{base_ref}` ({_git(project_dir, 'rev-parse', '--short', sha)})"
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="plan-diff-") as tmp_dir:
        base, head = _render_both(project_dir, Path(tmp_dir), base_ref, sha, stack, base_label, notes)
    if base.plan is not None and base.fleet is None:
        notes.append(f"{base_label} writes no fleet.json (it predates it): fleet changes are not compared.")
    assert head.plan is not None
    return Rendered(diff_plans(base.plan, head.plan, base.fleet, head.fleet), base_label, tuple(notes))


def _render_both(
    project_dir: Path, tmp: Path, base_ref: str, sha: str, stack: str, base_label: str, notes: list[str]
) -> tuple[_Side, _Side]:
    """Both renders run at once; the base's worktree is removed whatever happens."""
    stack_file = f"Pulumi.{stack}.yaml"
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel")).resolve()
    tree = tmp / "base"
    running: list[subprocess.Popen] = []
    try:
        _git(project_dir, "worktree", "add", "--detach", str(tree), sha)
        base_dir = tree / project_dir.relative_to(top)
        running.append(_start_render(project_dir, stack, tmp / "head-plan"))
        base = _Side(None, None)
        if not (base_dir / stack_file).is_file():
            notes.append(f"{stack_file} does not exist at {base_label}: every resource counts as added.")
        elif not (base_dir / "planner" / "__main__.py").is_file():
            raise DiffError(f"{base_ref} ({sha[:7]}) has no planner/: it cannot be rendered offline")
        else:
            running.append(_start_render(base_dir, stack, tmp / "base-plan", bytecode=False))
            base = _finish(running[1], tmp / "base-plan", f"{stack_file} at {base_ref}", notes)
        head = _finish(running[0], tmp / "head-plan", f"{stack_file} in the working tree", notes)
    finally:
        for proc in running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for cleanup in (["worktree", "remove", "--force", str(tree)], ["worktree", "prune"]):
            subprocess.run(["git", "-C", str(project_dir), *cleanup], capture_output=True, check=False)
    return base, head


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DiffError(f"git {args[0]} failed: {(result.stderr.strip() or 'no output').splitlines()[-1]}")
    return result.stdout.strip()


def _start_render(project_dir: Path, stack: str, out: Path, bytecode: bool = True) -> subprocess.Popen:
    """That tree's own planner, run by this venv's interpreter, writing into `out` (never build/)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # import that tree's packages from `project_dir`, nothing else
    if not bytecode:  # a throwaway tree
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, "-m", "planner", "--stack", stack, "--out", str(out)]
    return subprocess.Popen(
        command, cwd=project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(proc: subprocess.Popen, out: Path, label: str, notes: list[str]) -> _Side:
    """What a render wrote. A planner that writes its plan and then fails (exit 1: its policy checks found
    violations) still gives a plan to diff, with a note; an invalid config (exit 2) or a crash is an error."""
    _, stderr = proc.communicate(timeout=600)
    plan_json = out / "plan.json"
    if proc.returncode not in (0, 2) and plan_json.is_file():
        notes.append(
            f"The planner exited {proc.returncode} for {label} after writing its plan (policy violations?): "
            "`make plan` shows why."
        )
    elif proc.returncode != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        if lines and lines[0].startswith("error: "):  # the planner's own message, e.g. an invalid config
            message = lines[0].removeprefix("error: ")
            detail = lines[1:]
        else:  # a crash: its last line says what
            message = f"the planner failed (exit {proc.returncode}): {lines[-1] if lines else 'no output'}"
            detail = []
        raise DiffError("\n".join([f"{label}: {message}", *detail]))
    fleet_json = out / "fleet.json"
    fleet = json.loads(fleet_json.read_text()) if fleet_json.is_file() else None
    return _Side(json.loads(plan_json.read_text()), fleet)
