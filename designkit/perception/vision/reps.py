"""Count exercise reps online from a 1-D signal, emitting each rep the moment it completes.

The signal is how far the body is from its rest position: knee flexion for squats, elbow flexion
for curls, arm abduction for jumping jacks (from `pose.py`), or the motion fallback's
displacement from the rest frame (`motion.py`). A rep is a trip out past `enter` and back inside
`exit` (hysteresis), so a partial rep that never reaches `enter` is not counted, and jitter
around one threshold cannot count twice. The rep event comes when the signal crosses `exit` on
the way back, so a coach can say "ten!" as the tenth rep finishes.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from designkit.core.context import EventKind
from designkit.core.streams import Event
from designkit.errors import InputError


@dataclass(frozen=True, slots=True)
class RepEvent:
    """The `count`-th rep finished at `t` seconds (its peak value `peak` was reached earlier)."""

    t: float
    count: int
    peak: float
    started: float

    def to_event(self) -> Event:
        return Event(t=self.t, kind=EventKind.REP, data={"count": self.count, "peak": self.peak,
                                                   "started": self.started})


@dataclass(frozen=True, slots=True)
class RepThresholds:
    """Hysteresis in the signal's own units: out past `enter`, back inside `exit` = one rep.

    `adaptive=True` reads `enter`/`exit` as fractions of the largest excursion seen so far
    (for signals without a fixed scale, such as motion displacement); `floor` is then the
    smallest excursion that can count at all.
    """

    enter: float
    exit: float
    adaptive: bool = False
    floor: float = 0.0
    min_rep_s: float = 0.4
    smooth_frames: int = 3

    def __post_init__(self) -> None:
        for name in ("enter", "exit", "floor", "min_rep_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise InputError(f"rep threshold {name}", expected="a finite number", got=value)
        if not self.enter > self.exit:
            raise InputError("rep thresholds", expected="enter > exit (hysteresis)",
                             got=f"enter={self.enter}, exit={self.exit}")
        if self.adaptive and not 0.0 < self.exit < self.enter < 1.0:
            raise InputError("adaptive rep thresholds", expected="0 < exit < enter < 1 (fractions)",
                             got=f"enter={self.enter}, exit={self.exit}")
        if not isinstance(self.smooth_frames, int) or self.smooth_frames < 1:
            raise InputError("smooth_frames", expected="a whole number >= 1", got=self.smooth_frames)


@dataclass(slots=True)
class RepCounter:
    """Online rep counter: feed `(t, value)` in time order, get a `RepEvent` when a rep completes.

    Missing values (NaN: no person detected) are skipped, which holds the last phase. `phase`
    is 0 at rest and about 1 at the deepest point of a full rep.
    """

    thresholds: RepThresholds
    count: int = 0
    events: list[RepEvent] = field(default_factory=list)
    _out: bool = False
    _out_since: float = 0.0
    _peak: float = -math.inf
    _scale: float = 0.0
    _last_t: float = -math.inf
    _window: deque[float] = field(default_factory=deque)
    _value: float = math.nan

    def reset(self) -> None:
        self.count = 0
        self.events = []
        self.cancel()
        self._scale = 0.0
        self._last_t = -math.inf
        self._value = math.nan

    def cancel(self, *, rescale: bool = False) -> None:
        """Forget a rep in progress (the person left, the rest frame changed); `rescale` also
        forgets the adaptive scale, so the next movements set it afresh."""
        self._out = False
        self._peak = -math.inf
        self._window.clear()
        if rescale:
            self._scale = 0.0

    @property
    def value(self) -> float:
        """The smoothed signal last seen."""
        return self._value

    @property
    def phase(self) -> float:
        """How far out the body is: 0 inside `exit`, 1 at `enter`, up to 1.5 beyond it."""
        if math.isnan(self._value):
            return 0.0
        enter, exit_ = self._levels()
        if enter <= exit_:
            return 0.0
        return float(np.clip((self._value - exit_) / (enter - exit_), 0.0, 1.5))

    def _levels(self) -> tuple[float, float]:
        th = self.thresholds
        if not th.adaptive:
            return th.enter, th.exit
        scale = max(self._scale, th.floor)
        return th.enter * scale, th.exit * scale

    def update(self, t: float, value: float) -> RepEvent | None:
        """One sample; returns the rep it completed, if any."""
        if not t > self._last_t:
            raise InputError("rep signal time", expected=f"increasing times (after {self._last_t:.3f} s)",
                             got=t, fix="feed samples in time order, once each")
        self._last_t = t
        if value is None or not math.isfinite(value):
            return None
        self._window.append(float(value))
        while len(self._window) > self.thresholds.smooth_frames:
            self._window.popleft()
        smoothed = float(np.median(self._window))
        self._value = smoothed
        th = self.thresholds
        if th.adaptive:
            # The scale follows the largest excursion, and forgets slowly if movements shrink.
            self._scale = max(self._scale * 0.9995, smoothed)
        enter, exit_ = self._levels()
        if not self._out:
            if smoothed >= enter and (not th.adaptive or self._scale >= th.floor):
                self._out = True
                self._out_since = t
                self._peak = smoothed
            return None
        self._peak = max(self._peak, smoothed)
        if smoothed > exit_:
            return None
        self._out = False
        if t - self._out_since < th.min_rep_s:
            return None
        self.count += 1
        event = RepEvent(t=t, count=self.count, peak=self._peak, started=self._out_since)
        self.events.append(event)
        return event

    def run(self, times: Iterable[float], values: Iterable[float]) -> list[RepEvent]:
        """Feed whole arrays; return the reps they completed."""
        out = []
        for t, v in zip(times, values, strict=True):
            event = self.update(float(t), float(v))
            if event is not None:
                out.append(event)
        return out


def count_reps(times: Iterable[float], values: Iterable[float], thresholds: RepThresholds) -> list[RepEvent]:
    """The reps in a whole signal, exactly as the online counter emits them."""
    return RepCounter(thresholds).run(times, values)


# Which per-frame signal to count on, and where its thresholds sit, for each exercise.
# Pose angles are in degrees (measured on the generated videos: rest 15-25, full reps 85-115,
# partial reps 35-55); motion displacement is adaptive (fractions of the largest movement).
REP_SIGNALS: dict[str, tuple[str, RepThresholds]] = {
    "squat": ("knee_flexion", RepThresholds(enter=70.0, exit=35.0)),
    "curl": ("elbow_flexion", RepThresholds(enter=72.0, exit=40.0)),
    "jumping_jack": ("arm_raise", RepThresholds(enter=110.0, exit=50.0)),
    "motion": ("displacement", RepThresholds(enter=0.5, exit=0.2, adaptive=True, floor=0.004)),
}


def rep_signal(exercise: str) -> tuple[str, RepThresholds]:
    """The signal column and thresholds to count `exercise` on ("motion" for the fallback)."""
    try:
        return REP_SIGNALS[str(getattr(exercise, "value", exercise))]
    except KeyError:
        raise InputError("exercise", expected=f"one of {sorted(REP_SIGNALS)}", got=repr(exercise)) from None
