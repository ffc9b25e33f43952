"""One engine, stepped or replayed, same answer; it fails silent and yields when talked over."""

from __future__ import annotations

import threading

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designkit.core import Action, Consent, Engine, Event, MicroturnFramer, Reason, Session
from designkit.log import SessionLog, make_header
from designkit.perception import EnergyVAD
from designkit.policy import SpeakAfterSilence
from designkit.testing import FailingPerceiver, ListSink, random_turns, rechunk, scripted_session

CREATED = "2026-01-01T00:00:00+00:00"


def live(session: Session, engine: Engine, *, strict: bool = True) -> list:
    """Feed a session chunk by chunk, as the widget does, stepping each finished microturn."""
    sink = ListSink()
    engine.reset()
    engine.sink = sink
    framer = MicroturnFramer(session.dt, strict=strict)
    frames = list(session.frames)
    events = list(session.events)
    for chunk in session.audio:
        while events and events[0].t < chunk.t1:
            framer.push_event(events.pop(0))
        for turn in framer.push_audio(chunk):
            engine.step(turn)
    for event in events:
        framer.push_event(event)
    for turn in framer.flush():
        engine.step(turn)
    engine.sink = None
    assert not frames
    return sink.records


def as_log(engine: Engine, records: list) -> SessionLog:
    return SessionLog.from_records(make_header(engine, created=CREATED), records)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), drop=st.sampled_from([0.0, 0.1, 0.3]))
def test_stepping_and_replay_give_identical_decisions_and_logs(seed: int, drop: float) -> None:
    rng = np.random.default_rng(seed)
    duration = float(rng.uniform(3, 25))
    session = scripted_session(random_turns(duration, rng), duration, seed=seed)
    session = rechunk(session, rng, min_s=0.005, max_s=1.2, drop=drop)  # random sizes, gaps
    engine = Engine([EnergyVAD()], SpeakAfterSilence(silent_microturns=int(rng.integers(1, 6))))
    stepped = live(session, engine)
    replayed = engine.replay(session)
    assert [r.decision for r in stepped] == [r.decision for r in replayed]
    assert as_log(engine, stepped).rows == as_log(engine, replayed).rows


def test_chunking_does_not_change_decisions(conversation: Session) -> None:
    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    whole = engine.replay(conversation)
    pieces = engine.replay(rechunk(conversation, np.random.default_rng(3)))
    assert [r.decision for r in whole] == [r.decision for r in pieces]


def test_the_agent_answers_after_the_set_silence_and_yields_on_barge_in() -> None:
    # User talks 1–3 s, the agent answers at 3.8 s for 1.2 s; the user barges in at 4.2 s.
    session = scripted_session([(1.0, 3.0), (4.2, 6.0)], 8.0, seed=2)
    records = Engine([EnergyVAD()], SpeakAfterSilence(silent_microturns=4, utterance_s=1.2)).replay(session)
    by_index = {r.index: r for r in records}
    speak = [r.index for r in records if r.decision.action is Action.SPEAK]
    assert speak[0] == 18  # microturns 15..18 silent (0.8 s); decided at the end of 18 = 3.8 s
    assert by_index[19].agent_speaking
    (yielded,) = [r for r in records if r.decision.action is Action.YIELD]
    assert yielded.index == 21 and yielded.decision.reason is Reason.USER_BARGE_IN  # 4.2 s
    assert not by_index[22].agent_speaking  # stopped within one microturn


def test_a_failing_perceiver_gives_silent_fault_and_the_loop_goes_on(conversation: Session) -> None:
    engine = Engine([EnergyVAD(), FailingPerceiver(fail_at=frozenset({5, 40}))], SpeakAfterSilence())
    for records in (engine.replay(conversation), live(conversation, engine)):
        faults = [r for r in records if r.decision.reason is Reason.FAULT]
        assert [r.index for r in faults] == [5, 40]
        assert "injected failure at microturn 5" in faults[0].faults[0]
        assert np.isnan(faults[0].signals["failing"])
        assert len(records) == 70


class _MeetsItsTwin(EnergyVAD):
    """Replays only when its twin is replaying at the same moment (a two-party barrier)."""

    def __init__(self, name: str, barrier: threading.Barrier) -> None:
        super().__init__()
        self.name, self.barrier, self.batched = name, barrier, False
        self.columns = tuple(f"{name}_{c}" for c in EnergyVAD().columns)

    def replay(self, microturns):  # type: ignore[no-untyped-def]
        self.barrier.wait()  # raises BrokenBarrierError after the timeout when run alone
        self.batched = True
        return {f"{self.name}_{c}": v for c, v in super().replay(microturns).items()}

    def step(self, microturn):  # type: ignore[no-untyped-def]
        return {f"{self.name}_{c}": v for c, v in super().step(microturn).items()}


def test_replay_runs_perceivers_side_by_side_with_the_same_records(conversation: Session) -> None:
    def engine(workers: int) -> Engine:
        barrier = threading.Barrier(2, timeout=2.0)
        twins = [_MeetsItsTwin("a", barrier), _MeetsItsTwin("b", barrier)]
        return Engine([EnergyVAD(), *twins], SpeakAfterSilence(), replay_workers=workers)

    parallel, serial = engine(3), engine(1)
    side_by_side = parallel.replay(conversation)
    one_by_one = serial.replay(conversation)  # the barrier breaks: both fall back to stepping
    assert [p.batched for p in parallel.perceivers[1:]] == [True, True]  # type: ignore[attr-defined]
    assert [p.batched for p in serial.perceivers[1:]] == [False, False]  # type: ignore[attr-defined]
    assert not any(r.faults for r in side_by_side)
    assert [r.signals for r in side_by_side] == [r.signals for r in one_by_one]
    assert [r.decision for r in side_by_side] == [r.decision for r in one_by_one]


def test_faults_land_on_the_same_microturns_whether_perceivers_run_side_by_side_or_not(
    conversation: Session,
) -> None:
    failing = FailingPerceiver(fail_at=frozenset({5, 40}))
    serial, parallel = (
        [r.faults for r in Engine([EnergyVAD(), failing], SpeakAfterSilence(), replay_workers=w).replay(conversation)]
        for w in (1, 2)
    )
    assert serial == parallel
    assert [i for i, faults in enumerate(parallel) if faults] == [5, 40]


def test_a_policy_that_raises_is_a_fault_not_a_crash(conversation: Session) -> None:
    class Broken(SpeakAfterSilence):
        def decide(self, proposal, context):  # type: ignore[no-untyped-def]
            if context.index == 3:
                raise ZeroDivisionError("oops")
            return SpeakAfterSilence.decide(self, proposal, context)

    records = Engine([EnergyVAD()], Broken()).replay(conversation)
    assert records[3].decision.reason is Reason.FAULT
    assert "policy: ZeroDivisionError" in records[3].faults[0]


def test_gap_microturns_are_silent_with_reason_gap() -> None:
    session = scripted_session([(0.5, 1.5)], 3.0)
    holes = Session(audio=(session.audio[0], *session.audio[5:]), name="holes")  # 0.2–1.0 s missing
    records = Engine([EnergyVAD()], SpeakAfterSilence()).replay(holes)
    assert [r.decision.reason for r in records[1:5]] == [Reason.GAP] * 4
    assert records[1].gaps[0].kind.value == "missing_audio"


def test_no_consent_means_no_decisions_but_silence() -> None:
    session = scripted_session([(0.5, 1.5)], 3.0)
    engine = Engine([EnergyVAD()], SpeakAfterSilence(), consent=Consent(given_at=None))
    records = engine.replay(session)
    assert {r.decision.reason for r in records} == {Reason.NO_CONSENT}
    assert {r.consent for r in records} == {"none"}


def test_wizard_buttons_override_the_policy_and_replay_identically() -> None:
    events = [Event(t=0.5, kind="wizard", data={"action": "speak", "content": "Hello!"}),
              Event(t=2.1, kind="wizard", data={"action": "stop"})]
    session = scripted_session([], 4.0, events=events)
    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    records = engine.replay(session)
    assert records[2].decision.action is Action.SPEAK and records[2].decision.reason is Reason.WIZARD
    assert records[3].agent_speaking
    assert records[10].decision.action is Action.YIELD
    assert not records[11].agent_speaking
    assert [r.decision for r in live(session, engine)] == [r.decision for r in records]


def test_an_unknown_operator_action_is_a_fault_and_later_microturns_decide_normally() -> None:
    """A recording whose events hold an operator action the engine does not know (a newer or a
    hand-edited file): that microturn is silent with a fault, and the session goes on."""
    events = [Event(t=0.5, kind="wizard", data={"action": "dance"}),
              Event(t=2.1, kind="wizard", data={"action": "speak", "content": "Hello!"})]
    session = scripted_session([(3.0, 4.0)], 7.0, events=events)
    engine = Engine([EnergyVAD()], SpeakAfterSilence())
    records = engine.replay(session)
    assert len(records) == 35 and engine.state.next_index == 35
    bad = records[2]
    assert bad.decision.reason is Reason.FAULT and "wizard" in bad.faults[0] and "dance" in bad.faults[0]
    assert records[10].decision.action is Action.SPEAK and records[10].decision.reason is Reason.WIZARD
    assert any(r.decision.reason is Reason.TURN_END for r in records[20:])  # the policy decides again
    assert not any(r.faults for r in records[3:])
    assert [(r.decision, r.faults) for r in live(session, engine)] == [(r.decision, r.faults) for r in records]
