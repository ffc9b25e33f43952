"""What a study's tables and charts call things: plain words from the declarations, never codes.

    variant_label("style=barge_in, confidence=0.5")   # 'may interrupt, confidence threshold 0.5'
    cell_text("response_latency_s", nan, nan, nan)    # 'never answered aloud'
    results_table(summary)                            # rows: plain variant names; columns: metric labels

A grid variant's name is written from knob codes (`Study.policies`); its words come from each
knob's declaration (`designkit.policy.knobs`), a metric's from its catalogue entry
(`designkit.metrics.catalogue`). A mean that does not exist (no turn was answered, so there is no
time to answer) is said in words instead of `nan [nan, nan]`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from designkit.metrics.units import metric_label
from designkit.policy import Policy
from designkit.policy.knobs import Control, knobs_of

_KNOBS = knobs_of(Policy)

# What a metric without a value means for a policy, in words (a time measured from an event that
# never happened). Metrics not named here say NO_VALUE.
MISSING: dict[str, str] = {
    "response_latency_s": "never answered aloud",  # a caption answers without a voice onset
    "yield_latency_s": "never talked over",
    "cue_latency_s": "no cue answered",
    "timespeak_mae_s": "never on time",
    "timespeak_p90_s": "never on time",
    "deliberate_silence_precision": "never withheld",
    "silent_share": "nothing proposed",
}
NO_VALUE = "not measured here"


def knob_value_label(knob: str, value: str) -> str:
    """One `knob=value` part of a variant's name in words: a choice by its plain label, a number
    after the knob's label ('confidence threshold 0.5'); an unknown knob stays as written."""
    declared = _KNOBS.get(knob)
    if declared is None:
        return f"{knob} {value}"
    if declared.control is Control.CHOICE:
        return declared.label_of(value)
    return f"{declared.label} {value}"


def variant_label(name: str) -> str:
    """A policy variant's name in plain words; a name a person gave it stays as it is."""
    parts = []
    for part in str(name).split(", "):
        knob, eq, value = part.partition("=")
        parts.append(knob_value_label(knob.strip(), value.strip()) if eq and knob.strip() in _KNOBS else part)
    return ", ".join(parts)


def cell_text(metric: str, mean: float, low: float | None, high: float | None, *, digits: int = 2) -> str:
    """`0.61 [0.59, 0.62]`, or what a missing mean means in words."""
    if mean is None or not math.isfinite(float(mean)):
        return MISSING.get(metric, NO_VALUE)
    if low is None or high is None or not (math.isfinite(float(low)) and math.isfinite(float(high))):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with the `policy` column in plain words (charts encode it; the codes stay in `code`)."""
    out = frame.copy()
    if "policy" in out.columns:
        out["code"] = out["policy"]
        out["policy"] = [variant_label(p) for p in out["policy"]]
    return out


def results_table(summary: pd.DataFrame, *, metrics: Any = None, by: Any = None, digits: int = 2) -> pd.DataFrame:
    """The summary as a person reads it: one row per variant (and set or model quality where there
    are several, or the columns `by` names), one column per metric named by its label,
    `mean [95% CI]` or words in each cell."""
    rows = summary if metrics is None else summary[summary["metric"].isin(list(metrics))]
    rows = rows.assign(cell=[cell_text(m, a, lo, hi, digits=digits) for m, a, lo, hi in
                             zip(rows["metric"], rows["mean"], rows["low"], rows["high"], strict=True)],
                       metric=[metric_label(m) for m in rows["metric"]],
                       policy=[variant_label(p) for p in rows["policy"]])
    index = list(by) if by is not None else [
        c for c in ("set", "quality", "policy") if c in rows.columns and (c == "policy" or rows[c].nunique() > 1)]
    order = list(dict.fromkeys(rows["metric"]))
    table = rows.pivot_table(index=index, columns="metric", values="cell", aggfunc="first", sort=False)
    table = table[[m for m in order if m in table.columns]]
    table.columns.name = None
    table.index.names = [{"policy": "condition", "quality": "model", "set": "scenario set"}.get(n, n)
                         for n in table.index.names]
    return table
