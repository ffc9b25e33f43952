"""Moshi, in-process and over its websocket protocol, under the designer's Policy (tiny random
weights, built offline as moshi's own tests build them). Needs the `moshi` extra and moshi itself (`make setup` installs both)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("moshi")
pytest.importorskip("sphn")

from designkit.core import Action, Engine, Session
from designkit.host.model_turns import ModelPerceiver, ModelProposer, ModelTurns, ModelVoiceSink
from designkit.host.moshi import FRAME, MoshiModel, tiny_moshi
from designkit.host.moshi_protocol import MoshiProtocolModel, served
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.testing import ListSink, scripted_audio

pytestmark = pytest.mark.models
RATE = 24_000


@pytest.fixture(scope="module")
def moshi() -> MoshiModel:
    import torch

    torch.set_num_threads(1)
    return MoshiModel(*tiny_moshi(0), top_k=10, top_k_text=10)


def _engine(model, policy: Policy):
    turns = ModelTurns(model)
    sink = ModelVoiceSink(turns, inner=ListSink())
    engine = Engine([EnergyVAD(), ModelPerceiver(turns)], policy,
                    proposer=ModelProposer(turns, min_utterance_s=0.4), sink=sink)
    return turns, sink, engine


def _live(engine, turns, audio):
    played = []
    for turn in Session.from_array(audio, chunk_s=0.2).microturns():
        engine.step(turn)
        played.append(turns.voice.play(turn.start, turn.end))
    return np.concatenate(played)


def test_moshi_steps_its_own_80ms_frames_inside_200ms_microturns(moshi: MoshiModel) -> None:
    turns, _, engine = _engine(moshi, Policy())
    audio = scripted_audio([(0.4, 2.0)], 4.0, seed=3)
    _live(engine, turns, audio)
    assert turns.frames_stepped in (49, 50)  # 4 s at 24 kHz = 50 frames, less the resampler's delay
    moshi.reset()
    first = [moshi.step(np.zeros(FRAME, np.float32)) for _ in range(6)]
    moshi.reset()
    again = [moshi.step(np.zeros(FRAME, np.float32)) for _ in range(6)]
    assert all(np.array_equal(a.audio, b.audio) and a.text == b.text for a, b in zip(first, again, strict=True))
    assert {o.audio.size for o in first[1:]} == {FRAME}


def test_moshi_is_heard_only_where_the_policy_let_it_speak(moshi: MoshiModel) -> None:
    import soxr

    turns, sink, engine = _engine(moshi, Policy(confidence=0.5))
    audio = scripted_audio([(0.2, 1.4), (2.6, 4.0), (5.0, 5.6)], 7.0, seed=4)
    played = _live(engine, turns, audio)
    records = sink.inner.records  # type: ignore[union-attr]
    per_turn = played.reshape(len(records), -1)
    for record, heard in zip(records, per_turn, strict=True):
        if not record.agent_speaking:
            assert not heard.any(), record.index  # withheld or finished audio is never played
    spoke = [r for r in records if r.decision.action is Action.SPEAK]
    assert spoke, "the tiny model never got the floor: the test proves nothing"
    for cut in (r for r in records if r.decision.action is Action.YIELD):
        end = round((cut.t + cut.dt) * RATE)
        assert not played[end : end + RATE // 5].any()
    # What a 16 kHz browser would hear: the same utterances, resampled.
    assert abs(soxr.resample(played, RATE, 16_000).size - played.size * 2 // 3) <= 1


def test_many_conversations_share_one_moshi_and_each_gets_what_it_would_alone() -> None:
    # Greedy decoding of a random tiny model sits on near-ties: this test runs before the protocol
    # server's thread (same process) starts stepping its own model, which can tip them.
    from designkit.host.moshi_slots import MoshiSlots

    rng = np.random.default_rng(0)
    audios = [(0.1 * rng.standard_normal(FRAME * 10)).astype(np.float32) for _ in range(3)]
    slots = MoshiSlots(*tiny_moshi(0), capacity=4, use_sampling=False)
    batched: dict[int, list] = {s: [] for s in range(3)}
    for k in range(10):
        if k in (0, 4):  # sessions 0 and 1 start together, session 2 joins four frames later
            for s in ((0, 1) if k == 0 else (2,)):
                slots.open(s)
        frames = {s: audios[s][(k - 4 * (s == 2)) * FRAME : (k - 4 * (s == 2) + 1) * FRAME]
                  for s in range(3) if s < 2 or k >= 4}
        for s, out in slots.step(frames).items():
            batched[s].append(out)
    for s in range(3):
        alone = MoshiModel(*tiny_moshi(0))
        alone.gen.use_sampling = False
        alone.reset()
        expected = [alone.step(audios[s][k * FRAME : (k + 1) * FRAME]) for k in range(len(batched[s]))]
        assert [e.text for e in expected] == [b.text for b in batched[s]]
        for e, b in zip(expected, batched[s], strict=True):
            assert e.audio.size == b.audio.size
            assert np.allclose(e.audio, b.audio, atol=1e-5)


@pytest.fixture(scope="module")
def stub_url():
    import torch

    torch.set_num_threads(1)
    model = MoshiModel(*tiny_moshi(1), top_k=10, top_k_text=10)
    with served(model) as url:
        yield url


def test_the_protocol_client_talks_to_a_moshi_server(stub_url: str) -> None:
    client = MoshiProtocolModel(stub_url, wait_s=2.0)  # handshake 0x00 checked on connect
    try:
        speech = scripted_audio([(0.0, 2.0)], 2.0, seed=5)
        import soxr

        speech24 = soxr.resample(speech, 16_000, RATE).astype(np.float32)
        steps = [client.step(speech24[k * FRAME : (k + 1) * FRAME]) for k in range(speech24.size // FRAME)]
    finally:
        client.close()
    heard = sum(s.audio.size for s in steps)
    # Opus pages both ways and the model's acoustic delay hold some frames back in flight.
    assert heard >= len(steps) // 2 * FRAME and heard % FRAME == 0
    assert any(s.text for s in steps) and all(s.wants_to_speak == float(bool(s.text)) for s in steps)
    # Round trips are kept; how long they take is the `host` benchmark's moshi_protocol_roundtrip_ms.
    assert client.roundtrip_ms and min(client.roundtrip_ms) > 0


def test_the_protocol_client_is_an_interaction_model_under_the_policy(stub_url: str) -> None:
    client = MoshiProtocolModel(stub_url, wait_s=2.0)
    try:
        turns, sink, engine = _engine(client, Policy(confidence=0.5))
        played = _live(engine, turns, scripted_audio([(0.2, 1.0), (2.4, 3.4)], 4.0, seed=6))
    finally:
        client.close()
    records = sink.inner.records  # type: ignore[union-attr]
    for record, heard in zip(records, played.reshape(len(records), -1), strict=True):
        if not record.agent_speaking:
            assert not heard.any()

