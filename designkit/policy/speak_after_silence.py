"""The simplest policy that makes a conversation: answer after the user has been quiet a while."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from designkit.core.context import Context
from designkit.core.decisions import Action, Decision, Proposal, Reason
from designkit.core.protocols import Decider
from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class SpeakAfterSilence(Decider):
    """Speak once the user has been silent `silent_microturns` after speaking; yield on barge-in.

    A fixed silence timeout, the baseline every turn-taking model is compared with.
    """

    silent_microturns: int = 4
    utterance_s: float = 1.2
    content: str = "I hear you."

    def __post_init__(self) -> None:
        if not isinstance(self.silent_microturns, int) or self.silent_microturns < 1:
            raise InputError("silent_microturns", expected="a whole number >= 1",
                             got=self.silent_microturns)
        if not self.utterance_s > 0:
            raise InputError("utterance_s", expected="seconds > 0", got=self.utterance_s)

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        if context.agent_speaking:
            if context.user_speaking:
                return Decision(Action.YIELD, Reason.USER_BARGE_IN)
            if context.agent_remaining_s > 0:
                return Decision(Action.CONTINUE, Reason.SPEAKING)
        if context.user_speaking:
            return Decision.silent(Reason.USER_SPEAKING)
        waited = context.user_silence_s >= self.silent_microturns * context.dt - 1e-9
        if context.user_spoke_since_agent and waited:
            return Decision(Action.SPEAK, Reason.TURN_END, 1.0, self.content, self.utterance_s)
        return Decision.silent(Reason.NOTHING_TO_SAY)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "speak_after_silence", **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpeakAfterSilence:
        data = {k: v for k, v in data.items() if k != "kind"}
        valid = {f.name for f in fields(cls)}
        unknown = set(data) - valid
        if unknown:
            raise InputError("policy field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        return cls(**data)
