"""The config namespaces a stack file may use, the keys each namespace's reader takes, and the values it reads.

The Pulumi CLI passes every key of a stack file to the program; a key nothing reads is dropped in silence, so a
misspelt namespace (`llm-platfrom:access`) loses a whole section and a misspelt provider key (`aws:regoin`)
configures nothing. Every key outside `llm-platform:` must be one that a provider or the CLI reads, at the
versions pinned in requirements.txt, and its value must have the type that reader declares: a provider that
cannot read a value fails to configure at `pulumi up`, after the plan said nothing (tests/unit/test_namespaces.py
and tests/unit/test_messages_more.py read both from the installed SDKs).
"""

from __future__ import annotations

import difflib
import functools
import json
import types
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Strict, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from config.issue_messages import HIDDEN, show
from config.issues import ConfigIssue, pydantic_issues
from config.schema.base import ascii_skeleton, non_ascii_note
from config.schema.platform import NAMESPACE

# --- the values a provider key takes ------------------------------------------------------------------------


def _as_text(value: Any) -> Any:
    """A scalar as the text the CLI passes it as (every config value reaches a provider as text, so a number
    is a fine string); a list or a map stays one, and is refused."""
    if isinstance(value, bool):
        return json.dumps(value)
    return str(value) if isinstance(value, int | float) else value


# The SDKs' declared types (pulumi.Input[str], [int], [bool], [float], Sequence[...], Mapping[str, ...]). A
# provider reads a bool or an int from the text the CLI passes (strict here: `yes` is text in YAML 1.2).
Text = Annotated[str, BeforeValidator(_as_text)]
Whole = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
Number = Annotated[float, Strict()]  # strict float still takes a whole number
Texts = list[Text]
TextMap = dict[str, Text]


class _Object(BaseModel):
    """A provider input object: its keys camelCase as the SDK's getters name them, no other key."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=False, strict=True)


class _DefaultTags(_Object):  # pulumi_aws/_inputs.py ProviderDefaultTagsArgs
    tags: TextMap | None = None


class _IgnoreTags(_Object):  # ProviderIgnoreTagsArgs
    key_prefixes: Texts | None = None
    keys: Texts | None = None


class _AssumeRole(_Object):  # ProviderAssumeRoleArgs
    duration: Text | None = None
    external_id: Text | None = None
    policy: Text | None = None
    policy_arns: Texts | None = None
    role_arn: Text | None = None
    session_name: Text | None = None
    source_identity: Text | None = None
    tags: TextMap | None = None
    transitive_tag_keys: Texts | None = None


class _AssumeRoleWithWebIdentity(_Object):  # ProviderAssumeRoleWithWebIdentityArgs
    duration: Text | None = None
    policy: Text | None = None
    policy_arns: Texts | None = None
    role_arn: Text | None = None
    session_name: Text | None = None
    web_identity_token: Text | None = None
    web_identity_token_file: Text | None = None


class _HelmReleaseSettings(_Object):  # pulumi_kubernetes/_inputs.py HelmReleaseSettingsArgs
    driver: Text | None = None
    plugins_path: Text | None = None
    registry_config_path: Text | None = None
    repository_cache: Text | None = None
    repository_config_path: Text | None = None


class _KubeClientSettings(_Object):  # KubeClientSettingsArgs
    burst: Whole | None = None
    qps: Number | None = None
    timeout: Whole | None = None


@dataclass(frozen=True)
class Shape:
    """What a key's value must be: the type it is checked against, and for a list or an object how to write
    it (said when the value is not one at all, e.g. a string for `aws:defaultTags`)."""

    schema: Any
    form: str = ""


TEXT, WHOLE, BOOL = Shape(Text), Shape(Whole), Shape(Bool)
TEXTS = Shape(Texts, "a list of text, e.g. [a, b]")
UNCHECKED = Shape(Any)


def _each(names: str, shape: Shape) -> dict[str, Shape]:
    return dict.fromkeys(names.split(), shape)


# pulumi_aws/config/vars.py names the default AWS provider's keys; ProviderArgs (provider.py) and _inputs.py
# declare their types (aws:region is also required by the program, which checks it: config/loader.py).
_AWS_VALUES: Mapping[str, Shape] = {
    **_each(
        """accessKey customCaBundle ec2MetadataServiceEndpoint ec2MetadataServiceEndpointMode httpProxy httpsProxy
        noProxy profile region retryMode s3UsEast1RegionalEndpoint secretKey stsRegion tagPolicyCompliance
        token""",
        TEXT,
    ),
    **_each(
        "allowedAccountIds forbiddenAccountIds sharedConfigFiles sharedCredentialsFiles userAgents", TEXTS
    ),
    **_each(
        """insecure s3UsePathStyle skipCredentialsValidation skipMetadataApiCheck skipRegionValidation
        skipRequestingAccountId useDualstackEndpoint useFipsEndpoint""",
        BOOL,
    ),
    **_each("maxRetries tokenBucketRateLimiterCapacity", WHOLE),
    "defaultTags": Shape(
        _DefaultTags, "a map {tags: {<key>: <value>}}, e.g. {tags: {project: llm-platform}}"
    ),
    "ignoreTags": Shape(
        _IgnoreTags, "a map {keys: [...], keyPrefixes: [...]}, e.g. {keyPrefixes: [kubernetes.io/]}"
    ),
    "assumeRoles": Shape(
        list[_AssumeRole], "a list of maps, e.g. [{roleArn: arn:aws:iam::123456789012:role/x}]"
    ),
    "assumeRoleWithWebIdentity": Shape(
        _AssumeRoleWithWebIdentity, "a map, e.g. {roleArn: ..., webIdentityTokenFile: /path/to/token}"
    ),
    # ProviderEndpointArgs has one text key per AWS service (326 at 7.51.1): checked as text, not by name.
    "endpoints": Shape(list[TextMap], "a list of maps of service to URL, e.g. [{s3: http://localhost:4566}]"),
}
# pulumi_kubernetes 4.34.2 has no config/vars.py: a default provider reads its Provider's inputs
# (pulumi_kubernetes/provider.py). This program gives every Kubernetes object an explicit provider.
_KUBERNETES_VALUES: Mapping[str, Shape] = {
    **_each(
        """alwaysRender deleteUnreachable enableConfigMapMutable enablePatchForce enableSecretMutable
        enableServerSideApply skipUpdateUnreachable suppressDeprecationWarnings suppressHelmHookWarnings
        upsertExistingObjects""",
        BOOL,
    ),
    **_each("cluster clusterIdentifier context namespace renderYamlToDirectory", TEXT),
    # Text to the SDK, but a map written in the stack file reaches the provider as its JSON text, which is a
    # kubeconfig too (JSON is YAML).
    "kubeconfig": Shape(Text | dict[str, Any], "a path to a kubeconfig file, or its contents"),
    "helmReleaseSettings": Shape(_HelmReleaseSettings, "a map, e.g. {driver: secret}"),
    "kubeClientSettings": Shape(_KubeClientSettings, "a map, e.g. {burst: 120, qps: 50, timeout: 32}"),
}
# The CLI's own (pulumi/pulumi pkg/): `pulumi new`'s template, default providers, stack tags, autonaming. Their
# shapes are the CLI's, declared in no SDK: not checked here.
_PULUMI_VALUES = _each("template disable-default-providers tags autonaming", UNCHECKED)


@dataclass(frozen=True)
class Reader:
    what: str  # who reads the namespace, at the pinned version
    values: Mapping[str, Shape]  # the keys it reads, and what each must be

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.values)


READERS: Mapping[str, Reader] = types.MappingProxyType(
    {
        "aws": Reader("the AWS provider (pulumi-aws 7.51.1)", _AWS_VALUES),
        "kubernetes": Reader("the Kubernetes provider (pulumi-kubernetes 4.34.2)", _KUBERNETES_VALUES),
        "eks": Reader("the EKS provider (pulumi-eks 4.4.0), which reads no config", {}),
        "random": Reader("the random provider (pulumi-random 4.21.4), which reads no config", {}),
        "pulumi": Reader("the Pulumi CLI", _PULUMI_VALUES),
    }
)


def value_issues(key: str, value: Any, hidden: bool = False) -> list[ConfigIssue]:
    """Why the provider reading `key` could not take `value` (decoded as config/loader.py parse_raw decodes
    it); [] when it can, or when no provider reads the key. `hidden`: the key holds a secret."""
    namespace, _, name = key.partition(":")
    reader = READERS.get(namespace)
    shape = reader.values.get(name) if reader is not None else None
    if shape is None or shape is UNCHECKED:
        return []
    try:
        _adapter(shape.schema).validate_python(value)
    except ValidationError as exc:
        issues = pydantic_issues(key, shape.schema, exc, hidden=hidden)
        if shape.form and all(i.key == key for i in issues):
            # Not a list or a map at all: how to write one, rather than pydantic's word for its type.
            got = show(HIDDEN if hidden else value)
            return [ConfigIssue(key, f"must be {shape.form}, as {reader.what} reads it (got {got})")]
        return issues
    return []


@functools.cache
def _adapter(schema: Any) -> TypeAdapter:
    return TypeAdapter(schema)


# --- the namespaces and keys nothing reads --------------------------------------------------------------------


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
    # A look-alike letter makes the key read exactly like the one suggested: name it, or the hint reads as a
    # no-op.
    unknown = f"unknown namespace {namespace!r}{_looks(key)}"
    near = _near_namespace(namespace)
    if near == NAMESPACE:
        names = [k.partition(":")[2] for k in program_keys]
        close = difflib.get_close_matches(ascii_skeleton(name), names, n=1, cutoff=0.75)
        return f"{unknown}; did you mean {NAMESPACE}:{close[0] if close else name}? {_READ}"
    if near is not None:
        return f"{unknown}; did you mean {near}:{ascii_skeleton(name)}? {_READ}"
    return f"{unknown}: nothing reads it, so the CLI would pass it to nothing. {_READ}"


_READ = f"Keys are read under {NAMESPACE}: (this program), {', '.join(f'{n}:' for n in READERS)} only."


def _looks(text: str) -> str:
    note = non_ascii_note(text)
    return f": it {note}" if note else ""


def _unknown_provider_key(namespace: str, name: str, reader: Reader) -> str:
    if not reader.keys:
        return f"{reader.what}: remove the key"
    plain = ascii_skeleton(name)
    by_lower = {k.lower(): k for k in reader.keys}
    close = [by_lower[plain.lower()]] if plain.lower() in by_lower else []
    close = close or difflib.get_close_matches(plain, sorted(reader.keys), n=1, cutoff=0.7)
    hint = f"did you mean {namespace}:{close[0]}? " if close else ""
    return f"{reader.what} reads no key {name!r}{_looks(name)}; {hint}(it would configure nothing)"


def _near_namespace(namespace: str) -> str | None:
    """The namespace `namespace` most likely misspells: the same in ASCII letters, in lower case, with '-' for
    '_', or at most two edits (a swap counts as one) from it."""
    plain = ascii_skeleton(namespace).lower().replace("_", "-")
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
