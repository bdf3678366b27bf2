"""Which metric names a PromQL expression reads (a small tokenizer; enough for the queries we write)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

INVENTORY = Path(__file__).resolve().parents[2] / "observability" / "metric_names.yaml"

# PromQL words that look like identifiers but are not metric names.
_KEYWORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    "rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile", "abs", "round", "vector",
    "scalar", "clamp_min", "clamp_max", "avg_over_time", "max_over_time", "min_over_time", "sum_over_time",
    "count_over_time", "absent", "label_replace", "time", "inf", "nan", "le",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # drop string contents
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)  # label lists
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    tokens = re.findall(r"(?<![\w:.])([A-Za-z_:][\w:]*)", text)
    return {t for t in tokens if t.lower() not in _KEYWORDS}


def inventory() -> set[str]:
    """Every scrapeable name in observability/metric_names.yaml, histogram series included."""
    doc = yaml.safe_load(INVENTORY.read_text())
    names: set[str] = set()
    for component in doc.values():
        names |= set(component.get("metrics", []))
        for h in component.get("histograms", []) or []:
            names |= {f"{h}_bucket", f"{h}_sum", f"{h}_count"}
    return names
