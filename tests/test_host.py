"""The model host steps many sessions as one batch and gives each the answer it would get alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from designkit.core import AudioChunk, Engine, Reason, Session, VirtualClock
from designkit.errors import InputError
from designkit.host.host import Host
from designkit.host.stack import COLUMNS, TOLERANCE, AudioStack
from designkit.perception.audio.silero import SileroVAD
from designkit.perception.audio.turn_taking import TurnTakingModel
from designkit.policy import Policy
from designkit.proposers.turn_taking import TurnTakingProposer
from designkit.testing import random_turns, scripted_audio

pytestmark = pytest.mark.models
SPT = 3200


def _audio(seed: int, seconds: float = 12.0) -> np.ndarray:
    return scripted_audio(random_turns(seconds, np.random.default_rng(seed)), seconds, seed=seed)


def _direct(audio: np.ndarray):
    engine = Engine([SileroVAD(), TurnTakingModel()], Policy(), proposer=TurnTakingProposer())
    return engine.replay(Session.from_array(audio, chunk_s=1.0))


def _assert_same(records, expected) -> None:
    assert len(records) == len(expected)
    for column in COLUMNS:
        ours = np.array([r.signals[column] for r in records])
        theirs = np.array([r.signals[column] for r in expected])
        assert np.abs(ours - theirs).max() <= TOLERANCE[column], column
    # Decisions and proposals carry the model's probability as their confidence: equal up to the
    # same tolerance; everything else about them exactly.
    for ours, theirs in zip(records, expected, strict=True):
        assert abs(ours.decision.confidence - theirs.decision.confidence) <= 1e-4
        assert replace(ours.decision, confidence=0.0) == replace(theirs.decision, confidence=0.0)
        assert abs(ours.proposal.confidence - theirs.proposal.confidence) <= 1e-4
        assert abs(ours.proposal.urgency - theirs.proposal.urgency) <= 1e-4
        assert (replace(ours.proposal, confidence=0.0, urgency=0.0)
                == replace(theirs.proposal, confidence=0.0, urgency=0.0))


@pytest.fixture(scope="module")
def stack() -> AudioStack:
    return AudioStack(8)


def _live(host: Host, audios: dict[str, np.ndarray], starts: dict[str, int], ticks: int):
    """Tick the host; session `name` sends its 200 ms chunks from tick `starts[name]` on."""
    clock = host.clock
    assert isinstance(clock, VirtualClock)
    ids: dict[str, str] = {}
    records: dict[str, list] = {name: [] for name in audios}
    for tick in range(ticks):
        for name, audio in audios.items():
            k = tick - starts[name]
            if k == 0:
                ids[name] = host.join(Policy(), proposer=TurnTakingProposer())
            if 0 <= k < audio.size // SPT:
                host.push(ids[name], AudioChunk(t0=k * 0.2, samples=audio[k * SPT : (k + 1) * SPT], seq=k))
            elif name in ids and k == audio.size // SPT:
                host.leave(ids[name])
        report = host.tick()
        for name, sid in ids.items():
            if sid in report.records:
                records[name].extend(report.records[sid])
        clock.advance(0.2)
    return records


def test_sessions_through_the_host_equal_each_session_alone(stack: AudioStack) -> None:
    audios = {f"s{i}": _audio(i, 8.0 + 2 * i) for i in range(4)}
    host = Host(stack=stack, clock=VirtualClock())
    live = _live(host, audios, {"s0": 0, "s1": 3, "s2": 7, "s3": 11}, ticks=85)
    for name, audio in audios.items():
        _assert_same(live[name], _direct(audio))


def test_replay_many_equals_live_ticks_and_the_direct_path(stack: AudioStack) -> None:
    audios = [_audio(10 + i, 9.6) for i in range(3)]
    host = Host(stack=stack, clock=VirtualClock())
    replayed = host.replay_many([Session.from_array(a, chunk_s=1.0) for a in audios], Policy(),
                                proposer=TurnTakingProposer, block_s=1.6)
    live = _live(Host(stack=stack, clock=VirtualClock()), {str(i): a for i, a in enumerate(audios)},
                 {str(i): 0 for i in range(3)}, ticks=50)
    for i, audio in enumerate(audios):
        _assert_same(replayed[i], live[str(i)])
        _assert_same(replayed[i], _direct(audio))


def test_a_late_chunk_is_a_gap_for_that_session_only(stack: AudioStack) -> None:
    host = Host(stack=stack, clock=VirtualClock(), grace_ticks=1)
    a, b = host.join(Policy()), host.join(Policy())
    audio = _audio(3, 4.0)
    late_records = []
    for k in range(10):
        chunk = AudioChunk(t0=k * 0.2, samples=audio[k * SPT : (k + 1) * SPT], seq=k)
        host.push(a, chunk)
        if k == 7:  # session b's chunks 4 and 5 come three ticks late: dropped, not reordered
            for late in (4, 5):
                host.push(b, AudioChunk(t0=late * 0.2, samples=audio[late * SPT : (late + 1) * SPT], seq=late))
        if k not in (4, 5):
            host.push(b, chunk)
        report = host.tick()
        assert a in report.records
        late_records.extend(report.records.get(b, ()))
        host.clock.advance(0.2)  # type: ignore[attr-defined]
    assert host.sessions[a].gaps == 0
    assert host.sessions[b].gaps >= 1
    gap_turns = [r for r in late_records if r.decision.reason is Reason.GAP]
    assert gap_turns and all(r.gaps for r in gap_turns)
    assert [r.index for r in late_records] == list(range(10))
    assert any(g.kind.value == "late" for r in late_records for g in r.gaps)


def test_queues_are_bounded_and_silent_sessions_are_dropped(stack: AudioStack) -> None:
    clock = VirtualClock()
    host = Host(stack=stack, clock=clock, queue_chunks=3, idle_timeout_s=2.0)
    talker, quiet = host.join(Policy()), host.join(Policy())
    for k in range(5):
        host.push(talker, AudioChunk(t0=k * 0.2, samples=np.zeros(SPT, np.float32), seq=k))
    assert host.sessions[talker].dropped_chunks == 2
    host.push(quiet, AudioChunk(t0=0.0, samples=np.zeros(SPT, np.float32), seq=0))
    dropped: list[str] = []
    for k in range(20):
        host.push(talker, AudioChunk(t0=(5 + k) * 0.2, samples=np.zeros(SPT, np.float32), seq=5 + k))
        dropped.extend(host.tick().dropped)
        clock.advance(0.2)
    assert dropped == [quiet]
    assert talker in host.sessions and quiet not in host.sessions


def test_every_slot_taken_is_a_clear_error() -> None:
    host = Host(stack=AudioStack(2), clock=VirtualClock())
    host.join(Policy())
    last = host.join(Policy())
    with pytest.raises(InputError, match="all slots taken"):
        host.join(Policy())
    host.leave(last)
    host.join(Policy())


def test_replay_in_worker_threads_gives_the_same_records(stack: AudioStack) -> None:
    sessions = [Session.from_array(_audio(20 + i, 4.8), chunk_s=1.0) for i in range(4)]
    host = Host(stack=stack, clock=VirtualClock())
    alone = host.replay_many(sessions, Policy(), proposer=TurnTakingProposer, batch=4, workers=1)
    split = host.replay_many(sessions, Policy(), proposer=TurnTakingProposer, batch=1, workers=2)
    for ours, theirs in zip(split, alone, strict=True):
        _assert_same(ours, theirs)
