"""Slow perception beside the loop: the microturn never waits, results land where they arrived,
and a replay that knows the arrivals gives the live decisions."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from designkit.core import Engine, Session
from designkit.core.beside import ARRIVAL_KIND, Beside, arrivals_in, results_in
from designkit.core.context import Context
from designkit.core.decisions import Action, Proposal
from designkit.core.microturns import Microturn
from designkit.policy import Policy


class SlowLoudness:
    """Loudness of every second microturn, computed slowly (the worker sleeps `work_s`)."""

    name = "slow_loudness"
    columns = ("loud", "loud_from")

    def __init__(self, work_s: float, gate: threading.Event | None = None) -> None:
        self.work_s = work_s
        self.gate = gate
        self.started = threading.Event()  # set once the worker has taken a job
        self.reset()

    def reset(self) -> None:
        self._loud = 0.0
        self._from = -1.0

    def job(self, microturn: Microturn) -> Any:
        return microturn.audio.copy() if microturn.index % 2 == 0 else None

    def work(self, job: Any) -> float:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(60)
        time.sleep(self.work_s)
        return float(np.sqrt(np.mean(np.square(job))))

    def land(self, result: float, describes: int) -> None:
        self._loud, self._from = result, float(describes)

    def values(self) -> Mapping[str, float]:
        return {"loud": self._loud, "loud_from": self._from}


class SpeakWhenLoud:
    def reset(self) -> None:
        return None

    def propose(self, context: Context) -> Proposal:
        if context.signals["loud"] > 0.1 and not context.agent_speaking:
            return Proposal(Action.BACKCHANNEL, confidence=1.0, content="mm-hm", duration_s=0.4)
        return Proposal(Action.SILENT)


def session() -> Session:
    rng = np.random.default_rng(3)
    level = np.repeat(rng.choice([0.0, 0.3], size=40), 3200)
    audio = (rng.standard_normal(level.size) * level * 32767 / 2).astype(np.int16)
    return Session.from_array(audio, chunk_s=0.2)


def live(work_s: float) -> list[Any]:
    engine = Engine([Beside(SlowLoudness(work_s))], Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud())
    # between microturns: the live loop's idle time (shortened)
    return engine.step_through(session(), between=lambda: time.sleep(0.02))


def test_the_microturn_never_waits_for_the_worker() -> None:
    # The worker is held on its first job while the loop steps half the session: a step that waited
    # for it would let that job finish (its wait runs out) and land before the worker was let go.
    # No wall-clock threshold: this holds on a machine of any speed or load.
    gate = threading.Event()
    beside = Beside(SlowLoudness(0.0, gate))
    engine = Engine([beside], Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud())
    turns = list(session().microturns())
    records = engine.step_through(turns[:20])
    assert not [e for r in records for e in r.events if e.kind == ARRIVAL_KIND]
    gate.set()
    assert beside.wait(30)  # the held job (and the newest waiting one) finish now
    records += engine.step_through(turns[20:])
    arrivals = [e for r in records for e in r.events if e.kind == ARRIVAL_KIND]
    assert arrivals
    for event in arrivals:
        assert event.data["arrived"] > event.data["describes"]  # it landed later, and says so
        assert event.data["describes"] % 2 == 0
    # Results describe the past: a signal is never from the future of its microturn.
    assert all(r.signals["loud_from"] < r.index for r in records)


def test_replay_with_the_logged_arrivals_gives_the_live_decisions() -> None:
    records = live(work_s=0.03)
    schedule = arrivals_in((e for r in records for e in r.events), "slow_loudness")
    replayed = Engine([Beside(SlowLoudness(0.0), arrivals=schedule)], Policy(confidence=0.5, min_gap_s=0.0),
                      proposer=SpeakWhenLoud()).replay(session())
    assert [r.decision for r in replayed] == [r.decision for r in records]
    assert [r.signals for r in replayed] == [r.signals for r in records]
    assert [e for r in replayed for e in r.events if e.kind == ARRIVAL_KIND] == [
        e.__class__(t=e.t, kind=e.kind, data={**e.data, "work_ms": None})
        for r in records for e in r.events if e.kind == ARRIVAL_KIND]
    assert any(r.decision.action is Action.BACKCHANNEL for r in records)


def test_a_job_the_busy_worker_never_reached_is_dropped_live_and_in_replay() -> None:
    gate = threading.Event()
    slow = SlowLoudness(0.0, gate)
    beside = Beside(slow, max_pending=1)
    engine = Engine([beside], Policy())
    turns = list(session().microturns())
    engine.step(turns[0])
    # On a loaded box the worker thread may take a while to pick job 0 up: until it does, job 2
    # would replace job 0 in the queue instead of waiting behind it.
    assert slow.started.wait(10), "the worker never took job 0"
    for turn in turns[1:8]:  # jobs at 2, 4, 6 while the worker is stuck on job 0
        engine.step(turn)
    gate.set()
    deadline = time.monotonic() + 10
    while len(beside._done) < 2 and time.monotonic() < deadline:  # jobs 0 and 6 finish
        time.sleep(0.01)
    events = []
    for turn in turns[8:10]:
        engine.step(turn)
        events.extend(engine.last_record.events)
    assert beside.skipped >= 1
    landed = arrivals_in(events, "slow_loudness")
    assert landed and 2 not in landed  # job 2 was replaced by a newer one before it ran
    offline = Beside(SlowLoudness(0.0), arrivals={0: 8, 6: 8}).replay(turns[:10])
    assert offline["loud_from"][7] == -1 and offline["loud_from"][8] == 6


def test_without_a_schedule_results_land_one_microturn_later() -> None:
    out = Beside(SlowLoudness(0.0)).replay(list(session().microturns()))
    assert list(out["loud_from"][:5]) == [-1, 0, 0, 2, 2]


def test_smart_turn_beside_the_loop_replays_to_the_live_values() -> None:
    import pytest

    pytest.importorskip("onnxruntime")
    import soundfile as sf

    from designkit.perception.audio.smart_turn_beside import SmartTurnBeside

    speech, _ = sf.read(Path(__file__).parent / "fixtures" / "perception" / "two_phrases.wav", dtype="int16")
    session = Session.from_array(np.concatenate([speech, np.zeros(16000, np.int16)]), chunk_s=0.2)
    live_beside = Beside(SmartTurnBeside())
    engine = Engine([live_beside], Policy())
    # live idle time: the worker answers between microturns
    rows = engine.step_through(session, between=lambda: time.sleep(0.05))
    schedule = arrivals_in((e for r in rows for e in r.events), "smart_turn")
    replayed = Beside(SmartTurnBeside(), arrivals=schedule).replay(list(session.microturns()))
    assert schedule  # the speech has pauses: Smart Turn was asked, and its answers landed later
    assert all(arrived > describes for describes, arrived in schedule.items())
    assert list(replayed["smart_eot"]) == [r.signals["smart_eot"] for r in rows]
    assert max(replayed["smart_eot"]) > 0


class EncodedLoudness(SlowLoudness):
    """Logs its results; `gain` stands in for a model that answers differently on another machine."""

    def __init__(self, work_s: float, gain: float = 1.0) -> None:
        super().__init__(work_s)
        self.gain = gain

    def work(self, job: Any) -> float:
        return super().work(job) * self.gain

    def encode(self, result: float) -> float:
        return result

    def decode(self, data: float) -> float:
        return float(data)


def test_logged_results_make_replay_hold_what_live_held_even_if_the_model_differs() -> None:
    from designkit.core.beside import results_in

    engine = Engine([Beside(EncodedLoudness(0.01))], Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud())
    records = engine.step_through(session(), between=lambda: time.sleep(0.03))
    events = [e for r in records for e in r.events]
    schedule, logged = arrivals_in(events, "slow_loudness"), results_in(events, "slow_loudness")
    assert logged and set(logged) == set(schedule)
    other = Engine([Beside(EncodedLoudness(0.0, gain=0.1), arrivals=schedule, results=logged)],
                   Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud()).replay(session())
    assert [r.decision for r in other] == [r.decision for r in records]
    recomputed = Engine([Beside(EncodedLoudness(0.0, gain=0.1), arrivals=schedule)],
                        Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud()).replay(session())
    assert [r.signals for r in recomputed] != [r.signals for r in records]  # without the log it could not


class FailsOnQuiet(EncodedLoudness):
    """A worker whose job on a quiet window failed live (it raised), and works anywhere else."""

    def __init__(self, *, fail_quiet: bool) -> None:
        super().__init__(0.0)
        self.fail_quiet = fail_quiet
        self.worked = 0

    def work(self, job: Any) -> float:
        self.worked += 1
        loud = super().work(job)
        if self.fail_quiet and loud < 0.05:
            raise RuntimeError("the model failed on this window")
        return loud


def test_following_a_log_never_works_a_job_again_and_a_failed_one_fails_again() -> None:
    first = Beside(FailsOnQuiet(fail_quiet=True))
    engine = Engine([first], Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud())
    live_records = engine.step_through(session(), between=lambda: first.wait(10.0))
    events = [e for r in live_records for e in r.events]
    failed = set(arrivals_in(events, "slow_loudness")) - set(results_in(events, "slow_loudness"))
    assert failed  # some jobs failed live: they landed with no result
    worker = FailsOnQuiet(fail_quiet=False)
    again = Beside(worker)
    again.follow(events)
    replayed = Engine([again], Policy(confidence=0.5, min_gap_s=0.0), proposer=SpeakWhenLoud()).replay(session())
    assert worker.worked == 0
    assert [r.signals for r in replayed] == [r.signals for r in live_records]
    assert [r.decision for r in replayed] == [r.decision for r in live_records]
