"""Benchmark `engine`: replay speed, live step latency, log size and memory growth.

- replay_x_realtime: a 1 h generated conversation through the energy VAD and the silence-timeout
  policy, framing + engine + writing the log to disk (median of 3 runs).
- step_p95_ms: one live step (framing a 200 ms chunk, the engine, appending to the log).
- log_mb_per_hour: the closed Parquet log of that hour; journal_mb_per_hour: the live journal.
- rss_growth_mb_per_hour: resident memory growth over >= 10 min of live stepping, per hour.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from designkit.core import AudioChunk, Engine, MicroturnFramer, Session
from designkit.core.streams import SAMPLE_RATE
from designkit.log import LogWriter, make_header, replay_to_log
from designkit.log.writer import journal_path
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence
from designkit.testing import random_turns, scripted_audio

NAME = "engine"
HOUR_S = 3600.0


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _session(duration_s: float, seed: int = 0) -> Session:
    rng = np.random.default_rng(seed)
    audio = scripted_audio(random_turns(duration_s, rng), duration_s, seed=seed)
    return Session.from_array(audio, chunk_s=10.0, name=f"bench-{int(duration_s)}s")


def _engine() -> Engine:
    return Engine([EnergyVAD()], SpeakAfterSilence())


def run(quick: bool) -> Iterator[dict[str, Any]]:
    hour = _session(HOUR_S)
    tmp = Path(tempfile.mkdtemp(prefix="designkit-bench-"))
    times = []
    for attempt in range(3):
        path = tmp / f"hour-{attempt}.parquet"
        started = time.perf_counter()
        replay_to_log(_engine(), hour, path)
        times.append(time.perf_counter() - started)
    yield {"metric": "replay_x_realtime", "value": round(HOUR_S / statistics.median(times), 1),
           "unit": "x", "goal": ">= 5000"}
    yield {"metric": "log_mb_per_hour", "value": round(path.stat().st_size / 1e6, 3), "unit": "MB",
           "goal": "<= 20"}

    # Live: 200 ms chunks through the lenient framer, one step each, log appended as it goes.
    minutes = 11.0 if quick else 30.0
    samples = hour.samples()[: round(minutes * 60 * SAMPLE_RATE)]
    spt = round(0.2 * SAMPLE_RATE)
    engine = _engine()
    live_path = tmp / "live.parquet"
    writer = LogWriter(live_path, header=make_header(engine, name="live-bench"))
    engine.sink = writer
    framer = MicroturnFramer(0.2, strict=False)
    step_ms: list[float] = []
    warmup = 300
    rss_start = 0.0
    for k in range(samples.size // spt):
        chunk = AudioChunk(t0=k * 0.2, samples=samples[k * spt : (k + 1) * spt], seq=k)
        started = time.perf_counter()
        for turn in framer.push_audio(chunk):
            engine.step(turn)
        step_ms.append((time.perf_counter() - started) * 1000)
        if k == warmup:
            rss_start = _rss_mb()
    rss_end = _rss_mb()
    journal_mb = journal_path(live_path).stat().st_size / 1e6
    writer.close()
    stepped_min = (len(step_ms) - warmup) * 0.2 / 60
    yield {"metric": "step_p95_ms", "value": round(float(np.percentile(step_ms[warmup:], 95)), 4),
           "unit": "ms", "goal": "<= 1"}
    yield {"metric": "journal_mb_per_hour", "value": round(journal_mb * 60 / minutes, 3), "unit": "MB",
           "goal": "(live form, before compaction)"}
    yield {"metric": "rss_growth_mb_per_hour",
           "value": round(max(0.0, rss_end - rss_start) * 60 / stepped_min, 3), "unit": "MB",
           "goal": "<= 5", "minutes_stepped": round(stepped_min, 1)}
