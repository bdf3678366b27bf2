"""The config namespaces a stack file may use, and the keys each namespace's reader takes.

The Pulumi CLI passes every key of a stack file to the program; a key nothing reads is dropped in silence, so a
misspelt namespace (`llm-platfrom:access`) loses a whole section and a misspelt provider key (`aws:regoin`)
configures nothing. Every key outside `llm-platform:` must be one that a provider or the CLI reads, at the
versions pinned in requirements.txt (tests/unit/test_namespaces.py reads them from the installed SDKs).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from config.schema.platform import NAMESPACE


@dataclass(frozen=True)
class Reader:
    what: str  # who reads the namespace, at the pinned version
    keys: frozenset[str]


# pulumi_aws/config/vars.py: the default AWS provider's config (aws:region is also required by the program).
_AWS_KEYS = """
    accessKey allowedAccountIds assumeRoleWithWebIdentity assumeRoles customCaBundle defaultTags
    ec2MetadataServiceEndpoint ec2MetadataServiceEndpointMode endpoints forbiddenAccountIds httpProxy httpsProxy
    ignoreTags insecure maxRetries noProxy profile region retryMode s3UsEast1RegionalEndpoint s3UsePathStyle
    secretKey sharedConfigFiles sharedCredentialsFiles skipCredentialsValidation skipMetadataApiCheck
    skipRegionValidation skipRequestingAccountId stsRegion tagPolicyCompliance token
    tokenBucketRateLimiterCapacity useDualstackEndpoint useFipsEndpoint userAgents
"""
# pulumi_kubernetes 4.34.2 has no config/vars.py: a default provider reads its Provider's inputs
# (pulumi_kubernetes/provider.py). This program gives every Kubernetes object an explicit provider.
_KUBERNETES_KEYS = """
    alwaysRender cluster clusterIdentifier context deleteUnreachable enableConfigMapMutable enablePatchForce
    enableSecretMutable enableServerSideApply helmReleaseSettings kubeClientSettings kubeconfig namespace
    renderYamlToDirectory skipUpdateUnreachable suppressDeprecationWarnings suppressHelmHookWarnings
    upsertExistingObjects
"""
# The CLI's own (pulumi/pulumi pkg/): `pulumi new`'s template, default providers, stack tags, autonaming.
_PULUMI_KEYS = "template disable-default-providers tags autonaming"

READERS: Mapping[str, Reader] = types.MappingProxyType(
    {
        "aws": Reader("the AWS provider (pulumi-aws 7.51.1)", frozenset(_AWS_KEYS.split())),
        "kubernetes": Reader(
            "the Kubernetes provider (pulumi-kubernetes 4.34.2)", frozenset(_KUBERNETES_KEYS.split())
        ),
        "eks": Reader("the EKS provider (pulumi-eks 4.4.0), which reads no config", frozenset()),
        "random": Reader("the random provider (pulumi-random 4.21.4), which reads no config", frozenset()),
        "pulumi": Reader("the Pulumi CLI", frozenset(_PULUMI_KEYS.split())),
    }
)


def namespace_issue(key: str, program_keys: Collection[str]) -> str | None:
    """Why nothing would read `key` (a message for it), or None when something does. Keys of the program's own
    namespace are checked against its schema elsewhere; `program_keys` are offered for a misspelt namespace."""
    namespace, sep, name = key.partition(":")
    if not sep:
        return "not a config key: keys are namespace:name"
    if namespace == NAMESPACE:
        return None
    reader = READERS.get(namespace)
    if reader is not None:
        return None if name in reader.keys else _unknown_provider_key(namespace, name, reader)
    near = _near_namespace(namespace)
    if near == NAMESPACE:
        names = [k.partition(":")[2] for k in program_keys]
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        return f"unknown namespace {namespace!r}; did you mean {NAMESPACE}:{close[0] if close else name}? {_READ}"
    if near is not None:
        return f"unknown namespace {namespace!r}; did you mean {near}:{name}? {_READ}"
    return f"unknown namespace {namespace!r}: nothing reads it, so the CLI would pass it to nothing. {_READ}"


_READ = f"Keys are read under {NAMESPACE}: (this program), {', '.join(f'{n}:' for n in READERS)} only."


def _unknown_provider_key(namespace: str, name: str, reader: Reader) -> str:
    if not reader.keys:
        return f"{reader.what}: remove the key"
    by_lower = {k.lower(): k for k in reader.keys}
    close = [by_lower[name.lower()]] if name.lower() in by_lower else []
    close = close or difflib.get_close_matches(name, sorted(reader.keys), n=1, cutoff=0.7)
    hint = f"did you mean {namespace}:{close[0]}? " if close else ""
    return f"{reader.what} reads no key {name!r}; {hint}(it would configure nothing)"


def _near_namespace(namespace: str) -> str | None:
    """The namespace `namespace` most likely misspells: the same in lower case with '-' for '_', or at most two
    edits (a swap counts as one) from it."""
    plain = namespace.lower().replace("_", "-")
    best: tuple[int, str] | None = None
    for known in (NAMESPACE, *READERS):
        d = _edits(plain, known)
        if d <= min(2, len(known) // 3) and (best is None or d < best[0]):
            best = (d, known)
    return best[1] if best else None


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
