"""Repetition counting, scored as in RepCount-A (Hu et al., TransRAC, CVPR 2022; docs/design.md,
"RepCount")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class RepCountResult:
    mae: float
    obo: float
    n: int


def repcount(*, predicted: Sequence[float], true: Sequence[float]) -> RepCountResult:
    """MAE = mean |pred - true| / true (a normalised error); OBO = share with |pred - true| <= 1."""
    p = np.asarray(predicted, dtype=np.float64)
    t = np.asarray(true, dtype=np.float64)
    if p.shape != t.shape or p.ndim != 1 or len(t) == 0:
        raise InputError("repcount", expected="two equally long, non-empty count lists", got=(p.shape, t.shape))
    if np.any(t <= 0) or not np.isfinite(p).all():
        raise InputError("true counts", expected="counts > 0 (and finite predictions)", got=t.tolist())
    err = np.abs(p - t)
    return RepCountResult(float(np.mean(err / t)), float(np.mean(err <= 1)), len(t))
