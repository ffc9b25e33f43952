"""The online rep counter: full reps count once, partial reps and jitter do not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from designkit.errors import InputError
from designkit.perception.vision.reps import RepCounter, RepThresholds, count_reps, rep_signal

KNEE = RepThresholds(enter=70.0, exit=35.0, smooth_frames=1)


def _cycles(depths: list[float], fps: float = 15.0, period: float = 2.0, rest: float = 15.0) -> tuple[np.ndarray, np.ndarray]:
    """Knee flexion: rest, then one cosine cycle per depth (degrees of extra bend), with pauses."""
    values: list[float] = [rest] * int(fps)
    for depth in depths:
        u = np.arange(int(period * fps)) / (period * fps)
        values += list(rest + depth * 0.5 * (1 - np.cos(2 * np.pi * u)))
        values += [rest] * int(0.5 * fps)
    return np.arange(len(values)) / fps, np.array(values)


def test_full_reps_count_and_partial_reps_do_not() -> None:
    times, values = _cycles([90, 90, 30, 90, 40, 90])
    events = count_reps(times, values, KNEE)
    assert [e.count for e in events] == [1, 2, 3, 4]
    assert all(e.peak > 100 for e in events)


def test_each_rep_is_emitted_as_it_finishes() -> None:
    times, values = _cycles([90], period=2.0)
    counter = RepCounter(KNEE)
    emitted_at = [t for t, v in zip(times, values, strict=True) if counter.update(float(t), float(v))]
    # The cycle runs 1.0-3.0 s; the signal falls back through 35 degrees at about 2.7 s.
    assert len(emitted_at) == 1
    assert 2.5 < emitted_at[0] < 3.0


def test_jitter_around_a_threshold_counts_once() -> None:
    times = np.arange(40) / 15.0
    values = np.array([20, 75, 68, 72, 69, 71, 36, 34, 36, 34, 33] + [20] * 29, dtype=float)
    assert len(count_reps(times, values, KNEE)) == 1


def test_missing_pose_holds_the_phase() -> None:
    times, values = _cycles([90, 90])
    values[25:30] = math.nan  # the person was not detected for a third of a second mid-rep
    assert len(count_reps(times, values, KNEE)) == 2


def test_online_equals_whole_signal() -> None:
    times, values = _cycles([90, 50, 95, 88])
    counter = RepCounter(rep_signal("squat")[1])
    online = [e for t, v in zip(times, values, strict=True) if (e := counter.update(float(t), float(v)))]
    assert online == count_reps(times, values, rep_signal("squat")[1])


def test_adaptive_thresholds_follow_the_largest_movement() -> None:
    times, values = _cycles([0.08, 0.08, 0.02, 0.08], rest=0.0)
    th = RepThresholds(enter=0.5, exit=0.2, adaptive=True, floor=0.004, smooth_frames=1)
    assert len(count_reps(times, values, th)) == 3


def test_bad_thresholds_and_times_are_refused() -> None:
    with pytest.raises(InputError, match="enter > exit"):
        RepThresholds(enter=30, exit=40)
    with pytest.raises(InputError, match="fractions"):
        RepThresholds(enter=50, exit=20, adaptive=True)
    counter = RepCounter(KNEE)
    counter.update(1.0, 20.0)
    with pytest.raises(InputError, match="increasing times"):
        counter.update(1.0, 20.0)
    with pytest.raises(InputError, match="exercise"):
        rep_signal("pushup")
