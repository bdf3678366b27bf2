"""Checks across keys, as named rules in one registry (the way policy/rules.py holds the policy pack's).

Each rule reads some sections of the stack file and runs only when every one of them validated (registry.py).
Each issue names every key involved, as the stack file spells it. The rules live by area below; importing this
package registers all of them. Whether models fit their pools is decided where the fleet is resolved
(fleet/placement.py), with the same kind of issues.
"""

from config.rules import (  # noqa: F401  (registers their rules)
    addons,
    cluster,
    gateway,
    infrastructure,
    models,
    names,
    network,
    reservations,
)
from config.rules.registry import RULES, Rule, Sections, run_rules

__all__ = ["RULES", "Rule", "Sections", "run_rules"]
