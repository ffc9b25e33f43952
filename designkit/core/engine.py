"""The microturn engine: perceive, propose, decide, record. ONE decision loop, three ways in.

`step()` takes one microturn (live); `replay()` takes a whole session and may compute signals in
one batch per perceiver, then walks the same `_advance` per microturn, so both give the same
decisions and the same records; `replay_cached()` re-decides a session whose signals and
proposals were computed once (the slider-redraw path). All three reach a decision through
`_decide`, and all state lives in `EngineState`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.cached import CachedInputs, Replayed
from designkit.core.clock import Clock, VirtualClock
from designkit.core.context import Context, EventKind, StepRecord
from designkit.core.decisions import NOTHING, Action, Decision, Proposal, Reason
from designkit.core.microturns import Microturn
from designkit.core.perceive_session import perceive_session
from designkit.core.protocols import Decider, Perceiver, Proposer, RecordSink, fast_paths
from designkit.core.session import OFFLINE_CONSENT, Consent, Session
from designkit.core.state import (
    BUDGET_WINDOW_S,
    INF,
    EngineState,
    drop_old_interventions,
    event_times_after,
    forced_silence,
    make_context,
    track_user,
)
from designkit.core.streams import Event
from designkit.core.voice import VoiceTimeline, keeps_voice, voice_after
from designkit.core.wizard import wizard_override
from designkit.core.wizard_modes import mode_gate
from designkit.errors import InputError

SILENT, CONTINUE = Action.SILENT, Action.CONTINUE
NOTHING_TO_SAY = Decision.silent(Reason.NOTHING_TO_SAY)
EPS = 1e-9  # seconds: the voice fills a microturn when it lasts past its start by more than this
Speaking = Callable[[bool, float, float, float, float], "Decision | None"]  # `Decider.speaking`

__all__ = ["CachedInputs", "Context", "Engine", "EngineState", "Replayed", "StepRecord", "describe", "signals_of"]


class _NoProposer:
    """Proposes nothing; the policy alone decides (e.g. a silence-timeout policy)."""

    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        return NOTHING


class Engine:
    """Runs perceivers, a proposer and a policy over microturns and records each step."""

    def __init__(
        self,
        perceivers: Sequence[Perceiver],
        policy: Decider,
        *,
        proposer: Proposer | None = None,
        dt: float = 0.2,
        clock: Clock | None = None,
        sink: RecordSink | None = None,
        consent: Consent = OFFLINE_CONSENT,
        vad_signal: str = "vad",
        vad_threshold: float = 0.5,
        perceiver_timeout_s: float | None = None,
        replay_workers: int | None = None,
    ) -> None:
        names = [p.name for p in perceivers]
        if len(set(names)) != len(names):
            raise InputError("perceiver names", expected="unique names", got=names)
        self.perceivers = tuple(perceivers)
        self.policy = policy
        self.proposer: Proposer = proposer if proposer is not None else _NoProposer()
        self.dt = dt
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self.sink = sink
        self.vad_signal = vad_signal
        self.vad_threshold = vad_threshold
        self.perceiver_timeout_s = perceiver_timeout_s
        # Threads for running perceivers side by side in `replay` (1: one after another).
        self.replay_workers = replay_workers if replay_workers is not None else (os.cpu_count() or 1)
        if self.replay_workers < 1:
            raise InputError("replay_workers", expected="at least 1", got=self.replay_workers)
        self._initial_consent = consent
        self.columns: tuple[str, ...] = tuple(c for p in self.perceivers for c in p.columns)
        self.state = EngineState(consent=consent)
        self.last_record: StepRecord | None = None
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: a fresh session."""
        self.state = EngineState(consent=self._initial_consent)
        for perceiver in self.perceivers:
            perceiver.reset()
        self.proposer.reset()
        self.last_record = None

    def set_policy(self, policy: Decider) -> None:
        """Swap the policy; it applies from the next microturn and is logged as an event there."""
        self.policy = policy
        t = self.state.next_index * self.dt
        self.state.notes.append(Event(t=t, kind=EventKind.POLICY, data={"policy": policy.to_dict()}))

    def set_consent(self, consent: Consent) -> None:
        """Record a consent change; it is logged with the next microturn."""
        self.state.consent = consent
        t = self.state.next_index * self.dt
        self.state.notes.append(Event(t=t, kind=EventKind.CONSENT, data=consent.to_dict()))

    # -- the two entry points ---------------------------------------------------------------
    def step(self, microturn: Microturn) -> Decision:
        """Live: one microturn in, one decision out (and one record to the sink)."""
        signals: dict[str, float] = {}
        faults: list[str] = []
        arrivals: list[Event] = []
        for perceiver in self.perceivers:
            started = self.clock.now()
            try:
                values = perceiver.step(microturn)
                signals.update({c: float(values[c]) for c in perceiver.columns})
            except Exception as exc:  # fail silent: one bad microturn must not stop the loop
                signals.update({c: math.nan for c in perceiver.columns})
                faults.append(f"{perceiver.name}: {exc!r}")
                continue
            finally:
                # Results of work beside the loop (core/beside.py) are logged where they landed.
                drain = getattr(perceiver, "drain_arrivals", None)
                if drain is not None:
                    arrivals.extend(drain(microturn.start))
            elapsed = self.clock.now() - started
            if self.perceiver_timeout_s is not None and elapsed > self.perceiver_timeout_s:
                faults.append(f"{perceiver.name}: took {elapsed * 1000:.1f} ms")
        return self._advance(microturn, signals, faults, tuple(arrivals))

    def replay(self, session: Session | Iterable[Microturn]) -> list[StepRecord]:
        """Offline: a whole session from a fresh state, signals batched per perceiver."""
        turns = list(session.microturns() if isinstance(session, Session) else session)
        self.reset()
        columns, faults = perceive_session(self.perceivers, turns, self.replay_workers)
        names = self.columns
        # Python floats up front: the same values `step` sees, without a numpy scalar per lookup.
        rows = zip(*(columns[c].tolist() for c in names), strict=True) if names else ([] for _ in turns)
        arrivals: dict[int, list[Event]] = {}
        for perceiver in self.perceivers:
            for index, events in getattr(perceiver, "replayed_arrivals", {}).items():
                arrivals.setdefault(index, []).extend(events)
        records: list[StepRecord] = []
        for i, (turn, values) in enumerate(zip(turns, rows, strict=True)):
            signals = dict(zip(names, values, strict=True))
            self._advance(turn, signals, faults.get(i, []), tuple(arrivals.get(turn.index, ())))
            assert self.last_record is not None
            records.append(self.last_record)
        return records

    def step_through(self, session: Session | Iterable[Microturn], *,
                     between: Callable[[], object] | None = None) -> list[StepRecord]:
        """Live over a whole session: `step` each microturn in turn, from the engine's state as it
        is (no reset), calling `between()` after each step (the loop's idle time, in which a worker
        beside it lands its work); each step's record, in order."""
        records: list[StepRecord] = []
        for turn in session.microturns() if isinstance(session, Session) else session:
            self.step(turn)
            assert self.last_record is not None
            records.append(self.last_record)
            if between is not None:
                between()
        return records

    def replay_cached(self, inputs: CachedInputs) -> Replayed:
        """Offline, perception done: re-decide a session whose signals and proposals were computed
        once (`CachedInputs`), with this engine's policy.

        The slider-redraw path: it walks the same state, context, intervention window,
        fail-silent and operator rules as `step` and `replay` (`_decide`), so its decisions equal
        `replay`'s for the same inputs. Where only the policy has a say (no event, no forced
        silence, no operator rule), the policy's fast paths (`Decider`: `idle`, `speaking`, and
        for a policy `without_targets` `after_cut` and `answer`) decide a microturn, or a stretch
        of them, without building a context; elsewhere, and for a policy without them, `decide`.
        """
        self.reset()
        state = self.state
        dt = inputs.dt
        n = len(inputs)
        user = inputs.user_speaking(self.vad_signal, self.vad_threshold).tolist()
        proposals, events, forced, rows = inputs.proposals, inputs.events, inputs.forced, inputs.rows
        fast = fast_paths(self.policy)
        idle, speaking = fast.idle, fast.speaking
        # A policy `without_targets` decides a quiet stretch at once (up to the next microturn with
        # a proposal, an event, a forced silence or a change of the user's speaking), and answers a
        # proposal to a silent agent without a context.
        quiet_until = _next_marks(inputs, user, inputs.proposed) if fast.without_targets else None
        answer = fast.answer if fast.without_targets else None
        after_cut = fast.after_cut
        # Where `speaking` is monotone with the user silent, a stretch of the agent's utterance is
        # decided at once, up to the next event, forced silence or change of the user's speaking.
        voiced_until = (_next_marks(inputs, user, np.zeros(n, dtype=bool))
                        if fast.silent_user_speaking_is_monotone else None)
        decisions: list[Decision] = [NOTHING_TO_SAY] * n
        agent_flags = [False] * n
        k = 0
        while k < n:
            start = k * dt
            user_speaking = user[k]
            if user_speaking or state.user_speaking:  # (silence after silence changes nothing)
                track_user(state, user_speaking, start)
            agent_speaking = state.agent_until > start + EPS
            proposal = proposals[k]
            happening = events.get(k, ())
            decision: Decision | None = None
            stop = k + 1  # the microturn after those decided here (a stretch: the user's state stays)
            if happening:
                state.event_times = event_times_after(state.event_times, happening)
            elif k not in forced and state.wizard_mode.policy_alone:
                if agent_speaking:
                    if speaking is not None and not state.wizard_silent_until:
                        decision, stop = self._while_speaking(k, dt, user_speaking, speaking, voiced_until)
                else:
                    # (What was cut off matters only right after the user stops: `after_cut`.)
                    if (idle is not None and proposal is NOTHING
                            and (not state.cut_remaining_s or user_speaking or state.user_offset != start)):
                        decision = idle(user_speaking, start + dt, dt)
                        if decision is not None and quiet_until is not None:
                            stop = quiet_until[k]
                    if decision is None and answer is not None and not state.wizard_silent_until:
                        # What `decide` does for a silent agent, without a context: `after_cut`
                        # when something was cut off and the user is silent, else `answer`.
                        # (Durations are measured to `start + dt`, as `make_context` does; the
                        # decision takes effect at `(k + 1) * dt`, as in `_decide`.)
                        end = start + dt
                        silence = end - state.user_offset if state.user_offset is not None else INF
                        if state.cut_remaining_s and not user_speaking and after_cut is not None:
                            decision = after_cut(silence, end - state.cut_at if state.cut_at is not None else INF,
                                                 state.user_last_speech_s, state.cut_remaining_s, dt)
                        if decision is None:
                            done, last = state.interventions, state.last_intervention
                            forget = (k + 1) * dt - BUDGET_WINDOW_S
                            if (done and done[0] <= forget) or (last is not None and last <= forget):
                                drop_old_interventions(state, (k + 1) * dt)
                                last = state.last_intervention
                            decision = answer(proposal, user_speaking, silence, len(done),
                                              end - last if last is not None else INF)
                        if decision is not None and decision.action is not SILENT:
                            self._apply(decision, False, (k + 1) * dt)  # (a silence leaves the voice as it was)
            if decision is None:
                decision = self._decide(k, dt, rows[k], happening, 1.0, agent_speaking, proposal, forced.get(k), [])[1]
            if stop == k + 1:
                decisions[k] = decision
                agent_flags[k] = agent_speaking
            else:
                decisions[k:stop] = [decision] * (stop - k)
                agent_flags[k:stop] = [agent_speaking] * (stop - k)
            k = stop
        state.next_index = n
        return Replayed(dt, tuple(decisions), proposals, np.array(agent_flags, dtype=bool),
                        np.array(user, dtype=bool), inputs.holds if len(inputs.holds) == n else None)

    def _while_speaking(self, k: int, dt: float, user_speaking: bool, speaking: Speaking,
                        voiced_until: list[int] | None) -> tuple[Decision | None, int]:
        """Microturn `k` with the agent speaking: what `speaking` decides (None: ask `decide`) and
        the microturn after those it decides at once (the agent goes on, the user stays silent)."""
        state = self.state
        end = k * dt + dt
        held = speaking(user_speaking, end - state.user_onset if user_speaking and state.user_onset is not None else 0.0,
                        end - state.agent_onset if state.agent_onset is not None else 0.0,
                        max(0.0, state.agent_until - end), dt)
        if held is None:
            return None, k + 1
        if held.action is not CONTINUE:  # (going on leaves the voice as it was)
            self._apply(held, True, (k + 1) * dt)
        elif voiced_until is not None and not user_speaking:
            return held, self._goes_on_until(k, min(voiced_until[k], len(voiced_until)) - 1, held, speaking, dt) + 1
        return held, k + 1

    def _goes_on_until(self, k: int, bound: int, held: Decision, speaking: Speaking, dt: float) -> int:
        """The last microturn up to `bound` through which the agent's utterance goes on (`held`)
        with the user silent, for a `speaking` that is monotone in the time left (k: none)."""
        state = self.state
        # The last microturn the voice still fills by the engine's rule (agent_until > start).
        last = min(bound, math.ceil((state.agent_until - EPS) / dt) - 1)
        while last > k and not state.agent_until > last * dt + EPS:
            last -= 1
        for candidate in (last, last - 1):  # the utterance's last microturn may end it instead
            if candidate <= k:
                return k
            end = candidate * dt + dt
            at = speaking(False, 0.0, end - state.agent_onset if state.agent_onset is not None else 0.0,
                          max(0.0, state.agent_until - end), dt)
            if at is held:
                return candidate
        return k

    # -- the shared path ------------------------------------------------------------------
    def _advance(self, turn: Microturn, signals: dict[str, float], faults: list[str],
                 arrivals: tuple[Event, ...] = ()) -> Decision:
        state = self.state
        if turn.index != state.next_index:
            raise InputError(
                "microturn index", expected=f"microturn {state.next_index}", got=turn.index,
                fix="feed microturns in order, once each (the framer does this)",
            )
        dt = turn.dt
        start = turn.index * dt
        notes = tuple(state.notes)
        state.notes.clear()
        for event in turn.events:
            if event.kind == EventKind.CONSENT:
                state.consent = Consent.from_dict(event.data)
        if turn.events:
            state.event_times = event_times_after(state.event_times, turn.events)

        vad = signals.get(self.vad_signal, 0.0)
        user_speaking = vad >= self.vad_threshold  # NaN compares False: a fault is not speech
        track_user(state, user_speaking, start)
        agent_speaking = state.agent_until > start + EPS
        forced = forced_silence(perception_faults=bool(faults), coverage=turn.coverage,
                                consent_active=state.consent.active)
        proposal, decision = self._decide(turn.index, dt, signals, turn.events, turn.coverage, agent_speaking,
                                          None, forced, faults)
        record = StepRecord(
            index=turn.index, t=start, dt=dt, signals=signals, proposal=proposal, decision=decision,
            user_speaking=user_speaking, agent_speaking=agent_speaking,
            consent=state.consent.label, coverage=turn.coverage, gaps=turn.gaps,
            events=notes + turn.events + arrivals, faults=tuple(faults),
        )
        state.next_index += 1
        self.last_record = record
        if self.sink is not None:
            self.sink.append(record)
        return decision

    def _decide(self, index: int, dt: float, signals: Mapping[str, float], events: tuple[Event, ...],
                coverage: float, agent_speaking: bool, proposal: Proposal | None, forced: Reason | None,
                faults: list[str]) -> tuple[Proposal, Decision]:
        """One microturn's decision, the user's turn already tracked: the context, the proposal
        (asked of the proposer unless given), the policy's decision (or the forced silence), fail
        silent, the operator's override, and what the decision does to the agent's voice."""
        state = self.state
        end = (index + 1) * dt
        drop_old_interventions(state, end)
        context = make_context(state, index, dt, signals, events, coverage, agent_speaking)
        # A given proposal is kept even when forced silent (what the model wanted is still a fact);
        # an asked one is NOTHING until the proposer answers, and stays so if it fails.
        wish = NOTHING if proposal is None else proposal
        if forced is not None:
            decision = Decision.silent(forced)
        else:
            try:
                if proposal is None:
                    wish = self.proposer.propose(context)
                decision = self.policy.decide(wish, context)
                if not isinstance(decision, Decision):
                    raise TypeError(f"policy returned {type(decision).__name__}, not a Decision")
            except Exception as exc:  # fail silent
                faults.append(f"policy: {exc!r}")
                decision = Decision.silent(Reason.FAULT)
        if events or state.wizard_silent_until or not state.wizard_mode.policy_alone:
            # (Without an event, a hold or a mode other than override, no operator rule applies.)
            try:
                decision, state.wizard_mode = mode_gate(state.wizard_mode, events, decision, index, end)
                decision, state.wizard_silent_until = wizard_override(
                    events, decision, agent_speaking, end, state.wizard_silent_until)
            except Exception as exc:  # fail silent: an operator event the engine cannot read
                faults.append(f"wizard: {exc!r}")
                decision = Decision.silent(Reason.FAULT)
        self._apply(decision, agent_speaking, end)
        return wish, decision

    def _apply(self, decision: Decision, agent_speaking: bool, end: float) -> None:
        """Decisions take effect from the end of the microturn they were taken in."""
        state = self.state
        if decision.action.is_intervention:
            state.last_intervention = end
            if decision.reason is not Reason.GOES_ON:  # the same time on the floor: the budget counted it
                state.interventions.append(end)
            state.user_spoke_since_agent = False
        elif keeps_voice(decision, agent_speaking):
            return
        voice = VoiceTimeline(state.agent_onset, state.agent_until, state.cut_remaining_s, state.cut_at)
        state.agent_onset, state.agent_until, state.cut_remaining_s, state.cut_at = voice_after(
            voice, decision, agent_speaking, end)


def _next_marks(inputs: CachedInputs, user: list[bool], marked: npt.NDArray[np.bool_]) -> list[int]:
    """For each microturn, the next one after it that is `marked`, has an event or a forced
    silence, or where the user starts or stops speaking (`len(inputs)` when none)."""
    n = len(inputs)
    marks = np.array(marked, dtype=bool)
    marks[[k for k in (*inputs.events, *inputs.forced) if 0 <= k < n]] = True
    speaking = np.asarray(user, dtype=bool)
    marks[1:] |= speaking[1:] != speaking[:-1]
    found = np.append(np.flatnonzero(marks), n)
    after: list[int] = found[np.searchsorted(found[:-1], np.arange(n), side="right")].tolist()
    return after


def signals_of(records: Sequence[StepRecord], column: str) -> np.ndarray:
    """One signal column of a replay as an array, for quick looks and tests."""
    return np.array([r.signals.get(column, math.nan) for r in records], dtype=np.float64)


def describe(decision: Decision) -> dict[str, Any]:
    return {"action": decision.action.value, "reason": decision.reason.value,
            "confidence": decision.confidence, "content": decision.content,
            "duration_s": decision.duration_s}
