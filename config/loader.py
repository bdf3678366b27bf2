"""Turn the raw stack config into validated sections, or into a list of errors that name their keys.

Both ways the program runs feed this: under `pulumi up` the raw config comes from the Pulumi runtime, offline
it comes from `Pulumi.<stack>.yaml` (see `planner/stackfile/`). Each `llm-platform:` key is validated on its
own, so one broken section never hides the errors of another; the rules across keys (config/rules/) run on
the sections that are valid. Nothing here touches Pulumi resources: config fails before anything exists.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from config.issue_messages import guess_key, show
from config.issues import ConfigError, ConfigIssue, pydantic_issues
from config.namespaces import namespace_issue, value_issues
from config.rules import Sections, run_rules
from config.schema.base import non_ascii_note
from config.schema.platform import (
    NAMESPACE,
    REGION_KEY,
    REQUIRED,
    SECRET_KEYS,
    SECRET_MAPS,
    SECTIONS,
    PlatformConfig,
)


@dataclass(frozen=True)
class Checked:
    """One stack file's config after every check: the sections that validated, and every issue found."""

    sections: Sections
    values: Mapping[str, Any]  # PlatformConfig field -> validated section
    issues: tuple[ConfigIssue, ...]

    def config(self) -> PlatformConfig:
        """The whole config; only when there are no issues."""
        assert not self.issues, "a config with issues has no PlatformConfig"
        return PlatformConfig.model_validate(
            {PlatformConfig.model_fields[f].alias: v for f, v in self.values.items()}  # already validated
        )


def parse_raw(flat: Mapping[str, str]) -> dict[str, Any]:
    """Decode values as the Pulumi CLI passes them: objects and lists as JSON strings, scalars as text."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if isinstance(value, str):
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


def check_config(flat: Mapping[str, str], secret_keys: Collection[str] = ()) -> Checked:
    """Validate every key and run every rule across keys; collect every issue.

    `secret_keys` are the keys the stack file holds encrypted (`secure:`, whole or anywhere inside); the
    secret-only keys must be among them, and no message shows what they hold."""
    raw = parse_raw(flat)
    for key in SECRET_KEYS:
        if key in flat:
            raw[key] = str(flat[key])  # never JSON-decode a secret
    values: dict[str, Any] = {}
    issues = _region(raw, values) + _unknown_keys(raw) + _provider_values(raw, secret_keys)
    issues += _sections(raw, values, secret_keys) + _secrets(raw, secret_keys)
    sections = Sections(values)
    issues += run_rules(sections)
    secrets = secret_strings(flat, secret_keys)
    return Checked(sections, values, tuple(_redacted(i, secrets) for i in issues))


def load_config(flat: Mapping[str, str], source: str, secret_keys: Collection[str] = ()) -> PlatformConfig:
    """The validated config; ConfigError listing every problem, each naming its stack-file key.

    Valid key by key and across keys; whether the models fit their pools is decided when the fleet is
    resolved (fleet/load.py), which is what the program and the planner call."""
    checked = check_config(flat, secret_keys)
    if checked.issues:
        raise ConfigError(list(checked.issues), source)
    return checked.config()


def _region(raw: Mapping[str, Any], values: dict[str, Any]) -> list[ConfigIssue]:
    region = raw.get(REGION_KEY)
    if region is None or region == "":
        return [ConfigIssue(REGION_KEY, "required: the AWS region to deploy to, e.g. us-west-2")]
    if not isinstance(region, str):
        return [ConfigIssue(REGION_KEY, _not_one_region(region))]
    values["region"] = region
    return []


def _not_one_region(region: Any) -> str:
    """Written, but not as one name: a list or a map is not "missing", and the fix is to write the name alone."""
    what = next((words for kinds, words in _VALUE_KINDS if isinstance(region, kinds)), "other than text")
    one = isinstance(region, list) and len(region) == 1 and isinstance(region[0], str)
    fix = f": write {region[0]} alone, without brackets" if one else ", e.g. us-west-2"
    return f"must be one region name, not {what}{fix} (got {show(region)})"


# What a value the stack file wrote is, in words (bool before int: true is an int to Python).
_VALUE_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (list, "a list"),
    (dict, "a map"),
    (bool, "true or false"),
    ((int, float), "a number"),
)


def _unknown_keys(raw: Mapping[str, Any]) -> list[ConfigIssue]:
    """Every key nothing reads: an `llm-platform:` key outside the schema, a key of a provider that the
    provider does not take, a key of a namespace nothing reads (config/namespaces.py)."""
    issues = []
    for key in sorted(raw):
        if key.startswith(f"{NAMESPACE}:"):
            issues += [] if key in SECTIONS else [ConfigIssue(key, _unknown_program_key(key))]
        elif (message := namespace_issue(key, SECTIONS)) is not None:
            issues.append(ConfigIssue(key, message))
    return issues


def _provider_values(raw: Mapping[str, Any], secret_keys: Collection[str]) -> list[ConfigIssue]:
    """Every provider key whose value its provider could not read (config/namespaces.py): the provider would
    fail to configure at `pulumi up`, after the plan said nothing. aws:region is the program's (`_region`)."""
    issues = []
    for key in sorted(raw):
        if (
            key != REGION_KEY
            and not key.startswith(f"{NAMESPACE}:")
            and namespace_issue(key, SECTIONS) is None
        ):
            issues += value_issues(key, raw[key], hidden=key in secret_keys)
    return issues


def _unknown_program_key(key: str) -> str:
    """The key it most likely means, as issue_messages.py guesses a nested one: the same in ASCII letters or in
    camelCase, else the closest; a look-alike letter is named, or the hint would read exactly like the key."""
    name = key.partition(":")[2]
    names = [k.partition(":")[2] for k in SECTIONS]
    guess = guess_key(name, names)
    note = non_ascii_note(key)
    looks = f": it {note}" if note else ""
    suggestion = f"did you mean {NAMESPACE}:{guess}? " if guess else ""
    return f"unknown key{looks}; {suggestion}allowed keys: {', '.join(SECTIONS)}"


def _sections(
    raw: Mapping[str, Any], values: dict[str, Any], secret_keys: Collection[str]
) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for key, (field, schema, default) in SECTIONS.items():
        if key in raw:
            try:
                values[field] = TypeAdapter(schema).validate_python(raw[key])
            except ValidationError as exc:
                issues.extend(_section_issues(key, schema, exc, raw[key], secret_keys))
        elif default is REQUIRED:
            issues.append(ConfigIssue(key, "required key is missing"))
        else:
            values[field] = default()
    return issues


def _section_issues(
    key: str, schema: Any, exc: ValidationError, value: Any, secret_keys: Collection[str]
) -> list[ConfigIssue]:
    if key in secret_keys and key not in SECRET_KEYS and isinstance(value, str):
        # A section encrypted whole reaches the program as its JSON text, which parse_raw decodes; text that is
        # not JSON is a value encrypted as one string, or, offline, the placeholder of one.
        return [
            ConfigIssue(
                key,
                "is one encrypted string, not the section it must be: `make plan` cannot decrypt a value "
                "encrypted whole; encrypt only its secret fields, e.g. "
                f"pulumi config set --secret --path '{key}.<field>' <value>",
            )
        ]
    return pydantic_issues(key, schema, exc, hidden=key in secret_keys)


def secret_strings(flat: Mapping[str, str], secret_keys: Collection[str]) -> frozenset[str]:
    """Every text a secret key holds. The CLI tells a program only which top-level keys hold a secret
    (PULUMI_CONFIG_SECRET_KEYS), not where in them, so every string leaf of such a key counts as secret."""
    found: set[str] = set()
    for key in secret_keys:
        text = flat.get(key)
        if not isinstance(text, str):
            continue
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        found |= set(_string_leaves(decoded)) if isinstance(decoded, dict | list) else {text}
        if isinstance(decoded, str):
            found.add(decoded)
    return frozenset(s for s in found if s)  # an empty secret reveals nothing, and is in every text


def _string_leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in value for s in _string_leaves(v)] if isinstance(value, list) else []


def redact(text: str, secrets: Collection[str]) -> str:
    """`text` with every secret, and every shortened start of one (messages cut long values with "..."),
    shown as [secret]."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "[secret]")
        for n in range(len(secret) - 1, 3, -1):
            text = text.replace(f"{secret[:n]}...", "[secret]...")
    return text


def _redacted(issue: ConfigIssue, secrets: Collection[str]) -> ConfigIssue:
    if not secrets:
        return issue
    return ConfigIssue(issue.key, redact(issue.message, secrets))


def _secrets(raw: Mapping[str, Any], secret_keys: Collection[str]) -> list[ConfigIssue]:
    texts = [
        ConfigIssue(key, f"must be stored encrypted: pulumi config set --secret {key} <value>")
        for key in SECRET_KEYS
        if key in raw and key not in secret_keys
    ]
    return texts + [
        ConfigIssue(
            key, f"must be stored encrypted: pulumi config set --secret --path '{key}.<name>.<name>' <value>"
        )
        for key in SECRET_MAPS
        if key in raw and key not in secret_keys
    ]
