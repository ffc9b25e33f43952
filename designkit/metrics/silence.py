"""Silence as an outcome: when the agent had something to say and kept quiet, why, and was it right?"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.errors import InputError


def silence_reasons(*, proposed: Sequence[bool] | npt.NDArray[np.bool_], reasons: Sequence[str]) -> dict[str, float]:
    """Share of microturns with a proposal whose decision was silent, split by reason (docs/design.md,
    "Silence as an outcome").

    `proposed[k]` says a proposal existed in microturn k; `reasons[k]` is the decision's reason
    code (silent ones start with "silent:"). Shares are over all microturns with a proposal, so
    they sum to the share of proposals withheld.
    """
    flags = np.asarray(proposed, dtype=bool)
    if flags.shape != (len(reasons),):
        raise InputError("proposed", expected=f"{len(reasons)} flags (one per reason)", got=flags.shape)
    n = int(flags.sum())
    if n == 0:
        return {}
    counts = Counter(r for r, p in zip(reasons, flags.tolist(), strict=True) if p and str(r).startswith("silent:"))
    return {reason: count / n for reason, count in sorted(counts.items())}


@dataclass(frozen=True, slots=True)
class SilenceOutcome:
    withheld: int
    deliberate_silence_precision: float
    silence_regret: int
    silence_regret_per_min: float


def silence_outcome(*, withheld: Sequence[bool] | npt.NDArray[np.bool_],
                    needed: Sequence[bool] | npt.NDArray[np.bool_], duration_s: float) -> SilenceOutcome:
    """Over proposals (one row each): `withheld` = the policy never acted on it, `needed` = the
    ground truth marks the moment as one where the agent should act.

    deliberate-silence precision = withheld and not needed / withheld (NaN if none withheld);
    silence regret = withheld and needed (a count, and per minute of `duration_s`).
    """
    w = np.asarray(withheld, dtype=bool)
    need = np.asarray(needed, dtype=bool)
    if w.shape != need.shape:
        raise InputError("needed", expected=f"shape {w.shape} like withheld", got=need.shape)
    if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
        raise InputError("duration_s", expected="seconds > 0", got=duration_s)
    n = int(w.sum())
    regret = int((w & need).sum())
    return SilenceOutcome(n, float((w & ~need).sum() / n) if n else math.nan, regret, regret / (duration_s / 60.0))
