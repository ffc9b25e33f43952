"""Dialogues for training and scoring the turn-taking model, taken from `designkit.scenarios`.

A `DialogueSet` names which generated dialogues to use (seeds, voices, noise levels); the
training and held-out sets differ in all three, so the held-out numbers say how the model does
on speakers and noise it has not heard. Generation is cached by the scenarios store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from designkit.perception.evaluation import Pause, TurnTruth

if TYPE_CHECKING:  # scenarios sit downstream of perception: imported only where data is loaded
    from designkit.scenarios.truth import Truth


@dataclass(frozen=True, slots=True)
class Dialogue:
    """User-channel audio (16 kHz float32) with the truth turn-taking evaluation needs."""

    name: str
    audio: npt.NDArray[np.float32]
    truth: TurnTruth


@dataclass(frozen=True, slots=True)
class DialogueSet:
    """Which generated dialogues: `n` of them from `first_seed` on, with these generator options."""

    n: int
    first_seed: int
    options: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def replace(self, **changes: Any) -> DialogueSet:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["options"] = dict(self.options)
        return out

    def describe(self) -> str:
        options = ", ".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.label or 'dialogues'}: {self.n} dialogues, seeds {self.first_seed}..{self.first_seed + self.n - 1}, {options}"


TRAIN = DialogueSet(n=160, first_seed=1000, label="train", options={})
HELD_OUT = DialogueSet(n=30, first_seed=900_000, label="held-out", options={})


def truth_of(truth: Truth, *, tolerance_s: float = 0.05) -> TurnTruth:
    """Turn-taking truth from a scenario's truth.

    Each gap after a user utterance is a pause: a shift when a `turn_ends` time lies at its start,
    a hold when one of `holds` starts there; gaps that are neither are left out. A pause lasts
    until the user's next utterance (for the last one: forever).
    """
    segments = sorted(truth.user_speech, key=lambda s: s.start)
    pauses = []
    for i, segment in enumerate(segments):
        end = segments[i + 1].start if i + 1 < len(segments) else math.inf
        shift = any(abs(t - segment.end) <= tolerance_s for t in truth.turn_ends)
        hold = any(abs(a - segment.end) <= tolerance_s for a, _ in truth.holds)
        if shift or hold:
            pauses.append(Pause(segment.end, end, shift=shift))
    return TurnTruth(duration_s=truth.duration, user=tuple((s.start, s.end) for s in segments),
                     pauses=tuple(pauses), backchannels=tuple(sorted(truth.backchannel_opportunities)))


def load(spec: DialogueSet) -> list[Dialogue]:
    """Generate (or read from the cache) the dialogues of `spec`."""
    raise NotImplementedError


__all__ = ["HELD_OUT", "TRAIN", "Dialogue", "DialogueSet", "Pause", "load", "truth_of"]
