"""Re-run policies fast over cached signals and proposals (the slider-redraw path).

`Engine.replay` perceives, proposes and decides. When perception and the proposer do not depend
on what the agent did (logged signals, the simulated model), only the decisions change from one
policy to the next: `PolicyReplay` computes everything else once and walks the engine's rules
per policy. Its decisions equal `Engine.replay`'s for the same inputs (a test checks it).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from designkit.core.context import Context
from designkit.core.decisions import NOTHING, Decision, Proposal, Reason
from designkit.core.protocols import Decider
from designkit.core.state import event_times_after
from designkit.core.streams import Event
from designkit.core.voice import VoiceTimeline, voice_after
from designkit.core.wizard import wizard_override
from designkit.errors import InputError

INF = math.inf


@dataclass(frozen=True, slots=True)
class Replayed:
    """The decisions of one policy over one session, with what the metrics need."""

    dt: float
    decisions: tuple[Decision, ...]
    proposals: tuple[Proposal, ...]
    agent_speaking: npt.NDArray[np.bool_]
    user_speaking: npt.NDArray[np.bool_]

    @property
    def duration_s(self) -> float:
        return len(self.decisions) * self.dt


class PolicyReplay:
    """One session's cached inputs; `run(policy)` gives that policy's decisions.

    `signals`: one array per column (one value per microturn); `proposals`: one per microturn;
    `events`: per microturn index (wizard and cue events); `forced`: microturns the engine
    silenced before asking the policy (a fault, a gap, no consent), with that reason. The user
    speaks where `signals[vad_signal] >= vad_threshold`, as in the engine.
    """

    def __init__(self, signals: Mapping[str, npt.ArrayLike], proposals: Sequence[Proposal], *,
                 dt: float = 0.2, events: Mapping[int, Sequence[Event]] | None = None,
                 forced: Mapping[int, Reason] | None = None,
                 vad_signal: str = "vad", vad_threshold: float = 0.5) -> None:
        columns = {c: np.asarray(v, dtype=np.float64) for c, v in signals.items()}
        n = len(proposals)
        for c, v in columns.items():
            if v.shape != (n,):
                raise InputError(f"signal '{c}'", expected=f"{n} values (one per proposal)", got=v.shape)
        self.dt = float(dt)
        self.n = n
        self.proposals = tuple(proposals)
        self.events = {int(k): tuple(v) for k, v in (events or {}).items() if v}
        self.forced = {int(k): Decision.silent(r) for k, r in (forced or {}).items()}
        names = tuple(columns)
        rows = zip(*(columns[c].tolist() for c in names), strict=True) if names else ([] for _ in range(n))
        self.signals = [dict(zip(names, r, strict=True)) for r in rows]
        vad = columns.get(vad_signal, np.zeros(n))
        self.user = vad >= vad_threshold
        # Everything about the user is independent of the policy: compute it once.
        user_speech = [0.0] * n
        user_silence = [INF] * n
        last_speech = [0.0] * n
        times: list[Mapping[str, float]] = [{}] * n
        onset: float | None = None
        offset: float | None = None
        speaking = False
        last = 0.0
        current: Mapping[str, float] = {}
        for k in range(n):
            start = k * self.dt
            end = start + self.dt
            now = bool(self.user[k])
            if now and not speaking:
                onset, offset = start, None
            elif speaking and not now:
                offset = start
                if onset is not None:
                    last = start - onset
            speaking = now
            if now and onset is not None:
                user_speech[k] = end - onset
            if offset is not None:
                user_silence[k] = end - offset
            last_speech[k] = last
            if k in self.events:
                current = event_times_after(current, self.events[k])
            times[k] = current
        self._user_speech = user_speech
        self._user_silence = user_silence
        self._last_speech = last_speech
        self._times = times

    def run(self, policy: Decider) -> Replayed:
        """The engine's rules, step by step, with `policy` deciding."""
        dt = self.dt
        n = self.n
        decide = policy.decide
        idle = getattr(policy, "idle", None)
        user = self.user.tolist()
        decisions: list[Decision] = [Decision.silent(Reason.NOTHING_TO_SAY)] * n
        agent_flags = [False] * n
        interventions: deque[float] = deque()
        voice = VoiceTimeline()
        spoke_since_agent = False
        wizard_until = 0.0
        for k in range(n):
            start = k * dt
            end = start + dt
            user_speaking = user[k]
            if user_speaking:
                spoke_since_agent = True
            agent_speaking = voice.until > start + 1e-9
            proposal = self.proposals[k]
            if (idle is not None and not agent_speaking and proposal is NOTHING and not voice.cut_remaining_s
                    and k not in self.events and k not in self.forced):
                quiet = idle(user_speaking, end, dt)
                if quiet is not None:  # nothing can happen this microturn: skip the context
                    decisions[k] = quiet
                    continue
            while interventions and interventions[0] <= end - 60.0:
                interventions.popleft()
            context = Context(
                index=k, t=start, dt=dt, signals=self.signals[k], events=self.events.get(k, ()),
                user_speaking=user_speaking, user_speech_s=self._user_speech[k],
                user_silence_s=self._user_silence[k], user_spoke_since_agent=spoke_since_agent,
                agent_speaking=agent_speaking,
                agent_speech_s=end - voice.onset if agent_speaking and voice.onset is not None else 0.0,
                agent_remaining_s=max(0.0, voice.until - end) if agent_speaking else 0.0,
                since_intervention_s=end - interventions[-1] if interventions else INF,
                interventions_last_minute=len(interventions), event_times=self._times[k],
                user_last_speech_s=self._last_speech[k], cut_remaining_s=voice.cut_remaining_s,
                since_cut_s=end - voice.cut_at if voice.cut_at is not None else INF,
            )
            forced = self.forced.get(k) if self.forced else None
            if forced is not None:
                decision = forced
            else:
                try:
                    decision = decide(proposal, context)
                    if not isinstance(decision, Decision):
                        raise TypeError(f"policy returned {type(decision).__name__}")
                except Exception:  # fail silent, as the engine does
                    decision = Decision.silent(Reason.FAULT)
            events = self.events.get(k)
            if events or wizard_until:
                decision, wizard_until = wizard_override(events or (), decision, agent_speaking, end, wizard_until)
            if decision.action.is_intervention:
                interventions.append(end)
                spoke_since_agent = False
            voice = voice_after(voice, decision, agent_speaking, end)
            decisions[k] = decision
            agent_flags[k] = agent_speaking
        return Replayed(dt, tuple(decisions), self.proposals, np.array(agent_flags, dtype=bool),
                        self.user.copy())


def nothing(n: int) -> list[Proposal]:
    """`n` empty proposals, for policies that need no model (e.g. schedules only)."""
    return [NOTHING] * n
