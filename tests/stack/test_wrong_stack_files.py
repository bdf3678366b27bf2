"""A corpus of wrong stack files a new user might write, each a copy of Pulumi.dev.yaml or Pulumi.prod.yaml with
ONE mistake made in its text, planned as users plan them: `python -m planner --project-dir ... --stack ...
--out ...`, a real subprocess for the first case of each class, every secret case and every valid variant; the
other wrong files go through the same `planner.__main__.main` in this process (no interpreter start-up, the same
code path and exit status), so the whole corpus runs in about two minutes.

The promise under test: bad input is refused before anything is registered, exit 2, with a message that names
the offending key as the stack file writes it (and says what to do), no traceback, and the previous build left
byte for byte as it was; every valid variant is accepted and writes a whole plan. What the plan accepts, the
cloud and the cluster must run: a case the planner accepts but AWS, EKS, the kubelet or Kubernetes would refuse
is a defect too.

Cases that show a defect of the program are marked `xfail(strict=True)` with what is wrong: they pass once the
program is fixed, and then the mark must go.
"""

from __future__ import annotations

import io
import json
import shutil
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR, STACKS, run_planner

DEV = (PROJECT_DIR / "Pulumi.dev.yaml").read_text()
PROD = (PROJECT_DIR / "Pulumi.prod.yaml").read_text()
# The cases below name the shipped example they break; every stack file is a base one may name.
BASES = {stack: (PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text() for stack in STACKS}
K = "llm-platform:"
PREVIOUS_PLAN = '{"previous": true, "written by": "the last valid plan"}\n'
PREVIOUS_MANIFEST = "kind: ConfigMap\nmetadata: {name: from-the-last-valid-plan}\n"

Change = Callable[[str], "str | bytes"]


# --- making one mistake in the text of a real stack file ---------------------------------------------------------


def sub(*pairs: tuple[str, str]) -> Change:
    """Replace each `old` (which must occur exactly once in the base file) by `new`."""

    def change(text: str) -> str:
        for old, new in pairs:
            found = text.count(old)
            if found != 1:
                pytest.fail(f"the base stack file holds {old!r} {found} times, not once: update this case")
            text = text.replace(old, new)
        return text

    return change


def sub_all(old: str, new: str, times: int) -> Change:
    def change(text: str) -> str:
        if text.count(old) != times:
            pytest.fail(f"the base stack file no longer holds {old!r} {times} times: update this case")
        return text.replace(old, new)

    return change


def append(extra: str) -> Change:
    return lambda text: text + extra


def chain(*changes: Change) -> Change:
    def change(text: str) -> str:
        for c in changes:
            text = c(text)  # type: ignore[assignment]
        return text

    return change


def whole(make: Callable[[str], str | bytes]) -> Change:
    return make


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the one line of `text` holding `needle`."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


HEAD, BODY = DEV.split("config:\n", 1)
DEV_MODEL = "      maxNumSeqs: 32\n"  # the end of dev's one model entry
PROD_8B = "      maxNumSeqs: 64\n"  # prod's models[0] (qwen3-8b)
PROD_32B = "      replicas: {min: 1, max: 4}\n"  # prod's models[1] (qwen3-32b)


def dev_model(*lines: str) -> Change:
    """Add keys to dev's model (models[0])."""
    return sub((DEV_MODEL, DEV_MODEL + "".join(f"      {line}\n" for line in lines)))


def prod_8b(*lines: str) -> Change:
    return sub((PROD_8B, PROD_8B + "".join(f"      {line}\n" for line in lines)))


def prod_32b(*lines: str) -> Change:
    return sub((PROD_32B, PROD_32B + "".join(f"      {line}\n" for line in lines)))


def extra_args(*items: str) -> Change:
    return dev_model(f"extraArgs: [{', '.join(json.dumps(i) for i in items)}]")


def warm_window(tz: str = "Europe/Berlin", start: str = "0 8 * * 1-5", end: str = "0 19 * * 1-5", n: int = 1):
    """A warm window on prod's qwen3-8b (replicas 2..8)."""
    return sub(
        (
            "      replicas: {min: 2, max: 8}\n",
            "      replicas: {min: 2, max: 8}\n      autoscaling:\n        warmWindows:\n"
            f"          - {{timezone: {tz}, start: '{start}', end: '{end}', replicas: {n}}}\n",
        )
    )


def second_dev_model(name: str) -> Change:
    return append(
        f"    - name: {name}\n"
        "      source: hf://Qwen/Qwen3-0.6B\n"
        "      revision: c1899de289a04d12100db370d81485cdf75e47ca\n"
        "      placement: {pools: [gpu-on-demand], capacityType: on-demand}\n"
        "      maxModelLen: 8192\n"
    )


def dev_label(labels: str) -> Change:
    return sub(("      diskSizeGib: 150\n", f"      diskSizeGib: 150\n      labels: {labels}\n"))


# A valid dev variant on T4 GPUs (g4dn), the base of the compute-capability cases.
T4 = chain(
    sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[g4dn.xlarge, g4dn.2xlarge]")),
    sub_all("instanceFamilies: [g6]", "instanceFamilies: [g4dn]", 2),
)

OPENAI_KEY = "sk-proj-4fK9qZ2xLm7Vb1Rt8Yw3Np6Hs0Jd5Ge"
HF_TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
GRAFANA_PASSWORD = "Sup3rS3cretGrafana!"


# --- the cases ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wrong:
    name: str
    base: str  # dev | prod: the stack the file is a copy of (and its name, so its policy config applies)
    change: Change
    key: str  # what stderr must name: the key as written (or, for a file the CLI cannot read, where)
    fix: tuple[str, ...] = ()  # words of the fix the message must give
    hidden: tuple[str, ...] = ()  # values that must not be echoed
    defect: str | None = None  # what the program gets wrong (the case is then a strict xfail)


def bad(name, base, change, key, *fix, hidden=(), defect=None) -> Wrong:
    return Wrong(name, base, change, key, tuple(fix), tuple(hidden), defect)


L_CIDR = line_of(DEV, "cidr: 10.20.0.0/16")
L_AZS = line_of(DEV, "availabilityZones: [us-west-2a")
L_VERSION = line_of(DEV, "kubernetesVersion:")
L_MAXSIZE = line_of(DEV, "      maxSize: 2")
L_NAT = line_of(DEV, "natGateways: single")
L_GROUP = line_of(DEV, "    - name: l4-spot")
L_GPU_MEM = line_of(DEV, "gpuMemoryUtilization: 0.45")
L_DEV_END = len(DEV.splitlines()) + 1

FILE_SHAPE = [
    bad(
        "list-at-top",
        "dev",
        whole(
            lambda t: (
                HEAD + "- config:\n" + "".join(f"  {x}" if x.strip() else x for x in BODY.splitlines(True))
            )
        ),
        "the top level is a list",
        "a mapping whose `config:`",
    ),
    bad("scalar", "dev", whole(lambda t: HEAD + "us-west-2\n"), "the top level is a scalar"),
    bad("only-comments", "dev", whole(lambda t: HEAD), "the file is empty (or only comments)"),
    bad(
        "utf-16",
        "dev",
        whole(lambda t: t.encode("utf-16")),
        "line 1, column 1: not UTF-8 text",
        "save it as UTF-8",
    ),
    bad(
        "tab-indent",
        "dev",
        sub(("    cidr: 10.20.0.0/16", "\tcidr: 10.20.0.0/16")),
        f"line {L_CIDR}, column 1: invalid YAML",
        "'\\t'",
    ),
    bad(
        "key-indented-one-too-far",
        "dev",
        sub(("    availabilityZones: [us", "     availabilityZones: [us")),
        f"line {L_AZS}, column",
        "invalid YAML",
    ),
    bad(
        "list-entry-key-indented-one-too-few",
        "dev",
        sub(("      maxSize: 2\n", "     maxSize: 2\n")),
        f"line {L_MAXSIZE}, column",
        "invalid YAML",
    ),
    bad(
        "unclosed-quote",
        "dev",
        sub(('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.35')),
        f"line {L_VERSION}, column",
        "quoted scalar",
    ),
    bad(
        "unclosed-bracket",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[us-west-2a, us-west-2b")),
        f"line {L_AZS + 1}, column",
        "flow sequence",
    ),
    bad(
        "value-with-a-colon",
        "dev",
        sub(("    natGateways: single", "    natGateways: single: true")),
        f"line {L_NAT}, column",
        "mapping values are not allowed",
    ),
    bad(
        "list-dash-without-space",
        "dev",
        sub(("    - name: l4-spot", "    -name: l4-spot")),
        f"line {L_GROUP + 1}, column",
        "invalid YAML",
    ),
    bad(
        "duplicate-config",
        "dev",
        append("config:\n  aws:region: us-east-1\n"),
        f"line {L_DEV_END}, column 1: key 'config' is given twice",
        "keep one, merged",
    ),
    bad(
        "duplicate-section",
        "dev",
        sub(
            (
                "  llm-platform:access:",
                "  llm-platform:network:\n    natGateways: perAz\n  llm-platform:access:",
            )
        ),
        "key 'llm-platform:network' is given twice",
        "keep one, merged",
    ),
    bad(
        "duplicate-section-bare-and-namespaced",
        "dev",
        sub(("  llm-platform:access:", "  network:\n    natGateways: perAz\n  llm-platform:access:")),
        "network is the key llm-platform:network again",
        "keep one, merged",
    ),
    bad(
        "duplicate-nested-key",
        "dev",
        sub(("      maxSize: 2\n", "      maxSize: 2\n      minSize: 1\n")),
        "key 'minSize' is given twice",
        "keep one, merged",
    ),
    bad(
        "duplicate-model-entry-key",
        "dev",
        sub((DEV_MODEL, DEV_MODEL + "      maxModelLen: 8192\n")),
        "key 'maxModelLen' is given twice",
        "keep one, merged",
    ),
    bad(
        "keys-not-under-config",
        "dev",
        whole(lambda t: HEAD + "".join(x[2:] if x.startswith("  ") else x for x in BODY.splitlines(True))),
        "unknown top-level key 'llm-platform:network'",
        "no `config:` key",
    ),
    bad(
        "Config-capitalised",
        "dev",
        sub(("\nconfig:\n", "\nConfig:\n")),
        "unknown top-level key 'Config'; did you mean config?",
    ),
    bad(
        "config-empty",
        "dev",
        whole(lambda t: HEAD + "config:\n" + "".join("#" + x for x in BODY.splitlines(True))),
        "config: is empty",
        "namespace:key: value",
    ),
    bad(
        "key-with-two-colons",
        "dev",
        sub(("  llm-platform:access:", "  llm-platform:access:extra:")),
        "'llm-platform:access:extra' is not a config key",
        "namespace:name",
    ),
    bad(
        "null-key",
        "dev",
        sub(("  llm-platform:access:", "  null: 1\n  llm-platform:access:")),
        "'null' is not a config key",
    ),
    bad(
        "list-as-key",
        "dev",
        sub(("  llm-platform:access:", "  ? [llm-platform:access]\n  : x\n  llm-platform:access:")),
        "a list is not a config key",
    ),
    bad(
        "nan",
        "dev",
        sub(("gpuMemoryUtilization: 0.45", "gpuMemoryUtilization: .nan")),
        f"line {L_GPU_MEM}, column 29: llm-platform:models: .nan cannot be passed",
        "quote it",
    ),
    bad(
        "infinity",
        "dev",
        sub(("gpuMemoryUtilization: 0.45", "gpuMemoryUtilization: .inf")),
        "llm-platform:models: .inf cannot be passed",
    ),
    bad(
        "bad-tag",
        "dev",
        sub(("      maxSize: 2\n", "      maxSize: !!int two\n")),
        f"line {L_MAXSIZE}, column 16: llm-platform:gpuNodeGroups: cannot decode !!str `two` as a !!int",
        "drop the tag",
    ),
    bad(
        "anchor-contains-itself",
        "dev",
        sub(
            (
                "          instanceFamilies: [g6]\n          gpuLimit: 4",
                "          instanceFamilies: &f [g6, *f]\n          gpuLimit: 4",
            )
        ),
        "anchor 'f' value contains itself",
    ),
    bad("secretsprovider-list", "dev", append("secretsprovider: [a]\n"), "secretsprovider: must be a string"),
    bad(
        "esc-environment",
        "dev",
        append("environment:\n  - llm-dev\n"),
        "environment: Pulumi ESC environments cannot be opened offline",
        "under config:",
    ),
]

NAMESPACES = [
    bad(
        "llm-platfrom",
        "prod",
        sub(("  llm-platform:access:", "  llm-platfrom:access:")),
        "llm-platfrom:access: unknown namespace 'llm-platfrom'",
        "did you mean llm-platform:access?",
    ),
    bad(
        "llm_platform",
        "dev",
        sub(("  llm-platform:network:", "  llm_platform:network:")),
        "llm_platform:network",
        "did you mean llm-platform:network?",
    ),
    bad(
        "LLM-Platform",
        "dev",
        sub(("  llm-platform:cluster:", "  LLM-Platform:cluster:")),
        "LLM-Platform:cluster",
        "did you mean llm-platform:cluster?",
    ),
    bad(
        "llmplatform",
        "dev",
        sub(("  llm-platform:nodeAmi:", "  llmplatform:nodeAmi:")),
        "llmplatform:nodeAmi",
        "did you mean llm-platform:nodeAmi?",
    ),
    bad(
        "llm-platforms",
        "dev",
        sub(("  llm-platform:addons:", "  llm-platforms:addons:")),
        "llm-platforms:addons",
        "did you mean llm-platform:addons?",
    ),
    bad(
        "cyrillic-a-in-namespace",
        "dev",
        sub(("  llm-platform:models:", "  llm-pl\u0430tform:models:")),
        "llm-pl\u0430tform:models",
        "non-ASCII",
    ),
    bad(
        "aws-regoin", "dev", sub(("  aws:region:", "  aws:regoin:")), "aws:regoin", "did you mean aws:region?"
    ),
    bad(
        "aws-Region", "dev", sub(("  aws:region:", "  aws:Region:")), "aws:Region", "did you mean aws:region?"
    ),
    bad(
        "aws-defaultTag",
        "dev",
        sub(("  aws:defaultTags:", "  aws:defaultTag:")),
        "aws:defaultTag",
        "did you mean aws:defaultTags?",
    ),
    bad(
        "kubernetes-contxt",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  kubernetes:contxt: dev\n")),
        "kubernetes:contxt",
        "did you mean kubernetes:context?",
    ),
    bad(
        "eks-takes-no-config",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  eks:region: us-west-2\n")),
        "eks:region",
        "remove the key",
    ),
    bad(
        "azure-namespace",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  azure:location: westeurope\n")),
        "azure:location: unknown namespace 'azure'",
    ),
    bad(
        "awss-namespace",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  awss:profile: dev\n")),
        "awss:profile",
        "did you mean aws:profile?",
    ),
    bad(
        "k8s-namespace",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  k8s:namespace: inference\n")),
        "k8s:namespace: unknown namespace 'k8s'",
    ),
    bad(
        "bare-key-misspelt",
        "dev",
        sub(("  llm-platform:gpuNodeGroups:", "  gpuNodeGroupz:")),
        "llm-platform:gpuNodeGroupz",
        "did you mean llm-platform:gpuNodeGroups?",
    ),
]

KEYS = [
    bad(
        "singular-models",
        "dev",
        sub(("  llm-platform:models:", "  llm-platform:model:")),
        f"{K}model",
        "did you mean llm-platform:models?",
    ),
    bad(
        "cyrillic-c-in-section",
        "dev",
        sub(("  llm-platform:modelCache:", "  llm-platform:model\u0421ache:")),
        f"{K}model\u0421ache",
        "non-ASCII",
    ),
    bad(
        "snake-min_size",
        "dev",
        sub(("      minSize: 0\n", "      min_size: 0\n")),
        f"{K}gpuNodeGroups[0].min_size",
        "camelCase",
        "'minSize'",
    ),
    bad(
        "snake-max_model_len",
        "dev",
        sub(("maxModelLen: 16384", "max_model_len: 16384")),
        f"{K}models[0].max_model_len",
        "'maxModelLen'",
    ),
    bad(
        "snake-kubernetes_version",
        "dev",
        sub(("kubernetesVersion:", "kubernetes_version:")),
        f"{K}cluster.kubernetes_version",
        "'kubernetesVersion'",
    ),
    bad(
        "snake-availability_zones",
        "dev",
        sub(("availabilityZones:", "availability_zones:")),
        f"{K}network.availability_zones",
        "'availabilityZones'",
    ),
    bad(
        "snake-node_pools",
        "dev",
        sub(("      nodePools:", "      node_pools:")),
        f"{K}addons.karpenter.node_pools",
        "'nodePools'",
    ),
    bad(
        "snake-scale_to_zero",
        "dev",
        sub(("scaleToZero: true", "scale_to_zero: true")),
        f"{K}models[0].autoscaling.scale_to_zero",
        "'scaleToZero'",
    ),
    bad(
        "kebab-max-size",
        "dev",
        sub(("      maxSize: 2\n", "      max-size: 2\n")),
        f"{K}gpuNodeGroups[0].max-size",
        "'maxSize'",
    ),
    bad(
        "MinSize",
        "dev",
        sub(("      minSize: 0\n", "      MinSize: 0\n")),
        f"{K}gpuNodeGroups[0].MinSize",
        "'minSize'",
    ),
    bad(
        "kubernetesversion",
        "dev",
        sub(("kubernetesVersion:", "kubernetesversion:")),
        f"{K}cluster.kubernetesversion",
        "'kubernetesVersion'",
    ),
    bad(
        "natgateways",
        "dev",
        sub(("natGateways: single", "natgateways: single")),
        f"{K}network.natgateways",
        "'natGateways'",
    ),
    bad(
        "cyrillic-a-in-maxSize",
        "dev",
        sub(("      maxSize: 2\n", "      m\u0430xSize: 2\n")),
        f"{K}gpuNodeGroups[0].m\u0430xSize",
        "CYRILLIC SMALL LETTER A",
        "'maxSize'",
    ),
    bad(
        "cyrillic-a-in-name",
        "dev",
        sub(("    name: llm-dev", "    n\u0430me: llm-dev")),
        f"{K}cluster.n\u0430me",
        "non-ASCII",
        "'name'",
    ),
    bad(
        "cluster-version",
        "dev",
        sub(("kubernetesVersion:", "version:")),
        f"{K}cluster.version",
        "kubernetesVersion",
    ),
    bad(
        "publicCidrs",
        "dev",
        sub(("publicAccessCidrs:", "publicCidrs:")),
        f"{K}cluster.endpoint.publicCidrs",
        "'publicAccessCidrs'",
    ),
    bad(
        "maxTokens",
        "dev",
        sub(("maxModelLen: 16384", "maxTokens: 16384")),
        f"{K}models[0].maxTokens",
        "'maxModelLen'",
    ),
    bad(
        "minReplicas-in-autoscaling",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "minReplicas: 0")),
        f"{K}models[0].autoscaling.minReplicas",
        "scaleToZero",
    ),
    bad(
        "replicas-minimum",
        "dev",
        sub(("{min: 0, max: 2}", "{minimum: 0, max: 2}")),
        f"{K}models[0].replicas.minimum",
        "'min'",
    ),
    bad(
        "nodepools",
        "dev",
        sub(("      nodePools:", "      nodepools:")),
        f"{K}addons.karpenter.nodepools",
        "'nodePools'",
    ),
    bad(
        "timeslicing",
        "dev",
        sub(("      timeSlicing:", "      timeslicing:")),
        f"{K}addons.gpuOperator.timeslicing",
        "'timeSlicing'",
    ),
    bad(
        "retentionDays",
        "dev",
        sub(("      retention: 7d", "      retentionDays: 7")),
        f"{K}addons.monitoring.retentionDays",
        "'retention'",
    ),
    bad("kedaHTTP", "dev", sub(("    kedaHttp:", "    kedaHTTP:")), f"{K}addons.kedaHTTP", "'kedaHttp'"),
    bad(
        "gpuOperater",
        "dev",
        sub(("    gpuOperator:", "    gpuOperater:")),
        f"{K}addons.gpuOperater",
        "'gpuOperator'",
    ),
    bad(
        "nme-in-node-group",
        "dev",
        sub(("    - name: l4-spot", "    - nme: l4-spot")),
        f"{K}gpuNodeGroups[0].nme",
        "'name'",
    ),
    bad(
        "pools-beside-placement",
        "dev",
        sub(("        capacityType: either\n", "        capacityType: either\n      pools: [l4-spot]\n")),
        f"{K}models[0].pools",
        "placement",
    ),
]

TYPES = [
    bad(
        "unquoted-kubernetes-version",
        "dev",
        sub(('kubernetesVersion: "1.35"', "kubernetesVersion: 1.35")),
        f"{K}cluster.kubernetesVersion",
        'write it in quotes, "1.35"',
    ),
    bad(
        "kubernetes-version-1.30",
        "dev",
        sub(('kubernetesVersion: "1.35"', "kubernetesVersion: 1.30")),
        f"{K}cluster.kubernetesVersion",
        '"1.34", "1.35"',
    ),
    bad(
        "kubernetes-version-1.36",
        "dev",
        sub(('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.36"')),
        f"{K}cluster.kubernetesVersion",
        '"1.35"',
    ),
    bad(
        "sizeGib-200Gi",
        "dev",
        sub(("sizeGib: 200", "sizeGib: 200Gi")),
        f"{K}modelCache.sizeGib",
        "write the number alone, 200",
    ),
    bad(
        "diskSizeGib-150GB",
        "dev",
        sub(("diskSizeGib: 150", "diskSizeGib: 150GB")),
        f"{K}gpuNodeGroups[0].diskSizeGib",
        "150",
    ),
    bad(
        "storageGib-20Gi",
        "dev",
        sub(("storageGib: 20", "storageGib: 20Gi")),
        f"{K}addons.monitoring.storageGib",
        "20",
    ),
    bad(
        "sizeGib-2Ti",
        "dev",
        sub(("sizeGib: 200", "sizeGib: 2Ti")),
        f"{K}modelCache.sizeGib",
        "2048",
    ),
    bad(
        "maxModelLen-16k",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 16k")),
        f"{K}models[0].maxModelLen",
        "16384",
    ),
    bad(
        "gpuMemoryUtilization-45-percent",
        "dev",
        sub(("gpuMemoryUtilization: 0.45", "gpuMemoryUtilization: 45%")),
        f"{K}models[0].gpuMemoryUtilization",
        "0.45",
    ),
    bad(
        "retention-without-unit",
        "dev",
        sub(("retention: 7d", "retention: 7")),
        f"{K}addons.monitoring.retention",
        "15d",
    ),
    bad(
        "maxModelLen-thousands-separator",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 16,384")),
        f"{K}models[0].maxModelLen",
        "without separators, 16384",
    ),
    bad(
        "maxModelLen-fraction",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 16384.5")),
        f"{K}models[0].maxModelLen",
        "without a fraction",
    ),
    bad(
        "maxModelLen-empty",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen:")),
        f"{K}models[0].maxModelLen",
        "a whole number",
    ),
    bad(
        "zones-not-a-list",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "us-west-2a, us-west-2b")),
        f"{K}network.availabilityZones",
        "must be a list",
    ),
    bad(
        "instanceTypes-not-a-list",
        "prod",
        sub(("      instanceTypes: [g6e.12xlarge]\n", "      instanceTypes: g6e.12xlarge\n")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "must be a list",
    ),
    bad(
        "clientNamespaces-not-a-list",
        "dev",
        sub(("[playground]", "playground")),
        f"{K}access.clientNamespaces",
        "must be a list",
    ),
    bad(
        "replicas-a-number",
        "dev",
        sub(("replicas: {min: 0, max: 2}", "replicas: 2")),
        f"{K}models[0].replicas",
        "a section",
    ),
    bad(
        "placement-a-list",
        "prod",
        sub(
            (
                "      placement:\n        pools: [l40s-on-demand, gpu-on-demand]\n        capacityType: on-demand\n",
                "      placement: [l40s-on-demand, gpu-on-demand]\n",
            )
        ),
        f"{K}models[1].placement",
        "a section",
    ),
    bad(
        "extraArgs-a-string",
        "dev",
        dev_model("extraArgs: --enforce-eager"),
        f"{K}models[0].extraArgs",
        "must be a list",
    ),
    bad(
        "model-a-name",
        "dev",
        sub(("  llm-platform:models:\n", "  llm-platform:models:\n    - qwen3-8b\n")),
        f"{K}models[0]",
        "a section",
    ),
    bad(
        "empty-node-group-entry",
        "dev",
        sub(("  llm-platform:gpuNodeGroups:\n", "  llm-platform:gpuNodeGroups:\n    -\n")),
        f"{K}gpuNodeGroups[0]",
        "a section",
    ),
    bad(
        "models-empty",
        "dev",
        whole(lambda t: t.split("  llm-platform:models:")[0] + "  llm-platform:models:\n"),
        f"{K}models",
        "must be a list",
    ),
    bad(
        "capacityType-Spot",
        "dev",
        sub(("capacityType: spot\n      instanceTypes", "capacityType: Spot\n      instanceTypes")),
        f"{K}gpuNodeGroups[0].capacityType",
        "did you mean spot?",
    ),
    bad(
        "capacityType-on_demand",
        "prod",
        sub(
            (
                "capacityType: on-demand\n      instanceTypes: [g6e.12xlarge]\n",
                "capacityType: on_demand\n      instanceTypes: [g6e.12xlarge]\n",
            )
        ),
        f"{K}gpuNodeGroups[0].capacityType",
        "did you mean on-demand?",
    ),
    bad(
        "natGateways-perAZ",
        "prod",
        sub(("natGateways: perAz", "natGateways: perAZ")),
        f"{K}network.natGateways",
        "did you mean perAz?",
    ),
    bad(
        "natGateways-1",
        "dev",
        sub(("natGateways: single", "natGateways: 1")),
        f"{K}network.natGateways",
        "single, perAz",
    ),
    bad(
        "timeSlicing-fraction",
        "dev",
        sub(("l4-spot: 2\n", "l4-spot: 2.5\n")),
        f"{K}addons.gpuOperator.timeSlicing.l4-spot",
        "without a fraction",
    ),
    bad(
        "tensorParallelSize-quoted",
        "prod",
        prod_32b('tensorParallelSize: "2"'),
        f"{K}models[1].tensorParallelSize",
        "write 2 without quotes",
    ),
    bad(
        "tensorParallelSize-3",
        "prod",
        prod_32b("tensorParallelSize: 3"),
        f"{K}models[1].tensorParallelSize",
        "1, 2, 4, 8, auto",
    ),
    bad(
        "tensorParallelSize-Auto",
        "prod",
        prod_32b("tensorParallelSize: Auto"),
        f"{K}models[1].tensorParallelSize",
        "did you mean auto?",
    ),
    bad(
        "logRetentionDays-100",
        "dev",
        sub(("    deletionProtection: false", "    deletionProtection: false\n    logRetentionDays: 100")),
        f"{K}cluster.logRetentionDays",
        "90",
    ),
    bad(
        "logRetentionDays-quoted",
        "dev",
        sub(("    deletionProtection: false", '    deletionProtection: false\n    logRetentionDays: "30"')),
        f"{K}cluster.logRetentionDays",
        "write 30 without quotes",
    ),
    bad(
        "repository-url-number",
        "dev",
        sub(("    url: https://github.example.com/your-org/llm-platform", "    url: 5")),
        f"{K}repository.url",
        "write it in quotes",
    ),
    bad(
        "repository-missing",
        "dev",
        sub(("  llm-platform:repository:\n    url: https://github.example.com/your-org/llm-platform\n", "")),
        f"{K}repository",
        "required",
    ),
    bad(
        "repository-url-relative",
        "dev",
        sub(("    url: https://github.example.com/your-org/llm-platform", "    url: docs/runbooks.md")),
        f"{K}repository.url",
        "absolute https://",
    ),
    bad(
        "repository-url-with-a-token",
        "prod",
        sub(
            ("    url: https://github.example.com/", "    url: https://ghp_exampletoken@github.example.com/")
        ),
        f"{K}repository.url",
        "holds credentials",
        hidden=("ghp_exampletoken",),
    ),
    bad(
        "delivery-order-negative",
        "prod",
        sub(("    order: 100", "    order: -1")),
        f"{K}delivery.order",
        "at least 0",
    ),
    bad(
        "delivery-environment-with-a-space",
        "prod",
        sub(("    environment: production", "    environment: prod env")),
        f"{K}delivery.environment",
        "a GitHub environment name",
    ),
    bad(
        "networkPolicies-maybe",
        "dev",
        sub(("[playground]  #", "[playground]\n    networkPolicies: maybe  #")),
        f"{K}access.networkPolicies",
        "true or false",
    ),
    bad(
        "extraArgs-number-item",
        "dev",
        dev_model("extraArgs: [--seed, 42]"),
        f"{K}models[0].extraArgs[1]",
        'write it in quotes, "42"',
    ),
    bad(
        "sizeGib-40-digits",
        "dev",
        sub(("sizeGib: 200", "sizeGib: " + "1" + "0" * 39)),
        f"{K}modelCache.sizeGib",
        "at most 8,589,934,591",
    ),
    bad(
        "aws-region-a-list",
        "dev",
        sub(("aws:region: us-west-2", "aws:region: [us-west-2]")),
        "aws:region",
        "a list",
    ),
    # Quoted numbers and YAML 1.1 words for booleans: the CLI reads these as text (yaml.v3, YAML 1.2), the schema
    # documents integers and booleans, and literal choices refuse the same quoting ('write 2 without quotes').
    bad(
        "maxSize-quoted",
        "dev",
        sub(("      maxSize: 2\n", '      maxSize: "2"\n')),
        f"{K}gpuNodeGroups[0].maxSize",
        "without quotes",
    ),
    bad(
        "enabled-yes",
        "dev",
        sub(("    keda:\n      enabled: true", "    keda:\n      enabled: yes")),
        f"{K}addons.keda.enabled",
        "true or false",
    ),
    bad(
        "deletionProtection-quoted",
        "prod",
        sub(("deletionProtection: true", 'deletionProtection: "false"')),
        f"{K}cluster.deletionProtection",
        "true or false",
    ),
]

RANGES = [
    bad(
        "maxSize-500",
        "dev",
        sub(("      maxSize: 2\n", "      maxSize: 500\n")),
        f"{K}gpuNodeGroups[0].maxSize",
        "at most 100",
    ),
    bad(
        "minSize-negative",
        "dev",
        sub(("      minSize: 0\n", "      minSize: -1\n")),
        f"{K}gpuNodeGroups[0].minSize",
        "at least 0",
    ),
    bad(
        "minSize-above-maxSize",
        "dev",
        sub(("      minSize: 0\n", "      minSize: 3\n")),
        f"{K}gpuNodeGroups[0].maxSize",
        "raise it to at least 3",
    ),
    bad(
        "desiredSize-above-maxSize",
        "dev",
        sub(("      maxSize: 2\n", "      maxSize: 2\n      desiredSize: 5\n")),
        f"{K}gpuNodeGroups[0].desiredSize",
        "between minSize (0) and maxSize (2)",
    ),
    bad(
        "system-minSize-0",
        "dev",
        sub(("      minSize: 2\n      maxSize: 3", "      minSize: 0\n      maxSize: 3")),
        f"{K}cluster.systemNodeGroup.minSize",
        "at least 1",
    ),
    bad(
        "system-disk-10",
        "prod",
        sub(("      diskSizeGib: 80", "      diskSizeGib: 10")),
        f"{K}cluster.systemNodeGroup.diskSizeGib",
        "at least 20",
    ),
    bad(
        "gpu-disk-50",
        "dev",
        sub(("diskSizeGib: 150", "diskSizeGib: 50")),
        f"{K}gpuNodeGroups[0].diskSizeGib",
        "at least 100",
    ),
    bad(
        "gpu-disk-beyond-gp3",
        "dev",
        sub(("diskSizeGib: 150", "diskSizeGib: 20000")),
        f"{K}gpuNodeGroups[0].diskSizeGib",
        "at most 4,096",
    ),
    bad(
        "nodepool-disk-beyond-gp3",
        "dev",
        sub(("          weight: 80\n", "          weight: 80\n          diskSizeGib: 17000\n")),
        f"{K}addons.karpenter.nodePools[0].diskSizeGib",
        "at most 4,096",
    ),
    bad(
        "prometheus-disk-beyond-gp3",
        "dev",
        sub(("storageGib: 20", "storageGib: 20000")),
        f"{K}addons.monitoring.storageGib",
        "at most 16,384",
    ),
    bad(
        "prometheus-disk-5",
        "dev",
        sub(("storageGib: 20", "storageGib: 5")),
        f"{K}addons.monitoring.storageGib",
        "at least 10",
    ),
    bad("cache-size-0", "dev", sub(("sizeGib: 200", "sizeGib: 0")), f"{K}modelCache.sizeGib", "at least 1"),
    bad(
        "gpuLimit-0",
        "dev",
        sub(("gpuLimit: 4", "gpuLimit: 0")),
        f"{K}addons.karpenter.nodePools[0].gpuLimit",
        "at least 1",
    ),
    bad(
        "weight-101",
        "dev",
        sub(("weight: 80", "weight: 101")),
        f"{K}addons.karpenter.nodePools[0].weight",
        "at most 100",
    ),
    bad(
        "replicas-max-0",
        "prod",
        sub(("{min: 1, max: 4}", "{min: 1, max: 0}")),
        f"{K}models[1].replicas.max",
        "at least 1",
    ),
    bad(
        "replicas-min-above-max",
        "prod",
        sub(("{min: 1, max: 4}", "{min: 5, max: 4}")),
        f"{K}models[1].replicas.max",
        "raise it to at least 5",
    ),
    bad(
        "utilisation-0.99",
        "prod",
        prod_8b("gpuMemoryUtilization: 0.99"),
        f"{K}models[0].gpuMemoryUtilization",
        "at most 0.95",
    ),
    bad(
        "utilisation-0.05",
        "prod",
        prod_8b("gpuMemoryUtilization: 0.05"),
        f"{K}models[0].gpuMemoryUtilization",
        "at least 0.1",
    ),
    bad(
        "utilisation-as-percent",
        "prod",
        prod_8b("gpuMemoryUtilization: 90"),
        f"{K}models[0].gpuMemoryUtilization",
        "at most 0.95",
    ),
    bad(
        "utilisation-at-the-alert",
        "prod",
        prod_8b("gpuMemoryUtilization: 0.95"),
        f"{K}models[0].gpuMemoryUtilization",
        f"{K}alerts.gpuMemoryUsage",
    ),
    bad(
        "maxNumSeqs-0",
        "dev",
        sub(("maxNumSeqs: 32", "maxNumSeqs: 0")),
        f"{K}models[0].maxNumSeqs",
        "at least 1",
    ),
    bad(
        "maxNumSeqs-5000",
        "dev",
        sub(("maxNumSeqs: 32", "maxNumSeqs: 5000")),
        f"{K}models[0].maxNumSeqs",
        "at most 1,024",
    ),
    bad(
        "maxModelLen-100",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 100")),
        f"{K}models[0].maxModelLen",
        "at least 256",
    ),
    bad(
        "maxModelLen-2M",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 2000000")),
        f"{K}models[0].maxModelLen",
        "at most 1,048,576",
    ),
    bad(
        "minConcurrency-0",
        "dev",
        dev_model("minConcurrency: 0"),
        f"{K}models[0].minConcurrency",
        "at least 1",
    ),
    bad(
        "queueDepthPerReplica-0",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        queueDepthPerReplica: 0")),
        f"{K}models[0].autoscaling.queueDepthPerReplica",
        "at least 1",
    ),
    bad(
        "kvCacheUsage-0.3",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        kvCacheUsage: 0.3")),
        f"{K}models[0].autoscaling.kvCacheUsage",
        "at least 0.5",
    ),
    bad(
        "idleMinutesBeforeZero-2",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 2")),
        f"{K}models[0].autoscaling.idleMinutesBeforeZero",
        "at least 5",
    ),
    bad(
        "gpuQuota-0",
        "dev",
        append("  llm-platform:serving:\n    gpuQuota: 0\n"),
        f"{K}serving.gpuQuota",
        "at least 1",
    ),
]

NETWORK = [
    bad(
        "cidr-24", "dev", sub(("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/24")), f"{K}network.cidr", "/16 to /20"
    ),
    bad("cidr-8", "dev", sub(("cidr: 10.20.0.0/16", "cidr: 10.0.0.0/8")), f"{K}network.cidr", "/16 to /20"),
    bad(
        "cidr-public",
        "dev",
        sub(("cidr: 10.20.0.0/16", "cidr: 8.8.0.0/16")),
        f"{K}network.cidr",
        "private (RFC 1918)",
    ),
    bad(
        "cidr-shared-address-space",
        "dev",
        sub(("cidr: 10.20.0.0/16", "cidr: 100.64.0.0/16")),
        f"{K}network.cidr",
        "private (RFC 1918)",
    ),
    bad(
        "cidr-host-bits",
        "dev",
        sub(("cidr: 10.20.0.0/16", "cidr: 10.20.0.1/16")),
        f"{K}network.cidr",
        "no host bits set",
    ),
    bad(
        "cidr-without-prefix",
        "dev",
        sub(("cidr: 10.20.0.0/16", "cidr: 10.20.0.0")),
        f"{K}network.cidr",
        "/16 to /20",
    ),
    bad(
        "cidr-octet-300",
        "dev",
        sub(("cidr: 10.20.0.0/16", "cidr: 10.300.0.0/16")),
        f"{K}network.cidr",
        "e.g. 10.0.0.0/16",
    ),
    bad(
        "zones-of-another-region",
        "prod",
        sub(("[us-east-1a, us-east-1b, us-east-1c]", "[us-west-2a, us-west-2b, us-west-2c]")),
        f"{K}network.availabilityZones[0]",
        "it is in another region",
        "us-east-1a",
    ),
    bad(
        "zone-us-west-2z",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[us-west-2a, us-west-2z]")),
        f"{K}network.availabilityZones[1]",
        "us-west-2c",
    ),
    bad(
        "one-zone",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[us-west-2a]")),
        f"{K}network.availabilityZones",
        "at least 2",
    ),
    bad(
        "same-zone-twice",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[us-west-2a, us-west-2a]")),
        f"{K}network.availabilityZones",
        "duplicate entries: us-west-2a",
    ),
    bad(
        "region-as-zone",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[us-west-2, us-west-2b]")),
        f"{K}network.availabilityZones[0]",
        "e.g. us-west-2a",
    ),
    bad(
        "zone-ids",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[usw2-az1, usw2-az2]")),
        f"{K}network.availabilityZones[0]",
        "e.g. us-west-2a",
    ),
    bad(
        "zones-upper-case",
        "dev",
        sub(("[us-west-2a, us-west-2b]", "[us-west-2A, us-west-2B]")),
        f"{K}network.availabilityZones[0]",
        "e.g. us-west-2a",
    ),
    bad(
        "region-typo",
        "dev",
        sub(("aws:region: us-west-2", "aws:region: us-west2")),
        "aws:region",
        "did you mean us-west-2?",
    ),
    bad(
        "region-unsupported",
        "dev",
        sub(("aws:region: us-west-2", "aws:region: sa-east-1")),  # a commercial region the price source lacks
        "aws:region",
        "catalog/regions.py",
    ),
    bad("region-missing", "dev", sub(("  aws:region: us-west-2\n", "")), "aws:region", "required"),
    bad(
        "region-empty",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region:\n")),
        "aws:region",
        "e.g. us-west-2",
    ),
]

CLUSTER = [
    bad(
        "name-underscore", "dev", sub(("name: llm-dev", "name: llm_dev")), f"{K}cluster.name", "e.g. llm-prod"
    ),
    bad(
        "name-leading-digit",
        "dev",
        sub(("name: llm-dev", "name: 1llm-dev")),
        f"{K}cluster.name",
        "starting with a letter",
    ),
    bad(
        "name-101-characters",
        "dev",
        sub(("name: llm-dev", "name: " + "l" * 101)),
        f"{K}cluster.name",
        "at most 100 characters",
    ),
    bad(
        "name-missing", "dev", sub(("    name: llm-dev\n", "")), f"{K}cluster.name", "required key is missing"
    ),
    bad(
        "endpoint-reachable-by-nobody",
        "dev",
        sub(
            (
                "      privateAccess: true\n      publicAccess: true",
                "      privateAccess: false\n      publicAccess: false",
            )
        ),
        f"{K}cluster.endpoint.publicAccess",
        "set privateAccess: true",
    ),
    bad(
        "public-without-cidrs",
        "dev",
        sub(("      publicAccessCidrs: [198.51.100.0/24]\n", "")),
        f"{K}cluster.endpoint.publicAccess",
        "publicAccessCidrs",
    ),
    bad(
        "cidrs-without-public",
        "dev",
        sub(("      publicAccess: true", "      publicAccess: false")),
        f"{K}cluster.endpoint.publicAccessCidrs",
        "set publicAccess: true",
    ),
    bad(
        "endpoint-cidr-host-bits",
        "dev",
        sub(("[198.51.100.0/24]", "[198.51.100.7/24]")),
        f"{K}cluster.endpoint.publicAccessCidrs[0]",
        "no host bits set",
    ),
    bad(
        "admin-a-user",
        "prod",
        sub(("role/platform-admin", "user/alice")),
        f"{K}cluster.adminRoleArns[0]",
        ":role/<name>",
    ),
    bad(
        "admin-cyrillic-o",
        "prod",
        sub(("role/platform-admin", "r\u043ele/platform-admin")),
        f"{K}cluster.adminRoleArns[0]",
        "CYRILLIC SMALL LETTER O",
        "ASCII only",
    ),
    bad(
        "admin-11-digit-account",
        "prod",
        sub(("iam::123456789012:role/platform-admin", "iam::12345678901:role/platform-admin")),
        f"{K}cluster.adminRoleArns[0]",
        "12-digit account",
    ),
    bad(
        "admin-role-name-only",
        "prod",
        sub(("[arn:aws:iam::123456789012:role/platform-admin]", "[platform-admin]")),
        f"{K}cluster.adminRoleArns[0]",
        "arn:aws:iam::",
    ),
    bad(
        "supportType-lower-case",
        "prod",
        sub(("supportType: STANDARD", "supportType: standard")),
        f"{K}cluster.supportType",
        "did you mean STANDARD?",
    ),
    bad(
        "logTypes-controller",
        "dev",
        sub(
            (
                "    deletionProtection: false",
                "    deletionProtection: false\n    logTypes: [api, audit, controller]",
            )
        ),
        f"{K}cluster.logTypes[2]",
        "controllerManager",
    ),
    bad(
        "system-group-gpu-type",
        "dev",
        sub(("[m7i.large, m6i.large]", "[m7i.large, g6.xlarge]")),
        f"{K}cluster.systemNodeGroup.instanceTypes",
        "g6.xlarge",
    ),
    bad(
        "system-group-graviton",
        "dev",
        sub(("[m7i.large, m6i.large]", "[m7g.large]")),
        f"{K}cluster.systemNodeGroup.instanceTypes",
        "Graviton",
    ),
    bad(
        "system-group-type-typo",
        "dev",
        sub(("[m7i.large, m6i.large]", "[m7i.lrage]")),
        f"{K}cluster.systemNodeGroup.instanceTypes",
        "m7i.lrage",
    ),
]

AMI = [
    bad(
        "release-for-kubernetes-1.34",
        "dev",
        sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: 1.34.9-20260714")),
        f"{K}nodeAmi.releaseVersion",
        "pin a 1.35 release",
    ),
    bad(
        "release-latest",
        "dev",
        sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: latest")),
        f"{K}nodeAmi.releaseVersion",
        "1.35.6-20260714",
    ),
    bad(
        "release-bottlerocket-form",
        "dev",
        sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: 1.65.0-0be31b34")),
        f"{K}nodeAmi.releaseVersion",
        "not a release version of al2023",
    ),
    bad(
        "release-changelog-tag",
        "dev",
        sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: v20260714")),
        f"{K}nodeAmi.releaseVersion",
        "1.35.6-20260714",
    ),
    bad(
        "release-an-ami-id",
        "dev",
        sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: ami-0123456789abcdef0")),
        f"{K}nodeAmi.releaseVersion",
        "1.35.6-20260714",
    ),
    bad(
        "release-missing",
        "dev",
        sub(("    releaseVersion: 1.35.6-20260714\n", "")),
        f"{K}nodeAmi.releaseVersion",
        "required key is missing",
    ),
    bad(
        "family-upper-case",
        "dev",
        sub(("family: al2023", "family: AL2023")),
        f"{K}nodeAmi.family",
        "did you mean al2023?",
    ),
    bad(
        "family-amazon-linux-2",
        "dev",
        sub(("family: al2023", "family: amazon-linux-2")),
        f"{K}nodeAmi.family",
        "al2023, bottlerocket",
    ),
    bad(
        "bottlerocket-with-time-slicing",
        "dev",
        sub(
            (
                "family: al2023\n    releaseVersion: 1.35.6-20260714",
                "family: bottlerocket\n    releaseVersion: 1.65.0-0be31b34",
            )
        ),
        f"{K}addons.gpuOperator.timeSlicing",
        "use al2023 or remove timeSlicing",
    ),
    bad(
        "release-with-an-impossible-date",
        "dev",
        sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: 1.35.6-20269999")),
        f"{K}nodeAmi.releaseVersion",
        "1.35.6-20260714",
    ),
    bad(
        "family-bottlerocket-release-still-al2023",
        "prod",
        sub(("family: al2023", "family: bottlerocket")),
        f"{K}nodeAmi.releaseVersion",
        "1.65.0-0be31b34",
    ),
]

NODE_GROUPS = [
    bad(
        "mixed-gpu-models",
        "dev",
        sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[g6.xlarge, g5.xlarge]")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "split it into several groups",
    ),
    bad(
        "unknown-type",
        "dev",
        sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[g7.xlarge]")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "g7.xlarge",
    ),
    bad(
        "type-typo",
        "dev",
        sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[g6.xlarg, g6.2xlarge]")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "g6.xlarg",
    ),
    bad(
        "cpu-type-as-gpu",
        "dev",
        sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[m7i.large]")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "not in the GPU instance catalog",
    ),
    bad(
        "no-types",
        "dev",
        sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[]")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "at least 1",
    ),
    bad(
        "type-twice",
        "dev",
        sub(("[g6.xlarge, g6.2xlarge, g6.4xlarge]", "[g6.xlarge, g6.xlarge]")),
        f"{K}gpuNodeGroups[0].instanceTypes",
        "duplicate entries",
    ),
    bad(
        "duplicate-names",
        "dev",
        sub(
            (
                "  llm-platform:modelCache:",
                "    - name: l4-spot\n      capacityType: on-demand\n      instanceTypes: [g6.xlarge]\n      minSize: 0\n      maxSize: 1\n  llm-platform:modelCache:",
            )
        ),
        f"{K}gpuNodeGroups[1].name",
        f"already used by {K}gpuNodeGroups[0]",
    ),
    bad(
        "name-upper-case",
        "dev",
        sub(("    - name: l4-spot", "    - name: L4-Spot")),
        f"{K}gpuNodeGroups[0].name",
        "lower-case",
    ),
    bad(
        "name-31-characters",
        "dev",
        sub(("    - name: l4-spot", "    - name: l4-spot-us-west-2-dev-team-blue")),
        f"{K}gpuNodeGroups[0].name",
        "at most 30",
    ),
    bad(
        "name-underscore",
        "dev",
        sub(("    - name: l4-spot", "    - name: l4_spot")),
        f"{K}gpuNodeGroups[0].name",
        "lower-case letters, digits and '-'",
    ),
    bad(
        "capacityType-missing",
        "dev",
        sub(("      capacityType: spot\n      instanceTypes: [g6.x", "      instanceTypes: [g6.x")),
        f"{K}gpuNodeGroups[0].capacityType",
        "required key is missing",
    ),
    bad(
        "label-value-with-space",
        "dev",
        dev_label("{team: search team}"),
        f"{K}gpuNodeGroups[0].labels.team",
        "e.g. search",
    ),
    bad(
        "label-key-bad",
        "dev",
        dev_label("{Team_/x: a}"),
        f"{K}gpuNodeGroups[0].labels.Team_/x",
        "example.com/team",
    ),
    bad("labels-a-list", "dev", dev_label("[team=search]"), f"{K}gpuNodeGroups[0].labels", "a map"),
    bad(
        "label-node-role",
        "dev",
        dev_label('{node-role.kubernetes.io/gpu: "true"}'),
        f"{K}gpuNodeGroups[0].labels",
        "kubernetes.io",
    ),
    bad(
        "label-overrides-the-pool-label",
        "dev",
        dev_label("{llm-platform.io/pool: batch}"),
        f"{K}gpuNodeGroups[0].labels",
        "llm-platform.io/pool",
    ),
    bad(
        "gpu-group-named-system",
        "dev",
        chain(
            sub(("    - name: l4-spot", "    - name: system")),
            sub(("pools: [l4-spot,", "pools: [system,")),
            sub(("        l4-spot: 2", "        system: 2")),
        ),
        f"{K}gpuNodeGroups[0].name",
        "system",
    ),
]

KARPENTER = [
    bad(
        "no-node-pools",
        "dev",
        whole(
            lambda t: (
                t.split("      nodePools:\n")[0]
                + "      nodePools: []\n    keda:"
                + t.split("    keda:", 1)[1]
            )
        ),
        f"{K}addons.karpenter.nodePools",
        "declares no NodePool",
    ),
    bad(
        "duplicate-names",
        "dev",
        sub(("        - name: gpu-on-demand", "        - name: gpu-spot")),
        f"{K}addons.karpenter.nodePools[1].name",
        "used by an earlier NodePool",
    ),
    bad(
        "named-like-a-node-group",
        "dev",
        sub(("        - name: gpu-on-demand", "        - name: l4-spot")),
        f"{K}addons.karpenter.nodePools[1].name",
        "already a managed node group name",
    ),
    bad(
        "named-system",
        "dev",
        sub(("        - name: gpu-on-demand", "        - name: system")),
        f"{K}addons.karpenter.nodePools[1].name",
        "'system'",
    ),
    bad(
        "families-mix-gpus",
        "prod",
        sub(
            (
                "instanceFamilies: [g6e]\n          gpuLimit: 32",
                "instanceFamilies: [g6e, g6]\n          gpuLimit: 32",
            )
        ),
        f"{K}addons.karpenter.nodePools[0].instanceFamilies",
        "mix GPU models",
    ),
    bad(
        "unknown-family",
        "dev",
        sub(
            ("instanceFamilies: [g6]\n          gpuLimit: 4", "instanceFamilies: [g7]\n          gpuLimit: 4")
        ),
        f"{K}addons.karpenter.nodePools[0].instanceFamilies",
        "g7",
    ),
    bad(
        "cpu-family",
        "dev",
        sub(
            (
                "instanceFamilies: [g6]\n          gpuLimit: 4",
                "instanceFamilies: [m7i]\n          gpuLimit: 4",
            )
        ),
        f"{K}addons.karpenter.nodePools[0].instanceFamilies",
        "m7i",
    ),
    bad(
        "type-as-family",
        "dev",
        sub(
            (
                "instanceFamilies: [g6]\n          gpuLimit: 4",
                "instanceFamilies: [g6.xlarge]\n          gpuLimit: 4",
            )
        ),
        f"{K}addons.karpenter.nodePools[0].instanceFamilies",
        "g6.xlarge",
    ),
    bad(
        "capacityType-either",
        "dev",
        sub(
            (
                "        - name: gpu-spot\n          capacityType: spot",
                "        - name: gpu-spot\n          capacityType: either",
            )
        ),
        f"{K}addons.karpenter.nodePools[0].capacityType",
        "on-demand, spot",
    ),
    bad(
        "expireAfter-30d",
        "prod",
        sub(("weight: 80\n          expireAfter: 720h", "weight: 80\n          expireAfter: 30d")),
        f"{K}addons.karpenter.nodePools[0].expireAfter",
        "720h",
    ),
    bad(
        "expireAfter-never",
        "prod",
        sub(("weight: 80\n          expireAfter: 720h", "weight: 80\n          expireAfter: never")),
        f"{K}addons.karpenter.nodePools[0].expireAfter",
        "did you mean Never?",
    ),
    bad(
        "expireAfter-1h30",
        "prod",
        sub(("weight: 80\n          expireAfter: 720h", "weight: 80\n          expireAfter: 1h30")),
        f"{K}addons.karpenter.nodePools[0].expireAfter",
        "1h30m",
    ),
    bad(
        "expireAfter-no-unit",
        "prod",
        sub(("weight: 80\n          expireAfter: 720h", "weight: 80\n          expireAfter: 720")),
        f"{K}addons.karpenter.nodePools[0].expireAfter",
        "720h",
    ),
    bad(
        "expireAfter-0h",
        "prod",
        sub(("weight: 80\n          expireAfter: 720h", "weight: 80\n          expireAfter: 0h")),
        f"{K}addons.karpenter.nodePools[0].expireAfter",
        "Never",
    ),
    bad(
        "consolidateAfter-in-words",
        "dev",
        sub(("          weight: 80\n", "          weight: 80\n          consolidateAfter: 10 minutes\n")),
        f"{K}addons.karpenter.nodePools[0].consolidateAfter",
        "10m",
    ),
]

TIME_SLICING = [
    bad(
        "unknown-pool",
        "dev",
        sub(("l4-spot: 2\n", "l4-spto: 2\n")),
        f"{K}addons.gpuOperator.timeSlicing.l4-spto",
        "have: gpu-on-demand, gpu-spot, l4-spot",
    ),
    bad(
        "one-slice",
        "dev",
        sub(("l4-spot: 2\n", "l4-spot: 1\n")),
        f"{K}addons.gpuOperator.timeSlicing.l4-spot",
        "at least 2",
    ),
    bad(
        "64-slices",
        "dev",
        sub(("l4-spot: 2\n", "l4-spot: 64\n")),
        f"{K}addons.gpuOperator.timeSlicing.l4-spot",
        "at most 48",
    ),
    bad(
        "upper-case-pool",
        "dev",
        sub(("l4-spot: 2\n", "L4-spot: 2\n")),
        f"{K}addons.gpuOperator.timeSlicing.L4-spot",
        "lower-case",
    ),
    bad(
        "a-list",
        "dev",
        sub(("        l4-spot: 2\n", "        - l4-spot\n")),
        f"{K}addons.gpuOperator.timeSlicing",
        "a map",
    ),
    bad(
        "empty-value",
        "dev",
        sub(("l4-spot: 2\n", "l4-spot:\n")),
        f"{K}addons.gpuOperator.timeSlicing.l4-spot",
        "a whole number",
    ),
    bad(
        "without-the-gpu-operator",
        "dev",
        sub(("    gpuOperator:\n      enabled: true", "    gpuOperator:\n      enabled: false")),
        f"{K}addons.gpuOperator.timeSlicing",
        "set gpuOperator.enabled to true",
    ),
    bad(
        "utilisation-too-high-for-the-slices",
        "dev",
        sub(("gpuMemoryUtilization: 0.45", "gpuMemoryUtilization: 0.5")),
        f"{K}models[0].gpuMemoryUtilization",
        "use at most 0.47",
    ),
]

MODELS = [
    bad(
        "unknown-pool",
        "dev",
        sub(("pools: [l4-spot, gpu-spot,", "pools: [l4-spto, gpu-spot,")),
        f"{K}models[0].placement.pools",
        "no GPU pool named l4-spto",
    ),
    bad(
        "pools-with-different-gpus",
        "prod",
        sub(
            (
                "instanceFamilies: [g6e]\n          gpuLimit: 32",
                "instanceFamilies: [g6]\n          gpuLimit: 32",
            )
        ),
        f"{K}models[0].placement.pools",
        "list pools of the same GPU",
    ),
    bad(
        "no-pools",
        "dev",
        sub(("pools: [l4-spot, gpu-spot, gpu-on-demand]", "pools: []")),
        f"{K}models[0].placement.pools",
        "at least 1",
    ),
    bad(
        "pool-twice",
        "dev",
        sub(("pools: [l4-spot, gpu-spot, gpu-on-demand]", "pools: [l4-spot, l4-spot]")),
        f"{K}models[0].placement.pools",
        "duplicate entries",
    ),
    bad(
        "spot-on-on-demand-pools",
        "prod",
        sub(
            (
                "pools: [l40s-on-demand, gpu-on-demand]\n        capacityType: on-demand",
                "pools: [l40s-on-demand, gpu-on-demand]\n        capacityType: spot",
            )
        ),
        f"{K}models[1].placement.capacityType",
        "provides spot capacity",
    ),
    bad(
        "source-not-in-the-catalog",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: hf://Qwen/Qwen3-0.7B")),
        f"{K}models[0].source",
        "architecture:",
    ),
    bad(
        "architecture-not-in-the-catalog",
        "dev",
        dev_model("architecture: qwen3-7b"),
        f"{K}models[0].architecture",
        "qwen3-8b",
    ),
    bad(
        "architecture-half-written",
        "dev",
        dev_model("architecture: {paramsB: 0.6, layers: 28}"),
        f"{K}models[0].architecture.hiddenSize",
        "required key is missing",
    ),
    bad(
        "does-not-fit",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: hf://Qwen/Qwen3-32B")),
        f"{K}models[0].maxModelLen",
        "does not fit",
        "Ways out",
    ),
    bad(
        "tp-2-on-one-gpu-nodes",
        "dev",
        dev_model("tensorParallelSize: 2"),
        f"{K}models[0].placement.pools",
        "set a smaller tensorParallelSize",
    ),
    bad(
        "tp-8-on-four-gpu-nodes",
        "prod",
        prod_32b("tensorParallelSize: 8"),
        f"{K}models[1].placement.pools",
        "at most 4 GPUs per node",
    ),
    bad(
        "maxModelLen-beyond-the-context",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 65536")),
        f"{K}models[0].maxModelLen",
        "maxModelLen <= 40960",
    ),
    bad(
        "ropeScaling-too-short",
        "dev",
        sub(("maxModelLen: 16384", "maxModelLen: 200000\n      ropeScaling: {type: yarn, factor: 4}")),
        f"{K}models[0].maxModelLen",
        "ropeScaling.factor >= 4.88",
    ),
    bad(
        "ropeScaling-factor-1",
        "dev",
        dev_model("ropeScaling: {factor: 1}"),
        f"{K}models[0].ropeScaling.factor",
        "more than 1",
    ),
    bad(
        "ropeScaling-longrope",
        "dev",
        dev_model("ropeScaling: {type: longrope, factor: 2}"),
        f"{K}models[0].ropeScaling.type",
        "yarn, linear, dynamic",
    ),
    bad(
        "ropeScaling-empty",
        "dev",
        dev_model("ropeScaling: {}"),
        f"{K}models[0].ropeScaling.factor",
        "required key is missing",
    ),
    bad(
        "ropeScaling-on-a-llama",
        "prod",
        chain(
            sub(("source: hf://Qwen/Qwen3-8B", "source: hf://deepseek-ai/DeepSeek-R1-Distill-Llama-8B")),
            prod_8b("ropeScaling: {factor: 2}"),
        ),
        f"{K}models[0].ropeScaling",
        "Remove ropeScaling",
    ),
    bad(
        "fp8-kv-cache-on-t4",
        "dev",
        chain(T4, dev_model("kvCacheDtype: fp8")),
        f"{K}models[0].kvCacheDtype",
        "kvCacheDtype: auto",
    ),
    bad(
        "bfloat16-on-t4", "dev", chain(T4, dev_model("dtype: bfloat16")), f"{K}models[0].dtype", "dtype: auto"
    ),
    bad("quantization-fp4", "dev", dev_model("quantization: fp4"), f"{K}models[0].quantization", "fp8"),
    bad("dtype-half", "dev", dev_model("dtype: half"), f"{K}models[0].dtype", "float16"),
    bad(
        "kvCacheDtype-fp16", "dev", dev_model("kvCacheDtype: fp16"), f"{K}models[0].kvCacheDtype", "auto, fp8"
    ),
    bad(
        "name-63-characters",
        "dev",
        sub(("    - name: qwen3-0-6b", "    - name: " + "q" * 63)),
        f"{K}models[0].name",
        "at most 40 characters",
    ),
    bad(
        "name-with-a-dot",
        "dev",
        sub(("    - name: qwen3-0-6b", "    - name: qwen3-0.6b")),
        f"{K}models[0].name",
        "e.g. qwen3-8b",
    ),
    bad(
        "name-upper-case",
        "dev",
        sub(("    - name: qwen3-0-6b", "    - name: Qwen3-0-6b")),
        f"{K}models[0].name",
        "lower-case",
    ),
    bad(
        "name-of-another-models-proxy",
        "dev",
        second_dev_model("qwen3-0-6b-proxy"),
        f"{K}models[1].name",
        "scale-to-zero proxy Service",
        "rename one of them",
    ),
    bad(
        "same-name-twice",
        "dev",
        second_dev_model("qwen3-0-6b"),
        f"{K}models[1].name",
        "already used by an earlier model",
    ),
    bad(
        "revision-missing",
        "dev",
        sub(("      revision: c1899de289a04d12100db370d81485cdf75e47ca\n", "")),
        f"{K}models[0].revision",
        "40-character commit sha",
    ),
    bad(
        "revision-for-s3",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: s3://my-models/qwen3-0.6b")),
        f"{K}models[0].revision",
        "only for hf://",
    ),
    bad(
        "revision-a-branch",
        "dev",
        sub(("revision: c1899de289a04d12100db370d81485cdf75e47ca", "revision: main")),
        f"{K}models[0].revision",
        "not a branch",
    ),
    bad(
        "revision-short-sha",
        "dev",
        sub(("revision: c1899de289a04d12100db370d81485cdf75e47ca", "revision: c1899de")),
        f"{K}models[0].revision",
        "full 40-character",
    ),
    bad(
        "revision-upper-case",
        "dev",
        sub(
            (
                "revision: c1899de289a04d12100db370d81485cdf75e47ca",
                "revision: C1899DE289A04D12100DB370D81485CDF75E47CA",
            )
        ),
        f"{K}models[0].revision",
        "lower-case hex",
    ),
    bad(
        "source-without-hf",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: Qwen/Qwen3-0.6B")),
        f"{K}models[0].source",
        "hf://<org>/<model>",
    ),
    bad(
        "source-a-url",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: https://huggingface.co/Qwen/Qwen3-0.6B")),
        f"{K}models[0].source",
        "hf://<org>/<model>",
    ),
    bad(
        "source-without-org",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: hf://Qwen3-0.6B")),
        f"{K}models[0].source",
        "e.g. hf://Qwen/Qwen3-8B",
    ),
    bad(
        "image-latest",
        "dev",
        dev_model("image: vllm/vllm-openai:latest"),
        f"{K}models[0].image",
        "use a version tag or a digest",
    ),
    bad(
        "image-without-tag",
        "dev",
        dev_model("image: vllm/vllm-openai"),
        f"{K}models[0].image",
        "no tag or digest",
    ),
    bad(
        "image-upper-case",
        "dev",
        dev_model("image: vllm/VLLM-openai:v0.31.0"),
        f"{K}models[0].image",
        "e.g. vllm/vllm-openai:v0.31.0",
    ),
    bad(
        "image-short-digest",
        "dev",
        dev_model("image: vllm/vllm-openai@sha256:abc"),
        f"{K}models[0].image",
        "not an image reference",
    ),
    bad(
        "image-cyrillic-o",
        "dev",
        dev_model("image: vllm/vllm-\u043epenai:v0.31.0"),
        f"{K}models[0].image",
        "CYRILLIC SMALL LETTER O",
    ),
    bad(
        "gated-without-a-token",
        "dev",
        sub(("source: hf://Qwen/Qwen3-0.6B", "source: hf://meta-llama/Llama-3.1-8B-Instruct")),
        f"{K}models[0].source",
        "pulumi config set --secret llm-platform:huggingFaceToken",
    ),
]

EXTRA_ARGS = [
    bad(
        "underscores-and-equals",
        "dev",
        extra_args("--max_model_len=8192"),
        f"{K}models[0].extraArgs",
        "set the model's `maxModelLen` instead",
    ),
    bad(
        "short-tp",
        "dev",
        extra_args("-tp", "2"),
        f"{K}models[0].extraArgs",
        "set the model's `tensorParallelSize` instead",
    ),
    bad(
        "flag-and-value-in-one-item",
        "dev",
        extra_args("--max-model-len 4096"),
        f"{K}models[0].extraArgs",
        "as two items",
    ),
    bad(
        "abbreviation",
        "dev",
        extra_args("--max-model", "4096"),
        f"{K}models[0].extraArgs",
        "vLLM reads it as `--max-model-len`",
    ),
    bad(
        "abbreviated-utilisation",
        "dev",
        extra_args("--gpu-memory-util=0.5"),
        f"{K}models[0].extraArgs",
        "set the model's `gpuMemoryUtilization` instead",
    ),
    bad(
        "ambiguous-abbreviation",
        "dev",
        extra_args("--max", "8"),
        f"{K}models[0].extraArgs",
        "write the flag in full",
    ),
    bad(
        "served-model-name",
        "dev",
        extra_args("--served-model-name", "foo"),
        f"{K}models[0].extraArgs",
        "set the model's `name` instead",
    ),
    bad("port", "dev", extra_args("--port=9000"), f"{K}models[0].extraArgs", "8000"),
    bad(
        "quantization",
        "dev",
        extra_args("--quantization", "fp8"),
        f"{K}models[0].extraArgs",
        "set the model's `quantization` instead",
    ),
    bad(
        "dtype",
        "dev",
        extra_args("--dtype=half"),
        f"{K}models[0].extraArgs",
        "set the model's `dtype` instead",
    ),
    bad("model", "dev", extra_args("--model", "Qwen/Qwen3-8B"), f"{K}models[0].extraArgs", "`source`"),
    bad("revision", "dev", extra_args("--revision", "main"), f"{K}models[0].extraArgs", "`revision`"),
    bad(
        "hf-overrides-dotted",
        "dev",
        extra_args("--hf-overrides.rope_scaling.factor", "4"),
        f"{K}models[0].extraArgs",
        "`ropeScaling`",
    ),
    bad(
        "pipeline-parallel",
        "dev",
        extra_args("--pipeline-parallel-size=2"),
        f"{K}models[0].extraArgs",
        "more GPUs than the pod gets",
    ),
    bad("lora", "dev", extra_args("--enable-lora"), f"{K}models[0].extraArgs", "sizing does not count"),
    bad(
        "api-key-glued",
        "dev",
        extra_args(f"--api-key={OPENAI_KEY}"),
        f"{K}models[0].extraArgs",
        "clientNamespaces",
        hidden=(OPENAI_KEY, OPENAI_KEY[:12]),
    ),
    bad(
        "api-key-separate",
        "dev",
        extra_args("--api-key", OPENAI_KEY),
        f"{K}models[0].extraArgs",
        "<redacted>",
        hidden=(OPENAI_KEY,),
    ),
    bad(
        "hf-token",
        "dev",
        extra_args("--hf-token", HF_TOKEN),
        f"{K}models[0].extraArgs",
        f"{K}huggingFaceToken",
        hidden=(HF_TOKEN,),
    ),
    bad(
        "password-in-a-json-value",
        "dev",
        extra_args("--default-chat-template-kwargs", '{"api_key": "p4ssw0rd-XyZ-9981"}'),
        f"{K}models[0].extraArgs",
        "pulumi config set --secret",
        hidden=("p4ssw0rd-XyZ-9981",),
    ),
    bad(
        "unknown-flag",
        "dev",
        extra_args("--enable-turbo"),
        f"{K}models[0].extraArgs",
        "has no flag `--enable-turbo`",
    ),
    bad(
        "misspelt-flag",
        "dev",
        extra_args("--enforce-eagre"),
        f"{K}models[0].extraArgs",
        "did you mean `--enforce-eager`?",
    ),
    bad("O-alone", "dev", extra_args("-O"), f"{K}models[0].extraArgs", "`-O3`"),
    bad(
        "double-dash",
        "dev",
        extra_args("--", "--enforce-eager"),
        f"{K}models[0].extraArgs",
        "ends vLLM's flags",
    ),
    bad("positional", "dev", extra_args("enforce-eager"), f"{K}models[0].extraArgs", "a positional argument"),
    bad(
        "batched-tokens-16k",
        "dev",
        extra_args("--max-num-batched-tokens", "16k"),
        f"{K}models[0].extraArgs",
        "a plain number of tokens",
    ),
    bad(
        "batched-tokens-underscores",
        "dev",
        extra_args("--max_num_batched_tokens=8192"),
        f"{K}models[0].extraArgs",
        "only as `--max-num-batched-tokens`",
    ),
    bad(
        "flag-without-its-value",
        "dev",
        extra_args("--max-num-batched-tokens"),
        f"{K}models[0].extraArgs",
        "needs a value",
    ),
    bad(
        "value-on-a-switch", "dev", extra_args("--enforce-eager=true"), f"{K}models[0].extraArgs", "drop `=…`"
    ),
    bad("negative-number-alone", "dev", extra_args("-0.5"), f"{K}models[0].extraArgs", "`--flag=-0.5`"),
    bad("null-item", "dev", dev_model("extraArgs: [null]"), f"{K}models[0].extraArgs[0]", "must be text"),
]

AUTOSCALING = [
    bad(
        "scale-to-zero-without-the-http-add-on",
        "dev",
        sub(("    kedaHttp:\n      enabled: true", "    kedaHttp:\n      enabled: false")),
        f"{K}models[0].autoscaling.scaleToZero",
        f"set {K}addons.kedaHttp.enabled to true",
    ),
    bad(
        "min-0-without-scale-to-zero",
        "dev",
        sub(("scaleToZero: true", "scaleToZero: false")),
        f"{K}models[0].replicas.min",
        "keep min >= 1",
    ),
    bad(
        "ttft-2",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        ttftP95Seconds: 2")),
        f"{K}models[0].autoscaling.ttftP95Seconds",
        "use 1 or 2.5",
    ),
    bad(
        "ttft-3",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        ttftP95Seconds: 3")),
        f"{K}models[0].autoscaling.ttftP95Seconds",
        "use 2.5 or 5",
    ),
    bad(
        "ttft-with-unit",
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        ttftP95Seconds: 2.5s")),
        f"{K}models[0].autoscaling.ttftP95Seconds",
        "2.5",
    ),
    bad(
        "timezone-typo",
        "prod",
        warm_window(tz="Europe/Berlln"),
        f"{K}models[0].autoscaling.warmWindows[0].timezone",
        "did you mean Europe/Berlin?",
    ),
    bad(
        "timezone-lower-case",
        "prod",
        warm_window(tz="europe/berlin"),
        f"{K}models[0].autoscaling.warmWindows[0].timezone",
        "did you mean Europe/Berlin?",
    ),
    bad(
        "timezone-PST",
        "prod",
        warm_window(tz="PST"),
        f"{K}models[0].autoscaling.warmWindows[0].timezone",
        "America/Los_Angeles",
    ),
    bad(
        "timezone-UTC+1",
        "prod",
        warm_window(tz="UTC+1"),
        f"{K}models[0].autoscaling.warmWindows[0].timezone",
        "Etc/GMT-1",
    ),
    bad(
        "cron-sunday-7",
        "prod",
        warm_window(start="0 8 * * 1-7"),
        f"{K}models[0].autoscaling.warmWindows[0].start",
        "out of range 0-6",
    ),
    bad(
        "cron-descriptor",
        "prod",
        warm_window(start="@daily"),
        f"{K}models[0].autoscaling.warmWindows[0].start",
        "five-field",
    ),
    bad(
        "cron-hour-25",
        "prod",
        warm_window(start="0 25 * * *"),
        f"{K}models[0].autoscaling.warmWindows[0].start",
        "out of range 0-23",
    ),
    bad(
        "cron-never-fires",
        "prod",
        warm_window(start="0 8 30 2 *"),
        f"{K}models[0].autoscaling.warmWindows[0].start",
        "never fires",
    ),
    bad(
        "cron-six-fields",
        "prod",
        warm_window(start="0 0 8 * * 1-5"),
        f"{K}models[0].autoscaling.warmWindows[0].start",
        "five-field",
    ),
    bad(
        "cron-backwards",
        "prod",
        warm_window(start="0 8 * * 5-1"),
        f"{K}models[0].autoscaling.warmWindows[0].start",
        "write the lower bound first",
    ),
    bad(
        "window-ends-at-its-start",
        "prod",
        warm_window(end="0 8 * * 1-5"),
        f"{K}models[0].autoscaling.warmWindows[0].end",
        "end at another time",
    ),
    bad(
        "window-0-replicas",
        "prod",
        warm_window(n=0),
        f"{K}models[0].autoscaling.warmWindows[0].replicas",
        "at least 1",
    ),
    bad(
        "window-above-replicas-max",
        "prod",
        warm_window(n=20),
        f"{K}models[0].autoscaling.warmWindows[0].replicas",
        "replicas.max",
    ),
]

ACCESS = [
    bad(
        "client-kube-system",
        "dev",
        sub(("[playground]", "[kube-system]")),
        f"{K}access.clientNamespaces[0]",
        "name the namespaces of the apps",
    ),
    bad(
        "client-monitoring",
        "dev",
        sub(("[playground]", "[playground, monitoring]")),
        f"{K}access.clientNamespaces[1]",
        "reserved",
    ),
    bad(
        "client-the-inference-namespace",
        "dev",
        sub(("[playground]", "[playground, inference]")),
        f"{K}access.clientNamespaces[1]",
        f"{K}modelCache.namespace",
    ),
    bad(
        "client-upper-case",
        "dev",
        sub(("[playground]", "[Playground]")),
        f"{K}access.clientNamespaces[0]",
        "lower-case",
    ),
    bad(
        "client-twice",
        "dev",
        sub(("[playground]", "[playground, playground]")),
        f"{K}access.clientNamespaces",
        "duplicate entries: playground",
    ),
    bad(
        "role-app-team-and-read-only",
        "prod",
        sub(("role/github-preview]", "role/search-team]")),
        f"{K}access.readOnlyRoleArns[0]",
        "one access entry per role",
    ),
    bad(
        "role-admin-and-read-only",
        "prod",
        sub(("role/github-preview]", "role/platform-admin]")),
        f"{K}access.readOnlyRoleArns[0]",
        f"{K}cluster.adminRoleArns",
    ),
    bad(
        "app-team-a-user",
        "prod",
        sub(("[arn:aws:iam::123456789012:role/search-team]", "[arn:aws:iam::123456789012:user/search-team]")),
        f"{K}access.appTeamRoleArns[0]",
        ":role/<name>",
    ),
]

ALERTS = [
    bad(
        "ttft-not-a-bucket-edge",
        "dev",
        append("  llm-platform:alerts:\n    ttftP95Seconds: 2\n"),
        f"{K}alerts.ttftP95Seconds",
        "use 1 or 2.5",
    ),
    bad(
        "gpu-temperature-150",
        "dev",
        append("  llm-platform:alerts:\n    gpuTemperatureCelsius: 150\n"),
        f"{K}alerts.gpuTemperatureCelsius",
        "at most 110",
    ),
    bad(
        "kv-cache-1.2",
        "dev",
        append("  llm-platform:alerts:\n    kvCacheUsage: 1.2\n"),
        f"{K}alerts.kvCacheUsage",
        "at most 1",
    ),
    bad(
        "queue-depth-0",
        "dev",
        append("  llm-platform:alerts:\n    queueDepth: 0\n"),
        f"{K}alerts.queueDepth",
        "at least 1",
    ),
    bad(
        "output-drift-0",
        "dev",
        append("  llm-platform:alerts:\n    outputLengthDrift: 0\n"),
        f"{K}alerts.outputLengthDrift",
        "more than 0",
    ),
    bad(
        "gpu-memory-below-the-utilisation",
        "prod",
        append("  llm-platform:alerts:\n    gpuMemoryUsage: 0.85\n"),
        f"{K}alerts.gpuMemoryUsage",
        "always fire",
    ),
]

SECRETS = [
    bad(
        "plain-grafana-password",
        "dev",
        append(f"  llm-platform:grafanaAdminPassword: {GRAFANA_PASSWORD}\n"),
        f"{K}grafanaAdminPassword",
        f"pulumi config set --secret {K}grafanaAdminPassword",
        hidden=(GRAFANA_PASSWORD,),
    ),
    bad(
        "plain-numeric-grafana-password",
        "dev",
        append("  llm-platform:grafanaAdminPassword: 31415926535\n"),
        f"{K}grafanaAdminPassword",
        "--secret",
        hidden=("31415926535",),
    ),
    bad(
        "plain-hugging-face-token",
        "dev",
        append(f"  llm-platform:huggingFaceToken: {HF_TOKEN}\n"),
        f"{K}huggingFaceToken",
        f"pulumi config set --secret {K}huggingFaceToken",
        hidden=(HF_TOKEN, HF_TOKEN[:10]),
    ),
    bad(
        "hugging-face-token-in-a-map",
        "dev",
        append(f"  llm-platform:huggingFaceToken:\n    token: {HF_TOKEN}\n"),
        f"{K}huggingFaceToken",
        "--secret",
        hidden=(HF_TOKEN,),
    ),
    bad(
        "section-encrypted-whole",
        "dev",
        sub(
            (
                "  llm-platform:access:\n    clientNamespaces: [playground]  # pods allowed to call the models; every other caller is denied\n",
                "  llm-platform:access:\n    secure: AAABAGm0c2VjcmV0LWFjY2Vzcy1zZWN0aW9u\n",
            )
        ),
        f"{K}access",
        "encrypt only its secret fields",
    ),
]

MODEL_CACHE = [
    bad(
        "namespace-monitoring",
        "dev",
        sub(("    namespace: inference", "    namespace: monitoring")),
        f"{K}modelCache.namespace",
        "choose another name",
    ),
    bad(
        "namespace-keda",
        "dev",
        sub(("    namespace: inference", "    namespace: keda")),
        f"{K}modelCache.namespace",
        "the keda add-on's namespace",
    ),
    bad(
        "namespace-gpu-operator",
        "dev",
        sub(("    namespace: inference", "    namespace: gpu-operator")),
        f"{K}modelCache.namespace",
        "gpu-operator add-on",
    ),
    bad(
        "namespace-a-client-namespace",
        "dev",
        sub(("    namespace: inference", "    namespace: playground")),
        f"{K}access.clientNamespaces[0]",
        f"{K}modelCache.namespace",
    ),
    bad(
        "namespace-64-characters",
        "dev",
        sub(("    namespace: inference", "    namespace: " + "i" * 64)),
        f"{K}modelCache.namespace",
        "at most 63",
    ),
    bad(
        "pvc-name-upper-case",
        "dev",
        sub(("    pvcName: model-cache", "    pvcName: Model_Cache")),
        f"{K}modelCache.pvcName",
        "e.g. model-cache",
    ),
    bad(
        "throughput-provisioned",
        "prod",
        sub(("throughputMode: elastic", "throughputMode: provisioned")),
        f"{K}modelCache.throughputMode",
        "elastic, bursting",
    ),
    bad(
        "namespace-kube-system",
        "dev",
        sub(("    namespace: inference", "    namespace: kube-system")),
        f"{K}modelCache.namespace",
        "kube-system",
    ),
    bad(
        "namespace-default",
        "dev",
        sub(("    namespace: inference", "    namespace: default")),
        f"{K}modelCache.namespace",
        "default",
    ),
]

PROVIDERS = [
    bad(
        "aws-defaultTags-a-string",
        "dev",
        sub(
            (
                "  aws:defaultTags:\n    tags:\n      project: llm-platform\n      environment: dev\n",
                "  aws:defaultTags: llm-platform\n",
            )
        ),
        "aws:defaultTags",
        "tags",
    ),
    bad(
        "aws-default-tag-value-a-list",
        "dev",
        sub(("      environment: dev", "      environment: [dev, test]")),
        "aws:defaultTags",
        "environment",
    ),
    bad(
        "aws-maxRetries-a-word",
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  aws:maxRetries: many\n")),
        "aws:maxRetries",
        "number",
    ),
]

# The front door: tenants, their keys and the load balancer (llm-platform:gateway, llm-platform:gatewayApiKeys).
INTERNET_FACING = sub(("      scheme: internal\n", "      scheme: internet-facing\n"))
PROD_CERT = "      certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789\n"
GATEWAY = [
    bad(
        "tenant-calls-a-model-not-served",
        "prod",
        sub(("        models: [qwen3-8b]\n", "        models: [qwen3-8]\n")),
        f"{K}gateway.tenants[0].models[0]",
        "did you mean 'qwen3-8b'",
    ),
    bad(
        "internet-facing-without-tls",
        "prod",
        chain(INTERNET_FACING, sub((PROD_CERT, ""))),
        f"{K}gateway.loadBalancer.certificateArn",
        "needs TLS",
    ),
    bad(
        "internet-facing-from-anywhere",
        "prod",
        chain(INTERNET_FACING, sub(("sourceCidrs: [10.40.0.0/16, 10.0.0.0/8]", "sourceCidrs: [0.0.0.0/0]"))),
        f"{K}gateway.loadBalancer.sourceCidrs[0]",
        "whole internet",
    ),
    bad(
        "tenant-without-a-key",
        "prod",
        sub(("        tokensPerMinute: 600000\n        generatedKeys: [2026-12]\n", "        tokensPerMinute: 600000\n")),
        f"{K}gateway.tenants[1].generatedKeys",
        "has no API key",
        "--secret --path",
    ),
    bad(
        "tenant-named-twice",
        "prod",
        sub(("      - name: chat\n", "      - name: search\n")),
        f"{K}gateway.tenants[1].name",
        "already the name",
    ),
    bad(
        "api-key-in-plain-text",
        "dev",
        append(f"  llm-platform:gatewayApiKeys:\n    playground:\n      laptop: {OPENAI_KEY}\n"),
        f"{K}gatewayApiKeys",
        "--secret",
        hidden=(OPENAI_KEY, OPENAI_KEY[:12]),
    ),
    bad(
        "api-key-of-no-tenant",
        "dev",
        append("  llm-platform:gatewayApiKeys:\n    playgrond:\n      laptop: {secure: v1:AAAAkey-one}\n"),
        f"{K}gatewayApiKeys.playgrond",
        "did you mean 'playground'",
    ),
    bad(
        "one-key-twice",
        "dev",
        append("  llm-platform:gatewayApiKeys:\n    playground:\n      a: {secure: v1:AAAAsame}\n"
               "      b: {secure: v1:AAAAsame}\n"),
        f"{K}gatewayApiKeys.playground.b",
        "same key as",
    ),
    bad(
        "two-keys-with-one-secret-name",
        "dev",
        sub(("        generatedKeys: [dev-1]\n", "        generatedKeys: [dev-1]\n      - name: playground-dev\n"
             "        requestsPerMinute: 1\n        tokensPerMinute: 1\n        generatedKeys: ['1']\n")),
        f"{K}gateway.tenants[1].name",
        "gateway-key-playground-dev-1",
        "rename one of them",
    ),
    bad(
        "no-proxy",
        "dev",
        sub(("    proxyReplicas: 1", "    proxyReplicas: 0")),
        f"{K}gateway.proxyReplicas",
        "at least 1",
    ),
]  # fmt: skip

CLASSES = {
    "file-shape": FILE_SHAPE,
    "namespaces": NAMESPACES,
    "keys": KEYS,
    "types": TYPES,
    "ranges": RANGES,
    "network": NETWORK,
    "cluster": CLUSTER,
    "ami": AMI,
    "node-groups": NODE_GROUPS,
    "karpenter": KARPENTER,
    "time-slicing": TIME_SLICING,
    "models": MODELS,
    "extra-args": EXTRA_ARGS,
    "autoscaling": AUTOSCALING,
    "access": ACCESS,
    "alerts": ALERTS,
    "secrets": SECRETS,
    "model-cache": MODEL_CACHE,
    "providers": PROVIDERS,
    "gateway": GATEWAY,
}


def _params(classes: dict[str, list[Wrong]]) -> list:
    """(case, whether it runs as a real subprocess): the first case of each class and every secret case do."""
    out = []
    for cls, cases in classes.items():
        for i, case in enumerate(cases):
            marks = [pytest.mark.xfail(strict=True, reason=case.defect)] if case.defect else []
            real = i == 0 or cls == "secrets"
            out.append(pytest.param(case, real, id=f"{cls}/{case.name}", marks=marks))
    return out


WRONG = _params(CLASSES)


# --- running the planner as users do -----------------------------------------------------------------------------


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, bytes | None]
    after: dict[str, bytes | None]
    out: Path


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and directory (None) under `root`, by relative path."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))
    }


def plan(tmp_path: Path, base: str, change: Change, real: bool = True) -> Outcome:
    """Plan Pulumi.<base>.yaml changed by `change` into a build directory holding a previous plan: as a real
    subprocess (`real`), or through the same entry point in this process."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT_DIR / "Pulumi.yaml", project / "Pulumi.yaml")
    text = change(BASES[base])
    stack_file = project / f"Pulumi.{base}.yaml"
    if isinstance(text, bytes):
        stack_file.write_bytes(text)
    else:
        stack_file.write_text(text, encoding="utf-8")
    build = tmp_path / "build"
    out = build / base
    (out / "manifests").mkdir(parents=True)
    (out / "plan.json").write_text(PREVIOUS_PLAN)
    (out / "manifests" / "configmap-old.yaml").write_text(PREVIOUS_MANIFEST)
    before = snapshot(build)
    argv = ["--project-dir", str(project), "--stack", base, "--out", str(out)]
    if real:
        result = run_planner(*argv)
        returncode, stdout, stderr = result.returncode, result.stdout, result.stderr
    else:
        returncode, stdout, stderr = _in_process(argv)
    return Outcome(returncode, stdout, stderr, before, snapshot(build), out)


def _in_process(argv: list[str]) -> tuple[int, str, str]:
    """`python -m planner <argv>` without a new interpreter: exit status, stdout, stderr (an uncaught exception
    is a traceback on stderr and exit 1, as the interpreter would make it)."""
    from planner.__main__ import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            returncode = main(argv)
        except SystemExit as exit_:
            returncode = exit_.code if isinstance(exit_.code, int) else 1
        except Exception:
            traceback.print_exc()
            returncode = 1
    return returncode, stdout.getvalue(), stderr.getvalue()


# --- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "real"), WRONG)
def test_a_wrong_stack_file_is_refused_naming_its_key_and_the_last_plan_stays(tmp_path, case: Wrong, real):
    got = plan(tmp_path, case.base, case.change, real)
    said = got.stderr
    assert "Traceback" not in said + got.stdout, said
    assert got.returncode == 2, f"exit {got.returncode}\n{said}\n{got.stdout[-2000:]}"
    assert said.startswith("error: "), said
    assert case.key in said, f"{case.key!r} not named:\n{said}"
    for word in case.fix:
        assert word in said, f"the fix {word!r} is not said:\n{said}"
    for secret in case.hidden:
        assert secret not in said + got.stdout, f"{secret!r} is echoed"
    # Nothing was registered, rendered or written: the previous build is byte for byte as it was, nothing beside it.
    assert "Wrote plan.json" not in got.stdout
    assert got.after == got.before, "the previous build was touched"


def test_a_stack_over_its_gpu_quota_plans_and_exits_1_on_the_mandatory_violation(tmp_path):
    """The one wrong stack that legitimately exits 1: every key is valid, but dev's GPU ceiling (20 x 1 L4 in the
    node group + 6 in its NodePools = 26) is above policy/config/dev.json's maxGpus 12, a mandatory policy. The
    plan is written (a reviewer reads what violates) and CI fails on the exit status."""
    got = plan(tmp_path, "dev", sub(("      maxSize: 2\n", "      maxSize: 20\n")))
    assert "Traceback" not in got.stderr + got.stdout
    assert got.returncode == 1, got.stderr
    assert "1 mandatory" in got.stdout and "gpu-quota" in got.stdout
    assert json.loads((got.out / "plan.json").read_text())["resources"]
    assert "gpu-quota" in (got.out / "policy.txt").read_text()
    assert not (got.out / "manifests" / "configmap-old.yaml").exists()  # replaced whole, not mixed


# --- valid variants: every one is accepted and planned whole -----------------------------------------------------

MINIMAL = """# Only what is required: every optional section and key takes its default.
config:
  aws:region: us-west-2
  llm-platform:network:
    availabilityZones: [us-west-2a, us-west-2b]
  llm-platform:cluster:
    name: llm-dev
    kubernetesVersion: "1.35"
  llm-platform:repository:
    url: https://github.example.com/your-org/llm-platform
  llm-platform:nodeAmi:
    releaseVersion: 1.35.6-20260714
  llm-platform:gpuNodeGroups:
    - name: l4-spot
      capacityType: spot
      instanceTypes: [g6.xlarge]
      minSize: 0
      maxSize: 2
  llm-platform:addons:
    karpenter:
      enabled: false
"""

VALID = [
    pytest.param("dev", lambda t: t, id="dev-as-shipped"),
    pytest.param("prod", lambda t: t, id="prod-as-shipped"),
    pytest.param(
        "dev", dev_model("image: registry.internal:5000/vllm/vllm-openai:v0.31.0"), id="image-registry-port"
    ),
    pytest.param(
        "dev", dev_model("image: vllm/vllm-openai:v0.31.0@sha256:" + "a" * 64), id="image-tag-and-digest"
    ),
    pytest.param(
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        ttftP95Seconds: 0.1")),
        id="ttft-0.1",
    ),
    pytest.param(
        "dev",
        sub(("idleMinutesBeforeZero: 30", "idleMinutesBeforeZero: 30\n        ttftP95Seconds: 80")),
        id="ttft-80",
    ),
    pytest.param("prod", append("  llm-platform:alerts:\n    ttftP95Seconds: 0.25\n"), id="alert-ttft-0.25"),
    pytest.param("dev", sub(("aws:region: us-west-2", 'aws:region: "us-west-2"')), id="region-double-quoted"),
    pytest.param("dev", sub(("aws:region: us-west-2", "aws:region: 'us-west-2'")), id="region-single-quoted"),
    pytest.param(
        "dev",
        chain(
            sub(("natGateways: single", 'natGateways: "single"')),
            sub(("    - name: l4-spot", "    - name: 'l4-spot'")),
        ),
        id="nested-strings-quoted",
    ),
    pytest.param(
        "dev", sub(("environment: dev", "environment: dev\n      billable: yes")), id="yes-as-a-tag-value"
    ),
    pytest.param("dev", sub(("[playground]", "[playground, yes]")), id="yes-as-a-namespace"),
    pytest.param(
        "dev",
        sub(("environment: dev", "environment: dev\n      created: 2026-07-14")),
        id="date-in-default-tags",
    ),
    pytest.param(
        "dev",
        append("  llm-platform:grafanaAdminPassword:\n    secure: AAABAHNlY3JldC1ncmFmYW5hLXBhc3N3b3Jk\n"),
        id="grafana-password-secure",
    ),
    pytest.param(
        "dev",
        sub(("clientNamespaces: [playground]", "clientNamespaces: [{secure: AAABAHBsYXlncm91bmQ=}]")),
        id="nested-secure-value",
    ),
    pytest.param(
        "dev",
        chain(
            sub(("source: hf://Qwen/Qwen3-0.6B", "source: hf://meta-llama/Llama-3.1-8B-Instruct")),
            append("  llm-platform:huggingFaceToken:\n    secure: AAABAGhmLXRva2VuLWNpcGhlcnRleHQ=\n"),
        ),
        id="gated-model-with-a-secure-token",
    ),
    pytest.param(
        "prod",
        chain(
            prod_8b("ropeScaling: {type: yarn, factor: 4}"),
            sub(("maxModelLen: 32768\n      maxNumSeqs: 64", "maxModelLen: 65536\n      maxNumSeqs: 64")),
        ),
        id="rope-scaling-beyond-the-native-context",
    ),
    pytest.param(
        "prod",
        sub(
            (
                "  llm-platform:modelCache:",
                "    - name: a10g-spot\n      capacityType: spot\n      instanceTypes: [g5.xlarge, g5.2xlarge]\n      minSize: 0\n      maxSize: 2\n  llm-platform:modelCache:",
            )
        ),
        id="second-gpu-model-node-group",
    ),
    pytest.param(
        "dev",
        chain(
            sub(("    karpenter:\n      enabled: true", "    karpenter:\n      enabled: false")),
            sub(("pools: [l4-spot, gpu-spot, gpu-on-demand]", "pools: [l4-spot]")),
        ),
        id="karpenter-off-models-on-node-groups",
    ),
    pytest.param("dev", lambda t: MINIMAL, id="every-optional-section-omitted"),
    pytest.param(
        "dev",
        whole(lambda t: t.split("  # One small model")[0] + "  llm-platform:models: []\n"),
        id="no-models",
    ),
    pytest.param(
        "dev",
        chain(sub(("  llm-platform:network:", "  network:")), sub(("  llm-platform:models:", "  models:"))),
        id="bare-project-keys",
    ),
    pytest.param(
        "dev",
        sub(("  llm-platform:access:", "  llm-platform:config:access:")),
        id="old-namespace-config-name-form",
    ),
    pytest.param(
        "dev",
        chain(
            sub(
                (
                    "instanceFamilies: [g6]\n          gpuLimit: 4",
                    "instanceFamilies: &g6 [g6]\n          gpuLimit: 4",
                )
            ),
            sub(
                (
                    "instanceFamilies: [g6]\n          gpuLimit: 2",
                    "instanceFamilies: *g6\n          gpuLimit: 2",
                )
            ),
        ),
        id="yaml-anchor-and-alias",
    ),
    pytest.param("dev", sub(("maxModelLen: 16384", "maxModelLen: 16384.0")), id="integral-float"),
    pytest.param("dev", sub(("maxModelLen: 16384", "maxModelLen: 1.6e4")), id="exponent"),
    pytest.param("dev", lambda t: "\ufeff" + t, id="utf-8-byte-order-mark"),
    pytest.param("dev", lambda t: t.replace("\n", "\r\n"), id="crlf-line-ends"),
    pytest.param(
        "dev",
        sub(("replicas: {min: 0, max: 2}", "replicas:\n        min: 0\n        max: 2")),
        id="block-instead-of-flow",
    ),
    pytest.param(
        "dev",
        chain(
            sub(("source: hf://Qwen/Qwen3-0.6B", "source: s3://my-models/qwen3-0.6b")),
            sub(
                (
                    "      revision: c1899de289a04d12100db370d81485cdf75e47ca\n",
                    "      architecture: qwen3-0.6b\n",
                )
            ),
        ),
        id="s3-source-catalog-architecture",
    ),
    pytest.param(
        "dev",
        chain(
            sub(("source: hf://Qwen/Qwen3-0.6B", "source: s3://my-models/tiny")),
            sub(
                (
                    "      revision: c1899de289a04d12100db370d81485cdf75e47ca\n",
                    "      architecture: {paramsB: 0.6, layers: 28, hiddenSize: 1024, attentionHeads: 16, kvHeads: 8, headDim: 128}\n",
                )
            ),
        ),
        id="s3-source-custom-architecture",
    ),
    pytest.param(
        "dev",
        extra_args("--enforce-eager", "--max-num-batched-tokens", "4096", "-O3"),
        id="allowed-extra-args",
    ),
    pytest.param(
        "prod",
        prod_8b(
            "autoscaling:",
            "  warmWindows:",
            "    - {timezone: America/New_York, start: '0 8 * * mon-fri', end: '0 19 * * mon-fri', replicas: 3}",
        ),
        id="warm-window-with-day-names",
    ),
    pytest.param(
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  pulumi:tags:\n    team: ml\n")),
        id="pulumi-stack-tags",
    ),
    pytest.param(
        "dev",
        sub(("  aws:region: us-west-2\n", "  aws:region: us-west-2\n  aws:profile: llm-dev\n")),
        id="aws-profile",
    ),
    pytest.param(
        "prod",
        sub(("weight: 80\n          expireAfter: 720h", "weight: 80\n          expireAfter: Never")),
        id="expire-after-never",
    ),
    pytest.param(
        "dev",
        chain(
            sub(('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.34"')),
            sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: 1.34.9-20260714")),
        ),
        id="kubernetes-1.34",
    ),
    pytest.param(
        "prod",
        chain(
            sub(("family: al2023", "family: bottlerocket")),
            sub(("releaseVersion: 1.35.6-20260714", "releaseVersion: 1.65.0-0be31b34")),
        ),
        id="bottlerocket",
    ),
    pytest.param("prod", prod_8b("kvCacheDtype: fp8"), id="fp8-kv-cache-on-l40s"),
    pytest.param("dev", T4, id="t4-pools"),
    pytest.param("dev", sub(("[198.51.100.0/24]", "[198.51.100.7]")), id="endpoint-address-without-prefix"),
    pytest.param("prod", sub(("cidr: 10.40.0.0/16", "cidr: 172.16.0.0/20")), id="smallest-vpc"),
]


@pytest.mark.parametrize(("base", "change"), VALID)
def test_a_valid_variant_is_accepted_and_planned_whole(tmp_path, base, change):
    got = plan(tmp_path, base, change)
    assert "Traceback" not in got.stderr + got.stdout, got.stderr
    assert got.returncode == 0, f"exit {got.returncode}\n{got.stderr}\n{got.stdout[-3000:]}"
    written = json.loads((got.out / "plan.json").read_text())
    assert written["stack"] == base and written["resources"]
    assert (got.out / "fleet.json").is_file() and (got.out / "policy.txt").is_file()
    assert not (got.out / "manifests" / "configmap-old.yaml").exists()  # the old plan replaced whole
