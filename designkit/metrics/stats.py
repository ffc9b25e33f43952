"""Percentile bootstrap confidence intervals for every aggregate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean with its percentile bootstrap interval (NaN where there is nothing to average)."""

    mean: float
    low: float
    high: float
    n: int


def bootstrap_ci(values: Sequence[float] | npt.NDArray[np.float64], *, level: float = 0.95,
                 resamples: int = 1000, seed: int = 0) -> Estimate:
    """Mean of `values` (NaN dropped) and its percentile bootstrap interval (Efron & Tibshirani 1993):
    resample with replacement `resamples` times, take the (1-level)/2 and (1+level)/2 quantiles of
    the resampled means. Seeded, so a table is reproducible."""
    if not 0 < level < 1:
        raise InputError("level", expected="a number in (0, 1)", got=level)
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, mean, mean, 1)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(mean, float(low), float(high), n)
