"""Non-speech sounds synthesised here (never downloaded): coughs, laughs, keys, doors, breath, noise."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

from designkit.core.streams import SAMPLE_RATE

Audio = npt.NDArray[np.float32]
KINDS = ("cough", "laugh", "keyboard", "door")


def _t(duration: float) -> npt.NDArray[np.float64]:
    return np.arange(round(duration * SAMPLE_RATE)) / SAMPLE_RATE


def _band(noise: npt.NDArray[np.float64], low: float, high: float) -> npt.NDArray[np.float64]:
    """A cheap band-pass: a one-pole high-pass then a one-pole low-pass."""
    a_hp = np.exp(-2 * np.pi * low / SAMPLE_RATE)
    a_lp = np.exp(-2 * np.pi * high / SAMPLE_RATE)
    hp = lfilter([1, -1], [1, -a_hp], noise)
    return np.asarray(lfilter([1 - a_lp], [1, -a_lp], hp))


def cough(rng: np.random.Generator) -> Audio:
    duration = rng.uniform(0.25, 0.4)
    t = _t(duration)
    burst = _band(rng.standard_normal(t.size), 300, 3000) * np.exp(-t / 0.08) * (1 - np.exp(-t / 0.005))
    return (burst / (np.abs(burst).max() + 1e-9) * 0.5).astype(np.float32)


def laugh(rng: np.random.Generator) -> Audio:
    pulses = int(rng.integers(3, 7))
    rate = rng.uniform(4.0, 6.0)
    t = _t(pulses / rate)
    f0 = rng.uniform(200, 320)
    voiced = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 5)) + 0.3 * rng.standard_normal(t.size)
    envelope = np.clip(np.sin(np.pi * (t * rate % 1.0)), 0, None) ** 2
    out = voiced * envelope
    return (out / (np.abs(out).max() + 1e-9) * 0.4).astype(np.float32)


def keyboard(rng: np.random.Generator) -> Audio:
    clicks = int(rng.integers(6, 13))
    gaps = rng.uniform(0.08, 0.2, clicks)
    out = np.zeros(round((gaps.sum() + 0.05) * SAMPLE_RATE))
    position = 0
    click_t = _t(0.008)
    for gap in gaps:
        click = rng.standard_normal(click_t.size) * np.exp(-click_t / 0.0015)
        out[position : position + click.size] += click
        position += round(gap * SAMPLE_RATE)
    return (out / (np.abs(out).max() + 1e-9) * 0.3).astype(np.float32)


def door(rng: np.random.Generator) -> Audio:
    t = _t(rng.uniform(0.4, 0.7))
    thump = np.sin(2 * np.pi * rng.uniform(50, 80) * t) * np.exp(-t / 0.12)
    rattle = _band(rng.standard_normal(t.size), 800, 4000) * np.exp(-t / 0.05) * 0.3
    out = thump + rattle
    return (out / (np.abs(out).max() + 1e-9) * 0.6).astype(np.float32)


SOUNDS = {"cough": cough, "laugh": laugh, "keyboard": keyboard, "door": door}


def breath(rng: np.random.Generator, *, inhale_s: float, exhale_s: float, level: float = 0.08) -> Audio:
    """One breath: a rising then falling airy noise."""
    parts = []
    for duration, low, high in ((inhale_s, 600, 5000), (exhale_s, 300, 3000)):
        t = _t(duration)
        shape = np.sin(np.pi * t / duration) ** 1.5
        parts.append(_band(rng.standard_normal(t.size), low, high) * shape)
    out = np.concatenate(parts)
    return (out / (np.abs(out).max() + 1e-9) * level).astype(np.float32)


def background(rng: np.random.Generator, n: int) -> Audio:
    """Steady room noise (brownish), unit RMS."""
    noise = _band(rng.standard_normal(n), 40, 2500)
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12)).astype(np.float32)
