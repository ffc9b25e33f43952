"""Anchor policies: the three agents whose scores every metric must get right.

A metric is trusted once it scores these as its definition says (docs/design.md, "Sanity anchors"):

- `FollowProposals` takes every proposal as it comes. Fed the truth (`designkit.sanity.
  OracleProposer`), it is the oracle: it answers every real turn end, meets every target and cue.
- `NeverSpeak` keeps quiet whatever is proposed.
- `AlwaysSpeak` talks from the first microturn to the last and never yields.

They are ordinary policies (`decide`, `to_dict`), so they run through the real engine and any
metric a designer writes can be checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designkit.core.decisions import Action, Decision, Proposal, Reason
from designkit.core.engine import Context
from designkit.core.protocols import Decider

_TAKE = {
    Action.SPEAK: Reason.TURN_END, Action.BACKCHANNEL: Reason.BACKCHANNEL_OPPORTUNITY,
    Action.INTERRUPT: Reason.BARGE_IN, Action.CAPTION: Reason.CAPTION_INSTEAD, Action.ASK: Reason.ASK_FIRST,
}


@dataclass(frozen=True, slots=True)
class FollowProposals(Decider):
    """Act on every proposal at once; finish each utterance; stop when the user starts talking."""

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        if context.agent_speaking and context.user_speaking:
            return Decision(Action.YIELD, Reason.USER_BARGE_IN)
        if not proposal.is_empty and proposal.action in _TAKE:
            return Decision(proposal.action, _TAKE[proposal.action], proposal.confidence, proposal.content,
                            proposal.duration_s)
        if context.agent_speaking and context.agent_remaining_s > 0:
            return Decision(Action.CONTINUE, Reason.SPEAKING)
        return Decision.silent(Reason.NOTHING_TO_SAY)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "follow_proposals"}


@dataclass(frozen=True, slots=True)
class NeverSpeak(Decider):
    """Silent in every microturn, whatever is proposed (reason: quiet mode)."""

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        return Decision.silent(Reason.QUIET_MODE)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "never_speak"}


@dataclass(frozen=True, slots=True)
class AlwaysSpeak(Decider):
    """Speaks in every microturn (each decision one microturn of speech), never yields."""

    content: str = "and another thing"

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        return Decision(Action.SPEAK, Reason.TURN_END, 1.0, self.content, context.dt)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "always_speak", "content": self.content}


__all__ = ["AlwaysSpeak", "FollowProposals", "NeverSpeak"]
