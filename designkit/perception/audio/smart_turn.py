"""Smart Turn v3 as a perceiver: an end-of-turn probability `eot` after each pause.

The ONNX model ships in the `pipecat-ai` wheel (BSD-2-Clause) and is found by the resolver; it
reads Whisper-style log-mel features (80 bins, 10 ms hop) of the last 8 s of audio, zero-padded
at the start. It runs when the VAD declares an offset, on a worker thread, so the microturn that
saw the offset does not wait for it. Its answer is published from the next microturn on and
held until the user speaks again (then `eot` is 0). Fixing *when* an answer appears (one
microturn after the offset) keeps live stepping and replay identical whatever the machine's
speed; the next microturn only waits if a call took longer than a whole microturn.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit import weights
from designkit.core.microturns import Microturn
from designkit.core.streams import SAMPLE_RATE
from designkit.perception.audio.onnx import onnx_session
from designkit.perception.audio.silero import SileroVAD

logger = logging.getLogger(__name__)

WINDOW_S = 8
N_FFT = 400
HOP = 160
N_MELS = 80


def _slaney_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Hertz to mels on the Slaney scale: linear below 1 kHz, logarithmic above."""
    step = 200.0 / 3.0
    log_step = np.log(6.4) / 27.0
    return np.where(hz < 1000.0, hz / step, 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / log_step)


def _slaney_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    step = 200.0 / 3.0
    log_step = np.log(6.4) / 27.0
    return np.where(mel < 15.0, mel * step, 1000.0 * np.exp(log_step * (mel - 15.0)))


@functools.lru_cache(maxsize=2)
def mel_filters(n_mels: int = N_MELS, n_fft: int = N_FFT) -> npt.NDArray[np.float64]:
    """Triangular, area-normalised (Slaney) mel filters, shape (n_mels, n_fft // 2 + 1)."""
    bins = np.linspace(0.0, SAMPLE_RATE / 2, n_fft // 2 + 1)
    edges = _slaney_hz(np.linspace(_slaney_mel(np.array(0.0)), _slaney_mel(np.array(SAMPLE_RATE / 2.0)),
                                   n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    triangles = np.clip(np.minimum(rising, falling), 0.0, None)
    return np.asarray(triangles * (2.0 / (upper - lower)), np.float64)


def whisper_features(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Whisper log-mel features (80 x 800) of the last 8 s of `audio`, as Smart Turn v3 reads them.

    The waveform is padded with zeros at the start to 8 s, normalised to zero mean and unit
    variance, framed with a centred periodic Hann window (400 samples, hop 160), projected on
    80 Slaney mel filters, then log10-compressed, floored at 8 below the peak and scaled by
    (x + 4) / 4 — the Whisper feature extractor's recipe with an 8 s chunk.
    """
    n = WINDOW_S * SAMPLE_RATE
    x = np.asarray(audio, np.float32)[-n:]
    x = np.concatenate([np.zeros(n - x.size, np.float32), x])
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    mel = np.log10(np.maximum(power @ mel_filters().T, 1e-10)).T[:, :-1]
    mel = np.maximum(mel, mel.max() - 8.0)
    scaled: npt.NDArray[np.float32] = ((mel + 4.0) / 4.0).astype(np.float32)
    return scaled


@dataclass(slots=True)
class SmartTurn:
    """`eot`: Smart Turn v3's probability that the user has finished, after each VAD offset.

    It owns a `SileroVAD` (pass one to tune its hangover) to know when a pause begins.
    """

    vad: SileroVAD = field(default_factory=SileroVAD)
    weights_path: str | None = None
    threads: int = 1
    name: str = "smart_turn"
    columns: tuple[str, ...] = ("eot",)
    calls: int = 0
    _audio: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    _eot: float = 0.0
    _pending: Future[float] | None = None
    _pool: ThreadPoolExecutor | None = None

    def __post_init__(self) -> None:
        self.reset()

    def _model(self) -> Any:
        return onnx_session(str(weights.resolve("smart_turn_v3", path=self.weights_path)), threads=self.threads)

    def predict(self, audio: npt.NDArray[np.float32]) -> float:
        """End-of-turn probability of the last 8 s of `audio` (16 kHz float32), synchronously."""
        features = whisper_features(audio)[None]
        (output,) = self._model().run(None, {"input_features": features})
        return float(np.clip(np.asarray(output).reshape(-1)[0], 0.0, 1.0))

    def reset(self) -> None:
        self.vad.reset()
        self.calls = 0
        self._audio = np.zeros(0, np.float32)
        self._eot = 0.0
        if self._pending is not None:
            self._pending.cancel()
        self._pending = None

    def close(self) -> None:
        """Stop the worker thread (it also stops when the object is collected)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _keep(self, audio: npt.NDArray[np.float32]) -> None:
        n = WINDOW_S * SAMPLE_RATE
        self._audio = np.concatenate([self._audio, audio])[-n:]

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        vad = self.vad.step(microturn)
        self._keep(microturn.audio.astype(np.float32, copy=False))
        if self._pending is not None:  # the answer launched one microturn ago
            self._eot = self._pending.result()
            self._pending = None
        if vad["vad_onset"] or (vad["vad_speech"] and not vad["vad_offset"]):
            self._eot = 0.0
        if vad["vad_offset"]:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smart-turn")
            self.calls += 1
            self._pending = self._pool.submit(self.predict, self._audio.copy())
        return {"eot": self._eot}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        self.reset()
        vad = self.vad.replay(microturns)
        n = len(microturns)
        eot = np.zeros(n)
        answer: float | None = None
        value = 0.0
        window = WINDOW_S * SAMPLE_RATE
        ends = np.cumsum([m.audio.size for m in microturns])
        audio = np.concatenate([m.audio.astype(np.float32, copy=False) for m in microturns]) if n else np.zeros(0, np.float32)
        for k in range(n):
            if answer is not None:
                value, answer = answer, None
            if vad["vad_onset"][k] or (vad["vad_speech"][k] and not vad["vad_offset"][k]):
                value = 0.0
            if vad["vad_offset"][k]:
                self.calls += 1
                end = int(ends[k])
                answer = self.predict(audio[max(0, end - window) : end])
            eot[k] = value
        self._audio = audio[-window:].copy()
        self._eot = value
        return {"eot": eot}
