"""The kit's own audio stack as an `InteractionModel`, so it compares with Moshi on one footing.

Silero VAD and the turn-taking model hear one 200 ms frame at a time (the microturn); at a turn
end the model wants to answer (`wants_to_speak` = its `eot` probability) and at a backchannel
moment it wants to say "mm-hm" (`bc`). What it says is spoken with espeak-ng (the `render`
layer), once per wish, so the Policy rules on real audio exactly as it does for Moshi.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designkit.core.interaction import FloatArray, ModelStep
from designkit.core.microturns import Microturn
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.turn_taking import TurnTakingModel
from designkit.proposers.turn_taking import BACKCHANNELS
from designkit.render.tts import Voice, synthesize

FRAME = 3200


@dataclass
class OwnStackModel:
    """Silero VAD + the turn-taking model + espeak-ng, stepping 200 ms frames at 16 kHz."""

    answer: str = "I see, tell me more."
    backchannels: tuple[str, ...] = BACKCHANNELS
    voice: Voice = field(default_factory=Voice)
    vad: SileroVAD = field(default_factory=SileroVAD)
    model: TurnTakingModel = field(default_factory=TurnTakingModel)
    name: str = "designkit"
    input_rate: int = SAMPLE_RATE
    frame_samples: int = FRAME
    sample_rate: int = SAMPLE_RATE
    _index: int = 0
    _spoke: bool = False
    _said: int = 0
    _cache: dict[str, FloatArray] = field(default_factory=dict)

    def reset(self) -> None:
        self.vad.reset()
        self.model.reset()
        self._index = 0
        self._spoke = False
        self._said = 0

    def _speech(self, text: str) -> FloatArray:
        if text not in self._cache:
            self._cache[text] = synthesize(text, self.voice).samples
        return self._cache[text]

    def step(self, frame: FloatArray) -> ModelStep:
        if frame.shape != (FRAME,):
            raise InputError("frame for the kit's stack", expected=f"{FRAME} samples at 16 kHz", got=frame.shape)
        turn = Microturn(self._index, FRAME / SAMPLE_RATE, np.asarray(frame, np.float32), 1.0)
        self._index += 1
        speaking = self.vad.step(turn)["vad"] >= self.vad.threshold
        heads = self.model.step(turn)
        if speaking:
            self._spoke = True
            if heads["bc"] < 0.5:
                return ModelStep(wants_to_speak=float(heads["bc"]))
            word = self.backchannels[self._said % len(self.backchannels)]
            self._said += 1
            return ModelStep(audio=self._speech(word), text=word, wants_to_speak=float(heads["bc"]))
        if not self._spoke or heads["eot"] < 0.5:
            return ModelStep(wants_to_speak=float(heads["eot"]) if self._spoke else 0.0)
        self._spoke = False  # one answer per user turn
        return ModelStep(audio=self._speech(self.answer), text=self.answer, wants_to_speak=float(heads["eot"]))
