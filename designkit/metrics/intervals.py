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
    starts = intervals[:, 0]
    reach = np.maximum.accumulate(intervals[:, 1])  # the end of everything so far
    first = np.flatnonzero(np.concatenate([[True], starts[1:] > reach[:-1]]))  # a gap before it
    last = np.append(first[1:] - 1, len(intervals) - 1)
    return np.column_stack([starts[first], reach[last]]).astype(np.float64)


def total(intervals: FloatArray) -> float:
    merged = merge(intervals)
    return float(np.sum(merged[:, 1] - merged[:, 0])) if len(merged) else 0.0


def overlap_seconds(a: FloatArray, b: FloatArray) -> float:
    """Seconds during which both interval sets are active."""
    a, b = merge(a), merge(b)
    if len(a) == 0 or len(b) == 0:
        return 0.0
    # Each interval of `a` meets a run of `b`'s (both sets are sorted and disjoint): from the first
    # that ends after it starts to the last that starts before it ends. Pairs in time order.
    lo = np.searchsorted(b[:, 1], a[:, 0], side="right")
    count = np.maximum(np.searchsorted(b[:, 0], a[:, 1], side="left") - lo, 0)
    i = np.repeat(np.arange(len(a)), count)
    j = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count - lo, count)
    both = np.minimum(a[i, 1], b[j, 1]) - np.maximum(a[i, 0], b[j, 0])
    return float(sum(both[both > 0].tolist()))  # summed in time order, one after another


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
