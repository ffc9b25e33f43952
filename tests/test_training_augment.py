"""Augmented copies keep the truth in step with the audio, and are reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.training.augment import band_limit, noise, perturb, reverb, speed
from designkit.training.pause_scoring import Pause, TurnTruth

SR = 16_000


def _tone(seconds: float, start: float, end: float) -> np.ndarray:
    x = np.zeros(round(seconds * SR), np.float32)
    t = np.arange(round((end - start) * SR)) / SR
    x[round(start * SR) : round(start * SR) + t.size] = 0.3 * np.sin(2 * np.pi * 200 * t)
    return x


TRUTH = TurnTruth(duration_s=4.0, user=((1.0, 2.0),), pauses=(Pause(2.0, 3.0, True),), backchannels=(2.5,))


def test_speed_moves_the_truth_with_the_audio() -> None:
    audio = _tone(4.0, 1.0, 2.0)
    fast, truth = speed(audio, TRUTH, 1.25)  # plays 1.25 x faster: 4 s -> 3.2 s
    assert fast.size == pytest.approx(3.2 * SR, abs=2)
    assert truth.user[0] == pytest.approx((0.8, 1.6), abs=1e-3)
    assert (truth.pauses[0].start, truth.pauses[0].end) == pytest.approx((1.6, 2.4), abs=1e-3)
    loud = np.flatnonzero(np.abs(fast) > 0.05) / SR
    assert loud[0] == pytest.approx(0.8, abs=0.01) and loud[-1] == pytest.approx(1.6, abs=0.01)


def test_noise_lands_at_the_asked_snr_and_filters_keep_the_length() -> None:
    rng = np.random.default_rng(0)
    audio = _tone(4.0, 0.0, 4.0)
    noisy = noise(audio, rng, snr_db=10.0)
    snr = 10 * np.log10(np.mean(audio.astype(np.float64) ** 2) / np.mean((noisy - audio).astype(np.float64) ** 2))
    assert snr == pytest.approx(10.0, abs=0.1)
    for out in (band_limit(audio, rng), band_limit(audio, rng), band_limit(audio, rng), reverb(audio, rng, rt60_s=0.4)):
        assert out.shape == audio.shape and out.dtype == np.float32 and np.isfinite(out).all()


def test_a_copy_depends_only_on_its_seed() -> None:
    audio = _tone(4.0, 1.0, 2.0)
    a, ta = perturb(audio, TRUTH, np.random.default_rng(3))
    b, tb = perturb(audio, TRUTH, np.random.default_rng(3))
    assert np.array_equal(a, b) and ta == tb
    assert np.abs(a).max() <= 1.0
