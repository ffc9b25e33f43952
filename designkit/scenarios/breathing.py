"""Breathing-coach scenarios (TimeSpeak): breath sounds, and the times the coach must speak.

The user breathes in a steady rhythm; targets are "breathe in" cues every `period_s` seconds
from the first one, plus, when `reminder` is on, the user's spoken request "remind me in thirty
seconds" whose target is 30 s after it ends.
"""

from __future__ import annotations

import numpy as np

from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.render.tts import Voice, fresh_voices, synthesize
from designkit.scenarios import sounds
from designkit.scenarios.spec import Scenario, ScenarioSpec
from designkit.scenarios.truth import Noise, Segment, Truth, Word

VERSION = "2"  # 2: word labels follow the text (multi-word events, non-ASCII)


def generate_breathing(spec: ScenarioSpec) -> Scenario:
    """Deterministic from `spec.seed`: speech comes from a fresh espeak-ng process."""
    with fresh_voices():
        return _generate_breathing(spec)


def _generate_breathing(spec: ScenarioSpec) -> Scenario:
    defaults = {"duration_s": 60.0, "period_s": 6.0, "reminder": True, "first_s": 2.0}
    unknown = set(spec.params) - set(defaults)
    if unknown:
        raise InputError("breathing params", expected=f"names from {sorted(defaults)}", got=sorted(unknown),
                         fix="check the spelling")
    p = {**defaults, **dict(spec.params)}
    duration, period = float(p["duration_s"]), float(p["period_s"])
    if period < 2.0 or period > duration:
        raise InputError("breathing period_s", expected=f"2 s – {duration:g} s", got=period)
    rng = np.random.default_rng(spec.seed)
    n = round(duration * SAMPLE_RATE)
    audio = np.zeros(n, np.float32)
    segments: list[Segment] = []
    targets: list[float] = []
    t = 0.5
    if p["reminder"]:
        text = "remind me in thirty seconds"
        speech = synthesize(text, Voice(name="en-us", rate=int(rng.integers(150, 180)), pitch=int(rng.integers(35, 60))))
        a = round(t * SAMPLE_RATE)
        audio[a : a + speech.samples.size] += speech.samples
        start = a / SAMPLE_RATE
        end = start + speech.duration
        segments.append(Segment(start, end, text, tuple(Word(w, start + s, start + e) for w, s, e in speech.words)))
        if end + 30.0 < duration:
            targets.append(round(end + 30.0, 3))
        t = end + 0.5
    first = max(float(p["first_s"]), t)
    noises: list[Noise] = []
    cue = first
    while cue < duration - 0.5:
        targets.append(round(cue, 3))
        # The breath follows the cue: inhale for ~40 % of the period, exhale after.
        inhale, exhale = period * 0.4 * rng.uniform(0.9, 1.1), period * 0.5 * rng.uniform(0.9, 1.1)
        clip = sounds.breath(rng, inhale_s=inhale, exhale_s=exhale)
        a = round((cue + 0.3) * SAMPLE_RATE)
        clip = clip[: max(0, n - a)]
        audio[a : a + clip.size] += clip
        if clip.size:
            noises.append(Noise(a / SAMPLE_RATE, (a + clip.size) / SAMPLE_RATE, "breath"))
        cue += period
    truth = Truth(duration=n / SAMPLE_RATE, user_speech=tuple(segments), targets=tuple(sorted(targets)),
                  noises=tuple(noises), context=("focused",))
    return Scenario(spec=spec, audio=audio, truth=truth, name=f"breathing-{period:g}s-{spec.seed}")
