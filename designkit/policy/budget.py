"""The attention budget: how often the agent may claim the user's attention."""

from __future__ import annotations

import math
from dataclasses import dataclass

from designkit.core.decisions import Reason
from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class Budget:
    """At most `per_min` interventions in any minute (`designkit.core.state.BUDGET_WINDOW_S`), at least `min_gap_s` apart.

    `per_min = inf` means no cap. The engine counts interventions of every kind (voiced or
    captions) in `Context.interventions_last_minute` and `Context.since_intervention_s`.
    """

    per_min: float = 12.0
    min_gap_s: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.per_min, (int, float)) or math.isnan(self.per_min) or self.per_min < 0:
            raise InputError("budget_per_min", expected="interventions per minute >= 0 (inf: no cap)",
                             got=self.per_min)
        if not isinstance(self.min_gap_s, (int, float)) or not math.isfinite(self.min_gap_s) or self.min_gap_s < 0:
            raise InputError("min_gap_s", expected="seconds >= 0", got=self.min_gap_s)

    def blocks(self, interventions_last_minute: int, since_intervention_s: float) -> Reason | None:
        """The silence reason if one more intervention now would break the budget, else None."""
        if interventions_last_minute + 1 > self.per_min + 1e-9:
            return Reason.BUDGET_EXHAUSTED
        if since_intervention_s < self.min_gap_s - 1e-9:
            return Reason.MIN_GAP
        return None
