"""Attention cost: how much of the user's attention the agent claims, per minute."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from designkit.core.decisions import Action
from designkit.core.frozen import FrozenMap
from designkit.errors import InputError

# Default weights (a study config may override them): a turn costs 1, an interruption of the
# user's speech is heavy, a backchannel is light, a caption lighter than a voice.
DEFAULT_WEIGHTS: Mapping[str, float] = FrozenMap({
    Action.SPEAK.value: 1.0,
    Action.INTERRUPT.value: 1.0,
    Action.ASK.value: 0.6,
    Action.CAPTION.value: 0.4,
    Action.BACKCHANNEL.value: 0.2,
})
DEFAULT_OVERLAP_WEIGHT = 0.5  # per second of both speaking
DEFAULT_INTERRUPT_WEIGHT = 2.0  # per interruption of user speech
# A weights mapping (a study's `weights`) may also set these two, under the names of what they
# multiply; they are not kinds of intervention.
OVERLAP_WEIGHT = "overlap_s"
INTERRUPTION_WEIGHT = "interruptions"
# Every weight a study may set, with its default.
STUDY_WEIGHT_DEFAULTS: Mapping[str, float] = FrozenMap({
    **DEFAULT_WEIGHTS, OVERLAP_WEIGHT: DEFAULT_OVERLAP_WEIGHT, INTERRUPTION_WEIGHT: DEFAULT_INTERRUPT_WEIGHT,
})


def attention_cost(*, interventions: Sequence[str | Action], overlap_s: float, interruptions: int,
                   duration_s: float, weights: Mapping[str, float] | None = None,
                   overlap_weight: float = DEFAULT_OVERLAP_WEIGHT,
                   interrupt_weight: float = DEFAULT_INTERRUPT_WEIGHT) -> float:
    """Per minute: sum of w(kind) over interventions + w_overlap * overlap seconds +
    w_interrupt * interruptions of user speech (docs/design.md, "Attention cost"). Lower is better; plot it against
    task success, never alone. Weights default to `DEFAULT_WEIGHTS` (speak 1, interrupt 1,
    ask 0.6, caption 0.4, backchannel 0.2), 0.5 per overlap second, 2 per interruption; a
    `weights` mapping with an `OVERLAP_WEIGHT` or `INTERRUPTION_WEIGHT` entry (a study's weights)
    sets that weight in place of `overlap_weight` or `interrupt_weight`.
    """
    table = dict(DEFAULT_WEIGHTS if weights is None else weights)
    overlap_weight = float(table.pop(OVERLAP_WEIGHT, overlap_weight))
    interrupt_weight = float(table.pop(INTERRUPTION_WEIGHT, interrupt_weight))
    if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
        raise InputError("duration_s", expected="seconds > 0", got=duration_s)
    if overlap_s < 0 or interruptions < 0:
        raise InputError("overlap_s / interruptions", expected="values >= 0", got=(overlap_s, interruptions))
    keys = [kind.value if isinstance(kind, Action) else str(kind) for kind in interventions]
    unknown = [key for key in dict.fromkeys(keys) if key not in table]
    if unknown:
        raise InputError("intervention kind", expected=f"one of {sorted(table)}", got=repr(unknown[0]))
    cost = float(sum(map(table.__getitem__, keys)))  # one after another, as they happened
    cost += overlap_weight * overlap_s + interrupt_weight * interruptions
    return cost / (duration_s / 60.0)
