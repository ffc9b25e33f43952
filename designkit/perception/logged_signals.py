"""Replay a log's recorded signals as if perception ran again: try a new policy on old sessions."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from designkit.core.context import EventKind
from designkit.core.microturns import Gap, GapKind, Microturn, samples_per_microturn
from designkit.core.streams import Event
from designkit.log.reader import SessionLog

_ENGINE_NOTES = frozenset({EventKind.POLICY.value})


class LoggedSignals:
    """A perceiver that hands back the signals a log recorded for each microturn."""

    def __init__(self, log: SessionLog) -> None:
        self.name = "logged"
        self.columns: tuple[str, ...] = tuple(log.signals)
        self._values = {c: log.signal(c) for c in self.columns}

    def reset(self) -> None:
        return None

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        return {c: float(v[microturn.index]) for c, v in self._values.items()}

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        index = np.array([m.index for m in microturns], dtype=np.int64)
        return {c: v[index] for c, v in self._values.items()}


def logged_microturns(log: SessionLog) -> Iterator[Microturn]:
    """Microturns rebuilt from a log: silent audio, the logged coverage, gaps and events."""
    frame = log.frame
    dt = float(log.header["dt"])
    silence = np.zeros(samples_per_microturn(dt), dtype=np.float32)
    for index, coverage, gaps, events in zip(frame["index"], frame["coverage"], frame["gaps"],
                                             frame["events"], strict=True):
        yield Microturn(
            index=int(index), dt=dt, audio=silence, coverage=float(coverage),
            gaps=tuple(Gap(GapKind(g["kind"]), g["start"], g["end"], g.get("detail", ""))
                       for g in json.loads(gaps or "[]")),
            events=tuple(Event(t=e["t"], kind=e["kind"], data=e.get("data", {}))
                         for e in json.loads(events or "[]") if e["kind"] not in _ENGINE_NOTES),
        )
