"""Benchmark `scenarios`: how fast dialogues are made, how well truth matches audio, cache gain.

- generate_x_realtime: seconds of dialogue (espeak-ng) generated per second of wall time.
- truth_alignment_p95_ms: |truth onset/offset - onset/offset measured on the rendered audio| (10 ms
  energy within 40 dB of the local peak), p95 over utterance edges and word edges at pauses.
- cache_speedup: first request of a named set (generated) vs the second (loaded from the cache,
  every audio sample read).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from designkit import scenarios
from designkit.core.streams import SAMPLE_RATE
from designkit.scenarios import ScenarioSpec, generate

NAME = "scenarios"


def _energy_db(audio: np.ndarray, hop: int = SAMPLE_RATE // 1000, window: int = SAMPLE_RATE // 100) -> np.ndarray:
    """Short-time energy: RMS in dB of 10 ms windows every 1 ms (window centred on each ms)."""
    padded = np.pad(audio.astype(np.float64), (window // 2, window // 2))
    power = np.convolve(padded**2, np.ones(window) / window, mode="valid")[::hop]
    return 10 * np.log10(power + 1e-12)


def _measured_edges(energy: np.ndarray, start: float, end: float, lo: float, hi: float) -> tuple[float, float]:
    """Onset and offset of the sound between `lo` and `hi` seconds, where the 10 ms energy first
    and last rises within 40 dB of the loudest window there (a level set by the speech, not by
    the synthesiser's trimming threshold)."""
    a, b = max(0, round(lo * 1000)), min(energy.size, round(hi * 1000))
    part = energy[a:b]
    loud = np.flatnonzero(part > part.max() - 40.0)
    return (a + loud[0]) / 1000, (a + loud[-1] + 1) / 1000


def _edge_errors_ms(scenario: scenarios.Scenario) -> list[float]:
    """|truth - measured| for each utterance's onset and offset, and for each word edge that
    borders a pause of >= 60 ms inside an utterance (a comma before "um")."""
    energy = _energy_db(scenario.audio)
    truth = scenario.truth
    errors: list[float] = []
    segments = truth.user_speech
    for i, segment in enumerate(segments):
        lo = max(segment.start - 0.15, segments[i - 1].end if i else 0.0)
        hi = min(segment.end + 0.15, segments[i + 1].start if i + 1 < len(segments) else truth.duration)
        onset, offset = _measured_edges(energy, segment.start, segment.end, lo, hi)
        errors += [abs(onset - segment.start) * 1000, abs(offset - segment.end) * 1000]
        for left, right in zip(segment.words, segment.words[1:], strict=False):
            if right.start - left.end >= 0.06:
                _, left_off = _measured_edges(energy, left.start, left.end, left.start, (left.end + right.start) / 2)
                right_on, _ = _measured_edges(energy, right.start, right.end, (left.end + right.start) / 2, right.end)
                errors += [abs(left_off - left.end) * 1000, abs(right_on - right.start) * 1000]
    return errors


def run(quick: bool) -> Iterator[dict[str, Any]]:
    count = 4 if quick else 12
    specs = [ScenarioSpec("dialogue", seed=100 + i, params={"duration_s": 60.0}) for i in range(count)]
    generate(specs[0])  # start the voice server once, as any session would
    started = time.perf_counter()
    made = [generate(s) for s in specs]
    wall = time.perf_counter() - started
    yield {"metric": "generate_x_realtime", "value": round(sum(m.duration for m in made) / wall, 1), "unit": "x",
           "goal": ">= 100", "scenarios": count}

    errors = [e for scenario in made for e in _edge_errors_ms(scenario)]
    yield {"metric": "truth_alignment_p95_ms", "value": round(float(np.nanpercentile(errors, 95)), 2), "unit": "ms",
           "goal": "<= 20", "edges": len(errors)}

    n = 8 if quick else 20
    firsts, seconds = [], []
    previous = os.environ.get("DESIGNKIT_CACHE")
    try:
        for _ in range(2):  # two empty caches: the faster first request counts
            with tempfile.TemporaryDirectory() as cache:
                os.environ["DESIGNKIT_CACHE"] = cache
                started = time.perf_counter()
                made_once = scenarios.get("dialogue-basic", n=n, progress=False)
                firsts.append(time.perf_counter() - started)
                for _ in range(3):
                    started = time.perf_counter()
                    again = scenarios.get("dialogue-basic", n=n, progress=False)
                    # the cache memory-maps audio: read every sample, so the cost of loading is counted
                    loud = [float(s.audio.max()) for s in again]
                    seconds.append(time.perf_counter() - started)
                assert loud == [float(s.audio.max()) for s in made_once]
    finally:
        if previous is None:
            os.environ.pop("DESIGNKIT_CACHE", None)
        else:
            os.environ["DESIGNKIT_CACHE"] = previous
    first, second = min(firsts), float(np.median(seconds))
    yield {"metric": "cache_speedup", "value": round(first / second, 1), "unit": "x", "goal": ">= 50",
           "first_s": round(first, 2), "second_s": round(second, 3)}
