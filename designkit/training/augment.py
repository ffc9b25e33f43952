"""Audio augmentation for the turn-taking model: the same dialogue as other rooms, mics and voices.

A model trained on a few synthetic voices learns those voices. Each augmented copy changes what
a turn end does not depend on, and keeps what it does (the words, the pauses, the prosody's shape):

- speed perturbation (0.88-1.12 x, resampled: tempo and pitch move together, as in Kaldi's
  speed perturbation) with the truth's times scaled to match;
- room reverb: a synthetic impulse response (exponentially decaying noise, RT60 0.15-0.7 s);
- band-limiting or a codec: telephone band (300-3400 Hz), a low-pass at 3.5-7 kHz, or 8 kHz
  mu-law (G.711) round trip;
- background noise (white, pink or brown) at 3-30 dB SNR, and a gain of -18 to +4 dB.

Pure numpy + scipy, seeded: a copy depends only on the audio, the truth and the generator.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from designkit.training.pause_scoring import Pause, TurnTruth

SR = 16_000
Audio = npt.NDArray[np.float32]


def _scale_truth(truth: TurnTruth, factor: float, duration_s: float) -> TurnTruth:
    """Times multiplied by `factor` (a slower copy has later events), clipped to the new length."""
    def at(t: float) -> float:
        return min(t * factor, duration_s) if math.isfinite(t) else t

    user = tuple((at(s), at(e)) for s, e in truth.user if at(s) < at(e))
    pauses = tuple(Pause(at(p.start), at(p.end), p.shift) for p in truth.pauses if at(p.start) < duration_s)
    return replace(truth, duration_s=duration_s, user=user, pauses=pauses,
                   backchannels=tuple(at(b) for b in truth.backchannels if at(b) < duration_s))


def speed(audio: Audio, truth: TurnTruth, factor: float) -> tuple[Audio, TurnTruth]:
    """Play `factor` times faster (resampled): the copy lasts 1/factor as long, pitch rises with it."""
    from scipy.signal import resample_poly

    up, down = 100, max(1, round(100 * factor))
    out = resample_poly(audio.astype(np.float64), up, down).astype(np.float32)
    return out, _scale_truth(truth, up / down, out.size / SR)


def reverb(audio: Audio, rng: np.random.Generator, *, rt60_s: float) -> Audio:
    """Convolve with a synthetic room: decaying noise (60 dB down after `rt60_s`) after a direct path."""
    from scipy.signal import fftconvolve

    n = max(1, int(rt60_s * SR))
    t = np.arange(n) / SR
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60_s)
    tail[: int(0.002 * SR)] = 0.0  # first reflections arrive after ~2 ms
    ir = tail * rng.uniform(0.2, 0.6) / max(1e-9, float(np.sqrt(np.sum(tail**2))))
    ir[0] = 1.0
    wet = fftconvolve(audio.astype(np.float64), ir)[: audio.size]
    return np.asarray(wet / max(1.0, float(np.max(np.abs(wet))) / 0.99), dtype=np.float32)


def band_limit(audio: Audio, rng: np.random.Generator) -> Audio:
    """One of: telephone band-pass, a low-pass at 3.5-7 kHz, or an 8 kHz mu-law round trip."""
    from scipy.signal import butter, resample_poly, sosfilt

    kind = int(rng.integers(3))
    x = audio.astype(np.float64)
    if kind == 0:
        sos = butter(4, [300, 3400], btype="bandpass", fs=SR, output="sos")
        return np.asarray(sosfilt(sos, x), dtype=np.float32)
    if kind == 1:
        sos = butter(6, float(rng.uniform(3500, 7000)), btype="lowpass", fs=SR, output="sos")
        return np.asarray(sosfilt(sos, x), dtype=np.float32)
    low = resample_poly(x, 1, 2)
    mu = 255.0
    peak = max(1e-9, float(np.max(np.abs(low))))
    y = np.sign(low / peak) * np.log1p(mu * np.abs(low / peak)) / math.log1p(mu)
    y = np.round(y * 127) / 127  # 8-bit codes
    back = np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu * peak
    return np.asarray(resample_poly(back, 2, 1)[: audio.size], dtype=np.float32)


def noise(audio: Audio, rng: np.random.Generator, *, snr_db: float) -> Audio:
    """Add white, pink or brown noise at `snr_db` below the speech's power."""
    n = audio.size
    white = rng.standard_normal(n)
    colour = int(rng.integers(3))
    if colour:
        spectrum = np.fft.rfft(white)
        f = np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0)
        spectrum /= f ** (0.5 * colour)  # pink: 1/f power, brown: 1/f^2
        white = np.fft.irfft(spectrum, n)
    power = float(np.mean(audio.astype(np.float64) ** 2)) or 1e-6
    scaled = white * math.sqrt(power / (10 ** (snr_db / 10)) / max(1e-12, float(np.mean(white**2))))
    return (audio + scaled).astype(np.float32)


def perturb(audio: Audio, truth: TurnTruth, rng: np.random.Generator) -> tuple[Audio, TurnTruth]:
    """One random copy: speed, then (each with some chance) reverb, band-limit, noise; then gain."""
    x, t = speed(audio, truth, float(rng.uniform(0.88, 1.12)))
    if rng.random() < 0.6:
        x = reverb(x, rng, rt60_s=float(rng.uniform(0.15, 0.7)))
    if rng.random() < 0.5:
        x = band_limit(x, rng)
    if rng.random() < 0.7:
        x = noise(x, rng, snr_db=float(rng.uniform(3.0, 30.0)))
    x = x * np.float32(10 ** (rng.uniform(-18.0, 4.0) / 20))
    return np.clip(x, -1.0, 1.0).astype(np.float32), t


__all__ = ["band_limit", "noise", "perturb", "reverb", "speed"]
