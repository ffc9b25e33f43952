"""From the turn-taking model's signals to proposals: "respond now" at a turn end, "mm-hm" at a
backchannel opportunity, each with the model's probability as its confidence.

The proposer only says what the model would like to do; the policy decides (threshold, style,
budget). It never proposes while the agent is speaking: yielding is the policy's call.

    proposer = TurnTakingProposer(min_confidence=0.3, respond_duration_s=2.0)
    engine = Engine([SileroVAD(), TurnTakingModel()], Policy(), proposer=proposer)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal
from designkit.errors import InputError

BACKCHANNELS = ("mm-hm", "yeah", "right")


def _signal(context: Context, column: str) -> float:
    value = context.signals.get(column, 0.0)
    return 0.0 if not math.isfinite(value) else min(1.0, max(0.0, value))


@dataclass(slots=True)
class TurnTakingProposer:
    """Model signals -> a proposal per microturn.

    - respond (`Action.SPEAK`, source `model:turn_end`) when the user is silent after speaking
      and `eot_column` >= `min_confidence`; confidence = that probability;
    - backchannel (`Action.BACKCHANNEL`, source `model:backchannel`) when `bc_column` >=
      `min_confidence` and the user is speaking or paused for at most `backchannel_pause_s`;
      the words cycle through `backchannels`;
    - when both qualify, the likelier one wins.
    """

    eot_column: str = "eot"
    bc_column: str = "bc"
    min_confidence: float = 0.3
    respond_content: str = ""
    respond_duration_s: float = 2.0
    backchannels: tuple[str, ...] = BACKCHANNELS
    backchannel_duration_s: float = 0.5
    backchannel_pause_s: float = 0.6
    _said: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise InputError("min_confidence", expected="a number in [0, 1]", got=self.min_confidence)
        if not self.backchannels:
            raise InputError("backchannels", expected="at least one word", got="none")

    def reset(self) -> None:
        self._said = 0

    def propose(self, context: Context) -> Proposal:
        if context.agent_speaking:
            return NOTHING
        eot = _signal(context, self.eot_column) if (
            not context.user_speaking and context.user_spoke_since_agent) else 0.0
        in_reach = context.user_speaking or context.user_silence_s <= self.backchannel_pause_s
        bc = _signal(context, self.bc_column) if in_reach and context.user_spoke_since_agent else 0.0
        if max(eot, bc) < self.min_confidence:
            return NOTHING
        if eot >= bc:
            return Proposal(Action.SPEAK, confidence=eot, urgency=eot, content=self.respond_content,
                            duration_s=self.respond_duration_s, source="model:turn_end")
        word = self.backchannels[self._said % len(self.backchannels)]
        self._said += 1
        return Proposal(Action.BACKCHANNEL, confidence=bc, urgency=bc, content=word,
                        duration_s=self.backchannel_duration_s, source="model:backchannel")
