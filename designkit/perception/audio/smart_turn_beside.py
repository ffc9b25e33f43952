"""Smart Turn v3 beside the microturn loop: `smart_eot` after each pause, never waited for.

Smart Turn takes ~35-50 ms a call on a laptop CPU, a quarter of a microturn: too much to spend on
the microturn path. Here the loop only runs Silero VAD (inside `SmartTurn`) and cuts the last 8 s
of audio at each VAD offset; `Beside` (core/beside.py) scores it in a worker, and the answer lands
in the microturn in which it became available (logged as an arrival with the microturn it
describes). A result that arrives after the user has started speaking again is stale and dropped.

    perceiver = Beside(SmartTurnBeside())          # column "smart_eot"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.microturns import Microturn
from designkit.core.streams import SAMPLE_RATE
from designkit.perception.audio.smart_turn import WINDOW_S, SmartTurn


class SmartTurnBeside:
    """A `SlowPerceiver`: the VAD and the audio window on the loop, the model in the worker."""

    def __init__(self, smart: SmartTurn | None = None, *, column: str = "smart_eot") -> None:
        self.smart = smart if smart is not None else SmartTurn()
        self.name = "smart_turn"
        self.columns = (column,)
        self.reset()

    def reset(self) -> None:
        self.smart.vad.reset()
        self._audio: npt.NDArray[np.float32] = np.zeros(0, np.float32)
        self._value = 0.0
        self._spoke_at = -1  # the last microturn with speech: later answers about earlier pauses are stale

    def job(self, microturn: Microturn) -> Any | None:
        vad = self.smart.vad.step(microturn)
        self._audio = np.concatenate([self._audio, microturn.audio.astype(np.float32, copy=False)])[
            -WINDOW_S * SAMPLE_RATE:]
        if vad["vad_onset"] or (vad["vad_speech"] and not vad["vad_offset"]):
            self._value = 0.0
            self._spoke_at = microturn.index
        return self._audio.copy() if vad["vad_offset"] else None

    def work(self, audio: npt.NDArray[np.float32]) -> float:
        return self.smart.predict(audio)

    def land(self, result: float, describes: int) -> None:
        if self._spoke_at <= describes:
            self._value = result

    def values(self) -> Mapping[str, float]:
        return {self.columns[0]: self._value}

    def encode(self, result: float) -> float:
        return float(result)

    def decode(self, data: float) -> float:
        return float(data)
