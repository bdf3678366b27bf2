"""Entry point Pulumi runs for `--policy-pack policy`: serve the llm-platform pack to the engine."""

import sys
from pathlib import Path

# The rules import the project's GPU catalog and taint (catalog/, vocabulary/), so the repository root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policy.pack import DEFAULT_LEVEL, PACK_NAME, policies

PolicyPack(name=PACK_NAME, policies=policies(), enforcement_level=DEFAULT_LEVEL)
