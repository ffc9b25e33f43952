"""Speak when a perceived cue fires: a rep finished, a hand went up, the learner switched language."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from designkit.core.context import Context, EventKind
from designkit.core.decisions import NOTHING, Action, Proposal


@dataclass(frozen=True, slots=True)
class CueProposer:
    """Proposes speech in the microturn a perceived cue fires.

    `say` maps a signal column to what to say, formatted with the microturn's signals, e.g.
    `{"rep": "{rep_count:.0f}!", "cue_code_switch": "Try that in Spanish?"}`. The proposal's
    source is `cue:<name>` so CueSpeak rules can match it.
    """

    say: Mapping[str, str]
    confidence: float = 0.9
    urgency: float = 0.8
    duration_s: float = 0.6

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        for column, template in self.say.items():
            if context.signals.get(column, 0.0) >= 0.5:
                name = column.removeprefix("cue_")
                content = template.format(**{k: v for k, v in context.signals.items() if math.isfinite(v)})
                return Proposal(Action.SPEAK, self.confidence, self.urgency, content, self.duration_s,
                                source=f"{EventKind.CUE.value}:{name}")
        return NOTHING
