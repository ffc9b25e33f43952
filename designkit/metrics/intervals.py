"""Interval arrays: the one shape every metric takes (seconds, one `(start, end)` row each)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from designkit.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntervalsLike: TypeAlias = Sequence[tuple[float, float]] | Sequence[Sequence[float]] | FloatArray
TimesLike: TypeAlias = Sequence[float] | FloatArray


def as_intervals(what: str, value: IntervalsLike) -> FloatArray:
    """`value` as a sorted (n, 2) float array; end < start, NaN or a wrong shape is an InputError."""
    array = np.asarray(value, dtype=np.float64)
    if array.size == 0:
        return np.zeros((0, 2))
    if array.ndim != 2 or array.shape[1] != 2:
        raise InputError(what, expected="(start, end) pairs in seconds", got=f"shape {array.shape}")
    if not np.isfinite(array).all():
        raise InputError(what, expected="finite times", got="NaN or inf")
    bad = np.flatnonzero(array[:, 1] < array[:, 0])
    if bad.size:
        i = int(bad[0])
        raise InputError(what, expected="intervals with end >= start",
                         got=f"({array[i, 0]}, {array[i, 1]}) at row {i}")
    return array[np.argsort(array[:, 0], kind="stable")]


def as_times(what: str, value: TimesLike) -> FloatArray:
    """`value` as a sorted 1-D float array of finite times."""
    array = np.asarray(value, dtype=np.float64).reshape(-1)
    if not np.isfinite(array).all():
        raise InputError(what, expected="finite times", got="NaN or inf")
    return np.sort(array, kind="stable")


def check_duration(duration_s: float) -> float:
    if not isinstance(duration_s, (int, float)) or not math.isfinite(duration_s) or duration_s <= 0:
        raise InputError("duration_s", expected="seconds > 0", got=duration_s)
    return float(duration_s)


def merge(intervals: FloatArray) -> FloatArray:
    """Overlapping or touching intervals joined (input sorted by start)."""
    if len(intervals) == 0:
        return intervals
    out = [list(intervals[0])]
    for start, end in intervals[1:]:
        if start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return np.asarray(out, dtype=np.float64)


def total(intervals: FloatArray) -> float:
    merged = merge(intervals)
    return float(np.sum(merged[:, 1] - merged[:, 0])) if len(merged) else 0.0


def overlap_seconds(a: FloatArray, b: FloatArray) -> float:
    """Seconds during which both interval sets are active."""
    a, b = merge(a), merge(b)
    i = j = 0
    out = 0.0
    while i < len(a) and j < len(b):
        start = max(a[i, 0], b[j, 0])
        end = min(a[i, 1], b[j, 1])
        if end > start:
            out += end - start
        if a[i, 1] < b[j, 1]:
            i += 1
        else:
            j += 1
    return out


def inside(times: FloatArray, intervals: FloatArray) -> npt.NDArray[np.bool_]:
    """For each time, whether some interval has start <= t < end."""
    merged = merge(intervals)
    if len(merged) == 0 or len(times) == 0:
        return np.zeros(len(times), dtype=bool)
    k = np.searchsorted(merged[:, 0], times, side="right") - 1
    ok = k >= 0
    result = np.zeros(len(times), dtype=bool)
    result[ok] = times[ok] < merged[k[ok], 1]
    return result
