"""The stack file read as the Pulumi CLI reads it: yaml.v3's resolution, the strings the CLI passes a program,
secure values, Pulumi.yaml's config defaults, and one framed error for whatever the CLI would refuse.

The expected strings follow the CLI's Go code (sdk/go/common/resource/config object.go, plaintext.go;
workspace/loaders.go; gopkg.in/yaml.v3 resolve.go, decode.go) as planner/stackfile/ cites it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from planner.stackfile import StackFileError, placeholder, project_name, read_stack
from planner.stackfile.go_text import go_json_float
from planner.stackfile.yaml_nodes import load
from planner.stackfile.yaml_resolve import go_parse_int, resolve
from tests.conftest import STACKS

PROJECT = "name: llm-platform\nruntime: python\n"


def write(tmp_path: Path, stack_text: str, project_text: str = PROJECT) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_text)
    (tmp_path / "Pulumi.t.yaml").write_text(textwrap.dedent(stack_text))
    return tmp_path


def passed(tmp_path: Path, value_yaml: str) -> str:
    """What the CLI passes for `llm-platform:x: <value_yaml>`."""
    sf = read_stack(write(tmp_path, f"config:\n  llm-platform:x: {value_yaml}\n"), "t")
    return sf.config["llm-platform:x"]


def problems(tmp_path: Path, stack_text: str, project_text: str = PROJECT) -> list[str]:
    with pytest.raises(StackFileError) as exc:
        read_stack(write(tmp_path, stack_text, project_text), "t")
    return [str(p) for p in exc.value.problems]


# YAML as yaml.v3 reads it -> the string the CLI passes (PULUMI_CONFIG).
CLI_STRINGS = [
    # YAML 1.2: only true/false (three spellings) are booleans; 1.1's yes/on/y and sexagesimals are text.
    ("yes", "yes"),
    ("on", "on"),
    ("No", "No"),
    ("12:30", "12:30"),
    ("true", "true"),
    ("True", "true"),
    ("TRUE", "true"),
    ("tRUE", "tRUE"),
    # ints: hex, 0o and yaml.v3's legacy 0777 octal, binary, underscores dropped; 08 is no octal: a float 8
    ("0x1F", "31"),
    ("0o17", "15"),
    ("017", "15"),
    ("08", "8"),
    ("1_000", "1000"),
    ("0b101", "5"),
    ("-0x10", "-16"),
    ("+5", "5"),
    ("18446744073709551615", "18446744073709551615"),  # uint64, passed as its text
    # floats: Go's json format; the CLI's YAML round trip turns an integral float below 1e6 into an int
    ("1.0", "1"),
    ("-0.0", "0"),
    ("1.5", "1.5"),
    (".5", "0.5"),
    ("1e21", "1e+21"),
    ("1e20", "100000000000000000000"),
    ("1e-7", "1e-7"),
    ("0.000001", "0.000001"),
    ("123456789.0", "123456789"),
    ("1e400", "1e400"),  # strconv.ParseFloat overflows: yaml.v3 keeps the text
    # timestamps: time.Time.String(); a quoted one, or an impossible date, is text
    ("2026-07-14", "2026-07-14 00:00:00 +0000 UTC"),
    ("2026-07-14T10:30:00.5Z", "2026-07-14 10:30:00.5 +0000 UTC"),
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.1 -0500 -0500"),
    ("2001-12-14 21:59:43.10", "2001-12-14 21:59:43.1 +0000 UTC"),
    ('"2026-07-14"', "2026-07-14"),
    ("2026-02-30", "2026-02-30"),
    # empty values are "" at the top level (checkForEmptyConfig), null inside objects
    ("~", ""),
    ("null", ""),
    ("", ""),
    ("[null, ~, Null]", "[null,null,null]"),
    ("{a: }", '{"a":null}'),
    # objects and lists: compact JSON, sorted keys, Go's HTML-safe escapes; strings at the top are raw
    ("{b: 1, a: [true, s]}", '{"a":[true,"s"],"b":1}'),
    ('"<a&b>"', "<a&b>"),
    ('["<a&b>"]', '["\\u003ca\\u0026b\\u003e"]'),
    ('["line\\nbreak\\ttab"]', '["line\\nbreak\\ttab"]'),
    ("[é, 日本]", '["é","日本"]'),
    ("{created: 2026-07-14}", '{"created":"2026-07-14 00:00:00 +0000 UTC"}'),  # object.go: v.String() nested
    ("{1: a, true: b, 0.5: c}", '{"0.5":"c","1":"a","true":"b"}'),  # fmt %v of non-string keys
    ("[18446744073709551615]", "[18446744073709552000]"),  # inside JSON: json.Number -> float64
    ("[1.5e300, 0.1]", "[1.5e+300,0.1]"),
    # tags and quoting
    ("!!str 5", "5"),
    ("!!float 5", "5"),
    ('!!int "5"', "5"),
    ("[!!str 5, '5', 5]", '["5","5",5]'),
    ("!custom text", "text"),
    ("!!binary aGk=", "hi"),
    ("'it''s'", "it's"),
    ("'<<'", "<<"),
    # merges: the mapping's own keys win
    ("{<<: {a: 1, b: 2}, b: 3}", '{"a":1,"b":3}'),
    ("{<<: [{a: 1}, {a: 2, c: 4}]}", '{"a":1,"c":4}'),
]


@pytest.mark.parametrize(("value_yaml", "expected"), CLI_STRINGS)
def test_each_value_is_passed_as_the_cli_passes_it(tmp_path, value_yaml, expected):
    assert passed(tmp_path, value_yaml) == expected


def test_a_block_scalar_and_an_alias_are_passed_as_written(tmp_path):
    sf = read_stack(
        write(
            tmp_path, "config:\n  llm-platform:a: &tags [x, y]\n  llm-platform:b: *tags\n  c: |\n    one\n"
        ),
        "t",
    )
    assert sf.config == {
        "llm-platform:a": '["x","y"]',
        "llm-platform:b": '["x","y"]',
        "llm-platform:c": "one\n",
    }


def test_keys_without_a_namespace_get_the_projects_and_the_old_config_form_is_read(tmp_path):
    sf = read_stack(
        write(tmp_path, "config:\n  aws:region: us-west-2\n  models: []\n  llm-platform:config:alerts: {}\n"),
        "t",
    )
    assert list(sf.config) == ["aws:region", "llm-platform:models", "llm-platform:alerts"]
    assert sf.project == "llm-platform" and sf.secret_keys == ()


def test_a_date_under_aws_default_tags_no_longer_crashes(tmp_path):
    # Before: `Object of type date is not JSON serializable`.
    sf = read_stack(
        write(tmp_path, "config:\n  aws:defaultTags:\n    tags:\n      created: 2026-07-14\n"), "t"
    )
    assert sf.config["aws:defaultTags"] == '{"tags":{"created":"2026-07-14 00:00:00 +0000 UTC"}}'


# --- secure values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_yaml", "expected", "secret"),
    [
        ("{secure: v1:abc}", placeholder("v1:abc"), True),
        ("{a: {secure: v1:abc}, b: 1}", f'{{"a":"{placeholder("v1:abc")}","b":1}}', True),
        ("[a, {secure: v1:abc}]", f'["a","{placeholder("v1:abc")}"]', True),
        ("{l: [{m: {secure: v1:x}}]}", f'{{"l":[{{"m":"{placeholder("v1:x")}"}}]}}', True),
        # only a mapping of exactly one key, `secure`, holding a string is ciphertext (isSecureValue)
        ("{secure: 5}", '{"secure":5}', False),
        ("{secure: v1:abc, other: 1}", '{"other":1,"secure":"v1:abc"}', False),
    ],
)
def test_secure_values_become_the_placeholder_and_mark_their_whole_key_secret(
    tmp_path, value_yaml, expected, secret
):
    sf = read_stack(write(tmp_path, f"config:\n  aws:region: x\n  llm-platform:x: {value_yaml}\n"), "t")
    assert sf.config["llm-platform:x"] == expected
    assert sf.secret_keys == (("llm-platform:x",) if secret else ())


# --- Pulumi.yaml's config: defaults -------------------------------------------------------------------------

PROJECT_WITH_CONFIG = PROJECT + textwrap.dedent(
    """\
    config:
      replicas: 3
      aws:profile: dev
      tags: {type: array, items: {type: string}, default: [a, b]}
      created: {default: {at: 2026-07-14}}
      when: {default: 2026-07-14}
      ratio: {default: 1.5}
      flag: {type: boolean, default: false}
      port: {type: integer, default: 8080}
    """
)


def test_project_defaults_fill_the_keys_the_stack_lacks(tmp_path):
    sf = read_stack(write(tmp_path, "config:\n  replicas: 5\n", PROJECT_WITH_CONFIG), "t")
    assert sf.config == {
        "llm-platform:replicas": "5",  # the stack's value wins
        "aws:profile": "dev",  # another namespace's shorthand is a value
        "llm-platform:created": '{"at":"2026-07-14T00:00:00Z"}',  # json.Marshal of a time.Time: RFC 3339
        "llm-platform:flag": "false",
        "llm-platform:port": "8080",
        "llm-platform:ratio": "1.5",
        "llm-platform:tags": '["a","b"]',
        "llm-platform:when": "2026-07-14T00:00:00Z",
    }


@pytest.mark.parametrize(
    ("stack_config", "wanted"),
    [
        ("port: abc", "llm-platform:port must be of type integer"),
        ("flag: yes", "llm-platform:flag must be of type boolean"),
        ("tags: [a, 1]", "llm-platform:tags must be of type array"),
    ],
)
def test_stack_values_must_fit_their_declared_type(tmp_path, stack_config, wanted):
    (problem,) = problems(tmp_path, f"config:\n  {stack_config}\n", PROJECT_WITH_CONFIG)
    assert problem.startswith("line 2, column 3:") and wanted in problem and "(line" in problem


def test_a_required_project_key_missing_from_the_stack_is_refused(tmp_path):
    project = PROJECT + "config:\n  apiKey: {type: string, secret: true}\n  owner: {type: string}\n"
    found = problems(tmp_path, "config:\n  aws:region: x\n", project)
    assert len(found) == 2 and all("required by Pulumi.yaml" in p for p in found)
    assert "pulumi config set apiKey <value>" in found[0]
    # A key declared secret must be encrypted; encrypted, it is not type-checked offline.
    (plain,) = problems(tmp_path, "config:\n  apiKey: hunter2\n  owner: me\n", project)
    assert "llm-platform:apiKey must be encrypted" in plain and "hunter2" not in plain
    sf = read_stack(write(tmp_path, "config:\n  apiKey: {secure: v1:x}\n  owner: me\n", project), "t")
    assert sf.secret_keys == ("llm-platform:apiKey",)


@pytest.mark.parametrize(
    ("declaration", "wanted"),
    [
        ("x: {default: 1, value: 2}", "cannot have both a 'default' and 'value'"),
        ("aws:profile: {default: dev}", "give it a 'value', not a 'default'"),
        ("aws:profile: {type: string, value: dev}", "should not define a type"),
        ("x: {type: array}", "not the type of its items"),
        ("x: {type: integer, default: abc}", "not of the declared type integer"),
        ("x: {typ: string}", "unknown attribute 'typ'; did you mean type?"),
        ("x: 1.5", "must be a string, integer, boolean or list"),
        ("x: {default: {secure: v1:x}}", "belongs in the stack file"),
    ],
)
def test_project_declarations_the_cli_refuses_are_refused(tmp_path, declaration, wanted):
    write(tmp_path, "config:\n  aws:region: x\n", PROJECT + f"config:\n  {declaration}\n")
    with pytest.raises(StackFileError) as exc:
        read_stack(tmp_path, "t")
    assert exc.value.path.name == "Pulumi.yaml"
    (problem,) = exc.value.problems
    assert wanted in problem.message and problem.line == 4


# --- one framed error for what the CLI refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "at", "wanted"),
    [
        ("- a\n- b\n", (1, 1), "the top level is a list"),
        ("just text\n", (1, 1), "the top level is a scalar"),
        ("", (1, 1), "the file is empty"),
        ("# only a comment\n", (1, 1), "the file is empty"),
        ("secretsprovider: passphrase\n", (1, 1), "no `config:` key"),
        ("config: [a]\n", (1, 9), "config: is a list"),
        ("config:\n", (1, 1), "config: is empty"),
        ("config:\n  aws:region: [x\n", (3, 1), "invalid YAML"),
        ("config:\n  a: b: c\n", (2, 7), "invalid YAML: mapping values are not allowed here"),
        (
            "confg:\n  aws:region: x\nconfig: {}\n",
            (1, 1),
            "unknown top-level key 'confg'; did you mean config?",
        ),
        ("environment: [dev]\nconfig: {}\n", (1, 1), "ESC environments cannot be opened offline"),
    ],
)
def test_a_file_of_the_wrong_shape_is_one_framed_error(tmp_path, text, at, wanted):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.t.yaml").write_text(text)
    with pytest.raises(StackFileError) as exc:
        read_stack(tmp_path, "t")
    assert str(exc.value).startswith("cannot read Pulumi.t.yaml as the Pulumi CLI does (1 error(s)):")
    (problem,) = exc.value.problems
    assert (problem.line, problem.column) == at and wanted in problem.message


def test_duplicate_keys_are_refused_at_any_depth_naming_both_lines(tmp_path):
    found = problems(
        tmp_path,
        """\
        config:
          llm-platform:models:
            - name: a
          llm-platform:access:
            readOnlyRoleArns: []
            readOnlyRoleArns: [x]
          llm-platform:models:
            - name: b
              nested: {deep: {k: 1, k: 2}}
        """,
    )
    assert found == [
        "line 6, column 5: key 'readOnlyRoleArns' is given twice in one mapping (first at line 5): the Pulumi CLI "
        "refuses the file (yaml.v3: mapping key already defined); keep one, merged",
        "line 7, column 3: key 'llm-platform:models' is given twice in one mapping (first at line 2): the Pulumi "
        "CLI refuses the file (yaml.v3: mapping key already defined); keep one, merged",
        "line 9, column 29: key 'k' is given twice in one mapping (first at line 9): the Pulumi CLI refuses the "
        "file (yaml.v3: mapping key already defined); keep one, merged",
    ]


def test_two_spellings_of_one_key_are_refused_naming_both_lines(tmp_path):
    (bare,) = problems(tmp_path, "config:\n  models: []\n  llm-platform:models: []\n")
    assert bare.startswith(
        "line 3, column 3: llm-platform:models is the key llm-platform:models again (first at line 2)"
    )
    (nested,) = problems(tmp_path, "config:\n  llm-platform:x: {1: a, 0x1: b}\n")
    assert "key '1' is given twice" in nested and "read as the same key" in nested


@pytest.mark.parametrize(
    ("value_yaml", "wanted"),
    [
        (".inf", ".inf cannot be passed"),
        ("[.nan]", ".nan cannot be passed"),
        ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
        ("!!bool yes", "cannot decode !!str `yes` as a !!bool"),
        ("*nowhere", "unknown anchor 'nowhere'"),
        ("{<<: 1}", "map merge requires map or sequence of maps"),
        ("&a [*a]", "anchor 'a' value contains itself"),
    ],
)
def test_values_the_cli_refuses_name_their_key_and_line(tmp_path, value_yaml, wanted):
    (problem,) = problems(tmp_path, f"config:\n  aws:region: x\n  llm-platform:x: {value_yaml}\n")
    assert problem.startswith("line 3") and wanted in problem


def test_every_problem_of_a_stack_file_comes_at_once(tmp_path):
    found = problems(tmp_path, "config:\n  a:b:c: 1\n  x: .inf\n  [k]: v\n")
    assert len(found) == 3
    assert "'a:b:c' is not a config key" in found[0] and "llm-platform:x:" in found[1]
    assert found[2].startswith("line 4, column 3: a list is not a config key")


@pytest.mark.parametrize(
    ("project_text", "wanted"),
    [
        ("runtime: python\n", "the project has no `name:`"),
        ("nme: x\n", "did you mean name?"),
        ("name: ''\n", "name: must be a non-empty string"),
        ("name: 5\n", "name: must be a non-empty string"),
        ("- name: x\n", "the top level is a list"),
        ("name: x\nname: y\n", "key 'name' is given twice"),
        ("name: x\nconfig: dir\n", "config: is a scalar"),
        ("name: x\nstackConfigDir: dir\n", "stackConfigDir"),
    ],
)
def test_a_project_file_the_cli_refuses_is_one_framed_error(tmp_path, project_text, wanted):
    (tmp_path / "Pulumi.yaml").write_text(project_text)
    with pytest.raises(StackFileError) as exc:
        project_name(tmp_path)
    assert exc.value.path.name == "Pulumi.yaml" and wanted in str(exc.value)


def test_a_utf8_byte_order_mark_is_skipped_as_the_cli_skips_it(tmp_path):
    write(tmp_path, "")
    (tmp_path / "Pulumi.t.yaml").write_bytes(b"\xef\xbb\xbfconfig:\n  aws:region: x\n")
    assert read_stack(tmp_path, "t").config == {"aws:region": "x"}


# --- yaml.v3's and Go's own rules, directly -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "text", "expected"),
    [
        ("", "0b-1", ("!!int", -1)),  # resolve.go retries 0b with the prefix cut off
        ("", "-0o17", ("!!int", -15)),
        ("", "0x", ("!!str", "0x")),
        ("", "9223372036854775808", ("!!int", 9223372036854775808)),  # uint64
        ("", "-9223372036854775809", ("!!float", -9.223372036854776e18)),
        ("", "._5", ("!!str", "._5")),
        ("", ".5_5", ("!!float", 0.55)),
        ("!!float", "1", ("!!float", 1.0)),
        ("!!timestamp", "2026-07-14", ("!!timestamp", resolve("", "2026-07-14")[1])),
        ("!foo", "1", ("!foo", "1")),
    ],
)
def test_resolve_follows_yaml_v3(tag, text, expected):
    assert resolve(tag, text) == expected


def test_go_formats_and_parses_numbers_as_strconv_does():
    assert go_parse_int("0777", 0, (-(2**63), 2**63 - 1)) == 511
    assert go_parse_int("+5", 0, (0, 2**64 - 1)) is None  # ParseUint takes no sign
    assert [go_json_float(f) for f in (5e-324, 1.7976931348623157e308, -1e-7, 2.5e-6)] == [
        "5e-324",
        "1.7976931348623157e+308",
        "-1e-7",
        "0.0000025",
    ]
    with pytest.raises(ValueError, match=r"json: unsupported value: \+Inf"):
        go_json_float(float("inf"))


def test_only_the_first_document_is_read_as_yaml_v3_reads_it():
    node = load("a: 1\n---\nb: [unclosed\n")
    assert node is not None and [k.text for k, _ in node.pairs] == ["a"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_real_stack_files_read_without_a_problem(stack):
    sf = read_stack(Path(__file__).resolve().parents[2], stack)
    assert sf.config["aws:region"] and sf.secret_keys == ()
    assert all(isinstance(v, str) for v in sf.config.values())
