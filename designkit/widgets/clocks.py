"""Browser capture time vs kernel time: offset, drift and lateness of live chunks, per session.

Each audio chunk carries three times: where it sits on the session timeline (its first sample /
16 kHz, the audio clock), when the browser captured it (the browser's wall clock) and when the
kernel received it (the kernel's wall clock). Network and queueing only ever add delay, so the
kernel-minus-browser difference is fitted on its lower envelope: the minimum over each window of
chunks is the clock offset plus the smallest transport delay, and its slope over the session is
the drift between the two machines' clocks. A chunk that arrives much later than that envelope
predicts is "late" and becomes a logged gap note; the audio clock is checked against the browser
clock the same way (a sound card that runs fast or slow).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from designkit.errors import InputError

WINDOW = 25  # chunks per envelope point: 5 s of 200 ms chunks


@dataclass(frozen=True, slots=True)
class ClockEstimate:
    """What is known about the browser's clocks, as seen from the kernel."""

    offset_s: float  # kernel time - browser time, including the smallest transport delay
    drift_ppm: float  # how fast the kernel clock runs against the browser's, parts per million
    audio_drift_ppm: float  # how fast the audio clock runs against the browser's wall clock
    delay_p50_ms: float  # transport + queueing delay above the envelope
    delay_p95_ms: float
    late: int  # chunks that arrived more than `late_s` after the envelope
    chunks: int

    def to_dict(self) -> dict[str, float | int]:
        return {name: getattr(self, name) for name in self.__slots__}


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2 or float(np.ptp(x)) <= 0:
        return 0.0
    slope, _ = np.polyfit(x - x[0], y - y[0], 1)
    return float(slope)


class ClockEstimator:
    """Feed (audio time, browser capture time, kernel receive time) per chunk; read `estimate()`."""

    def __init__(self, *, late_s: float = 1.0, keep: int = 3000) -> None:
        if not late_s > 0:
            raise InputError("late_s", expected="seconds > 0", got=late_s)
        self.late_s = late_s
        self._first: tuple[float, float, float] | None = None
        self._window: list[tuple[float, float]] = []  # (browser, kernel - browser) of the open window
        self._envelope: deque[tuple[float, float]] = deque(maxlen=keep)
        self._audio: deque[tuple[float, float]] = deque(maxlen=keep)
        self._delays: deque[float] = deque(maxlen=keep)
        self._late = 0
        self._chunks = 0

    def add(self, *, audio_t: float, browser_t: float, kernel_t: float) -> bool:
        """Record one chunk; True if it arrived late (more than `late_s` behind the envelope)."""
        for name, value in (("audio_t", audio_t), ("browser_t", browser_t), ("kernel_t", kernel_t)):
            if not math.isfinite(value):
                raise InputError(f"chunk {name}", expected="a finite time in seconds", got=value)
        if self._first is None:
            self._first = (audio_t, browser_t, kernel_t)
        a0, b0, k0 = self._first
        b = browser_t - b0
        diff = (kernel_t - k0) - b
        self._chunks += 1
        self._audio.append((b, audio_t - a0))
        self._window.append((b, diff))
        if len(self._window) >= WINDOW:
            self._envelope.append(min(self._window, key=lambda p: p[1]))
            self._window = []
        floor = self._floor(b)
        delay = diff - floor
        self._delays.append(delay)
        late = delay > self.late_s
        if late:
            self._late += 1
        return late

    def _floor(self, b: float) -> float:
        points = list(self._envelope) + ([min(self._window, key=lambda p: p[1])] if self._window else [])
        if not points:
            return 0.0
        xs = np.array([p[0] for p in points])
        ys = np.array([p[1] for p in points])
        if len(points) < 3:
            return float(ys.min())
        slope = _slope(xs, ys)
        # The line through the lowest point with the fitted slope stays under every point.
        base = float(np.min(ys - slope * xs))
        return base + slope * b

    def estimate(self) -> ClockEstimate:
        if self._first is None:
            return ClockEstimate(math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0)
        _, b0, k0 = self._first
        points = list(self._envelope) or [min(self._window, key=lambda p: p[1])]
        xs = np.array([p[0] for p in points])
        ys = np.array([p[1] for p in points])
        drift = _slope(xs, ys) if len(points) >= 3 else 0.0
        audio = np.array(self._audio)
        audio_drift = _slope(audio[:, 0], audio[:, 1] - audio[:, 0]) if len(audio) >= 3 else 0.0
        delays = np.array(self._delays) * 1000.0
        return ClockEstimate(
            offset_s=(k0 - b0) + float(ys.min()),
            drift_ppm=drift * 1e6,
            audio_drift_ppm=audio_drift * 1e6,
            delay_p50_ms=float(np.percentile(delays, 50)),
            delay_p95_ms=float(np.percentile(delays, 95)),
            late=self._late,
            chunks=self._chunks,
        )
