"""What the engine hands a proposer and a policy each microturn (`Context`), what it records
(`StepRecord`), and the kinds of events it knows by name (`EventKind`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import NamedTuple

from designkit.core.decisions import Decision, Proposal
from designkit.core.microturns import Gap
from designkit.core.streams import Event

INF = math.inf
_NO_EVENTS: Mapping[str, float] = MappingProxyType({})


class EventKind(str, Enum):
    """Event kinds the engine, the perceivers and the widgets agree on.

    `Event.kind` stays a plain string (logs and other tools read it as text); pass a member and
    the event stores its value.
    """

    CONSENT = "consent"   # a consent change (data: Consent.to_dict())
    POLICY = "policy"     # the policy was swapped (data: {"policy": spec})
    WIZARD = "wizard"     # an operator button (data: {"action": ..., ...})
    CUE = "cue"           # a detected or annotated cue (data: {"name": ...})
    REP = "rep"           # an exercise rep finished (data: {"count": ..., ...})
    CONTROL = "control"   # a browser control changed (mute, push-to-talk)
    SESSION = "session"   # the live session ended (data: {"end": why})
    SCRIPT = "script"     # an agent's lines were edited (data: {"lines": {intent: [...]}})
    ARRIVAL = "arrival"   # a result from beside the loop landed (data: describes, arrived, perceiver)
    MARKER = "marker"     # a think-aloud marker: a participant or facilitator key (data: note, by)


class Context(NamedTuple):
    """What a proposer and a policy may know at the end of microturn `index`.

    Durations are measured up to the end of this microturn. `agent_speaking` says whether the
    agent's voice filled this window; a decision takes effect from the next one.

    Immutable like the kit's other data, but a named tuple rather than a frozen dataclass: the
    engine builds one for nearly every decision, and a frozen dataclass's 19 guarded
    assignments cost four times as much (the explorer's redraw is mostly this).
    """

    index: int  # type: ignore[assignment]  # the microturn; shadows tuple.index, which nothing here uses
    t: float
    dt: float
    signals: Mapping[str, float]
    events: tuple[Event, ...] = ()
    coverage: float = 1.0
    user_speaking: bool = False
    user_speech_s: float = 0.0
    user_silence_s: float = INF
    user_spoke_since_agent: bool = False
    agent_speaking: bool = False
    agent_speech_s: float = 0.0
    agent_remaining_s: float = 0.0
    since_intervention_s: float = INF
    interventions_last_minute: int = 0
    # For policies that remember: last time of each event key ("kind", and "kind:name" when the
    # event's data has a "name"), the length of the user's last finished speech stretch, and how
    # much of the agent's utterance its last yield cut off (0 once the agent intervenes again).
    event_times: Mapping[str, float] = _NO_EVENTS
    user_last_speech_s: float = 0.0
    cut_remaining_s: float = 0.0
    since_cut_s: float = INF

    @property
    def end(self) -> float:
        return (self.index + 1) * self.dt


@dataclass(frozen=True, slots=True)
class StepRecord:
    """Everything the session log keeps about one microturn."""

    index: int
    t: float
    dt: float
    signals: Mapping[str, float]
    proposal: Proposal
    decision: Decision
    user_speaking: bool
    agent_speaking: bool
    consent: str
    coverage: float
    gaps: tuple[Gap, ...] = ()
    events: tuple[Event, ...] = ()
    faults: tuple[str, ...] = ()
