"""evaluate(logs, truths) -> one row per session, one column per metric."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from designkit.core.decisions import Reason
from designkit.errors import InputError
from designkit.metrics.catalogue import CATALOGUE
from designkit.metrics.timeline import Timeline, timeline_of
from designkit.metrics.truth import CUE_WINDOW_S, NEEDED_TOL_S, SessionTruth, truth_of
from designkit.metrics.view import SessionView

# The names `session_metrics` can return, in the order tables show them (studies validate
# their `metrics` against this; `share:<reason>` is the share of proposals withheld for it).
BASE_METRICS = tuple(name for name in CATALOGUE if not name.startswith("share:"))
METRICS = BASE_METRICS + tuple(name for name in (f"share:{r.value}" for r in Reason) if name in CATALOGUE)


def session_metrics(timeline: Timeline, truth: SessionTruth, *, weights: Mapping[str, float] | None = None,
                    only: Collection[str] | None = None) -> dict[str, float]:
    """Every metric of one session (`designkit.metrics.catalogue`), as a flat dict: NaN where a
    metric does not apply; a metric whose input the session lacks (no targets, no cues, no
    proposals, no proposal withheld for that reason) is left out.

    `only`: compute just these (the explorer's chart needs three of the ~30 on every slider
    move); the values are the same as in the full dict.
    """
    view = SessionView(timeline, truth, weights=weights)
    out: dict[str, float] = {}
    for metric in CATALOGUE.values():
        if only is None or metric.name in only:
            value = metric.compute(view)
            if value is not None:
                out[metric.name] = value
    return out


def evaluate(logs: Sequence[Any], truths: Sequence[Any], *,
             weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Session x metric: one row per (log, truth) pair, indexed by session name.

    `logs`: policy replays, lists of engine records or session logs; `truths`: `SessionTruth`s
    (or objects/mappings with its fields).
    """
    if len(logs) != len(truths):
        raise InputError("truths", expected=f"{len(logs)} truths (one per log)", got=len(truths))
    rows = []
    names = []
    for i, (log, raw) in enumerate(zip(logs, truths, strict=True)):
        truth = truth_of(raw)
        timeline = timeline_of(log)
        rows.append(session_metrics(timeline, truth, weights=weights))
        names.append(truth.name or timeline.name or f"session-{i}")
    frame = pd.DataFrame(rows, index=pd.Index(names, name="session"))
    return frame


__all__ = ["BASE_METRICS", "CUE_WINDOW_S", "METRICS", "NEEDED_TOL_S", "SessionTruth", "evaluate", "session_metrics",
           "truth_of"]
