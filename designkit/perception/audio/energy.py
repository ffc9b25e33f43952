"""A dependency-free voice activity signal from loudness: enough to run the loop end to end.

It fires on any loud sound (a cough, a door), which is why real sessions use Silero VAD.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.audio.loudness import energy_db
from designkit.core.microturns import Microturn

__all__ = ["EnergyVAD", "energy_db"]

_BLOCK = 256


@dataclass(slots=True)
class EnergyVAD:
    """`vad` = a logistic of the microturn's loudness around `threshold_db`; `energy_db` too."""

    threshold_db: float = -35.0
    slope_db: float = 2.0
    name: str = "energy_vad"
    columns: tuple[str, ...] = ("vad", "energy_db")

    def reset(self) -> None:
        return None

    def _signals(self, audio: npt.NDArray[np.float32]) -> dict[str, npt.NDArray[np.float64]]:
        level = energy_db(audio)
        vad = 1.0 / (1.0 + np.exp(-(level - self.threshold_db) / self.slope_db))
        return {"vad": vad, "energy_db": level}

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        out = self._signals(microturn.audio[None, :])
        return {k: float(v[0]) for k, v in out.items()}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        out = {c: np.zeros(len(microturns)) for c in self.columns}
        # Blocks keep memory small and warm; each row is computed exactly as `step` does.
        for start in range(0, len(microturns), _BLOCK):
            block = np.stack([m.audio for m in microturns[start : start + _BLOCK]])
            for column, values in self._signals(block).items():
                out[column][start : start + len(block)] = values
        return out
