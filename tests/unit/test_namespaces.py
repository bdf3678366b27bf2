"""Keys outside `llm-platform:` are accepted only where a provider or the CLI reads them; a misspelt namespace or
provider key is refused with the key it most likely means, named as the stack file writes it."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from config.issues import ConfigError
from config.loader import check_config
from config.namespaces import READERS, namespace_issue
from config.schema.platform import SECTIONS
from fleet.load import load_fleet
from planner.stackfile import read_stack
from tests.conftest import PROJECT_DIR, write_variant


def _sdk_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / relative


def test_the_aws_keys_are_those_the_pinned_provider_sdk_reads():
    text = _sdk_file("pulumi_aws", "config/vars.py").read_text()
    assert set(re.findall(r"__config__\.get\w*\('(\w+)'", text)) == READERS["aws"].keys


def test_the_kubernetes_keys_are_the_pinned_providers_inputs():
    tree = ast.parse(_sdk_file("pulumi_kubernetes", "provider.py").read_text())
    args = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ProviderArgs")
    names = set()
    for fn in args.body:
        if isinstance(fn, ast.FunctionDef) and any(
            (isinstance(d, ast.Attribute) and d.attr == "getter") or isinstance(d, ast.Call)
            for d in fn.decorator_list
        ):
            wire = [
                kw.value.value
                for d in fn.decorator_list
                if isinstance(d, ast.Call)
                for kw in d.keywords
                if kw.arg == "name"
            ]
            names.add(wire[0] if wire else fn.name)
    assert names == READERS["kubernetes"].keys


@pytest.mark.parametrize("package", ["pulumi_eks", "pulumi_random"])
def test_providers_without_config_read_no_keys(package):
    tree = ast.parse(_sdk_file(package, "provider.py").read_text())
    args = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ProviderArgs")
    assert not [fn for fn in args.body if isinstance(fn, ast.FunctionDef) and fn.name != "__init__"]
    assert READERS[package.removeprefix("pulumi_")].keys == frozenset()


@pytest.mark.parametrize(
    "key",
    [
        "aws:region",
        "aws:defaultTags",
        "aws:profile",
        "aws:skipMetadataApiCheck",
        "kubernetes:kubeconfig",
        "kubernetes:enableServerSideApply",
        "pulumi:template",
        "pulumi:disable-default-providers",
        "llm-platform:anything",  # the program's own keys are checked against its schema, not here
    ],
)
def test_keys_something_reads_are_accepted(key):
    assert namespace_issue(key, SECTIONS) is None


@pytest.mark.parametrize(
    ("key", "wanted"),
    [
        ("llm-platfrom:access", "unknown namespace 'llm-platfrom'; did you mean llm-platform:access?"),
        ("llm_platform:models", "did you mean llm-platform:models?"),
        ("LLM-platform:cluster", "did you mean llm-platform:cluster?"),
        ("llm-platfrm:acess", "did you mean llm-platform:access?"),  # both parts misspelt
        ("llm-platfrom:whatever", "did you mean llm-platform:whatever?"),
        ("awz:region", "unknown namespace 'awz'; did you mean aws:region?"),
        ("AWS:region", "did you mean aws:region?"),
        ("kubernets:kubeconfig", "did you mean kubernetes:kubeconfig?"),
        (
            "aws:regoin",
            "the AWS provider (pulumi-aws 7.51.1) reads no key 'regoin'; did you mean aws:region?",
        ),
        ("aws:Region", "did you mean aws:region?"),
        ("aws:defaultTag", "did you mean aws:defaultTags?"),
        ("aws:nothingLikeIt", "reads no key 'nothingLikeIt'; (it would configure nothing)"),
        ("kubernetes:kubeConfig", "did you mean kubernetes:kubeconfig?"),
        ("pulumi:templte", "did you mean pulumi:template?"),
        ("eks:clusterName", "the EKS provider (pulumi-eks 4.4.0), which reads no config: remove the key"),
        ("datadog:apiKey", "unknown namespace 'datadog': nothing reads it"),
        ("nonamespace", "not a config key"),
    ],
)
def test_keys_nothing_reads_are_refused_with_what_they_most_likely_mean(key, wanted):
    message = namespace_issue(key, SECTIONS)
    assert message is not None and wanted in message


def _dev() -> dict[str, str]:
    return dict(read_stack(PROJECT_DIR, "dev").config)


def test_the_loader_names_every_key_nothing_reads_as_written():
    flat = {
        **_dev(),
        "llm-platfrom:access": '{"clientNamespaces": ["x"]}',
        "aws:regoin": "us-west-2",
        "aws:profile": "dev",
        "kubernetes:kubeconfig": "~/.kube/config",
        "other:key": "y",
    }
    issues = {i.key: i.message for i in check_config(flat).issues}
    assert set(issues) == {"llm-platfrom:access", "aws:regoin", "other:key"}
    assert "did you mean llm-platform:access?" in issues["llm-platfrom:access"]


def test_no_message_shows_a_secret_value_of_a_misnamed_key():
    flat = {**_dev(), "aws:secretKy": "s3cr3t-value"}
    (issue,) = check_config(flat, secret_keys={"aws:secretKy"}).issues
    assert issue.key == "aws:secretKy" and "did you mean aws:secretKey?" in issue.message
    assert "s3cr3t" not in issue.message


def test_a_misspelt_namespace_in_a_stack_file_fails_before_anything_is_resolved(tmp_path):
    def misspell(c):
        c["llm_platform:access"] = c.pop("llm-platform:access")

    sf = read_stack(write_variant(tmp_path, misspell), "variant")
    with pytest.raises(ConfigError) as exc:
        load_fleet(sf.config, sf.path.name, sf.secret_keys)
    (issue,) = exc.value.issues
    assert issue.key == "llm_platform:access" and "did you mean llm-platform:access?" in issue.message
