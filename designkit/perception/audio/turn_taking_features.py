"""The turn-taking model's front end and output rounding, shared by its torch and onnxruntime runtimes.

Numpy and scipy only (no torch): causal log-mel frames and the logistic that turns logits into the
float32-rounded probabilities every runtime reports.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE
from designkit.perception.audio.smart_turn import mel_filters

__all__ = ["HEADS", "HOP", "SAMPLE_RATE", "TAIL", "WIN", "log_mel", "probabilities"]

WIN = 400
HOP = 160
TAIL = WIN - HOP
HEADS = ("vap_200ms", "vap_400ms", "vap_600ms", "vap_800ms", "eot", "bc", "vad_now")


def log_mel(audio: npt.NDArray[np.floating[Any]], n_mels: int = 40) -> npt.NDArray[np.float32]:
    """Causal log-mel frames of `audio` whose first TAIL samples are past context.

    Frame j covers samples [j*HOP, j*HOP + WIN). Every row is computed on its own (a per-row FFT,
    then float64 arithmetic), so cutting the audio anywhere on the hop grid gives the same rows.
    """
    import scipy.fft

    x = np.asarray(audio, np.float32)
    count = (x.size - TAIL) // HOP
    if count <= 0:
        return np.zeros((0, n_mels), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x[: TAIL + count * HOP], WIN)[::HOP]
    spectrum = scipy.fft.rfft(frames * _hann(), axis=-1)
    power = np.square(spectrum.real, dtype=np.float64) + np.square(spectrum.imag, dtype=np.float64)
    # The filter bank is sparse (each band spans a few bins): scipy's sparse product sums every
    # row on its own in a fixed order, with no BLAS thread pool spinning on the other core.
    mel = np.asarray(_mel_t(n_mels).T.dot(power.T).T)
    # Fixed scaling (no per-session statistics: the model must stream).
    scaled: npt.NDArray[np.float32] = ((np.log10(mel + 1e-9) + 5.0) / 3.0).astype(np.float32)
    return scaled


@functools.lru_cache(maxsize=2)
def _mel_t(n_mels: int) -> Any:
    import scipy.sparse

    return scipy.sparse.csr_array(mel_filters(n_mels, WIN).T)


@functools.lru_cache(maxsize=1)
def _hann() -> npt.NDArray[np.float32]:
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(WIN) / WIN)).astype(np.float32)


def _logistic(v: float) -> float:
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)  # no overflow for very negative logits
    return e / (1.0 + e)


def probabilities(logits: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
    """Element by element in Python floats, rounded to float32: vectorised kernels round
    differently at an array's tail, and stepping must equal replay bit for bit."""
    probs = np.array([[_logistic(v) for v in row] for row in logits], np.float64)
    return probs.reshape(-1, len(HEADS)).astype(np.float32).astype(np.float64)
