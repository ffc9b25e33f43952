"""Benchmark `scenarios`: how fast dialogues are made, how well truth matches audio, cache gain.

- generate_x_realtime: seconds of dialogue (espeak-ng) generated per second of wall time.
- truth_alignment_p95_ms: |truth onset/offset - onset/offset measured on the clean rendered audio|
  (sound above -50 dBFS in 1 ms frames), p95 over all utterances.
- cache_speedup: first request of a named set (generated) vs the second (loaded from the cache).
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


def _measured_edges(audio: np.ndarray, start: float, end: float, search_s: float = 0.1) -> tuple[float, float]:
    frame = SAMPLE_RATE // 1000
    a = max(0, round((start - search_s) * SAMPLE_RATE))
    b = min(audio.size, round((end + search_s) * SAMPLE_RATE))
    window = audio[a:b]
    n = window.size // frame
    loud = np.flatnonzero(np.abs(window[: n * frame]).reshape(n, frame).max(axis=1) > 10 ** (-50 / 20))
    if loud.size == 0:
        return float("nan"), float("nan")
    return a / SAMPLE_RATE + loud[0] / 1000, a / SAMPLE_RATE + (loud[-1] + 1) / 1000


def run(quick: bool) -> Iterator[dict[str, Any]]:
    count = 4 if quick else 12
    specs = [ScenarioSpec("dialogue", seed=100 + i, params={"duration_s": 60.0, "noises": False}) for i in range(count)]
    generate(specs[0])  # start the voice server once, as any session would
    started = time.perf_counter()
    made = [generate(s) for s in specs]
    wall = time.perf_counter() - started
    yield {"metric": "generate_x_realtime", "value": round(sum(m.duration for m in made) / wall, 1), "unit": "x",
           "goal": ">= 100", "scenarios": count}

    errors = []
    for scenario in made:
        for segment in scenario.truth.user_speech:
            onset, offset = _measured_edges(scenario.audio, segment.start, segment.end)
            errors += [abs(onset - segment.start) * 1000, abs(offset - segment.end) * 1000]
    yield {"metric": "truth_alignment_p95_ms", "value": round(float(np.nanpercentile(errors, 95)), 2), "unit": "ms",
           "goal": "<= 20", "edges": len(errors)}

    with tempfile.TemporaryDirectory() as cache:
        previous = os.environ.get("DESIGNKIT_CACHE")
        os.environ["DESIGNKIT_CACHE"] = cache
        try:
            n = 4 if quick else 20
            started = time.perf_counter()
            scenarios.get("dialogue-basic", n=n, progress=False)
            first = time.perf_counter() - started
            started = time.perf_counter()
            scenarios.get("dialogue-basic", n=n, progress=False)
            second = time.perf_counter() - started
        finally:
            if previous is None:
                os.environ.pop("DESIGNKIT_CACHE")
            else:
                os.environ["DESIGNKIT_CACHE"] = previous
    yield {"metric": "cache_speedup", "value": round(first / second, 1), "unit": "x", "goal": ">= 50",
           "first_s": round(first, 2), "second_s": round(second, 3)}
