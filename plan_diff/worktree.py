"""Render a stack at a git ref (in a temporary worktree, with that tree's own planner) and in the working
tree, side by side, and compare what both wrote: plan.json and fleet.json, with cost.json and policy.json
for the summary (plan_diff/summary.py)."""

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
class Side:
    """What one side's planner wrote; each document None where it wrote none (a base older than it, or no
    stack file at all: then `plan` is None too)."""

    plan: dict[str, Any] | None = None
    fleet: dict[str, Any] | None = None
    cost: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    exit_code: int = 0  # 1: the plan is written and has mandatory policy violations (planner/__main__.py)


# Side's fields and the file each is read from.
DOCUMENTS = {"plan": "plan.json", "fleet": "fleet.json", "cost": "cost.json", "policy": "policy.json"}


@dataclass(frozen=True)
class Rendered:
    diff: PlanDiff
    base_label: str
    notes: tuple[str, ...]
    base: Side = Side()
    head: Side = Side()


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
    notes += older_base_notes(base, base_label)
    assert head.plan is not None
    diff = diff_plans(base.plan, head.plan, base.fleet, head.fleet)
    return Rendered(diff, base_label, tuple(notes), base, head)


# What a base older than each document cannot be compared on.
_NOT_COMPARED = {
    "fleet": "fleet changes are",
    "cost": "the monthly cost is",
    "policy": "its policy findings are",
}


def older_base_notes(base: Side, base_label: str) -> list[str]:
    if base.plan is None:
        return []
    notes = [
        f"{base_label} writes no {DOCUMENTS[field]} (it predates it): {what} not compared."
        for field, what in _NOT_COMPARED.items()
        if getattr(base, field) is None
    ]
    if "providers" not in base.plan:
        notes.append(
            f"{base_label}'s plan.json records no provider identity (it predates it): a change of region, "
            "partition or account is not detected."
        )
    return notes


def _render_both(
    project_dir: Path, tmp: Path, base_ref: str, sha: str, stack: str, base_label: str, notes: list[str]
) -> tuple[Side, Side]:
    """Both renders run at once; the base's worktree is removed whatever happens."""
    stack_file = f"Pulumi.{stack}.yaml"
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel")).resolve()
    tree = tmp / "base"
    running: list[subprocess.Popen] = []
    try:
        _git(project_dir, "worktree", "add", "--detach", str(tree), sha)
        base_dir = tree / project_dir.relative_to(top)
        running.append(_start_render(project_dir, stack, tmp / "head-plan"))
        base = Side()
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


def _finish(proc: subprocess.Popen, out: Path, label: str, notes: list[str]) -> Side:
    """What a render wrote. A planner that writes its plan and then fails (exit 1: its policy checks found
    mandatory violations) still gives a plan to diff, and its policy.json says which (without one, an older
    planner's, a note says so); an invalid config (exit 2) or a crash is an error."""
    _, stderr = proc.communicate(timeout=600)
    written = proc.returncode not in (0, 2) and (out / "plan.json").is_file()
    if written and not (out / "policy.json").is_file():
        notes.append(
            f"The planner exited {proc.returncode} for {label} after writing its plan (policy violations?): "
            "`make plan` shows why."
        )
    elif proc.returncode != 0 and not written:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        if lines and lines[0].startswith("error: "):  # the planner's own message, e.g. an invalid config
            message = lines[0].removeprefix("error: ")
            detail = lines[1:]
        else:  # a crash: its last line says what
            message = f"the planner failed (exit {proc.returncode}): {lines[-1] if lines else 'no output'}"
            detail = []
        raise DiffError("\n".join([f"{label}: {message}", *detail]))
    read = {field: _read(out / name) for field, name in DOCUMENTS.items()}
    return Side(**read, exit_code=proc.returncode)


def _read(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.is_file() else None
