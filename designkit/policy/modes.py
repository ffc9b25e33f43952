"""Context modes: what the user's situation changes in the policy, each effect documented."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Mode(str, Enum):
    """The user's situation.

    - `focused`: the policy as set.
    - `stressed`: fewer, shorter, later interventions: confidence threshold +0.15 (at most 1),
      half the budget per minute, twice the minimum gap, pause wait +0.4 s, utterances x0.6.
    - `public`: nothing voiced but what the user set: turns become captions, backchannels are
      dropped (`silent:quiet_mode`), scheduled and cued interventions become captions too.
    - `do_not_disturb`: only the targets the user set (schedules, cue rules) fire; everything
      the model proposes is withheld with `silent:quiet_mode`.
    """

    FOCUSED = "focused"
    STRESSED = "stressed"
    PUBLIC = "public"
    DO_NOT_DISTURB = "do_not_disturb"


@dataclass(frozen=True, slots=True)
class ModeEffect:
    """How a mode shifts the knobs; `Policy` reads these when it decides (the knobs themselves
    stay as the designer set them, so switching back restores them)."""

    confidence_add: float = 0.0
    budget_scale: float = 1.0
    gap_scale: float = 1.0
    pause_add_s: float = 0.0
    duration_scale: float = 1.0
    voice: bool = True
    model_initiated: bool = True


EFFECTS: dict[Mode, ModeEffect] = {
    Mode.FOCUSED: ModeEffect(),
    Mode.STRESSED: ModeEffect(confidence_add=0.15, budget_scale=0.5, gap_scale=2.0,
                              pause_add_s=0.4, duration_scale=0.6),
    Mode.PUBLIC: ModeEffect(voice=False),
    Mode.DO_NOT_DISTURB: ModeEffect(model_initiated=False),
}
