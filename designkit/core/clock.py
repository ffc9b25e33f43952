"""Where time comes from. The engine asks a clock; tests hand it a VirtualClock."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time in seconds on one monotonic timeline."""

    def now(self) -> float: ...


class VirtualClock:
    """A clock that only moves when told to, so tests and replays never depend on the machine."""

    __slots__ = ("_t",)

    def __init__(self, start: float = 0.0) -> None:
        self._t = float(start)

    def now(self) -> float:
        return self._t

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds` (never backward) and return the new time."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds})")
        self._t += seconds
        return self._t

    def set(self, t: float) -> None:
        if t < self._t:
            raise ValueError(f"a clock cannot go back: set({t}) after {self._t}")
        self._t = float(t)


class MonotonicClock:
    """The machine's monotonic clock, for live sessions only; the core never reads it on its own."""

    __slots__ = ("_origin",)

    def __init__(self) -> None:
        self._origin = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._origin
