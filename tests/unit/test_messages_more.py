"""More config messages a person can act on: provider values checked against the types the pinned SDKs declare,
YAML errors at the quote that opened them, look-alike letters named at every level, numbers with units turned
into the value to write, text fields that need a form, bounds past what an integer holds, strict numbers and
booleans said as what to write, and secrets never shown."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import textwrap
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from config.issue_messages import MESSAGES
from config.issue_units import UNITS_BY_NAME
from config.issues import pydantic_issues
from config.loader import check_config
from config.namespaces import READERS, UNCHECKED, _Object, value_issues
from config.schema.base import PATTERN_FORMS, Form, GoDuration
from config.schema.platform import SECTIONS
from planner.stackfile import StackFileError, read_stack
from tests.conftest import PROJECT_DIR

K = "llm-platform"


def dev() -> dict[str, str]:
    return dict(read_stack(PROJECT_DIR, "dev").config)


def issues_of(flat: dict[str, str], secret_keys=()) -> dict[str, str]:
    return {i.key: i.message for i in check_config(flat, secret_keys).issues}


def edited(key: str, change) -> dict[str, str]:
    c = dev()
    value = json.loads(c.get(key, "{}"))  # an optional section dev leaves out is its defaults
    change(value)
    c[key] = json.dumps(value)
    return c


# --- 1. provider values: the types the pinned SDKs declare ------------------------------------------------------


def _sdk(package: str, relative: str) -> ast.Module:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    return ast.parse((Path(spec.origin).parent / relative).read_text())


def _getters(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """An SDK Args class's inputs: wire name (the getter's `name=`, else the Python name) -> return annotation."""
    found = {}
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef) or fn.returns is None:
            continue
        names = [
            kw.value.value
            for d in fn.decorator_list
            if isinstance(d, ast.Call)
            for kw in d.keywords
            if kw.arg == "name"
        ]
        getter = any(isinstance(d, ast.Call | ast.Attribute) for d in fn.decorator_list)
        if getter and fn.name != "__init__":
            found[names[0] if names else fn.name] = fn.returns
    return found


def _sdk_shape(node: ast.expr, classes: dict[str, ast.ClassDef]) -> Any:
    """An SDK annotation as a plain shape: "str", "int", ("list", x), ("map", x), or {key: shape}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a forward reference to an Args class
        return {k: _sdk_shape(v, classes) for k, v in _getters(classes[node.value]).items()}
    if isinstance(node, ast.Attribute):  # _builtins.str
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    assert isinstance(node, ast.Subscript), ast.dump(node)
    outer = ast.unparse(node.value)
    args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if outer in ("pulumi.Input", "Optional"):
        return _sdk_shape(args[0], classes)
    if outer == "Sequence":
        return ("list", _sdk_shape(args[0], classes))
    assert outer == "Mapping" and ast.unparse(args[0]) == "str", ast.unparse(node)
    return ("map", _sdk_shape(args[1], classes))


def _our_shape(tp: Any) -> Any:
    """One of our value types as the same plain shape."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        return _our_shape(args[0])
    if origin in (typing.Union, __import__("types").UnionType):
        members = [a for a in args if a is not type(None)]
        assert len(members) == 1, tp
        return _our_shape(members[0])
    if origin is list:
        return ("list", _our_shape(args[0]))
    if origin is dict:
        return ("map", _our_shape(args[1]))
    if isinstance(tp, type) and issubclass(tp, _Object):
        return {f.alias: _our_shape(f.annotation) for f in tp.model_fields.values()}
    return tp.__name__


def _sdk_inputs(package: str) -> dict[str, Any]:
    provider, inputs = _sdk(package, "provider.py"), _sdk(package, "_inputs.py")
    classes = {n.name: n for n in [*provider.body, *inputs.body] if isinstance(n, ast.ClassDef)}
    return {k: _sdk_shape(v, classes) for k, v in _getters(classes["ProviderArgs"]).items()}


# Where our shape is not the SDK's, and why (each checked below).
_NOT_THE_SDKS = {("aws", "endpoints"), ("kubernetes", "kubeconfig")}


@pytest.mark.parametrize(
    ("namespace", "package"), [("aws", "pulumi_aws"), ("kubernetes", "pulumi_kubernetes")]
)
def test_each_provider_key_takes_the_type_its_pinned_sdk_declares(namespace, package):
    sdk = _sdk_inputs(package)
    ours = READERS[namespace].values
    assert set(ours) == set(sdk)
    for key, shape in ours.items():
        if (namespace, key) not in _NOT_THE_SDKS:
            assert _our_shape(shape.schema) == sdk[key], key
    if namespace == "aws":
        # One text key per AWS service: a map of text is the same value with the names unchecked.
        (kind, services) = sdk["endpoints"]
        assert kind == "list" and len(services) > 300 and set(services.values()) == {"str"}
    else:
        assert sdk["kubeconfig"] == "str"  # a map written in the stack file reaches it as JSON text


@pytest.mark.parametrize(
    ("key", "value", "at", "said"),
    [
        ("aws:defaultTags", "llm-platform", "aws:defaultTags", "must be a map {tags: {<key>: <value>}}"),
        (
            "aws:defaultTags",
            {"tags": {"env": ["dev", "test"]}},
            "aws:defaultTags.tags.env",
            "one value, not a list",
        ),
        ("aws:defaultTags", {"tag": {"env": "dev"}}, "aws:defaultTags.tag", "did you mean 'tags'?"),
        ("aws:maxRetries", "many", "aws:maxRetries", "must be a whole number (got 'many')"),
        ("aws:maxRetries", 2.5, "aws:maxRetries", "without a fraction"),
        ("aws:skipCredentialsValidation", "yes", "aws:skipCredentialsValidation", "write true (yes/no"),
        ("aws:allowedAccountIds", "123456789012", "aws:allowedAccountIds", "a list of text, e.g. [a, b]"),
        ("aws:assumeRoles", [{"rolearn": "x"}], "aws:assumeRoles[0].rolearn", "did you mean 'roleArn'?"),
        ("aws:assumeRoles", {"roleArn": "x"}, "aws:assumeRoles", "a list of maps"),
        ("aws:profile", ["dev"], "aws:profile", "must be text, one value, not a list"),
        ("kubernetes:enableServerSideApply", "maybe", "kubernetes:enableServerSideApply", "true or false"),
        ("kubernetes:kubeClientSettings", {"qps": "fast"}, "kubernetes:kubeClientSettings.qps", "a number"),
        ("kubernetes:kubeconfig", ["a"], "kubernetes:kubeconfig", "a path to a kubeconfig file"),
    ],
)
def test_a_provider_value_its_provider_cannot_read_is_refused_naming_the_key_and_the_form(
    key, value, at, said
):
    flat = {**dev(), key: value if isinstance(value, str) else json.dumps(value)}
    found = issues_of(flat)
    assert at in found and said in found[at], found
    assert set(found) == {at}  # nothing else in the stack is blamed


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("aws:defaultTags", {"tags": {"project": "x", "cost-center": 1234}}),  # a number is fine text
        ("aws:maxRetries", 5),
        ("aws:skipCredentialsValidation", True),
        ("aws:profile", 2024),  # the CLI passes every scalar as text
        ("aws:ignoreTags", {"keyPrefixes": ["kubernetes.io/"]}),
        ("aws:endpoints", [{"s3": "http://localhost:4566"}]),
        ("aws:assumeRoles", [{"roleArn": "arn:aws:iam::123456789012:role/x", "tags": {"a": "b"}}]),
        ("kubernetes:kubeconfig", {"apiVersion": "v1", "clusters": []}),
        ("kubernetes:kubeClientSettings", {"burst": 120, "qps": 50, "timeout": 32}),
        ("pulumi:disable-default-providers", ["*"]),
    ],
)
def test_a_provider_value_of_the_declared_type_is_accepted(key, value):
    flat = {**dev(), key: value if isinstance(value, str) else json.dumps(value)}
    assert issues_of(flat) == {}


def test_the_dev_stacks_own_provider_values_pass_and_unchecked_keys_are_the_clis_only():
    assert [
        k for k in dev() if value_issues(k, json.loads(dev()[k]) if dev()[k][:1] in "[{" else dev()[k])
    ] == []
    unchecked = {(n, k) for n, r in READERS.items() for k, s in r.values.items() if s is UNCHECKED}
    assert {n for n, _ in unchecked} == {"pulumi"}


def test_a_secret_provider_value_is_never_shown():
    flat = {**dev(), "aws:secretKey": json.dumps(["wJalrXUtnFEMI-K7MDENG"])}
    found = issues_of(flat, secret_keys={"aws:secretKey"})
    assert "must be text" in found["aws:secretKey"] and "wJalrXUtnFEMI" not in found["aws:secretKey"]
    (issue,) = value_issues("aws:assumeRoleWithWebIdentity", "tok-3n9X", hidden=True)
    assert "hidden" in issue.message and "tok-3n9X" not in issue.message


# --- 2. an unclosed quote is reported where it opened --------------------------------------------------------

PROJECT = "name: t\nruntime: python\n"


def _problem(tmp_path: Path, text: str):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.t.yaml").write_text(textwrap.dedent(text))
    with pytest.raises(StackFileError) as exc:
        read_stack(tmp_path, "t")
    (problem,) = exc.value.problems
    return problem


@pytest.mark.parametrize(
    ("text", "at", "said"),
    [
        (
            'config:\n  llm-platform:cluster:\n    kubernetesVersion: "1.35\n  aws:region: x\n',
            (3, 24),
            '"1.35"',
        ),
        ("config:\n  aws:region: 'us-west-2\n  aws:profile: dev\n", (2, 15), "'us-west-2'"),
        ('config:\n  aws:region: "us-west-2  # the region\n  a: 1\n\n\n', (2, 15), "never closed"),
    ],
)
def test_an_unclosed_quote_is_reported_where_it_opens_with_the_value_closed(tmp_path, text, at, said):
    problem = _problem(tmp_path, text)
    assert (problem.line, problem.column) == at
    assert (
        "quoted scalar" in problem.message and "never closed" in problem.message and said in problem.message
    )
    assert "end of stream at line" in problem.message  # where the parser gave up is still said


def test_an_unclosed_bracket_names_where_it_opened_and_how_to_close_it(tmp_path):
    problem = _problem(tmp_path, "config:\n  a: [x, y\n  b: 2\n")
    assert (problem.line, problem.column) == (3, 4)
    assert "flow sequence that opens at line 2, column 6" in problem.message and "with ]" in problem.message
    problem = _problem(tmp_path, "config:\n  a: {x: 1\n")
    assert "flow mapping that opens at line 2, column 6" in problem.message and "with }" in problem.message


# --- 3. look-alike letters are named at every level ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "letter", "meant"),
    [
        (f"{K}:model\u0421ache", "U+0421 CYRILLIC CAPITAL LETTER ES", f"did you mean {K}:modelCache?"),
        (f"{K}:m\u043edels", "U+043E CYRILLIC SMALL LETTER O", f"did you mean {K}:models?"),
        ("llm-pl\u0430tform:models", "U+0430 CYRILLIC SMALL LETTER A", f"did you mean {K}:models?"),
        ("\u0430ws:region", "U+0430 CYRILLIC SMALL LETTER A", "did you mean aws:region?"),
        ("aws:regi\u043en", "U+043E CYRILLIC SMALL LETTER O", "did you mean aws:region?"),
    ],
)
def test_a_look_alike_letter_in_a_top_level_key_or_namespace_is_named(key, letter, meant):
    flat = {**dev(), key: "x"}
    found = issues_of(flat)
    message = found[key]
    assert "non-ASCII" in message and letter in message and meant in message
    assert message.index("non-ASCII") < message.index(meant)  # the letter is said before the lookalike hint


def test_an_ascii_misspelling_has_no_non_ascii_note():
    found = issues_of({**dev(), f"{K}:modelcache": "{}", "llm-platfrom:access": "{}"})
    assert all("non-ASCII" not in m for m in found.values())
    assert f"did you mean {K}:modelCache?" in found[f"{K}:modelcache"]


# --- 4. numbers written with a unit: the value in the key's own unit ------------------------------------------

# (section, change, key reported, the value to write, words the message must also say)
UNIT_CASES = [
    (f"{K}:modelCache", lambda v: v.update(sizeGib="2Ti"), f"{K}:modelCache.sizeGib", "2048", "2Ti = 2048 GiB"),
    (f"{K}:modelCache", lambda v: v.update(sizeGib="512Mi"), f"{K}:modelCache.sizeGib", "1", "rounded up"),
    (f"{K}:modelCache", lambda v: v.update(sizeGib="1.5TiB"), f"{K}:modelCache.sizeGib", "1536", "GiB"),
    (f"{K}:gpuNodeGroups", lambda v: v[0].update(diskSizeGib="150GB"), f"{K}:gpuNodeGroups[0].diskSizeGib",
     "140", "150GB = 139.698 GiB, rounded up"),
    (f"{K}:models", lambda v: v[0].update(maxModelLen="16k"), f"{K}:models[0].maxModelLen", "16000",
     "or 16384 for 16K"),
    (f"{K}:models", lambda v: v[0].update(maxModelLen="32K"), f"{K}:models[0].maxModelLen", "32768",
     "or 32000 for 32k"),
    (f"{K}:models", lambda v: v[0].update(gpuMemoryUtilization="45%"), f"{K}:models[0].gpuMemoryUtilization",
     "0.45", "as a fraction of 1"),
    (f"{K}:alerts", lambda v: v.update(kvCacheUsage="90%"), f"{K}:alerts.kvCacheUsage", "0.9", "90% = 0.9"),
    (f"{K}:alerts", lambda v: v.update(ttftP95Seconds="2500ms"), f"{K}:alerts.ttftP95Seconds", "2.5",
     "in seconds"),
    (f"{K}:alerts", lambda v: v.update(pendingGpuPodMinutes="1h"), f"{K}:alerts.pendingGpuPodMinutes", "60",
     "in minutes"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("section", "change", "key", "value", "words"), UNIT_CASES, ids=lambda x: str(x)[:30]
)
def test_a_number_with_a_unit_is_told_the_value_in_the_keys_unit_and_that_value_is_accepted(
    section, change, key, value, words
):
    message = issues_of(edited(section, change))[key]
    assert f"write {value}" in message and words in message, message

    def written(v):  # the advice taken: the value it says, as a number
        change(v)
        target = v[0] if isinstance(v, list) else v
        name = key.rsplit(".", 1)[-1]
        target[name] = json.loads(value)

    assert key not in issues_of(edited(section, written))


def test_a_unit_the_key_does_not_take_is_named_and_a_key_without_units_keeps_the_number():
    found = issues_of(edited(f"{K}:modelCache", lambda v: v.update(sizeGib="2XB")))
    assert "'XB' is not one of" in found[f"{K}:modelCache.sizeGib"]
    found = issues_of(edited(f"{K}:models", lambda v: v[0].update(maxNumSeqs="32x")))
    assert "write the number alone, 32, without 'x'" in found[f"{K}:models[0].maxNumSeqs"]


def _schema_names() -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def walk(tp: Any) -> None:
        for arg in typing.get_args(tp):
            walk(arg)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
            seen.add(tp)
            for name, f in tp.model_fields.items():
                names.add(f.alias or name)
                walk(f.annotation)

    for _, schema, _ in SECTIONS.values():
        walk(schema)
    return names


def test_every_row_of_the_unit_table_names_a_key_of_the_schema():
    names = _schema_names()
    for name_pattern, units in UNITS_BY_NAME:
        assert any(name_pattern.search(n) for n in names), (name_pattern.pattern, units.phrase)


# --- 5 and 7. a number where text of a form is wanted: the form -------------------------------------------------


def test_a_number_for_a_patterned_text_field_is_told_the_form_with_its_example():
    found = issues_of(edited(f"{K}:addons", lambda v: v["monitoring"].update(retention=7)))
    assert found == {
        f"{K}:addons.monitoring.retention": "must be a whole number of hours, days, weeks or years, e.g. 15d (got 7)"
    }
    found = issues_of(
        edited(f"{K}:addons", lambda v: v["karpenter"]["nodePools"][0].update(consolidateAfter=10))
    )
    assert (
        "must be a duration in hours, minutes and seconds"
        in found[f"{K}:addons.karpenter.nodePools[0].consolidateAfter"]
    )


def test_a_number_for_a_pattern_or_a_literal_is_told_both_forms():
    key = f"{K}:addons.karpenter.nodePools[0].expireAfter"
    for value, shown in ((720, "720"), (True, "true"), (1.5, "1.5")):
        found = issues_of(
            edited(f"{K}:addons", lambda v, x=value: v["karpenter"]["nodePools"][0].update(expireAfter=x))
        )
        assert found == {
            key: "must be a duration in hours, minutes and seconds, largest first, e.g. 720h, 10m or 1h30m; "
            f"or Never (got {shown})"
        }


_DIGITS = r"^[0-9]{12}$"  # given its Form in the test that needs it (the registry is the schema's)


class _Texts(BaseModel):
    model_config = ConfigDict(strict=True)
    account: Annotated[str, Field(pattern=_DIGITS)] = "123456789012"
    choice: GoDuration | Literal["Never"] = "Never"
    note: str = ""


def _messages(model: type[BaseModel], value: dict, hidden: bool = False) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(value)
    return {i.key: i.message for i in pydantic_issues("k", model, exc.value, hidden=hidden)}


def test_a_number_a_patterned_field_would_take_in_quotes_is_told_to_quote_it(monkeypatch):
    monkeypatch.setitem(PATTERN_FORMS, _DIGITS, Form("an AWS account ID of 12 digits", "123456789012"))
    assert _messages(_Texts, {"account": 123456789012}) == {
        "k.account": 'must be text: write it in quotes, "123456789012" (unquoted, YAML reads it as a number)'
    }
    assert _messages(_Texts, {"note": 7})["k.note"].startswith('must be text: write it in quotes, "7"')


# --- 6. past what an integer holds: the declared bound ----------------------------------------------------------


class _Lax(BaseModel):  # pydantic's lax mode: a float too large for an integer is int_parsing_size
    size: Annotated[int, Field(ge=1, le=8_589_934_591)] = 1
    floor: Annotated[int, Field(gt=-5)] = 0
    free: int = 0


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"size": 1e39}, {"k.size": "must be at most 8,589,934,591 (got 1e+39)"}),
        ({"size": -1e39}, {"k.size": "must be at least 1 (got -1e+39)"}),
        ({"floor": -1e30}, {"k.floor": "must be more than -5 (got -1e+30)"}),
        ({"free": 1e39}, {"k.free": "must be at most 9,223,372,036,854,775,807 (got 1e+39)"}),
    ],
)
def test_a_number_past_what_an_integer_holds_is_told_the_declared_bound(value, said):
    with pytest.raises(ValidationError) as exc:
        _Lax.model_validate(value)
    assert {e["type"] for e in exc.value.errors()} == {"int_parsing_size"}
    assert _messages(_Lax, value) == said


def test_a_forty_digit_size_in_a_stack_file_is_told_its_bound():
    found = issues_of(edited(f"{K}:modelCache", lambda v: v.update(sizeGib=1e39)))
    assert found[f"{K}:modelCache.sizeGib"].startswith("must be at most 8,589,934,591")


# --- 8. the region written as something other than one name -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (
            json.dumps(["us-west-2"]),
            "must be one region name, not a list: write us-west-2 alone, without brackets",
        ),
        (json.dumps(["us-west-2", "us-east-1"]), "must be one region name, not a list, e.g. us-west-2"),
        (json.dumps({"name": "us-west-2"}), "not a map"),
        ("true", "not true or false"),
        ("5", "not a number"),
    ],
)
def test_a_region_written_as_other_than_a_name_is_not_called_missing(value, said):
    message = issues_of({**dev(), "aws:region": value})["aws:region"]
    assert said in message and "required" not in message


@pytest.mark.parametrize("flat", [{}, {"aws:region": ""}])
def test_a_region_left_out_is_required(flat):
    c = {k: v for k, v in dev().items() if k != "aws:region"} | flat
    assert issues_of(c)["aws:region"].startswith("required: the AWS region to deploy to")


# --- 9. strict numbers and booleans: what to write -----------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True)
    count: int = 0
    share: float = 0.5
    flag: bool = False
    max_model_len: Annotated[int, Field(alias="maxModelLen")] = 256


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"count": "2"}, "must be a whole number: write 2 without quotes (got the text '2')"),
        ({"count": " 12 "}, "write 12 without quotes"),
        ({"count": "2.5"}, "must be a whole number, without a fraction or quotes (got the text '2.5')"),
        ({"count": True}, "must be a whole number (got true)"),
        ({"share": "0.5"}, "must be a number: write 0.5 without quotes (got the text '0.5')"),
        ({"flag": "false"}, "must be true or false: write false without quotes (got the text 'false')"),
        ({"flag": "True"}, "write true without quotes"),
        ({"flag": "yes"}, "must be true or false: write true (yes/no and on/off are text in YAML 1.2, as the "
         "Pulumi CLI reads it) (got 'yes')"),
        ({"flag": "off"}, "write false (yes/no and on/off are text in YAML 1.2"),
        ({"flag": "N"}, "write false"),
        ({"flag": 1}, "must be true or false, e.g. true (got 1)"),
        ({"maxModelLen": "8k"}, "write 8000, or 8192 for 8K"),
    ],
)  # fmt: skip
def test_a_strict_type_error_says_how_to_write_the_value(value, said):
    (message,) = _messages(_Strict, value).values()
    assert said in message, message


def test_a_stack_file_quoting_a_number_is_told_to_drop_the_quotes_when_the_schema_is_strict():
    found = issues_of(edited(f"{K}:gpuNodeGroups", lambda v: v[0].update(maxSize="2")))
    message = found.get(f"{K}:gpuNodeGroups[0].maxSize")
    if message is None:
        pytest.skip("the schema still takes a quoted number (lax mode)")
    assert message == "must be a whole number: write 2 without quotes (got the text '2')"


def test_the_new_messages_use_no_pydantic_phrasing():
    said = [
        *_messages(_Strict, {"count": "x", "share": "y", "flag": "z", "maxModelLen": "1q"}).values(),
        *_messages(_Lax, {"size": 1e39}).values(),
    ]
    assert len(said) == 5
    assert not [m for m in said if re.search(r"Input should|Unable to parse|valid integer", m)]
    assert "int_parsing_size" in MESSAGES


# --- secrets: hidden through pydantic_issues -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"account": "sk-proj-4fK9qZ2xLm7Vb1Rt8Yw3"},
        {"choice": "sk-proj-4fK9qZ2xLm7Vb1Rt8Yw3"},
        {"note": ["sk-proj-4fK9qZ2xLm7Vb1Rt8Yw3"]},
    ],
)
def test_hidden_keeps_every_value_out_of_every_message(value):
    messages = _messages(_Texts, value, hidden=True)
    assert messages and all("sk-proj" not in m and "hidden" in m for m in messages.values()), messages


def test_a_section_the_stack_file_holds_a_secret_in_shows_no_value_of_it():
    secret = "p4ss-Wd'\"\\x"  # quotes and a backslash: repr and JSON would escape it past a text redaction
    c = edited(f"{K}:access", lambda v: v.update(clientNamespaces=[secret]))
    found = issues_of(c, secret_keys={f"{K}:access"})
    assert found and all("p4ss" not in m for m in found.values()), found
    assert not issues_of(dev(), secret_keys={f"{K}:access"})
