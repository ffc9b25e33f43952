"""What the agent does while it thinks: between "the policy decided to answer" and "the words are ready".

A talking agent needs time to hear the words and write an answer (~1 s on 2 CPU cores). That
moment is designed here, as a knob of the policy:

- `silent`: say nothing until the answer is ready (`silent:thinking`);
- `filler`: after `after_s` of the user's silence, one filler ("hmm", "let me see")
  (`backchannel:thinking`), then quiet until the answer;
- `backchannel`: the same with a backchannel ("mm-hm");
- `holding_line`: the same with a short line ("Let me think about that.") (`speak:thinking`).

One thinking sound per answer at most. The person may talk over it like over any other speech:
the policy's yield rules apply. The answer that follows a thinking sound belongs to the same turn,
so the attention budget's minimum gap does not hold it back.

The proposer marks a wish to answer whose words are not ready with `source = THINKING_SOURCE`,
the ready answer with `ANSWER_SOURCE` and each next part of it with `ANSWER_MORE_SOURCE`
(`designkit.proposers.answer`).

    Thinking("filler", after_s=0.4)                    # "hmm" when the answer is 400 ms late
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from designkit.core.decisions import Action, Decision, Reason
from designkit.errors import InputError

THINKING_SOURCE = "answer:thinking"
ANSWER_SOURCE = "answer"
ANSWER_MORE_SOURCE = "answer:more"  # the next part of an answer being said (`speak:goes_on`)
TALK_SOURCES = frozenset({THINKING_SOURCE, ANSWER_SOURCE, ANSWER_MORE_SOURCE})
EPS = 1e-9


class ThinkingMode(str, Enum):
    """What the agent does while its answer is being written."""

    SILENT = "silent"
    FILLER = "filler"
    BACKCHANNEL = "backchannel"
    HOLDING_LINE = "holding_line"


# Default lines per mode, and how long each lasts when said (the live voice's clip is about as long).
DEFAULT_LINES: Mapping[ThinkingMode, tuple[str, ...]] = {
    ThinkingMode.SILENT: (),
    ThinkingMode.FILLER: ("hmm", "let me see"),
    ThinkingMode.BACKCHANNEL: ("mm-hm",),
    ThinkingMode.HOLDING_LINE: ("Let me think about that.",),
}
DEFAULT_DURATION_S: Mapping[ThinkingMode, float] = {
    ThinkingMode.SILENT: 0.0, ThinkingMode.FILLER: 0.5, ThinkingMode.BACKCHANNEL: 0.4,
    ThinkingMode.HOLDING_LINE: 1.4,
}
_SILENT = Decision.silent(Reason.THINKING)


@dataclass(frozen=True, slots=True)
class Thinking:
    """The thinking knob: `mode`, the silence `after_s` before the sound, its `lines` and length."""

    mode: ThinkingMode = ThinkingMode.SILENT
    after_s: float = 0.4
    lines: tuple[str, ...] = ()
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", ThinkingMode(self.mode))
        except ValueError:
            raise InputError("thinking mode", expected=f"one of {[m.value for m in ThinkingMode]}",
                             got=repr(self.mode)) from None
        if not isinstance(self.after_s, (int, float)) or not math.isfinite(self.after_s) or self.after_s < 0:
            raise InputError("thinking after_s", expected="seconds >= 0", got=self.after_s)
        lines = tuple(str(line).strip() for line in self.lines if str(line).strip())
        object.__setattr__(self, "lines", lines or DEFAULT_LINES[self.mode])
        if not isinstance(self.duration_s, (int, float)) or not math.isfinite(self.duration_s) or self.duration_s < 0:
            raise InputError("thinking duration_s", expected="seconds >= 0", got=self.duration_s)
        object.__setattr__(self, "duration_s", float(self.duration_s) or DEFAULT_DURATION_S[self.mode])
        object.__setattr__(self, "after_s", float(self.after_s))

    @classmethod
    def parse(cls, value: Thinking | str | Mapping[str, Any] | None) -> Thinking:
        """A `Thinking`, a mode name ("filler") or its dict."""
        if value is None:
            return cls()
        if isinstance(value, Thinking):
            return value
        if isinstance(value, str):
            return cls(mode=value or ThinkingMode.SILENT)  # type: ignore[arg-type]  # (checked in __post_init__)
        return cls.from_dict(value)

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "after_s": self.after_s, "lines": list(self.lines),
                "duration_s": self.duration_s}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Thinking:
        return cls(mode=data.get("mode", "silent"), after_s=data.get("after_s", 0.4),
                   lines=tuple(data.get("lines", ())), duration_s=data.get("duration_s", 0.0))

    def while_thinking(self, user_silence_s: float, since_intervention_s: float,
                       interventions_last_minute: int) -> Decision:
        """What the agent does in a microturn where the policy would answer but the words are not ready.

        A sound was already made for this answer when the last intervention came after the user
        stopped (`since_intervention_s < user_silence_s`): then it stays quiet. Pure.
        """
        if self.mode is ThinkingMode.SILENT or user_silence_s < self.after_s - EPS:
            return _SILENT
        if since_intervention_s < user_silence_s - EPS:
            return _SILENT
        line = self.lines[interventions_last_minute % len(self.lines)]
        if self.mode is ThinkingMode.HOLDING_LINE:
            return Decision(Action.SPEAK, Reason.THINKING_LINE, 1.0, line, self.duration_s)
        return Decision(Action.BACKCHANNEL, Reason.THINKING_FILLER, 1.0, line, self.duration_s)


def same_turn(since_intervention_s: float, user_silence_s: float) -> bool:
    """True when the agent already made a sound since the user stopped (a thinking sound): the answer
    that follows belongs to the same turn."""
    return since_intervention_s < user_silence_s - EPS
