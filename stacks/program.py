"""The Pulumi program: read config, resolve the fleet, declare the platform, export outputs.

`__main__.py` calls `run()` under `pulumi up`, which reads the config the engine passes. The offline planner
loads the fleet from the same stack file with the same loader and hands it to `run(fleet)`, so both declare
exactly the same resources from exactly the same resolved facts.

Secrets: the CLI tells a program only which top-level keys hold a secret, and a secret may sit anywhere inside
one (`pulumi config set --secret --path`). Every text such a key holds is therefore treated as secret, and a
stack transformation, registered before any resource, makes secret every resource input that contains one of
those texts, at any depth, so none reaches the state in clear (`keep_secrets`).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Collection
from typing import Any

import pulumi
from pulumi import _types
from pulumi.runtime import config as runtime_config

from config.issues import ConfigError
from config.loader import redact, secret_strings
from fleet.load import load_fleet
from fleet.resolved import Fleet
from fleet.warnings import fleet_warnings
from stacks import platform


def runtime_config_map() -> dict[str, str]:
    """Every config key the engine passed in, whatever its namespace: the loader refuses the keys nothing
    reads (a misspelt namespace, a provider key that does not exist), so none may be dropped here."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def runtime_secret_keys() -> set[str]:
    """The keys the engine marked secret (PULUMI_CONFIG_SECRET_KEYS, or the runtime settings)."""
    return set(runtime_config._SECRET_KEYS.get()) | set(runtime_config.get_config_secret_keys_env())


def load_from_engine() -> Fleet:
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    flat, secret_keys = runtime_config_map(), runtime_secret_keys()
    try:
        return load_fleet(flat, source, secret_keys)
    except ConfigError as err:
        # RunError prints just the message: the list of bad keys, no traceback. Nothing has been registered.
        raise pulumi.RunError(redact(str(err), secret_strings(flat, secret_keys))) from None


def run(fleet: Fleet | None = None) -> dict[str, pulumi.Output]:
    if fleet is None:
        fleet = load_from_engine()
    secrets = secret_strings(runtime_config_map(), runtime_secret_keys())
    if secrets:
        # Before any resource: a transformation applies to the resources registered after it only.
        pulumi.runtime.register_stack_transformation(keep_secrets(secrets))
    for warning in fleet_warnings(fleet):
        pulumi.log.warn(redact(warning, secrets))
    outputs = {name: with_secrets(value, secrets) for name, value in platform.build(fleet).items()}
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs


def keep_secrets(secrets: Collection[str]) -> pulumi.ResourceTransformation:
    """A stack transformation that makes secret every input holding one of `secrets`.

    The legacy `register_stack_transformation` runs in this process, in every Resource's constructor, so it
    works the same under the engine and under the offline mocks; `register_resource_transform` runs in the
    engine, and the mocks never call it (pulumi 3.272 runtime/mocks.py: "The mock monitor does not run
    transforms"). Children of remote components (pulumi_eks.Cluster) are not seen here; they get their inputs
    from the component's, which this does make secret."""

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        return pulumi.ResourceTransformationResult(props=with_secrets(args.props, secrets), opts=args.opts)

    return transform


def with_secrets(value: Any, secrets: Collection[str]) -> Any:
    """`value` with each part that holds a secret text made secret: a string containing one, an Output whose
    value does once it is known, a map with such a key. Other values come back as they are."""
    if not secrets:
        return value
    if isinstance(value, str):
        return pulumi.Output.secret(value) if _holds(value, secrets) else value
    if isinstance(value, pulumi.Output):
        return value.apply(lambda known: pulumi.Output.secret(known) if _holds(known, secrets) else known)
    if _types.is_input_type(type(value)):
        walked = copy.copy(value)
        fields = walked if isinstance(walked, dict) else walked.__dict__
        fields.update({k: with_secrets(v, secrets) for k, v in fields.items()})
        return walked
    if isinstance(value, dict):
        walked_map = {k: with_secrets(v, secrets) for k, v in value.items()}
        keyed = any(isinstance(k, str) and _holds(k, secrets) for k in value)
        return pulumi.Output.secret(walked_map) if keyed else walked_map
    if type(value) in (list, tuple):
        return type(value)(with_secrets(v, secrets) for v in value)
    if inspect.isawaitable(value):
        return with_secrets(pulumi.Output.from_input(value), secrets)
    return value


def _holds(value: Any, secrets: Collection[str]) -> bool:
    """Whether a plain value (what an Output resolves to) contains a secret text anywhere."""
    if isinstance(value, str):
        return any(s in value for s in secrets)
    if _types.is_input_type(type(value)):
        value = value if isinstance(value, dict) else value.__dict__
    if isinstance(value, dict):
        return any(_holds(k, secrets) or _holds(v, secrets) for k, v in value.items())
    return isinstance(value, list | tuple) and any(_holds(v, secrets) for v in value)
