"""The Pulumi program: read config, validate it, declare the platform, export outputs.

`__main__.py` calls `run()` under `pulumi up`; the offline planner calls `run()` under Pulumi's mocks with the
same config, so both take exactly this path.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from stacks import platform
from stacks.loader import NAMESPACE, REGION_KEY, ConfigError, load_config, warnings_for


def runtime_config_map() -> dict[str, str]:
    """Every config key the engine passed in, including ones no code asks for (so typos are caught)."""
    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return {k: v for k, v in merged.items() if k.startswith(f"{NAMESPACE}:") or k == REGION_KEY}


def run() -> dict[str, pulumi.Output]:
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    try:
        secret_keys = set(runtime_config._SECRET_KEYS.get()) | set(
            runtime_config.get_config_secret_keys_env()
        )
        cfg = load_config(runtime_config_map(), source, secret_keys)
    except ConfigError as err:
        # RunError prints just the message: the list of bad keys, no traceback. Nothing has been registered.
        raise pulumi.RunError(str(err)) from None
    for warning in warnings_for(cfg):
        pulumi.log.warn(warning)
    outputs = platform.build(cfg)
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
