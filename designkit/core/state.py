"""The engine's memory between microturns, and the context it builds from it each microturn.

`EngineState` is the one place that memory lives. `track_user` (the user's turn: onset, offset,
last finished stretch) and `make_context` (what a proposer and a policy may know) are the rules
every way of walking a session shares: `Engine.step`, `Engine.replay` and `Engine.replay_cached`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from designkit.core.context import Context
from designkit.core.decisions import Reason
from designkit.core.session import OFFLINE_CONSENT, Consent
from designkit.core.streams import Event
from designkit.core.wizard_modes import OVERRIDE, ModeState

INF = math.inf
BUDGET_WINDOW_S = 60.0  # the attention budget counts the interventions of the last minute


@dataclass(slots=True)
class EngineState:
    """The one place the engine's memory lives between microturns."""

    next_index: int = 0
    user_speaking: bool = False
    user_onset: float | None = None
    user_offset: float | None = None
    user_spoke_since_agent: bool = False
    agent_onset: float | None = None
    agent_until: float = 0.0
    wizard_silent_until: float = 0.0
    wizard_mode: ModeState = OVERRIDE  # the operator's mode and the proposal waiting for an answer
    interventions: deque[float] = field(default_factory=deque)  # what the attention budget counts
    last_intervention: float | None = None  # the latest, counted or not (an answer's next part is not)
    event_times: Mapping[str, float] = field(default_factory=dict)
    user_last_speech_s: float = 0.0
    cut_remaining_s: float = 0.0
    cut_at: float | None = None
    consent: Consent = OFFLINE_CONSENT
    notes: list[Event] = field(default_factory=list)


def track_user(state: EngineState, user_speaking: bool, start: float) -> None:
    """Update the user's turn for a microturn starting at `start`: onset when speech begins,
    offset (and the length of the finished stretch) when it stops."""
    if user_speaking and not state.user_speaking:
        state.user_onset = start
        state.user_offset = None
    elif state.user_speaking and not user_speaking:
        state.user_offset = start
        if state.user_onset is not None:
            state.user_last_speech_s = start - state.user_onset
    state.user_speaking = user_speaking
    if user_speaking:
        state.user_spoke_since_agent = True


def make_context(state: EngineState, index: int, dt: float, signals: Mapping[str, float],
                 events: tuple[Event, ...], coverage: float, agent_speaking: bool) -> Context:
    """The context at the end of microturn `index`, from the state after `track_user` (and
    after interventions older than a minute were dropped)."""
    start = index * dt
    end = start + dt
    user_speaking = state.user_speaking
    last = state.last_intervention
    return Context(
        index=index,
        t=start,
        dt=dt,
        signals=signals,
        events=events,
        coverage=coverage,
        user_speaking=user_speaking,
        user_speech_s=end - state.user_onset if user_speaking and state.user_onset is not None else 0.0,
        user_silence_s=end - state.user_offset if state.user_offset is not None else INF,
        user_spoke_since_agent=state.user_spoke_since_agent,
        agent_speaking=agent_speaking,
        agent_speech_s=end - state.agent_onset if agent_speaking and state.agent_onset is not None else 0.0,
        agent_remaining_s=max(0.0, state.agent_until - end) if agent_speaking else 0.0,
        since_intervention_s=end - last if last is not None else INF,
        interventions_last_minute=len(state.interventions),
        event_times=state.event_times,
        user_last_speech_s=state.user_last_speech_s,
        cut_remaining_s=state.cut_remaining_s,
        since_cut_s=end - state.cut_at if state.cut_at is not None else INF,
    )


def forced_silence(*, perception_faults: bool, coverage: float, consent_active: bool) -> Reason | None:
    """Why the engine silences a microturn before any proposer or policy is asked (a perception
    fault, a gap with nothing received, no consent), or None when the policy decides."""
    if perception_faults:
        return Reason.FAULT
    if coverage == 0.0:
        return Reason.GAP
    if not consent_active:
        return Reason.NO_CONSENT
    return None


def drop_old_interventions(state: EngineState, end: float) -> None:
    """Forget interventions `BUDGET_WINDOW_S` or more before `end` (the budget counts the last minute;
    the time since the last one reads as never once it is that old)."""
    while state.interventions and state.interventions[0] <= end - BUDGET_WINDOW_S:
        state.interventions.popleft()
    if state.last_intervention is not None and state.last_intervention <= end - BUDGET_WINDOW_S:
        state.last_intervention = None


def event_times_after(times: Mapping[str, float], events: Iterable[Event]) -> dict[str, float]:
    """`times` updated with `events`: key "kind", and "kind:name" when the event names itself."""
    out = dict(times)
    for event in events:
        out[event.kind] = event.t
        name = event.data.get("name")
        if name is not None:
            out[f"{event.kind}:{name}"] = event.t
    return out
