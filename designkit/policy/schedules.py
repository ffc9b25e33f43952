"""TimeSpeak: interventions at times the user set ("every 6 s", "at 00:30", "30 s after event E")."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from designkit.core.context import Context
from designkit.core.decisions import Action
from designkit.errors import InputError, choice

INF = math.inf
_TARGET_ACTIONS = (Action.SPEAK, Action.BACKCHANNEL, Action.CAPTION)


def _seconds(what: str, value: float, *, allow_inf: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not math.isnan(value) and value >= 0
    if not ok or (math.isinf(value) and not allow_inf):
        raise InputError(what, expected="seconds >= 0" + (" (inf allowed)" if allow_inf else ""),
                         got=value)
    return float(value)


def parse_clock(text: str) -> float:
    """'00:30' -> 30.0, '1:02:03' -> 3723.0, '12.5' -> 12.5."""
    parts = text.strip().split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError("time", expected="seconds or mm:ss or hh:mm:ss", got=repr(text)) from None
    total = 0.0
    for v in values:
        total = total * 60 + v
    return total


@dataclass(frozen=True, slots=True)
class TimeSpeak:
    """One schedule: at `at_s`; or every `every_s` from `start_s` to `until_s`; or `delay_s`
    after each event `after_event` (an event key: its kind, or "kind:name").

    A target T fires in the first microturn whose end (the onset of what is said) lies in
    `[T - dt/2, T + late_s]` while the agent is not already speaking and has not intervened
    since `T - dt/2`. It is a user-set target: it bypasses confidence, initiative and budget.
    """

    content: str = ""
    at_s: float | None = None
    every_s: float | None = None
    start_s: float = 0.0
    until_s: float = INF
    after_event: str | None = None
    delay_s: float = 0.0
    action: Action = Action.SPEAK
    duration_s: float = 1.5
    late_s: float = 0.5

    def __post_init__(self) -> None:
        kinds = sum(x is not None for x in (self.at_s, self.every_s, self.after_event))
        if kinds != 1:
            raise InputError("schedule", expected="exactly one of at_s, every_s, after_event",
                             got={"at_s": self.at_s, "every_s": self.every_s, "after_event": self.after_event})
        if self.at_s is not None:
            if isinstance(self.at_s, (int, float)) and self.at_s < 0:
                raise InputError("schedule time", expected="a time >= 0 (not in the past)", got=self.at_s)
            _seconds("schedule at_s", self.at_s)
        if self.every_s is not None and not (_seconds("schedule every_s", self.every_s) > 0):
            raise InputError("schedule every_s", expected="seconds > 0", got=self.every_s)
        _seconds("schedule start_s", self.start_s)
        _seconds("schedule until_s", self.until_s, allow_inf=True)
        _seconds("schedule delay_s", self.delay_s)
        _seconds("schedule late_s", self.late_s)
        if not _seconds("schedule duration_s", self.duration_s) > 0:
            raise InputError("schedule duration_s", expected="seconds > 0", got=self.duration_s)
        object.__setattr__(self, "action", choice(Action, self.action, "schedule action", _TARGET_ACTIONS))

    @classmethod
    def parse(cls, text: str, *, content: str = "", **options: Any) -> TimeSpeak:
        """'every 6 s', 'at 00:30', '30 s after event breath' (also 'every 6s', 'at 30')."""
        s = text.strip().lower()
        if m := re.fullmatch(r"every\s+([\d.]+)\s*s?", s):
            every = float(m.group(1))
            return cls(content=content, every_s=every, start_s=options.pop("start_s", every), **options)
        if m := re.fullmatch(r"at\s+([\d:.]+)", s):
            return cls(content=content, at_s=parse_clock(m.group(1)), **options)
        if m := re.fullmatch(r"([\d.]+)\s*s?\s+after\s+(?:event\s+)?(\S+)", s):
            return cls(content=content, after_event=m.group(2), delay_s=float(m.group(1)), **options)
        raise InputError("schedule", expected="'every N s', 'at mm:ss' or 'N s after event E'", got=repr(text))

    def check_not_past(self, now: float) -> None:
        """Raise `InputError` if this fixed-time schedule is already in the past at `now`."""
        if self.at_s is not None and self.at_s < now:
            raise InputError("schedule time", expected=f"a time >= now ({now:.1f} s)", got=self.at_s)

    def in_window(self, end: float, dt: float, seen: float | None = None) -> float | None:
        """The target whose window holds a microturn ending at `end`, if any (`seen`: the time
        of the last `after_event` event)."""
        half = dt / 2
        if self.at_s is not None:
            t = self.at_s
        elif self.every_s is not None:
            if end + half < self.start_s:
                return None
            t = self.start_s + math.floor((end + half - self.start_s) / self.every_s + 1e-9) * self.every_s
            if t > self.until_s + 1e-9:
                return None
        else:
            if seen is None:
                return None
            t = seen + self.delay_s
        if not t - half - 1e-9 <= end <= t + self.late_s + 1e-9:
            return None
        return t

    def target(self, context: Context) -> float | None:
        """The target time this microturn would serve, if one is due now, else None."""
        end = context.end
        half = context.dt / 2
        seen = context.event_times.get(self.after_event) if self.after_event is not None else None
        t = self.in_window(end, context.dt, seen)
        if t is None:
            return None
        if context.since_intervention_s <= end - (t - half) + 1e-9:
            return None  # already served (or the agent spoke since)
        return t

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"content": self.content, "action": self.action.value,
                               "duration_s": self.duration_s, "late_s": self.late_s}
        if self.at_s is not None:
            out["at_s"] = self.at_s
        elif self.every_s is not None:
            out.update(every_s=self.every_s, start_s=self.start_s,
                       until_s=None if math.isinf(self.until_s) else self.until_s)
        else:
            out.update(after_event=self.after_event, delay_s=self.delay_s)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimeSpeak:
        data = dict(data)
        if data.get("until_s", 0.0) is None:
            data["until_s"] = INF
        valid = set(cls.__dataclass_fields__)
        unknown = set(data) - valid
        if unknown:
            raise InputError("schedule field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        return cls(**data)
