"""The camera perceiver: per-frame signals (pose or motion), a rep counter and visual cues, per microturn.

It runs the frame source once per frame and feeds both the rep counter and the cue detector,
then reports per microturn: the source's signals at the last frame, `rep_count`, `rep_phase`,
`rep` (1 in the microturn a rep completed), and one `cue_<name>` column per visual cue (1 in the
microturn it fired). Rep and cue events, with their exact frame times, collect in `events`.
A microturn without frames keeps the previous values; a jump between frames longer than
`max_frame_gap_s` is logged as a gap and drops the rep in progress.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from designkit.core.context import EventKind
from designkit.core.microturns import Microturn
from designkit.core.streams import Event, VideoFrame
from designkit.perception.vision.cues import VISUAL_CUES, VisualCues
from designkit.perception.vision.reps import RepCounter, RepThresholds, rep_signal

logger = logging.getLogger(__name__)


class FrameSource(Protocol):
    """Turns one frame into named numbers (pose angles, motion shares)."""

    name: str
    columns: tuple[str, ...]

    def reset(self) -> None: ...

    def read(self, frame: VideoFrame) -> Mapping[str, float]: ...


class VisionPerceiver:
    """Frames -> signals, reps and visual cues, one row per microturn (a `Perceiver`)."""

    def __init__(self, source: FrameSource, *, exercise: str | None = None,
                 thresholds: RepThresholds | None = None, signal: str | None = None,
                 cues: VisualCues | None = None, max_frame_gap_s: float = 0.5, name: str = "vision") -> None:
        self.source = source
        self.name = name
        self.counter: RepCounter | None = None
        self.signal = signal
        if exercise is not None or thresholds is not None:
            default_signal, default_thresholds = rep_signal(exercise or "motion")
            self.signal = signal or default_signal
            self.counter = RepCounter(thresholds or default_thresholds)
        self.cues = cues
        self.max_frame_gap_s = max_frame_gap_s
        rep_columns = ("rep_count", "rep_phase", "rep") if self.counter else ()
        cue_columns = tuple(f"cue_{c}" for c in VISUAL_CUES) if cues else ()
        self.columns: tuple[str, ...] = tuple(source.columns) + rep_columns + cue_columns
        self.events: list[Event] = []
        self.gaps: list[tuple[float, float]] = []
        self._last: dict[str, float] = {}
        self._last_frame_t: float | None = None
        self.reset()

    def reset(self) -> None:
        self.source.reset()
        if self.counter is not None:
            self.counter.reset()
        if self.cues is not None:
            self.cues.reset()
        self.events = []
        self.gaps = []
        self._last = {c: (0.0 if c.startswith(("rep", "cue_")) else math.nan) for c in self.columns}
        self._last_frame_t = None

    def _frame(self, frame: VideoFrame, out: dict[str, float]) -> None:
        if self._last_frame_t is not None and frame.t - self._last_frame_t > self.max_frame_gap_s:
            logger.warning("video gap: no frame from %.2f s to %.2f s", self._last_frame_t, frame.t)
            self.gaps.append((self._last_frame_t, frame.t))
            if self.counter is not None:
                self.counter.cancel()
        self._last_frame_t = frame.t
        values = self.source.read(frame)
        out.update({c: float(values[c]) for c in self.source.columns})
        if self.counter is not None and self.signal is not None:
            if values.get("rest_changed", 0.0) >= 0.5:
                self.counter.cancel(rescale=True)
            event = self.counter.update(frame.t, float(values.get(self.signal, math.nan)))
            if event is not None:
                self.events.append(event.to_event())
                out["rep"] = 1.0
        if self.cues is not None:
            for cue in self.cues.update(frame.t, values):
                self.events.append(cue)
                out[f"cue_{cue.data['name']}"] = 1.0

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        out = dict(self._last)
        for column in self.columns:
            if column == "rep" or column.startswith("cue_"):
                out[column] = 0.0
        for frame in microturn.frames:
            self._frame(frame, out)
        if self.counter is not None:
            out["rep_count"] = float(self.counter.count)
            out["rep_phase"] = self.counter.phase
        self._last = out
        return out

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        self.reset()
        rows = [self.step(m) for m in microturns]
        return {c: np.array([r[c] for r in rows], dtype=np.float64) for c in self.columns}

    def rep_events(self) -> list[Event]:
        return [e for e in self.events if e.kind == EventKind.REP]

    def cue_events(self) -> list[Event]:
        return [e for e in self.events if e.kind == EventKind.CUE]
