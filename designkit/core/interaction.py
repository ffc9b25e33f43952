"""Bring-your-own interaction model: the protocol, what one model step returns, and the agent's
voice buffer that makes the designer's Policy the only one who lets it speak.

An `InteractionModel` hears the user one frame at a time and answers with audio and/or text and a
"wants to speak" probability. It never plays anything itself: the host turns its steps into one
Proposal per microturn (`designkit.host.model_turns`), and `ModelVoice` plays only what the
policy let through. Audio the policy withheld is dropped, never played; a yield cuts the playing
utterance at the exact sample of the microturn edge where the decision takes effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from designkit.core.decisions import Action, Decision
from designkit.errors import InputError

FloatArray = npt.NDArray[np.float32]
_EMPTY = np.zeros(0, np.float32)


@dataclass(frozen=True, slots=True)
class ModelStep:
    """What an interaction model produced for one input frame.

    `audio` is what it would say next (mono float32 at the model's `sample_rate`, maybe empty),
    `text` what it would say in words, `wants_to_speak` how much it wants the floor in [0, 1].
    """

    audio: FloatArray = field(default_factory=lambda: _EMPTY)
    text: str = ""
    wants_to_speak: float = 0.0

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio)
        if audio.ndim != 1 or audio.dtype != np.float32:
            raise InputError("model step audio", expected="mono float32 samples",
                             got=f"{audio.dtype} with shape {audio.shape}")
        if not np.isfinite(audio).all():
            raise InputError("model step audio", expected="finite samples", got="NaN or inf")
        value = self.wants_to_speak
        if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise InputError("wants_to_speak", expected="a probability in [0, 1]", got=value)


@runtime_checkable
class InteractionModel(Protocol):
    """A full-duplex model: user audio in, one frame at a time; its answer and its wish to speak out.

    `input_rate` is the sample rate `step` expects, `frame_samples` how many samples one frame
    holds at that rate (Moshi: 24 kHz, 1920 = 80 ms), `sample_rate` the rate of the audio it
    returns. `step` must be causal: its output depends on the frames so far only.
    """

    name: str
    input_rate: int
    frame_samples: int
    sample_rate: int

    def reset(self) -> None: ...

    def step(self, frame: FloatArray) -> ModelStep: ...


@dataclass(slots=True)
class ModelVoice:
    """The agent's voice: plays what the policy let through, and stops at the exact sample.

    Time is the session timeline in seconds; `start(audio, at=t)` queues an utterance to begin at
    `t` (a microturn's end, where a decision takes effect); `play(t0, t1)` returns the samples
    heard in `[t0, t1)`; `cut(at=t)` stops the utterance there and returns how many samples were
    never played. Sample positions are `round(t * sample_rate)`, so cuts land on one sample grid.
    """

    sample_rate: int
    _audio: FloatArray = field(default_factory=lambda: _EMPTY)
    _onset: int = 0
    played_samples: int = 0
    cut_samples: int = 0

    def _at(self, t: float) -> int:
        return round(t * self.sample_rate)

    @property
    def until(self) -> float:
        """When the current utterance ends (its onset when there is none)."""
        return (self._onset + self._audio.size) / self.sample_rate

    def speaking_at(self, t: float) -> bool:
        return self._onset <= self._at(t) < self._onset + self._audio.size

    def start(self, audio: FloatArray, *, at: float) -> None:
        self._audio = np.asarray(audio, np.float32)
        self._onset = self._at(at)

    def play(self, t0: float, t1: float) -> FloatArray:
        """The agent's samples in `[t0, t1)` (zeros where it is silent)."""
        a, b = self._at(t0), self._at(t1)
        out = np.zeros(max(0, b - a), np.float32)
        lo, hi = max(a, self._onset), min(b, self._onset + self._audio.size)
        if hi > lo:
            out[lo - a : hi - a] = self._audio[lo - self._onset : hi - self._onset]
            self.played_samples += hi - lo
        return out

    def cut(self, *, at: float) -> int:
        """Stop at `at`: the rest of the utterance is dropped; returns the samples left unsaid."""
        keep = min(max(0, self._at(at) - self._onset), self._audio.size)
        left = self._audio.size - keep
        self._audio = self._audio[:keep]
        self.cut_samples += left
        return left

    def apply(self, decision: Decision, utterance: FloatArray | None, *, end: float) -> None:
        """What a decision taken at microturn end `end` does to the voice.

        A voiced intervention starts `utterance` at `end`; a yield (or any silence while the
        agent speaks, as in the engine's voice rule) cuts at `end`; CONTINUE lets it play on.
        """
        if decision.action.is_voiced and utterance is not None:
            self.start(utterance, at=end)
        elif decision.action is not Action.CONTINUE and self.speaking_at(end):
            self.cut(at=end)
