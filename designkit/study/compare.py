"""compare(policies, sessions) -> metric means with bootstrap CIs, per policy.

Sessions are prepared once (`designkit.study.prepare`); each policy then only re-decides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from designkit.core.protocols import Decider
from designkit.metrics.stats import bootstrap_ci
from designkit.proposers.simulated import ModelQuality
from designkit.study.prepare import Prepared, prepare, session_rows


def label(policy: Decider) -> str:
    """A short name for a policy in a table."""
    spec = policy.to_dict()
    parts = [str(spec.get("style", spec.get("kind", "policy")))]
    if "confidence" in spec:
        parts.append(f"c={spec['confidence']:g}")
    if spec.get("initiative", 1.0) != 1.0:
        parts.append(f"i={spec['initiative']:g}")
    if spec.get("context", "focused") != "focused":
        parts.append(str(spec["context"]))
    return " ".join(parts)


def run_sessions(policy: Decider, sessions: Sequence[Prepared], *,
                 weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Session x metric for one policy over prepared sessions."""
    rows = session_rows(policy, sessions, weights=weights)
    names = [s.truth.name or f"session-{i}" for i, s in enumerate(sessions)]
    return pd.DataFrame(rows, index=pd.Index(names, name="session"))


def compare(policies: Sequence[Decider] | Mapping[str, Decider], sessions: Sequence[Any], *,
            quality: ModelQuality | None = None, seed: int = 0, level: float = 0.95,
            resamples: int = 1000, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per (policy, metric): mean over sessions with its percentile bootstrap CI.

    `sessions`: `Prepared` sessions (fastest: prepare once, compare many times) or truths
    (`SessionTruth` or objects with its fields), prepared here with the simulated model of the
    given `quality` (session i gets seed `seed + i`).
    """
    named = dict(policies) if isinstance(policies, Mapping) else {label(p): p for p in policies}
    prepared = [s if isinstance(s, Prepared) else prepare(s, quality=quality, seed=seed + i)
                for i, s in enumerate(sessions)]
    rows: list[dict[str, Any]] = []
    for name, policy in named.items():
        frame = run_sessions(policy, prepared, weights=weights)
        for metric in frame.columns:
            est = bootstrap_ci(frame[metric].to_numpy(dtype=np.float64), level=level,
                               resamples=resamples, seed=seed)
            rows.append({"policy": name, "metric": metric, "mean": est.mean, "low": est.low,
                         "high": est.high, "n": est.n})
    return pd.DataFrame(rows, columns=["policy", "metric", "mean", "low", "high", "n"])


def ci_table(frame: pd.DataFrame, metrics: Sequence[str] | None = None, digits: int = 2) -> pd.DataFrame:
    """`compare`'s output as policy x metric cells reading "mean [low, high]"."""
    chosen = frame if metrics is None else frame[frame["metric"].isin(list(metrics))]
    cells = chosen.assign(cell=[
        "n/a" if math.isnan(m) else f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
        for m, lo, hi in zip(chosen["mean"], chosen["low"], chosen["high"], strict=True)])
    table = cells.pivot(index="policy", columns="metric", values="cell")
    order = list(dict.fromkeys(chosen["policy"]))
    cols = list(metrics) if metrics is not None else list(dict.fromkeys(chosen["metric"]))
    return table.reindex(index=order, columns=[c for c in cols if c in table.columns])


