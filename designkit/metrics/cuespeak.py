"""CueSpeak: did the agent intervene at the right moment after each cue?"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designkit.errors import InputError
from designkit.metrics.intervals import IntervalsLike, TimesLike, as_intervals, as_times


@dataclass(frozen=True, slots=True)
class CueSpeakResult:
    precision: float
    recall: float
    f1: float
    median_latency_s: float
    hits: int
    rude_hits: int
    cues: int
    interventions: int


def cuespeak(*, cues: TimesLike, interventions: IntervalsLike | TimesLike, user_speech: IntervalsLike = (),
             window: float = 3.0) -> CueSpeakResult:
    """Intervening at the right moment (designkit DESIGN.md, "CueSpeak").

    For cue times C_i and interventions I_j (start times, or `(start, end)` intervals), a hit is
    the first intervention starting in [C_i, C_i + window] (default 3 s). precision = hits /
    interventions, recall = hits / cues, F1 their harmonic mean, median latency I - C over hits.
    Hits that overlap user speech (by more than 0 s; a start time alone counts when it falls
    inside user speech) are counted as `rude_hits` (they are still hits). Cue windows that
    overlap each other make "the" hit ambiguous: that is an `InputError`.
    """
    c = as_times("cues", cues)
    if window <= 0 or not math.isfinite(window):
        raise InputError("window", expected="seconds > 0", got=window)
    clash = np.flatnonzero(np.diff(c) < window)
    if clash.size:
        i = int(clash[0])
        raise InputError("cue windows", expected=f"cues at least window={window} s apart",
                         got=f"cues at {c[i]} s and {c[i + 1]} s")
    raw = np.asarray(interventions, dtype=np.float64)
    spans = as_intervals("interventions", raw) if raw.ndim == 2 else np.repeat(as_times("interventions", raw)[:, None], 2, axis=1)
    user = as_intervals("user_speech", user_speech)
    starts = spans[:, 0]
    used = np.zeros(len(starts), dtype=bool)
    latencies: list[float] = []
    rude = 0
    for cue in c.tolist():
        k = int(np.searchsorted(starts, cue - 1e-9, side="left"))
        while k < len(starts) and used[k]:
            k += 1
        if k < len(starts) and starts[k] <= cue + window + 1e-9:
            used[k] = True
            latencies.append(float(starts[k]) - cue)
            s, e = spans[k]
            if len(user) and bool(np.any((user[:, 0] < max(e, s + 1e-9)) & (user[:, 1] > s))):
                rude += 1
    hits = len(latencies)
    precision = hits / len(starts) if len(starts) else math.nan
    recall = hits / len(c) if len(c) else math.nan
    f1 = (2 * precision * recall / (precision + recall)
          if hits and math.isfinite(precision) and math.isfinite(recall) else (0.0 if len(c) and len(starts) else math.nan))
    return CueSpeakResult(precision, recall, f1, float(np.median(latencies)) if hits else math.nan,
                          hits, rude, len(c), len(starts))
