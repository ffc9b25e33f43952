"""A perfect (or deliberately noisy) VAD from ground truth, so policies can be tried before any
audio model runs: the perceiver that goes with the simulated model (`designkit.proposers.simulated`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.core.microturns import Microturn, speech_mask


@dataclass(slots=True)
class TruthVAD:
    """A perceiver whose `vad` is 1 where the truth says the user speaks (>= half the microturn).

    `flip_rate` flips that share of microturns (seeded), to ask what a noisier VAD would do.
    """

    user: Sequence[tuple[float, float]]
    flip_rate: float = 0.0
    seed: int = 0
    name: str = "truth_vad"
    columns: tuple[str, ...] = ("vad",)

    def reset(self) -> None:
        return None

    def _values(self, indices: Sequence[int], dt: float) -> npt.NDArray[np.float64]:
        n = (max(indices) + 1) if len(indices) else 0
        mask = speech_mask(self.user, n, dt).astype(np.float64)
        if self.flip_rate > 0:
            flips = np.random.default_rng(self.seed).random(n) < self.flip_rate
            mask = np.where(flips, 1.0 - mask, mask)
        return mask[np.asarray(indices, dtype=np.int64)] if n else np.zeros(0)

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        return {"vad": float(self._values(list(range(microturn.index + 1)), microturn.dt)[-1])}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        if not microturns:
            return {"vad": np.zeros(0)}
        return {"vad": self._values([m.index for m in microturns], microturns[0].dt)}
