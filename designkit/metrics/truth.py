"""A session's ground truth as the metrics read it: `SessionTruth`, and `truth_of` for anything
that carries one (a scenario, its truth, a mapping)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from designkit.core.context import EventKind
from designkit.errors import InputError
from designkit.metrics.intervals import FloatArray, IntervalsLike, TimesLike, as_intervals, as_times

NEEDED_TOL_S = 1.0
CUE_WINDOW_S = 3.0  # CueSpeak's window: a proposal up to this long after a cue answers it


@dataclass(frozen=True, slots=True)
class SessionTruth:
    """What a session's ground truth says, as plain arrays (seconds).

    `user_speech`: when the user speaks; `respond_at`: moments the agent should act (turn ends,
    backchannel openings: a proposal within `NEEDED_TOL_S` of one is "needed"); `targets`:
    user-set TimeSpeak times; `cues`: CueSpeak cue times (with `cue_kinds`); `backchannel_at`:
    openings for a backchannel (also "needed"); `should_not_speak`: spans where acting is wrong
    (a proposal there is never "needed").
    """

    duration_s: float
    user_speech: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))
    respond_at: FloatArray = field(default_factory=lambda: np.zeros(0))
    backchannel_at: FloatArray = field(default_factory=lambda: np.zeros(0))
    targets: FloatArray = field(default_factory=lambda: np.zeros(0))
    cues: FloatArray = field(default_factory=lambda: np.zeros(0))
    name: str = ""
    cue_kinds: tuple[str, ...] = ()
    should_not_speak: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))

    @classmethod
    def make(cls, *, duration_s: float, user_speech: IntervalsLike = (), respond_at: TimesLike = (),
             backchannel_at: TimesLike = (), targets: TimesLike = (), cues: TimesLike = (),
             name: str = "", cue_kinds: tuple[str, ...] | list[str] = (),
             should_not_speak: IntervalsLike = ()) -> SessionTruth:
        if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
            raise InputError("truth duration_s", expected="seconds > 0", got=duration_s)
        raw_cues = np.asarray(cues, dtype=np.float64).reshape(-1)
        kinds = tuple(str(k) for k in cue_kinds) or (EventKind.CUE.value,) * len(raw_cues)
        if len(kinds) != len(raw_cues):
            raise InputError("truth cue_kinds", expected=f"{len(raw_cues)} kinds (one per cue)", got=len(kinds))
        order = np.argsort(raw_cues, kind="stable")
        return cls(float(duration_s), as_intervals("truth user_speech", user_speech),
                   as_times("truth respond_at", respond_at), as_times("truth backchannel_at", backchannel_at),
                   as_times("truth targets", targets), as_times("truth cues", raw_cues), name,
                   tuple(kinds[i] for i in order.tolist()),
                   as_intervals("truth should_not_speak", should_not_speak))


def truth_of(obj: Any) -> SessionTruth:
    """A SessionTruth from itself, a mapping or object with its field names, a scenario's truth
    (`designkit.scenarios.truth.Truth`: turn_ends -> respond_at, backchannel_opportunities ->
    backchannel_at, holds + should_not_speak -> should_not_speak) or a scenario (its `.truth`)."""
    if isinstance(obj, SessionTruth):
        return obj
    inner = getattr(obj, "truth", None)
    if inner is not None and not isinstance(obj, Mapping):
        found = truth_of(inner)
        name = str(getattr(obj, "name", "") or found.name)
        return found if name == found.name else replace(found, name=name)
    if hasattr(obj, "turn_ends") and hasattr(obj, "duration"):
        cues = list(getattr(obj, "cues", ()))
        return SessionTruth.make(
            duration_s=float(obj.duration),
            user_speech=[(float(s.start), float(s.end)) for s in obj.user_speech],
            respond_at=list(obj.turn_ends), backchannel_at=list(getattr(obj, "backchannel_opportunities", ())),
            targets=list(getattr(obj, "targets", ())), cues=[float(c.t) for c in cues],
            cue_kinds=[str(c.kind) for c in cues],
            should_not_speak=[*getattr(obj, "holds", ()), *getattr(obj, "should_not_speak", ())])
    get = obj.get if isinstance(obj, Mapping) else (lambda k, d=None: getattr(obj, k, d))
    duration = get("duration_s", None)
    if duration is None:
        raise InputError("truth", expected="an object with duration_s (and user_speech, respond_at, ...)",
                         got=type(obj).__name__)
    return SessionTruth.make(duration_s=float(duration), user_speech=get("user_speech", ()) or (),
                             respond_at=get("respond_at", ()) or (),
                             backchannel_at=get("backchannel_at", ()) or (), targets=get("targets", ()) or (),
                             cues=get("cues", ()) or (), name=str(get("name", "") or ""))
