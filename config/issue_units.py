"""A number written with a unit where the schema wants the number alone ("2Ti", "16k", "45%"): what it comes to
in the key's own unit, so that a message can say the value to write instead of dropping the multiplier.

A key's unit is in its name (`…Gib`, `…Seconds`, `…Minutes`, `…Celsius`), a fraction's in its bound (at most 1),
and a token count's in vLLM's own reading of it: `UNITS_BY_NAME` is the table, `units_for` picks a row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.vllm import VLLM_VERSION


@dataclass(frozen=True)
class Units:
    """The units a kind of key may be written in, as multiples of the key's own unit."""

    phrase: str  # the key's unit in the words "must be a number ..." goes on with ("in GiB")
    unit: str  # the key's own unit after a number ("GiB"; "" for a plain fraction)
    factors: Mapping[str, float]  # a unit as written -> how many of the key's unit one of it is
    case_sensitive: bool = False  # k and K differ (vLLM's token counts); elsewhere "gb" is "GB"
    source: str = ""  # who reads the units this way, when it is not the usual meaning

    def factor(self, written: str) -> float | None:
        if self.case_sensitive:
            return self.factors.get(written)
        lower = {u.lower(): f for u, f in self.factors.items()}
        return lower.get(written.lower())

    def twin(self, written: str) -> str | None:
        """The unit written in the other case when that is a different unit (16k vs 16K), else None."""
        swapped = written.swapcase()
        other = self.factors.get(swapped) if self.case_sensitive else None
        return swapped if other is not None and other != self.factors.get(written) else None


_GIB = 2**30
GIB = Units(
    "in GiB",
    "GiB",
    {
        **{f"{p}{b}": 1024.0 ** (i - 3) for i, p in enumerate("KMGTP", 1) for b in ("i", "iB")},
        # Decimal units (AWS and disk vendors write GB for 10^9 bytes): 150 GB is 139.7 GiB.
        **{f"{p}{b}": 1000.0**i / _GIB for i, p in enumerate("KMGTP", 1) for b in ("", "B")},
    },
)
SECONDS = Units("in seconds", "s", {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600})
MINUTES = Units("in minutes", "min", {"s": 1 / 60, "sec": 1 / 60, "m": 1, "min": 1, "h": 60, "d": 1440})
CELSIUS = Units("in degrees Celsius", "°C", {"C": 1, "°C": 1})
BILLIONS = Units("in billions of parameters", "billion", {"B": 1, "M": 0.001, "T": 1000})
FRACTION = Units("as a fraction of 1", "", {"%": 0.01})
# vLLM 0.31.0 reads --max-model-len (and its other token counts) with human_readable_int
# (vllm/utils/argparse_utils.py): k, m, g, t are powers of 1,000; K, M, G, T powers of 1,024. So `16k` is
# 16,000 tokens to vLLM, and 16,384 is `16K`: the message says both.
TOKENS = Units(
    "of tokens",
    "tokens",
    {"k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40},
    case_sensitive=True,
    source=f"as vLLM {VLLM_VERSION} reads --max-model-len: k = 1,000, K = 1,024",
)

# The key's name (its last part, as the stack file writes it) -> the units it may be written in.
UNITS_BY_NAME: tuple[tuple[re.Pattern[str], Units], ...] = (
    (re.compile(r"Gib$"), GIB),
    (re.compile(r"Seconds$"), SECONDS),
    (re.compile(r"Minutes"), MINUTES),  # idleMinutesBeforeZero, pendingGpuPodMinutes
    (re.compile(r"Celsius$"), CELSIUS),
    (re.compile(r"^paramsB$"), BILLIONS),
    (re.compile(r"^(maxModelLen|maxNumBatchedTokens|originalMaxPositionEmbeddings)$"), TOKENS),
)

# "200Gi", "2.5s" or "45%": the number, and the unit written after it.
NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?[0-9]+(?:\.[0-9]+)?)\s*([A-Za-z%°]+)\s*$", re.ASCII)


def units_for(name: str, at_most: float | None) -> Units | None:
    """The units of a key named `name` whose declared upper bound is `at_most`; None when it has none."""
    found = next((units for pattern, units in UNITS_BY_NAME if pattern.search(name)), None)
    return found or (FRACTION if at_most is not None and at_most <= 1 else None)


@dataclass(frozen=True)
class Converted:
    text: str  # the value to write, as the stack file writes it
    exact: float  # what the written value comes to in the key's unit


def convert(amount: float, factor: float, whole: bool) -> Converted:
    """`amount` of a unit worth `factor` key units: rounded up to a whole number for an integer key (a size or a
    limit written in larger units must not come out smaller)."""
    exact = amount * factor
    nearest = round(exact)
    if whole:
        value = nearest if math.isclose(exact, nearest, rel_tol=1e-9) else math.ceil(exact)
        return Converted(str(value), exact)
    return Converted(f"{round(exact, 9):g}", exact)
