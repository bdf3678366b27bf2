"""`make plan-diff BASE=<git ref> [STACK=dev]`: what a change does to a stack, read offline before review.

Renders the stack twice — at BASE, in a temporary `git worktree` with that tree's own planner, and in the
working tree — and compares the two `plan.json` files: resources to add, change in place, replace and delete
(identity is the URN), the changed inputs of each as flattened paths, changed resource options and changed
stack outputs. The text is markdown: CI posts it verbatim as a pull-request comment.

Replacements are an offline estimate. Without a provider to ask, `REPLACE_ON` lists, per resource type, the
inputs that type cannot update in place, taken from the providers' own tables; `pulumi preview --diff`
against the real stack stays the authority.

Exit status: 0 when the diff is printed (with or without changes); 2 for a bad ref, a missing stack, an invalid
stack configuration or a base that cannot be rendered.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


class _Missing:
    """The side of a change where a field, list item or output does not exist."""

    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()

# --- what forces a replacement -------------------------------------------------------------------------
# Inputs each resource type cannot update in place, for the types this program registers, with the names
# `plan.json` records (checked against build/dev and build/prod). A change to any of them (added, removed or
# different) makes the resource "replace". "kubernetes:*" applies to every Kubernetes object; "*" as a field
# means every input.
#
# Kubernetes: pulumi-kubernetes v4 `forceNew` (provider/pkg/provider/diff.go): metadata.name/namespace for
# every kind, plus the kinds below. ConfigMap data and Secret data/type replace because our provider sets
# neither `enableConfigMapMutable` nor `enableSecretMutable`. Helm releases: the release provider replaces on a
# new name or namespace.
# AWS: the ForceNew attributes of terraform-provider-aws, from which pulumi-aws is bridged, under their
# pulumi-aws input names. An EKS cluster's subnets are updatable there (UpdateClusterConfig), its VPC is not.
# random: every argument of RandomPassword is RequiresReplace — a new length regenerates the password.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    "kubernetes:*": ("metadata.name", "metadata.namespace"),
    "kubernetes:apps/v1:DaemonSet": ("spec.selector",),
    "kubernetes:apps/v1:Deployment": ("spec.selector",),
    "kubernetes:apps/v1:StatefulSet": (
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ),
    "kubernetes:batch/v1:Job": ("spec.completions", "spec.parallelism", "spec.selector", "spec.template"),
    "kubernetes:core/v1:ConfigMap": ("binaryData", "data"),
    "kubernetes:core/v1:PersistentVolumeClaim": (
        "spec.accessModes",
        "spec.selector",
        "spec.storageClassName",
        "spec.volumeName",
    ),
    "kubernetes:core/v1:ResourceQuota": ("spec.scopes",),
    "kubernetes:core/v1:Secret": ("data", "stringData", "type"),
    "kubernetes:core/v1:Service": ("spec.clusterIP",),
    "kubernetes:storage.k8s.io/v1:StorageClass": (
        "parameters",
        "provisioner",
    ),
    HELM_RELEASE: ("name", "namespace"),
    "aws:cloudwatch/eventRule:EventRule": ("eventBusName", "name", "namePrefix"),
    "aws:cloudwatch/eventTarget:EventTarget": ("eventBusName", "rule", "targetId"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix"),
    "aws:ec2/eip:Eip": ("domain",),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", "namePrefix"),
    "aws:ec2/natGateway:NatGateway": ("allocationId", "connectivityType", "subnetId"),
    "aws:ec2/routeTable:RouteTable": ("vpcId",),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("gatewayId", "subnetId"),
    "aws:ec2/securityGroup:SecurityGroup": ("description", "name", "namePrefix", "vpcId"),
    "aws:ec2/subnet:Subnet": ("availabilityZone", "availabilityZoneId", "cidrBlock", "vpcId"),
    "aws:ec2/tag:Tag": ("key", "resourceId"),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:efs/fileSystem:FileSystem": (
        "availabilityZoneName",
        "creationToken",
        "encrypted",
        "kmsKeyId",
        "performanceMode",
    ),
    "aws:efs/mountTarget:MountTarget": ("fileSystemId", "ipAddress", "subnetId"),
    "aws:eks/accessEntry:AccessEntry": ("clusterName", "principalArn", "type"),
    "aws:eks/addon:Addon": ("addonName", "clusterName"),
    "aws:eks/nodeGroup:NodeGroup": (
        "amiType",
        "capacityType",
        "clusterName",
        "diskSize",
        "instanceTypes",
        "launchTemplate.id",
        "launchTemplate.name",
        "nodeGroupName",
        "nodeGroupNamePrefix",
        "nodeRoleArn",
        "remoteAccess",
        "subnetIds",
    ),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("clusterName", "namespace", "serviceAccount"),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn", "role"),
    "aws:kms/key:Key": ("customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion"),
    "aws:sqs/queue:Queue": ("fifoQueue", "name", "namePrefix"),
    "aws:sqs/queuePolicy:QueuePolicy": ("queueUrl",),
    "eks:index:Cluster": ("name", "vpcId"),
    "random:index/randomPassword:RandomPassword": ("*",),
}

# List items carrying one of these keys (first found) are matched by it, not by position: containers[vllm],
# env[HF_HUB_OFFLINE], groups[llm-platform.gpu], rules[GPUXidError] (alerting or recording rules).
# Fields the API server refuses to change, but which the provider does not replace on: `pulumi preview` shows
# an in-place update and `pulumi up` then fails ("field is immutable"). Flagged so the reviewer plans the
# replacement (`pulumi up --replace <urn>`) instead of discovering it mid-deploy.
REFUSED_UPDATES: dict[str, tuple[str, ...]] = {
    "kubernetes:storage.k8s.io/v1:StorageClass": ("reclaimPolicy", "volumeBindingMode"),
}

IDENTITY_KEYS = ("name", "alert", "record")
# Resource options compared beside the inputs, listed apart from them.
OPTIONS = ("dependsOn", "protect", "retainOnDelete", "ignoreChanges", "provider")
OPTION_DEFAULTS: dict[str, Any] = {
    "dependsOn": [],
    "protect": False,
    "retainOnDelete": False,
    "ignoreChanges": [],
}
# Fields shown first for a type, whatever their alphabetical place.
LEAD_FIELDS = {HELM_RELEASE: ("chart", "version", "repositoryOpts")}

SHORT_LIST = 100  # a scalar list this long (as JSON) or shorter is shown whole when it changes


# --- the diff, as data -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """One changed value: `old` or `new` is MISSING when the field, item or output was added or removed."""

    path: str
    old: Any = MISSING
    new: Any = MISSING


ADD, CHANGE, REPLACE, DELETE = "add", "change", "replace", "delete"
ACTIONS = (ADD, CHANGE, REPLACE, DELETE)


@dataclass(frozen=True)
class ResourceDiff:
    action: str  # one of ACTIONS
    urn: str
    type: str
    name: str
    fields: tuple[FieldChange, ...] = ()  # changed inputs (change and replace)
    options: tuple[FieldChange, ...] = ()  # changed resource options (change and replace)
    replace_fields: tuple[str, ...] = ()  # the REPLACE_ON fields that changed (replace)
    refused_fields: tuple[str, ...] = ()  # the REFUSED_UPDATES fields that changed (change: `up` will fail)
    protect: bool = False  # in the newest plan that has it: a protected one is neither deleted nor replaced
    retain_on_delete: bool = False


@dataclass(frozen=True)
class PlanDiff:
    stack: str
    resources: tuple[ResourceDiff, ...]  # every resource that is not unchanged, sorted by type then name
    unchanged: int
    outputs: tuple[FieldChange, ...]

    def of(self, action: str) -> list[ResourceDiff]:
        return [r for r in self.resources if r.action == action]

    def counts(self) -> dict[str, int]:
        return {a: len(self.of(a)) for a in ACTIONS} | {"unchanged": self.unchanged}

    @property
    def empty(self) -> bool:
        return not self.resources and not self.outputs


def diff_plans(base: dict[str, Any] | None, head: dict[str, Any]) -> PlanDiff:
    """Compare two plan.json documents; `base` None is an empty stack (everything in `head` is added)."""
    base = base or {}
    old = {r["urn"]: r for r in base.get("resources", [])}
    new = {r["urn"]: r for r in head.get("resources", [])}
    changes: list[ResourceDiff] = []
    for urn in old.keys() - new.keys():
        r = old[urn]
        changes.append(
            ResourceDiff(
                DELETE,
                urn,
                r["type"],
                r["name"],
                protect=bool(r.get("protect")),
                retain_on_delete=bool(r.get("retainOnDelete")),
            )
        )
    for urn in new.keys() - old.keys():
        r = new[urn]
        changes.append(ResourceDiff(ADD, urn, r["type"], r["name"], protect=bool(r.get("protect"))))
    unchanged = 0
    for urn in old.keys() & new.keys():
        before, after = old[urn], new[urn]
        b_in, a_in = before.get("inputs", {}), after.get("inputs", {})
        fields = _lead(after["type"], diff_values(b_in, a_in))
        options = diff_options(before, after)
        if not fields and not options:
            unchanged += 1
            continue
        replace = replacement_fields(after["type"], b_in, a_in)
        refused = changed_fields(REFUSED_UPDATES, after["type"], b_in, a_in)
        changes.append(
            ResourceDiff(
                REPLACE if replace else CHANGE,
                urn,
                after["type"],
                after["name"],
                fields=tuple(fields),
                options=tuple(options),
                replace_fields=replace,
                refused_fields=() if replace else refused,
                protect=bool(after.get("protect")),
                retain_on_delete=bool(after.get("retainOnDelete")),
            )
        )
    changes.sort(key=lambda c: (c.type, c.name, c.urn))
    outputs = diff_values(base.get("outputs", {}), head.get("outputs", {}))
    return PlanDiff(head.get("stack", base.get("stack", "?")), tuple(changes), unchanged, tuple(outputs))


def replacement_fields(typ: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """The fields of REPLACE_ON for `typ` whose value differs between the two inputs, in table order."""
    return changed_fields(REPLACE_ON, typ, old, new)


def changed_fields(
    table: dict[str, tuple[str, ...]], typ: str, old: dict[str, Any], new: dict[str, Any]
) -> tuple[str, ...]:
    """The fields `table` lists for `typ` whose value differs between the two inputs, in table order."""
    rules = [f for pattern, fields in table.items() if _type_matches(pattern, typ) for f in fields]
    if "*" in rules:
        return tuple(
            k for k in sorted(old.keys() | new.keys()) if not _same(old.get(k, MISSING), new.get(k, MISSING))
        )
    return tuple(f for f in rules if not _same(value_at(old, f), value_at(new, f)))


def _type_matches(pattern: str, typ: str) -> bool:
    return typ.startswith(pattern[:-1]) if pattern.endswith("*") else typ == pattern


def value_at(doc: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return MISSING
        doc = doc[part]
    return doc


def diff_options(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Changed resource options; dependsOn as the URNs it gained and lost (an edge's order carries nothing)."""
    out: list[FieldChange] = []
    for opt in OPTIONS:
        old, new = before.get(opt, OPTION_DEFAULTS.get(opt)), after.get(opt, OPTION_DEFAULTS.get(opt))
        if opt == "dependsOn":
            out += [FieldChange(opt, urn, MISSING) for urn in sorted(set(old) - set(new))]
            out += [FieldChange(opt, MISSING, urn) for urn in sorted(set(new) - set(old))]
        elif not _same(old, new):
            out.append(FieldChange(opt, old, new))
    return out


def _lead(typ: str, fields: list[FieldChange]) -> list[FieldChange]:
    lead = LEAD_FIELDS.get(typ, ())
    return sorted(fields, key=lambda f: lead.index(top) if (top := _top(f.path)) in lead else len(lead))


def _top(path: str) -> str:
    return re.split(r"[.\[ ]", path, maxsplit=1)[0]


def diff_values(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Every changed leaf between two JSON values, as flattened paths (`spec.template.spec.containers[vllm]`).

    Dicts are compared key by key. Lists whose items all carry an IDENTITY_KEYS value (unique on each side)
    are matched by it; short scalar lists change as a whole; other lists are aligned with difflib, so one
    inserted item is one line, not a shifted tail. Strings holding a JSON document (Grafana dashboards) are
    compared as JSON; multi-line strings line by line.
    """
    if old is MISSING or new is MISSING:
        present = new if old is MISSING else old
        if isinstance(present, dict) and present:  # a new or removed object: one line per leaf
            out: list[FieldChange] = []
            for key in sorted(present):
                pair = (MISSING, present[key]) if old is MISSING else (present[key], MISSING)
                out += diff_values(*pair, _join(path, key))
            return out
        return [] if old is new else [FieldChange(path, old, new)]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(old.keys() | new.keys()):
            out += diff_values(old.get(key, MISSING), new.get(key, MISSING), _join(path, key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    if isinstance(old, str) and isinstance(new, str) and old != new:
        return _diff_strings(old, new, path)
    return [] if _same(old, new) else [FieldChange(path, old, new)]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True == 1 in Python; not in a plan


def _join(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _identities(items: list[Any]) -> list[str] | None:
    """Each item's identity (its first IDENTITY_KEYS value), or None unless every item has a unique one."""
    ids: list[str] = []
    for item in items:
        found = [item[k] for k in IDENTITY_KEYS if isinstance(item, dict) and isinstance(item.get(k), str)]
        if not found:
            return None
        ids.append(found[0])
    return ids if len(set(ids)) == len(ids) else None


def _diff_lists(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    if _same(old, new):
        return []
    old_ids, new_ids = _identities(old), _identities(new)
    if old_ids is not None and new_ids is not None:
        by_old, by_new = dict(zip(old_ids, old, strict=True)), dict(zip(new_ids, new, strict=True))
        out: list[FieldChange] = []
        for i in new_ids:
            out += diff_values(by_old.get(i, MISSING), by_new[i], f"{path}[{i}]")
        for i in old_ids:
            if i not in by_new:
                out += diff_values(by_old[i], MISSING, f"{path}[{i}]")
        kept_old, kept_new = [i for i in old_ids if i in by_new], [i for i in new_ids if i in by_old]
        if kept_old != kept_new:
            out.append(FieldChange(f"{path} (order)", kept_old, kept_new))
        return out
    scalars = all(not isinstance(v, dict | list) for v in old + new)
    if scalars and max(len(as_json(old)), len(as_json(new))) <= SHORT_LIST:
        return [FieldChange(path, old, new)]
    matcher = difflib.SequenceMatcher(a=[_canon(v) for v in old], b=[_canon(v) for v in new], autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            out += diff_values(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]")
        for i in range(i1 + paired, i2):
            out += diff_values(old[i], MISSING, f"{path}[{i}]")
        for j in range(j1 + paired, j2):
            out += diff_values(MISSING, new[j], f"{path}[{j}]")
    return out


def _diff_strings(old: str, new: str, path: str) -> list[FieldChange]:
    old_doc, new_doc = _json_document(old), _json_document(new)
    if old_doc is not None and new_doc is not None:
        return diff_values(old_doc, new_doc, path)
    if "\n" not in old and "\n" not in new:
        return [FieldChange(path, old, new)]
    a, b = old.splitlines(), new.splitlines()
    out: list[FieldChange] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        out += [FieldChange(f"{path} (line {j1 + k + 1})", a[i1 + k], b[j1 + k]) for k in range(paired)]
        out += [FieldChange(f"{path} (line {i + 1})", a[i], MISSING) for i in range(i1 + paired, i2)]
        out += [FieldChange(f"{path} (line {j + 1})", MISSING, b[j]) for j in range(j1 + paired, j2)]
    return out


def _json_document(text: str) -> Any:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --- rendering both trees --------------------------------------------------------------------------------
class DiffError(Exception):
    """A diff that cannot be made: a bad ref, a missing stack, an invalid config, a failed render."""


@dataclass(frozen=True)
class Rendered:
    diff: PlanDiff
    base_label: str
    notes: tuple[str, ...]


def plan_diff(base_ref: str, stack: str, project_dir: Path = PROJECT_DIR) -> Rendered:
    """Render `stack` at `base_ref` (in a temporary worktree) and in the working tree, and diff the plans."""
    project_dir = project_dir.resolve()
    stack_file = f"Pulumi.{stack}.yaml"
    if not (project_dir / stack_file).is_file():
        here = ", ".join(sorted(p.name[7:-5] for p in project_dir.glob("Pulumi.*.yaml"))) or "none"
        raise DiffError(f"no stack file {stack_file} in the working tree (stacks here: {here})")
    if base_ref.startswith("-"):
        raise DiffError(f"not a git ref: {base_ref}")
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel")).resolve()
    try:
        sha = _git(project_dir, "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}")
    except DiffError:
        raise DiffError(f"not a commit in this repository: {base_ref}") from None
    base_label = f"`{base_ref}` ({_git(project_dir, 'rev-parse', '--short', sha)})"
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="plan-diff-") as tmp_dir:
        tmp = Path(tmp_dir)
        tree = tmp / "base"
        running: list[subprocess.Popen] = []
        try:
            _git(project_dir, "worktree", "add", "--detach", str(tree), sha)
            base_dir = tree / project_dir.relative_to(top)
            running.append(_start_render(project_dir, stack, tmp / "head-plan"))
            base_plan = None
            if not (base_dir / stack_file).is_file():
                notes.append(f"{stack_file} does not exist at {base_label}: every resource counts as added.")
            elif not (base_dir / "planner" / "__main__.py").is_file():
                raise DiffError(f"{base_ref} ({sha[:7]}) has no planner/: it cannot be rendered offline")
            else:
                running.append(_start_render(base_dir, stack, tmp / "base-plan", bytecode=False))
                base_plan = _finish(running[1], tmp / "base-plan", f"{stack_file} at {base_ref}", notes)
            head_plan = _finish(running[0], tmp / "head-plan", f"{stack_file} in the working tree", notes)
        finally:
            for proc in running:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            for cleanup in (["worktree", "remove", "--force", str(tree)], ["worktree", "prune"]):
                subprocess.run(["git", "-C", str(project_dir), *cleanup], capture_output=True, check=False)
    return Rendered(diff_plans(base_plan, head_plan), base_label, tuple(notes))


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DiffError(f"git {args[0]} failed: {(result.stderr.strip() or 'no output').splitlines()[-1]}")
    return result.stdout.strip()


def _start_render(project_dir: Path, stack: str, out: Path, bytecode: bool = True) -> subprocess.Popen:
    """That tree's own planner, run by this venv's interpreter, writing into `out` (never build/)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # import planner/ and stacks/ from `project_dir`, nothing else
    if not bytecode:  # a throwaway tree
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, "-m", "planner", "--stack", stack, "--out", str(out)]
    return subprocess.Popen(
        command, cwd=project_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(proc: subprocess.Popen, out: Path, label: str, notes: list[str]) -> dict[str, Any]:
    """The plan a render wrote. A planner that writes its plan and then fails (exit 1: its policy checks found
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
    return json.loads(plan_json.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m planner.diff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--base", required=True, metavar="REF", help="git ref to compare against (HEAD~1, main)"
    )
    parser.add_argument("--stack", default="dev", help="stack name: Pulumi.<stack>.yaml (default dev)")
    args = parser.parse_args(argv)
    # A SIGTERM (CI cancel) unwinds like Ctrl-C, so the worktree and temp dirs are still removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = plan_diff(args.base, args.stack)
    except DiffError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from planner.diff_markdown import render  # the markdown side imports this module

    print(render(result.diff, result.base_label, notes=result.notes))
    return 0


if __name__ == "__main__":
    # Run as `python -m planner.diff`, this file is `__main__`, and planner.diff_markdown imports a second copy
    # as `planner.diff`, with its own MISSING marker. Run the imported module's main, so there is one copy.
    from planner.diff import main as imported_main

    sys.exit(imported_main())
