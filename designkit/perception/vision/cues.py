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
from dataclasses import dataclass, field

from designkit.core.context import EventKind
from designkit.core.streams import Event
from designkit.errors import InputError

VISUAL_CUES = ("enter", "leave", "hold_still", "raise_hand")


def cue_event(name: str, t: float, **data: float | str) -> Event:
    """A cue event as the policy's CueSpeak rules read it."""
    return Event(t=t, kind=EventKind.CUE, data={"name": name, **data})


@dataclass(slots=True)
class Switch:
    """A yes/no reading that flips only once the new value has held for a while (one bad frame
    does not flip it)."""

    on: bool = False
    since: float | None = None  # when the reading first disagreed with `on`

    def update(self, t: float, value: bool, hold_s: float) -> float | None:
        """The moment the reading changed, when this frame confirms the change; else None."""
        if value == self.on:
            self.since = None
            return None
        if self.since is None:
            self.since = t
        if t - self.since < hold_s:
            return None
        self.on, changed, self.since = value, self.since, None
        return changed


@dataclass(slots=True)
class VisualCues:
    """Online cue detector: `update(t, signals)` returns the cue events that frame confirmed.

    `still_s`: how long the person must stay still for `hold_still`; stillness is
    `signals[still_signal] <= still_below` (pose: landmark speed in frame widths per second;
    motion: share of changed pixels). `dwell_s` confirms enter, leave and raise_hand (and the
    hand going down again).
    """

    still_s: float = 3.0
    still_signal: str = "speed"
    still_below: float = 0.03
    dwell_s: float = 0.3
    _present: Switch = field(default_factory=Switch)
    _hand: Switch = field(default_factory=Switch)
    _still: Switch = field(default_factory=Switch)  # on once `hold_still` fired, off as soon as they move
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
        if self._present.on or person is None:
            speed = signals.get(self.still_signal, math.nan)
            still = not (math.isnan(speed) or speed > self.still_below)
            # leaving stillness takes no dwell: any movement re-arms the cue
            if (onset := self._still.update(t, still, self.still_s if still else 0.0)) is not None and still:
                out.append(cue_event("hold_still", t, onset=onset))
        if self._present.on and (onset := self._hand.update(t, signals.get("hand_raised", 0.0) >= 0.5,
                                                            self.dwell_s)) is not None and self._hand.on:
            out.append(cue_event("raise_hand", t, onset=onset))
        return out

    def _presence(self, t: float, seen: bool) -> list[Event]:
        onset = self._present.update(t, seen, self.dwell_s)
        if onset is None:
            return []
        if seen:
            self._still = Switch()
            return [cue_event("enter", t, onset=onset)]
        self._hand = Switch()
        return [cue_event("leave", t, onset=onset)]
