"""Scripted sources and fakes for testing your own perceivers and policies.

    session = scripted_session(user=[(1.0, 3.0), (4.0, 6.5)], duration_s=10)
    records = Engine([EnergyVAD()], my_policy).replay(session)

Speech here is a voiced, syllable-rate signal (harmonics with an envelope), loud enough for any
energy-based VAD and silent in between; it has no words. Real voices come from
`designkit.scenarios`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from designkit.core.context import StepRecord
from designkit.core.microturns import Microturn
from designkit.core.session import Session
from designkit.core.streams import SAMPLE_RATE, AudioChunk, Event
from designkit.errors import InputError

Intervals = Sequence[tuple[float, float]]


def speech_like(duration_s: float, rng: np.random.Generator, *, level: float = 0.2) -> npt.NDArray[np.float32]:
    """A voiced signal with a 4 Hz syllable envelope and a wandering pitch, `duration_s` long."""
    n = max(1, round(duration_s * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    f0 = rng.uniform(110, 220) * (1 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.3, 1.0) * t))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(3.0, 5.0) * t + rng.uniform(0, 6.28))
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01 + 1e-3)  # no clicks at the edges
    return (level * voiced * envelope * ramp / 1.5).astype(np.float32)


def scripted_audio(user: Intervals, duration_s: float, *, seed: int = 0,
                   noise_dbfs: float = -70.0) -> npt.NDArray[np.float32]:
    """Audio with speech exactly in the `user` intervals and faint noise elsewhere."""
    rng = np.random.default_rng(seed)
    n = round(duration_s * SAMPLE_RATE)
    audio = (10 ** (noise_dbfs / 20) * rng.standard_normal(n)).astype(np.float32)
    previous_end = 0.0
    for start, end in user:
        if not 0 <= start < end <= duration_s or start < previous_end:
            raise InputError("user interval", expected=f"sorted, non-overlapping, within 0..{duration_s} s",
                             got=(start, end))
        previous_end = end
        a, b = round(start * SAMPLE_RATE), round(end * SAMPLE_RATE)
        audio[a:b] += speech_like((b - a) / SAMPLE_RATE, rng)
    return audio


def scripted_session(user: Intervals, duration_s: float, *, seed: int = 0, chunk_s: float = 0.2,
                     events: Sequence[Event] = (), dt: float = 0.2, name: str = "scripted") -> Session:
    """A session whose user speaks exactly in `user`, cut into `chunk_s` chunks."""
    audio = scripted_audio(user, duration_s, seed=seed)
    return Session.from_array(audio, chunk_s=chunk_s, events=events, dt=dt, name=name,
                              meta={"user": [list(i) for i in user], "seed": seed})


def random_turns(duration_s: float, rng: np.random.Generator, *, min_s: float = 0.3,
                 max_s: float = 4.0, min_gap_s: float = 0.2, max_gap_s: float = 3.0) -> list[tuple[float, float]]:
    """Random user speech intervals: turns and pauses of random length."""
    out: list[tuple[float, float]] = []
    t = rng.uniform(0.0, max_gap_s)
    while True:
        length = rng.uniform(min_s, max_s)
        if t + length >= duration_s:
            return out
        out.append((round(t, 3), round(t + length, 3)))
        t += length + rng.uniform(min_gap_s, max_gap_s)


def rechunk(session: Session, rng: np.random.Generator, *, min_s: float = 0.01, max_s: float = 1.5,
            drop: float = 0.0) -> Session:
    """The same audio cut at random places; with `drop` > 0, some chunks go missing (gaps)."""
    samples = session.samples()
    chunks: list[AudioChunk] = []
    i = 0
    while i < samples.size:
        n = max(1, round(rng.uniform(min_s, max_s) * SAMPLE_RATE))
        piece = samples[i : i + n]
        if not (drop and chunks and rng.random() < drop):
            chunks.append(AudioChunk(t0=i / SAMPLE_RATE, samples=piece))
        i += n
    return Session(audio=tuple(chunks), frames=session.frames, events=session.events,
                   dt=session.dt, name=session.name, meta=session.meta)


@dataclass
class ListSink:
    """A RecordSink that keeps records in a list."""

    records: list[StepRecord] = field(default_factory=list)

    def append(self, record: StepRecord) -> None:
        self.records.append(record)


@dataclass
class FailingPerceiver:
    """A perceiver that raises on the given microturns: check your loop fails silent."""

    fail_at: frozenset[int] = frozenset()
    name: str = "failing"
    columns: tuple[str, ...] = ("failing",)

    def reset(self) -> None:
        return None

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        if microturn.index in self.fail_at:
            raise RuntimeError(f"injected failure at microturn {microturn.index}")
        return {"failing": 0.0}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        if any(m.index in self.fail_at for m in microturns):
            raise RuntimeError("injected failure")
        return {"failing": np.zeros(len(microturns))}
