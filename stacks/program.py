"""The Pulumi program: read config, resolve the fleet, declare the platform, export outputs.

`__main__.py` calls `run()` under `pulumi up`, which reads the config the engine passes. The offline planner
loads the fleet from the same stack file with the same loader and hands it to `run(fleet)`, so both declare
exactly the same resources from exactly the same resolved facts.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from config.issues import ConfigError
from config.schema.platform import NAMESPACE, REGION_KEY
from config.warnings import warnings_for
from fleet.load import load_fleet
from fleet.resolved import Fleet
from stacks import platform


def runtime_config_map() -> dict[str, str]:
    """Every config key the engine passed in, including ones no code asks for (so typos are caught)."""
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return {k: v for k, v in merged.items() if k.startswith(f"{NAMESPACE}:") or k == REGION_KEY}


def load_from_engine() -> Fleet:
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    secret_keys = set(runtime_config._SECRET_KEYS.get()) | set(runtime_config.get_config_secret_keys_env())
    try:
        return load_fleet(runtime_config_map(), source, secret_keys)
    except ConfigError as err:
        # RunError prints just the message: the list of bad keys, no traceback. Nothing has been registered.
        raise pulumi.RunError(str(err)) from None


def run(fleet: Fleet | None = None) -> dict[str, pulumi.Output]:
    if fleet is None:
        fleet = load_from_engine()
    for warning in warnings_for(fleet.config):
        pulumi.log.warn(warning)
    outputs = platform.build(fleet)
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
