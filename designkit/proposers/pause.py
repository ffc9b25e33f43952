"""A stand-in model for live demos: answer once the user pauses, surer the longer the pause."""

from __future__ import annotations

from dataclasses import dataclass

from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Action, Proposal


@dataclass(frozen=True, slots=True)
class PauseProposer:
    """A stand-in model for live demos: after the user stops, propose to answer.

    Confidence grows with the pause, `user_silence_s / sure_after_s` (capped at 1), so the
    confidence slider and the initiative dial have a visible effect. Stateless, so live and
    replay agree. A turn-taking model replaces it through the same engine.
    """

    sure_after_s: float = 1.0
    content: str = "I hear you."
    duration_s: float = 1.2

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        if context.agent_speaking or context.user_speaking or not context.user_spoke_since_agent:
            return NOTHING
        confidence = min(1.0, context.user_silence_s / self.sure_after_s)
        return Proposal(Action.SPEAK, confidence=confidence, urgency=confidence, content=self.content,
                        duration_s=self.duration_s, source="pause")
