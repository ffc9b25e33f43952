"""Policies in scripted sessions: what a designer would notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit.core import Engine, Event, Microturn, StepRecord
from designkit.core.cached import CachedInputs, Replayed
from designkit.core.context import Context
from designkit.core.decisions import Action, Decision, Proposal, Reason
from designkit.core.protocols import Decider
from designkit.log import read_log, replay_to_log
from designkit.perception import EnergyVAD
from designkit.perception.logged_signals import LoggedSignals, logged_microturns
from designkit.perception.truth_vad import TruthVAD
from designkit.policy import CueSpeak, Policy, TimeSpeak
from designkit.proposers.simulated import PERFECT, ModelQuality, Moment, SimulatedProposer
from designkit.study.prepare import prepare, synthetic_dialogues
from designkit.testing import random_turns, scripted_session

DT = 0.2
SILENCE = np.zeros(3200, dtype=np.float32)


def turns(duration_s: float, events: Sequence[Event] = ()) -> list[Microturn]:
    by_index: dict[int, list[Event]] = {}
    for e in events:
        by_index.setdefault(int(e.t / DT + 1e-9), []).append(e)
    return [Microturn(index=k, dt=DT, audio=SILENCE, coverage=1.0, events=tuple(by_index.get(k, ())))
            for k in range(round(duration_s / DT))]


def run(policy: Policy, user: Sequence[tuple[float, float]], duration_s: float, *,
        moments: Sequence[Moment] = (), quality: ModelQuality = PERFECT, seed: int = 0,
        events: Sequence[Event] = ()) -> list[StepRecord]:
    proposer = SimulatedProposer(moments, duration_s=duration_s, quality=quality, seed=seed)
    return Engine([TruthVAD(user)], policy, proposer=proposer).replay(turns(duration_s, events))


def interventions(records: Sequence[StepRecord]) -> list[StepRecord]:
    return [r for r in records if r.decision.action.is_intervention]


def test_the_agent_answers_at_the_turn_end_and_stays_silent_while_the_user_speaks() -> None:
    records = run(Policy(pause_s=0.4), [(1.0, 3.0)], 6.0, moments=[Moment(3.0, content="I see")])
    (answer,) = interventions(records)
    assert answer.decision.action is Action.SPEAK and answer.decision.reason is Reason.TURN_END
    assert answer.t + DT >= 3.0 + 0.4 - 1e-9  # it speaks from the end of the deciding microturn
    assert all(r.decision.reason is Reason.USER_SPEAKING for r in records if r.user_speaking)


@pytest.mark.parametrize("yield_microturns", [1, 2, 3])
def test_on_every_scripted_barge_in_the_agent_yields_within_the_set_microturns(yield_microturns: int) -> None:
    rng = np.random.default_rng(yield_microturns)
    user = random_turns(120.0, rng, min_s=0.8, max_s=3.0, min_gap_s=1.0, max_gap_s=5.0)
    # Long scheduled utterances, so the user keeps talking over the agent.
    policy = Policy(yield_microturns=yield_microturns, false_interruption_s=0.0,
                    schedules=(TimeSpeak(every_s=5.0, duration_s=4.0),))
    records = run(policy, user, 120.0)
    barge_ins = yields = 0
    for k, r in enumerate(records):
        onset = r.user_speaking and (k == 0 or not records[k - 1].user_speaking)
        if not (onset and r.agent_speaking):
            continue
        barge_ins += 1
        # Silent from the microturn after the window: by a yield, or because the utterance ended.
        assert not records[k + yield_microturns].agent_speaking, f"still speaking after t={r.t:.1f}"
        yields += any(w.decision.action is Action.YIELD and w.decision.reason is Reason.USER_BARGE_IN
                      for w in records[k : k + yield_microturns])
    assert barge_ins >= 5 and yields >= barge_ins - 2


@pytest.mark.parametrize(("after", "reason"), [("resume", Reason.RESUME), ("drop", Reason.DROPPED)])
def test_after_a_false_interruption_the_agent_resumes_or_drops(after: str, reason: Reason) -> None:
    policy = Policy(after_false_interruption=after, false_interruption_s=0.6,
                    schedules=(TimeSpeak(at_s=1.0, duration_s=3.0),))
    records = run(policy, [(2.0, 2.4)], 6.0)  # a 0.4 s cough while the agent speaks
    reasons = [r.decision.reason for r in records]
    assert Reason.USER_BARGE_IN in reasons
    after_cough = records[round(2.4 / DT)]
    assert after_cough.decision.reason is reason
    if after == "resume":
        # The agent started at 1.0 s for 3 s and was cut at 2.2 s: 1.8 s are left to say.
        assert after_cough.decision.duration_s == pytest.approx(1.8)


def test_a_real_interruption_is_not_resumed() -> None:
    policy = Policy(schedules=(TimeSpeak(at_s=1.0, duration_s=3.0),))
    records = run(policy, [(2.0, 3.6)], 6.0)
    assert Reason.RESUME not in [r.decision.reason for r in records]


def test_initiative_zero_yields_only_user_set_targets() -> None:
    truths = synthetic_dialogues(4, duration_s=60.0, seed=3)
    policy = Policy(initiative=0.0, schedules=(TimeSpeak.parse("every 10 s"),), cues=(CueSpeak("cue"),))
    for i, truth in enumerate(truths):
        cues = [Event(t=t, kind="cue", data={"name": "cue"}) for t in (12.5, 40.1)]
        moments = [Moment(float(t)) for t in truth.respond_at]
        records = run(policy, [tuple(r) for r in truth.user_speech.tolist()], 60.0, moments=moments,
                      quality=ModelQuality(false_alarms_per_min=6), seed=i, events=cues)
        done = interventions(records)
        assert done, "schedules still fire at initiative 0"
        assert {r.decision.reason for r in done} <= {Reason.SCHEDULE, Reason.CUE, Reason.RESUME}
        assert any(r.decision.reason is Reason.LOW_INITIATIVE for r in records)
        model_on = run(policy.replace(initiative=1.0), [tuple(r) for r in truth.user_speech.tolist()], 60.0,
                       moments=moments, seed=i, events=cues)
        assert any(r.decision.reason is Reason.TURN_END for r in model_on)


def test_do_not_disturb_lets_only_targets_through_and_public_keeps_the_voice_off() -> None:
    truth = synthetic_dialogues(1, duration_s=60.0, seed=8)[0]
    user = [tuple(r) for r in truth.user_speech.tolist()]
    moments = [Moment(float(t)) for t in truth.respond_at]
    schedule = (TimeSpeak.parse("every 15 s"),)
    quiet = interventions(run(Policy(context="do_not_disturb", schedules=schedule), user, 60.0, moments=moments))
    assert quiet and all(r.decision.reason is Reason.SCHEDULE for r in quiet)
    public = interventions(run(Policy(context="public", schedules=schedule), user, 60.0, moments=moments))
    assert public and all(r.decision.action is Action.CAPTION for r in public)


def test_schedules_fire_on_time_and_cue_rules_wait_for_the_user() -> None:
    policy = Policy(schedules=(TimeSpeak.parse("every 6 s", content="breathe in"),), cues=(CueSpeak("inhale", window_s=3.0),))
    cue = Event(t=20.1, kind="cue", data={"name": "inhale"})
    records = run(policy, [(19.0, 21.5)], 30.0, events=[cue])
    done = interventions(records)
    scheduled = [r.t + DT for r in done if r.decision.reason is Reason.SCHEDULE]
    assert all(abs(t - round(t / 6) * 6) <= DT / 2 + 1e-9 for t in scheduled)
    assert len(scheduled) >= 3
    (cued,) = [r for r in done if r.decision.reason is Reason.CUE]
    assert 21.5 - 1e-9 <= cued.t <= 20.1 + 3.0  # after the user stopped, inside the window


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), style=st.sampled_from(["barge_in", "wait_for_pause", "backchannel_only",
                                                         "caption_only", "ask_first"]),
       context=st.sampled_from(["focused", "stressed", "public"]), low=st.floats(0, 1), high=st.floats(0, 1))
def test_raising_the_confidence_threshold_never_adds_interventions(seed: int, style: str, context: str,
                                                                   low: float, high: float) -> None:
    low, high = sorted((low, high))
    truth = synthetic_dialogues(1, duration_s=60.0, seed=seed)[0]
    prepared = prepare(truth, seed=seed, quality=ModelQuality(false_alarms_per_min=4, confidence_spread=0.25))
    counts = []
    for threshold in (low, high):
        replay = prepared.run(Policy(style=style, context=context, confidence=threshold))
        counts.append(sum(d.action.is_intervention for d in replay.decisions))
    assert counts[1] <= counts[0]


def both_ways(policy: Decider, seed: int) -> tuple[list[StepRecord], Replayed, int]:
    """A random 40 s session with operator buttons, a cue and gaps, decided by the engine and
    replayed from its cached inputs; also how many microturns were forced silent."""
    rng = np.random.default_rng(seed)
    user = random_turns(40.0, rng)
    moments = [Moment(e + 0.2) for _, e in user] + [Moment(s + 0.5, Action.BACKCHANNEL, duration_s=0.4) for s, _ in user]
    events = [Event(t=float(rng.uniform(0, 40)), kind="wizard", data={"action": a})
              for a in ("speak", "silent", "stop", "backchannel")] + [Event(t=15.0, kind="cue", data={"name": "x"})]
    quality = ModelQuality(false_alarms_per_min=5)
    proposer = SimulatedProposer(moments, duration_s=40.0, quality=quality, seed=seed)
    gaps = {int(k) for k in rng.integers(0, 200, size=3)}  # nothing received there: forced silent
    microturns = [replace(m, coverage=0.0) if m.index in gaps else m for m in turns(40.0, events)]
    vad = TruthVAD(user)
    records = Engine([vad], policy, proposer=proposer).replay(microturns)
    inputs = CachedInputs.make(vad.replay(microturns), proposer.proposals(len(microturns)), dt=DT,
                               events={m.index: m.events for m in microturns}, forced=dict.fromkeys(gaps, Reason.GAP))
    return records, Engine((), policy, dt=DT).replay_cached(inputs), len(gaps)


def assert_same(records: list[StepRecord], fast: Replayed) -> None:
    assert [r.decision for r in records] == list(fast.decisions)
    assert [r.agent_speaking for r in records] == fast.agent_speaking.tolist()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), style=st.sampled_from(["barge_in", "wait_for_pause", "ask_first"]),
       initiative=st.floats(0, 1), after=st.sampled_from(["resume", "drop"]),
       rules=st.sampled_from(["none", "schedule", "both"]), context=st.sampled_from(["focused", "stressed", "public"]),
       budget=st.sampled_from([(12.0, 1.0), (3.0, 4.0)]), sure=st.sampled_from([None, 0.7]))
def test_replaying_cached_inputs_equals_the_engine(seed: int, style: str, initiative: float, after: str,
                                              rules: str, context: str, budget: tuple[float, float],
                                              sure: float | None) -> None:
    policy = Policy(style=style, initiative=initiative, after_false_interruption=after, context=context,
                    budget_per_min=budget[0], min_gap_s=budget[1], sure_confidence=sure,
                    schedules=(TimeSpeak.parse("every 7 s"),) if rules != "none" else (),
                    cues=(CueSpeak("x"),) if rules == "both" else ())
    assert_same(*both_ways(policy, seed)[:2])


DECIDED: list[str] = []  # which class's `decide` ran, one entry per call


def captioned(decision: Decision | None) -> Decision | None:
    """What a designer's "show, don't say" rule makes of a decision: a caption instead of a turn."""
    if decision is None or decision.action is not Action.SPEAK:
        return decision
    return Decision(Action.CAPTION, decision.reason, decision.confidence, decision.content, decision.duration_s)


class ShowDontSay(Policy):
    """A designer's policy class that overrides `decide` only: the fast paths it inherits from
    `Policy` describe Policy's decide, not this one, so replays must not take them."""

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        DECIDED.append(type(self).__name__)
        decided = captioned(super().decide(proposal, context))
        assert decided is not None
        return decided


class ShowDontSayFast(ShowDontSay):
    """The same rule with every fast path of its own, each true of its `decide`."""

    def idle(self, user_speaking: bool, end: float, dt: float) -> Decision | None:
        return super().idle(user_speaking, end, dt)  # (silences stay silences)

    @property
    def without_targets(self) -> bool:
        return not self.cues and not self.schedules

    def speaking(self, user_speaking: bool, user_speech_s: float, agent_speech_s: float,
                 agent_remaining_s: float, dt: float) -> Decision | None:
        return super().speaking(user_speaking, user_speech_s, agent_speech_s, agent_remaining_s, dt)

    @property
    def silent_user_speaking_is_monotone(self) -> bool:
        return True

    def after_cut(self, user_silence_s: float, since_cut_s: float, user_last_speech_s: float,
                  cut_remaining_s: float, dt: float) -> Decision | None:
        return captioned(super().after_cut(user_silence_s, since_cut_s, user_last_speech_s, cut_remaining_s, dt))

    def answer(self, proposal: Proposal, user_speaking: bool, user_silence_s: float,
               interventions_last_minute: int, since_intervention_s: float) -> Decision:
        decided = captioned(super().answer(proposal, user_speaking, user_silence_s, interventions_last_minute,
                                           since_intervention_s))
        assert decided is not None
        return decided


class Wrapped:
    """A decider that is not a `Decider` subclass: only `decide` and `to_dict`."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def decide(self, proposal: Proposal, context: Context) -> Decision:
        DECIDED.append("Wrapped")
        return self.policy.decide(proposal, context)

    def to_dict(self) -> dict[str, object]:
        return self.policy.to_dict()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), style=st.sampled_from(["barge_in", "wait_for_pause", "ask_first"]),
       after=st.sampled_from(["resume", "drop"]), rules=st.sampled_from(["none", "schedule"]))
def test_a_designers_policy_class_replays_as_the_engine_decides_with_or_without_fast_paths(
        seed: int, style: str, after: str, rules: str) -> None:
    knobs = {"style": style, "after_false_interruption": after, "confidence": 0.3,
             "schedules": (TimeSpeak.parse("every 7 s"),) if rules == "schedule" else ()}
    for policy in (ShowDontSay(**knobs), ShowDontSayFast(**knobs), Wrapped(Policy(**knobs))):
        DECIDED.clear()
        records, fast, forced = both_ways(policy, seed)
        assert_same(records, fast)
        asked = len(DECIDED) - (len(records) - forced)  # the replay's calls, after the engine's
        if isinstance(policy, ShowDontSayFast):
            assert asked < len(records) - forced  # its fast paths decided some microturns
        else:  # no fast path of its own: the replay asks decide wherever the engine does
            assert asked == len(records) - forced
        if isinstance(policy, ShowDontSay) and style != "ask_first":
            assert any(d.action is Action.CAPTION for d in fast.decisions)  # its own rule, not Policy's


def test_wizard_decisions_are_logged_and_replay_identically(tmp_path: Path) -> None:
    events = [Event(t=2.1, kind="wizard", data={"action": "speak", "content": "Let me add one thing"}),
              Event(t=5.0, kind="wizard", data={"action": "silent", "hold_s": 3.0}),
              Event(t=9.3, kind="wizard", data={"action": "backchannel"}),
              Event(t=11.0, kind="wizard", data={"action": "stop"})]
    session = scripted_session([(0.5, 1.8), (4.0, 6.0), (8.0, 9.0), (10.0, 12.5)], 14.0, events=events)
    moments = [Moment(1.9), Moment(6.2), Moment(9.2), Moment(12.6)]
    policy = Policy(pause_s=0.2)

    def engine(perceiver: object) -> Engine:
        return Engine([perceiver], policy, proposer=SimulatedProposer(moments, duration_s=14.0, seed=4))  # type: ignore[list-item]

    log = replay_to_log(engine(EnergyVAD()), session, tmp_path / "wizard.parquet")
    wizard = [r for r in log.frame.itertuples() if r.reason == Reason.WIZARD.value]
    assert {r.action for r in wizard} >= {"speak", "silent", "backchannel"}
    first = read_log(tmp_path / "wizard.parquet")
    again = engine(LoggedSignals(first)).replay(logged_microturns(first))
    assert [(r.decision.action.value, r.decision.reason.value, r.decision.content) for r in again] == \
        list(zip(first.frame["action"], first.frame["reason"], first.frame["content"], strict=True))
    # While the operator holds silence the policy's own wish to speak (at 6.2 s) is overridden.
    held = first.frame[(first.frame["t"] >= 6.2) & (first.frame["t"] < 8.0)]
    assert not held["action"].isin(["speak", "backchannel", "interrupt"]).any()


def test_a_schedule_relative_to_an_event_fires_after_each_occurrence() -> None:
    policy = Policy(schedules=(TimeSpeak.parse("2 s after event door", content="welcome"),))
    doors = [Event(t=3.0, kind="door"), Event(t=11.1, kind="door")]
    done = interventions(run(policy, [], 16.0, events=doors))
    # Onsets fall on microturn ends, at most dt/2 from the target: 5.0 for 5.0, 13.0 for 13.1.
    assert [round(r.t + DT, 1) for r in done] == [5.0, 13.0]
    assert all(r.decision.content == "welcome" and r.decision.reason is Reason.SCHEDULE for r in done)
