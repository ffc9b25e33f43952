"""Clock offset and drift between the browser and the kernel, from chunk timestamps."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.errors import InputError
from designkit.widgets import ClockEstimator


def feed(estimator: ClockEstimator, *, n: int, offset: float, drift_ppm: float, audio_ppm: float = 0.0,
         seed: int = 0, late: dict[int, float] | None = None) -> list[bool]:
    rng = np.random.default_rng(seed)
    flags = []
    for i in range(n):
        browser = 1000.0 + i * 0.2 * (1 + audio_ppm * 1e-6)
        delay = 0.004 + rng.exponential(0.006) + (late or {}).get(i, 0.0)
        kernel = offset + browser * (1 + drift_ppm * 1e-6) + delay
        flags.append(estimator.add(audio_t=i * 0.2, browser_t=browser, kernel_t=kernel))
    return flags


def test_offset_and_drift_are_recovered_from_jittery_arrivals() -> None:
    estimator = ClockEstimator()
    feed(estimator, n=3000, offset=5.0, drift_ppm=50.0, audio_ppm=-30.0)
    estimate = estimator.estimate()
    # Offset includes the smallest transport delay (4 ms here); drift within a few ppm.
    assert estimate.offset_s == pytest.approx(5.0 + 1000.0 * 50e-6 + 0.004, abs=0.002)
    assert estimate.drift_ppm == pytest.approx(50.0, abs=5.0)
    assert estimate.audio_drift_ppm == pytest.approx(30.0 / (1 - 30e-6), abs=2.0)
    assert estimate.chunks == 3000 and estimate.late == 0
    assert 1.0 < estimate.delay_p50_ms < 10.0


def test_a_chunk_stuck_for_seconds_is_flagged_late() -> None:
    estimator = ClockEstimator(late_s=1.0)
    flags = feed(estimator, n=200, offset=0.0, drift_ppm=0.0, late={150: 2.5})
    assert [i for i, late in enumerate(flags) if late] == [150]
    assert estimator.estimate().late == 1


def test_no_chunks_no_estimate_and_bad_times_are_refused() -> None:
    estimator = ClockEstimator()
    assert estimator.estimate().chunks == 0
    with pytest.raises(InputError, match="finite"):
        estimator.add(audio_t=0.0, browser_t=float("nan"), kernel_t=1.0)
