"""The base of every config section, the field types several sections share, and the helpers their checks use
to say what is wrong in the stack file's own words."""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from ipaddress import IPv4Network
from typing import Annotated, Any
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError, PydanticKnownError

from catalog.vllm import TTFT_BUCKET_EDGES, VLLM_VERSION


class Section(BaseModel):
    """Base for every config object: unknown keys are errors, values are immutable once validated, and every
    value has the type its field says."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        frozen=True,
        # Defaults pass through the same checks, so cross-field rules also see omitted keys.
        validate_default=True,
        # The CLI passes a stack file's values as yaml.v3 reads them (YAML 1.2): `"2"` stays the text "2" and
        # `yes` the text "yes". Lax mode would turn them into 2 and true, so a quoted number or a YAML 1.1 word
        # would mean something other than what the README says the file holds; strict mode refuses them.
        # A whole number is still a number for a float field (pydantic's strict float takes an int).
        strict=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _whole_float_as_int(cls, value: Any, info: ValidationInfo) -> Any:
        """A whole float is a whole number: the CLI passes 16384.0 as 16384, but an integral float of 1e6 or
        more stays a float (yaml.v3 prints it as 1e+06), which strict mode would refuse for an integer field.
        A fraction is refused as lax mode refuses it (int_from_float), so the message says what is wrong."""
        if not isinstance(value, float) or not _is_int_field(cls.model_fields[info.field_name].annotation):
            return value
        if value.is_integer():
            # Through its shortest decimal form: 1e39 is 10**39, as written, not the binary float's expansion.
            return int(Decimal(repr(value)))
        raise PydanticKnownError("int_from_float")


def _is_int_field(annotation: Any) -> bool:
    """Whether a field holds an int (or an int or None), inside any Annotated layers."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(members) == 1 and _is_int_field(members[0])
    return annotation is int


# An IPv4 network written as text ("10.0.0.0/16"): strict mode would take only an IPv4Network object, which no
# stack file can hold, so these fields parse the text as lax mode does.
Ipv4Net = Annotated[IPv4Network, Strict(False)]


# --- what a pattern asks for, in words ----------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """What a value matching a pattern looks like, in words, and an example (a field's own `examples` win)."""

    looks_like: str
    example: str


# Pattern -> its Form. Every pattern of the schema is declared through `pattern()`, so config/issue_messages.py can say
# what a refused value must look like instead of quoting the regular expression (a test walks the schema).
PATTERN_FORMS: dict[str, Form] = {}


def pattern(regex: str, looks_like: str, example: str) -> str:
    """`regex`, registered with the words and the example an error message shows for it. Patterns use explicit
    ASCII classes: pydantic's regex engine gives `\\w` and `\\d` their Unicode meaning."""
    PATTERN_FORMS[regex] = Form(looks_like, example)
    return regex


# --- letters that are not what they look like ---------------------------------------------------------------

# Cyrillic and Greek letters drawn like ASCII ones (Unicode's confusables.txt, the letters of the ASCII range):
# a key or a name typed with one of them looks right and matches nothing.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁһԛԝАВЕКМНОРСТХІЈЅαονρτυΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhqwABEKMHOPCTXIJSaovptuABEZHIKMNOPTYX",
)


def ascii_twin(ch: str) -> str | None:
    """The ASCII letter `ch` is drawn like (itself when ASCII), or None: a look-alike, or a compatibility
    form such as a full-width or accented letter."""
    if ch.isascii():
        return ch
    twin = ch.translate(_LOOK_ALIKES)
    if twin != ch:
        return twin
    folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return folded if len(folded) == 1 else None


def ascii_skeleton(text: str) -> str:
    """`text` with every look-alike replaced by the ASCII letter it is drawn like."""
    return "".join(ascii_twin(ch) or ch for ch in text)


def non_ascii_note(text: str) -> str | None:
    """Names each non-ASCII character of `text` ("contains non-ASCII letters that look like ASCII: ..."), or
    None when `text` is ASCII."""
    odd = [ch for ch in dict.fromkeys(text) if not ch.isascii()]
    if not odd:
        return None
    twins = {ch: ascii_twin(ch) for ch in odd}
    named = ", ".join(
        f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"
        + (f", drawn like {twins[ch]!r})" if twins[ch] else ")")
        for ch in odd
    )
    if all(twins.values()):
        return f"contains non-ASCII letters that look like ASCII: {named}"
    return f"contains non-ASCII characters: {named}"


# --- checks across the keys of one section ------------------------------------------------------------------


def at_key(key: str, message: str) -> PydanticCustomError:
    """An error about a key of the section being validated, `key` spelled as in the stack file (dotted for a
    key of a nested section). Raised by model validators, whose own errors name no key; config/issues.py
    reports it under that key (config/issue_location.py)."""
    return PydanticCustomError("cross_field", message, {"at": key})


def key_of(section: Section, field: str) -> str:
    return type(section).model_fields[field].alias or field


def written(section: Section, field: str) -> bool:
    """Whether the stack file wrote `field`, rather than taking its default."""
    return field in section.model_fields_set


def said(section: Section, field: str) -> str:
    """`field` and its value as a message names it: `maxSize (4)`, or `maxSize (4, its default)`."""
    default = "" if written(section, field) else ", its default"
    return f"{key_of(section, field)} ({_plain(getattr(section, field))}{default})"


def _plain(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def blame(section: Section, *fields: str) -> str:
    """The key an error about `fields` is reported at: the last one the stack file wrote (the first when it
    wrote none), so an error never points at a default nobody wrote."""
    chosen = next((f for f in reversed(fields) if written(section, f)), fields[0])
    return key_of(section, chosen)


def in_order(section: Section, low: str, high: str) -> None:
    """`high` is not below `low`; the error is at whichever of the two the stack file wrote."""
    lo, hi = getattr(section, low), getattr(section, high)
    if lo is None or hi is None or hi >= lo:
        return
    if written(section, high):
        raise at_key(key_of(section, high), f"{hi} is below {said(section, low)}: raise it to at least {lo}")
    raise at_key(
        key_of(section, low),
        f"{lo} is above {said(section, high)}: lower it, or set {key_of(section, high)} to at least {lo}",
    )


def unique(values: list) -> list:
    dupes = sorted({str(v) for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"duplicate entries: {', '.join(dupes)}")
    return values


# --- names --------------------------------------------------------------------------------------------------

# The form of a zone name; whether the zone exists in `aws:region` is the rule zones-in-region's (catalog/regions.py).
AZ_PATTERN = pattern(
    r"^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$", "a zone name: the region and a letter", "us-west-2a"
)

# RFC 1123 label, as Kubernetes names namespaces and Services.
DNS_LABEL = pattern(
    r"^[a-z]([-a-z0-9]*[a-z0-9])?$",
    "lower-case letters, digits and '-', starting with a letter and not ending with '-'",
    "l4-spot",
)


def dns_label(max_length: int = 63) -> Any:
    """A DNS label of at most `max_length` characters. A field narrows the length with its own type, never with
    `Field(max_length=...)` on top of this one: pydantic keeps the last of two length limits, which is the
    type's own, so a narrower limit there would silently not apply (a test checks every declared bound)."""
    return Annotated[str, Field(pattern=DNS_LABEL, max_length=max_length)]


DnsLabel = dns_label()
PoolName = dns_label(30)  # a node group or NodePool name: also the llm-platform.io/pool node label
ModelName = dns_label(40)  # a model's served name, and the stem of the names of its objects

_GO_DURATION = r"^([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
GoDuration = Annotated[
    str,
    Field(
        pattern=pattern(
            _GO_DURATION, "a duration in hours, minutes and seconds, largest first", "720h, 10m or 1h30m"
        ),
        min_length=2,
    ),
]


def duration_s(duration: str) -> int:
    """The seconds of a GoDuration (`1h30m` is 5400)."""
    match = re.match(_GO_DURATION, duration, re.ASCII)
    assert match is not None, duration  # a GoDuration field validated it
    hours, minutes, seconds = (int(g[:-1]) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


# AWS IAM: a role name is 1-64 of [A-Za-z0-9+=,.@_-] (IAM API reference, CreateRole RoleName), after a path
# of printable ASCII. Explicit ASCII classes and re.ASCII: `\w` would let a Cyrillic letter through.
IAM_ROLE_ARN = re.compile(
    r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([!-~]*/)?[A-Za-z0-9+=,.@_-]{1,64}$", re.ASCII
)
ROLE_ARN_EXAMPLE = "arn:aws:iam::123456789012:role/platform-admin"


def _role_arn(value: str) -> str:
    if IAM_ROLE_ARN.match(value):
        return value
    note = non_ascii_note(value)
    if note:
        raise ValueError(f"{value!r} {note}: IAM role ARNs are ASCII only")
    raise ValueError(
        f"not an IAM role ARN: {value!r}; write arn:aws:iam::<12-digit account>:role/<name>, "
        f"e.g. {ROLE_ARN_EXAMPLE}"
    )


RoleArn = Annotated[str, AfterValidator(_role_arn)]
RoleArns = Annotated[list[RoleArn], AfterValidator(unique)]

# --- values other projects fix ------------------------------------------------------------------------------


def on_ttft_bucket_edge(v: float | None) -> float | None:
    """A TTFT target on an edge of the pinned vLLM's histogram: between two edges its p95 is interpolated."""
    if v is None or v in TTFT_BUCKET_EDGES:
        return v
    below = [e for e in TTFT_BUCKET_EDGES if e < v][-1:]
    above = [e for e in TTFT_BUCKET_EDGES if e > v][:1]
    nearest = " or ".join(f"{e:g}" for e in below + above)
    raise ValueError(
        f"{v:g} is not a bucket edge of vLLM {VLLM_VERSION}'s TTFT histogram, so its p95 would be "
        f"interpolated inside a bucket: use {nearest} (edges: {', '.join(f'{e:g}' for e in TTFT_BUCKET_EDGES)})"
    )


# gp3 EBS volumes (AWS EBS user guide, "Amazon EBS volume types"): 1 GiB to 16 TiB, 3,000 to 16,000 IOPS, 125 to
# 1,000 MiB/s, at most 500 IOPS per GiB and 0.25 MiB/s per IOPS. Every gp3 size in the schema stays inside them,
# and the IOPS and throughput the components set are checked against them (tests/unit/test_semantics.py).
GP3_MIN_GIB, GP3_MAX_GIB = 1, 16_384
GP3_IOPS = (3_000, 16_000)
GP3_THROUGHPUT_MIBPS = (125, 1_000)
GP3_IOPS_PER_GIB = 500
GP3_MIBPS_PER_IOPS = 0.25


# One DNS label of a host name (RFC 1123: letters, digits, '-', not at either end).
HOST_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", re.ASCII)


def split_plain_url(url: str, noun: str) -> tuple[SplitResult | None, str | None]:
    """`url` split into its parts, or None and what keeps it from being one plain URL (non-ASCII or blank
    characters, a port that does not parse); `noun` names it in the message ("write the <noun> in plain ASCII")."""
    note = non_ascii_note(url)
    if note or any(c.isspace() for c in url):
        return None, f"{note or 'contains whitespace'}: write the {noun} in plain ASCII"
    try:
        parts = urlsplit(url)
        _ = parts.port  # parsing the port is what raises on a bad one
    except ValueError as err:
        return None, f"not a URL ({err})"
    return parts, None
