"""Visual cues from per-frame signals: a person enters or leaves the frame, holds still, raises a hand.

Each cue is confirmed over a short dwell (so one bad frame does not fire it) and comes out as a
`cue` event, `Event(kind="cue", data={"name": "enter", "onset": ...})`, at the frame that
confirmed it: its time minus the true moment is the detector's latency. Works on the pose
source's signals (`person`, `hand_raised`, `speed`); on the motion fallback only `hold_still`
can fire (motion cannot tell a person from a moving curtain).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from designkit.core.context import EventKind
from designkit.core.streams import Event
from designkit.errors import InputError

VISUAL_CUES = ("enter", "leave", "hold_still", "raise_hand")


def cue_event(name: str, t: float, **data: float | str) -> Event:
    """A cue event as the policy's CueSpeak rules read it."""
    return Event(t=t, kind=EventKind.CUE, data={"name": name, **data})


@dataclass(slots=True)
class VisualCues:
    """Online cue detector: `update(t, signals)` returns the cue events that frame confirmed.

    `still_s`: how long the person must stay still for `hold_still`; stillness is
    `signals[still_signal] <= still_below` (pose: landmark speed in frame widths per second;
    motion: share of changed pixels). `dwell_s` confirms enter, leave and raise_hand.
    """

    still_s: float = 3.0
    still_signal: str = "speed"
    still_below: float = 0.03
    dwell_s: float = 0.3
    _present: bool = False
    _presence_since: float | None = None
    _absence_since: float | None = None
    _hand: bool = False
    _hand_since: float | None = None
    _hand_off_since: float | None = None
    _still_since: float | None = None
    _still_fired: bool = False
    _last_t: float = -math.inf

    def __post_init__(self) -> None:
        for name in ("still_s", "dwell_s"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not value > 0:
                raise InputError(f"visual cue {name}", expected="seconds > 0", got=value)

    def reset(self) -> None:
        fresh = VisualCues(self.still_s, self.still_signal, self.still_below, self.dwell_s)
        for name in self.__slots__:
            setattr(self, name, getattr(fresh, name))

    def update(self, t: float, signals: Mapping[str, float]) -> list[Event]:
        if not t > self._last_t:
            raise InputError("visual cue time", expected=f"after {self._last_t:.3f} s", got=t)
        self._last_t = t
        out: list[Event] = []
        person = signals.get("person")
        if person is not None and not math.isnan(person):
            out += self._presence(t, person >= 0.5)
        if self._present or person is None:
            out += self._stillness(t, signals.get(self.still_signal, math.nan))
        if self._present:
            out += self._raised(t, signals.get("hand_raised", 0.0) >= 0.5)
        return out

    def _presence(self, t: float, seen: bool) -> list[Event]:
        if seen:
            self._absence_since = None
            if self._presence_since is None:
                self._presence_since = t
            if not self._present and t - self._presence_since >= self.dwell_s:
                self._present = True
                self._still_since, self._still_fired = None, False
                return [cue_event("enter", t, onset=self._presence_since)]
            return []
        self._presence_since = None
        if self._absence_since is None:
            self._absence_since = t
        if self._present and t - self._absence_since >= self.dwell_s:
            self._present = False
            self._hand, self._hand_since = False, None
            return [cue_event("leave", t, onset=self._absence_since)]
        return []

    def _stillness(self, t: float, speed: float) -> list[Event]:
        if math.isnan(speed) or speed > self.still_below:
            self._still_since, self._still_fired = None, False
            return []
        if self._still_since is None:
            self._still_since = t
        if not self._still_fired and t - self._still_since >= self.still_s:
            self._still_fired = True
            return [cue_event("hold_still", t, onset=self._still_since)]
        return []

    def _raised(self, t: float, up: bool) -> list[Event]:
        if up:
            self._hand_off_since = None
            if self._hand_since is None:
                self._hand_since = t
            if not self._hand and t - self._hand_since >= self.dwell_s:
                self._hand = True
                return [cue_event("raise_hand", t, onset=self._hand_since)]
            return []
        self._hand_since = None
        if self._hand:
            if self._hand_off_since is None:
                self._hand_off_since = t
            if t - self._hand_off_since >= self.dwell_s:
                self._hand = False
        return []
