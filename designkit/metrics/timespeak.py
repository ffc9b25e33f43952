"""TimeSpeak: did the agent speak at the times the user set?"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designkit.metrics.intervals import TimesLike, as_times, check_duration


@dataclass(frozen=True, slots=True)
class TimeSpeakResult:
    hit_rate: float
    mean_abs_error_s: float
    p90_abs_error_s: float
    false_starts_per_min: float
    matched: int
    targets: int
    onsets: int


def timespeak(*, targets: TimesLike, onsets: TimesLike, duration_s: float, tol: float = 0.5) -> TimeSpeakResult:
    """Speaking at user-set times (docs/design.md, "TimeSpeak").

    Targets T_i and agent speech onsets O_j are matched greedily in time order within `tol`
    (default 0.5 s): each target takes the earliest unmatched onset with |O - T| <= tol.
    hit rate = matched / targets; mean and p90 (linear percentile) of |O - T| over matches;
    false starts = unmatched onsets per minute of `duration_s`. NaN where undefined.
    """
    t = as_times("targets", targets)
    o = as_times("onsets", onsets)
    duration_s = check_duration(duration_s)
    errors: list[float] = []
    j = 0
    for target in t.tolist():
        while j < len(o) and o[j] < target - tol - 1e-9:
            j += 1
        if j < len(o) and o[j] <= target + tol + 1e-9:
            errors.append(abs(float(o[j]) - target))
            j += 1
    matched = len(errors)
    err = np.asarray(errors)
    return TimeSpeakResult(
        hit_rate=matched / len(t) if len(t) else math.nan,
        mean_abs_error_s=float(err.mean()) if matched else math.nan,
        p90_abs_error_s=float(np.percentile(err, 90)) if matched else math.nan,
        false_starts_per_min=(len(o) - matched) / (duration_s / 60.0),
        matched=matched, targets=len(t), onsets=len(o),
    )
