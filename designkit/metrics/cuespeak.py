"""CueSpeak: did the agent intervene at the right moment after each cue?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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
             window: float = 3.0, voiced: Sequence[bool] | npt.NDArray[np.bool_] | None = None) -> CueSpeakResult:
    """Intervening at the right moment (docs/design.md, "CueSpeak").

    For cue times C_i and interventions I_j (start times, or `(start, end)` intervals), a hit is
    the first intervention starting in [C_i, C_i + window] (default 3 s). precision = hits /
    interventions, recall = hits / cues, F1 their harmonic mean, median latency I - C over hits.
    Hits that overlap user speech (by more than 0 s; a start time alone counts when it falls
    inside user speech) are counted as `rude_hits` (they are still hits); with `voiced` (one flag
    per intervention), only voiced hits can be rude: a caption shown while the user talks does
    not talk over them. A cue's window closes early at the next cue, so a reaction is never
    credited to the cue before the one it answers.
    """
    c = as_times("cues", cues)
    if window <= 0 or not math.isfinite(window):
        raise InputError("window", expected="seconds > 0", got=window)
    raw = np.asarray(interventions, dtype=np.float64)
    spans = as_intervals("interventions", raw) if raw.ndim == 2 else np.repeat(as_times("interventions", raw)[:, None], 2, axis=1)
    user = as_intervals("user_speech", user_speech)
    starts = spans[:, 0]
    loud = np.ones(len(starts), dtype=bool) if voiced is None else np.asarray(voiced, dtype=bool)
    if loud.shape != (len(starts),):
        raise InputError("voiced", expected=f"{len(starts)} flags (one per intervention)", got=loud.shape)
    used = np.zeros(len(starts), dtype=bool)
    latencies: list[float] = []
    rude = 0
    closes = np.minimum(c + window + 1e-9, np.append(c[1:] - 1e-9, np.inf))
    for cue, close in zip(c.tolist(), closes.tolist(), strict=True):
        k = int(np.searchsorted(starts, cue - 1e-9, side="left"))
        while k < len(starts) and used[k]:
            k += 1
        if k < len(starts) and starts[k] <= close:
            used[k] = True
            latencies.append(float(starts[k]) - cue)
            s, e = spans[k]
            if loud[k] and len(user) and bool(np.any((user[:, 0] < max(e, s + 1e-9)) & (user[:, 1] > s))):
                rude += 1
    hits = len(latencies)
    precision = hits / len(starts) if len(starts) else math.nan
    recall = hits / len(c) if len(c) else math.nan
    f1 = (2 * precision * recall / (precision + recall)
          if hits and math.isfinite(precision) and math.isfinite(recall) else (0.0 if len(c) and len(starts) else math.nan))
    return CueSpeakResult(precision, recall, f1, float(np.median(latencies)) if hits else math.nan,
                          hits, rude, len(c), len(starts))
