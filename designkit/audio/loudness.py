"""Loudness: RMS level in dBFS, per microturn, per frame, or of a whole clip."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FLOOR_DB = -120.0  # digital silence reads as this, not -inf


def energy_db(audio: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """RMS level in dBFS of each row of a (windows x samples) array, floored at FLOOR_DB."""
    power = np.mean(np.square(audio, dtype=np.float64), axis=-1)
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(power)
    return np.maximum(level, FLOOR_DB)


def frame_energy_db(samples: npt.NDArray[np.floating], frame: int) -> npt.NDArray[np.float64]:
    """RMS level in dBFS of each `frame` samples (the last frame zero-padded), no smoothing, so
    an edge is not smeared into the silence beside it."""
    padded = np.pad(np.asarray(samples, dtype=np.float64), (0, -samples.size % frame))
    return energy_db(padded.reshape(-1, frame))


def rms(audio: npt.NDArray[np.floating]) -> float:
    """Root mean square of a clip (0 for an empty one)."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
