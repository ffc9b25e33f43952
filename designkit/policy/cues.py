"""CueSpeak: rules that turn a detected cue into an intervention within a window."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from designkit.core.context import Context, EventKind
from designkit.core.decisions import Action, Proposal
from designkit.errors import InputError, choice

_RULE_ACTIONS = (Action.SPEAK, Action.BACKCHANNEL, Action.CAPTION)


@dataclass(frozen=True, slots=True)
class CueSpeak:
    """When cue `cue` is seen, intervene with `action` within `window_s` seconds.

    A cue is seen when an event of kind "cue" with `data["name"] == cue` arrives (Context key
    "cue:<name>", e.g. from scenario annotations or a cue detector), or when the proposal's
    `source` is "cue:<name>" with confidence at or above the policy's threshold. The rule fires
    once per cue, in the first microturn where the style allows it: unless `interrupt` is set it
    waits for the user to stop speaking, and gives up when the window has passed.
    """

    cue: str
    action: Action = Action.SPEAK
    window_s: float = 3.0
    content: str = ""
    duration_s: float = 1.0
    interrupt: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.cue, str) or not self.cue:
            raise InputError("cue name", expected="a non-empty string", got=repr(self.cue))
        ok = isinstance(self.window_s, (int, float)) and math.isfinite(self.window_s) and self.window_s > 0
        if not ok:
            raise InputError("cue window_s", expected="seconds > 0", got=self.window_s)
        if not (isinstance(self.duration_s, (int, float)) and math.isfinite(self.duration_s) and self.duration_s > 0):
            raise InputError("cue duration_s", expected="seconds > 0", got=self.duration_s)
        object.__setattr__(self, "action", choice(Action, self.action, "cue action", _RULE_ACTIONS))

    @property
    def key(self) -> str:
        return f"{EventKind.CUE.value}:{self.cue}"

    def onset(self, proposal: Proposal, context: Context, threshold: float) -> float | None:
        """The onset of the cue this microturn may answer, or None."""
        end = context.end
        if proposal.source == self.key and proposal.confidence >= threshold:
            return context.t
        seen = context.event_times.get(self.key)
        if seen is None or not seen <= end + 1e-9 or end - seen > self.window_s + 1e-9:
            return None
        if context.since_intervention_s <= end - seen + 1e-9:
            return None  # already answered
        return seen

    def to_dict(self) -> dict[str, Any]:
        return {"cue": self.cue, "action": self.action.value, "window_s": self.window_s,
                "content": self.content, "duration_s": self.duration_s, "interrupt": self.interrupt}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CueSpeak:
        valid = set(cls.__dataclass_fields__)
        unknown = set(data) - valid
        if unknown:
            raise InputError("cue rule field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        return cls(**data)


def check_rules(rules: Sequence[CueSpeak]) -> tuple[CueSpeak, ...]:
    """Rules as a tuple; two rules for one cue would overlap their windows, so that is an error."""
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, CueSpeak):
            raise InputError("cue rule", expected="a CueSpeak", got=type(rule).__name__)
        if rule.cue in seen:
            raise InputError("cue rules", expected="one rule per cue (their windows would overlap)",
                             got=f"two rules for '{rule.cue}'")
        seen.add(rule.cue)
    return tuple(rules)
