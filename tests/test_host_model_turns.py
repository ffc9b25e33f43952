"""A bring-your-own interaction model speaks only when the Policy lets it, and stops on the sample."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from designkit.core import Action, Engine, Reason, Session
from designkit.core.interaction import InteractionModel, ModelStep, ModelVoice
from designkit.errors import InputError
from designkit.host.model_turns import ModelPerceiver, ModelProposer, ModelTurns, ModelVoiceSink
from designkit.perception.audio.energy import EnergyVAD
from designkit.policy import Policy
from designkit.testing import ListSink, scripted_audio

RATE = 24_000
FRAME = 1920  # Moshi's 80 ms at 24 kHz: 2.5 frames per 200 ms microturn


@dataclass
class ScriptedModel:
    """Wants to speak from frame `start` on; each frame's audio is its own number, so what is
    played can be traced back to the frame it came from."""

    start: int = 10
    wish: float = 1.0
    name: str = "scripted"
    input_rate: int = RATE
    frame_samples: int = FRAME
    sample_rate: int = RATE
    frames: int = 0

    def reset(self) -> None:
        self.frames = 0

    def step(self, frame: np.ndarray) -> ModelStep:
        assert frame.shape == (FRAME,) and frame.dtype == np.float32
        self.frames += 1
        if self.frames < self.start:
            return ModelStep()
        return ModelStep(audio=np.full(FRAME, self.frames / 1000, np.float32), text="w ", wants_to_speak=self.wish)


def _run(model: ScriptedModel, policy: Policy, user: list[tuple[float, float]], seconds: float = 6.0):
    turns = ModelTurns(model)
    sink = ModelVoiceSink(turns, inner=ListSink())
    engine = Engine([EnergyVAD(), ModelPerceiver(turns)], policy, proposer=ModelProposer(turns), sink=sink)
    session = Session.from_array(scripted_audio(user, seconds, seed=2), chunk_s=0.2)
    played = []
    for turn in session.microturns():
        engine.step(turn)
        played.append(turns.voice.play(turn.start, turn.end))  # type: ignore[union-attr]
    assert isinstance(sink.inner, ListSink)
    return turns, sink, sink.inner.records, np.concatenate(played)


def test_the_scripted_model_is_an_interaction_model() -> None:
    assert isinstance(ScriptedModel(), InteractionModel)


def test_withheld_audio_is_never_played() -> None:
    turns, sink, records, played = _run(ScriptedModel(wish=0.5), Policy(confidence=0.9), user=[(0.2, 1.0)])
    reasons = {r.decision.reason for r in records if not r.proposal.is_empty}
    assert reasons == {Reason.BELOW_CONFIDENCE}
    assert not played.any()
    assert sink.dropped_samples > 0 and turns.voice.played_samples == 0  # type: ignore[union-attr]


def test_frames_are_stepped_on_the_model_grid_across_microturns() -> None:
    turns, _, records, _ = _run(ScriptedModel(start=10_000), Policy(), user=[(0.2, 1.0)])
    # 6 s at 24 kHz is 75 frames of 80 ms; the streaming resampler holds back a few samples.
    assert turns.frames_stepped in (74, 75)
    assert len(records) == 30


def test_a_yield_cuts_the_utterance_at_the_exact_sample() -> None:
    # The model starts wanting to speak after the user's first turn; the user talks over it.
    turns, _, records, played = _run(ScriptedModel(start=30), Policy(), user=[(0.2, 1.6), (3.2, 5.0)])
    cut = next(r for r in records if r.decision.action is Action.YIELD)
    speak = [r for r in records if r.decision.action is Action.SPEAK and r.index < cut.index][-1]
    onset, stop = speak.t + speak.dt, cut.t + cut.dt
    assert speak.decision.duration_s > speak.dt  # the utterance runs past the next microturn edge
    start, end = round(onset * RATE), round(stop * RATE)
    assert played[start:end].all()  # heard from its onset ...
    assert not played[end : end + RATE // 5].any()  # ... up to the exact sample of the cut
    assert not played[start - RATE // 100 : start].any()
    left = round(speak.decision.duration_s * RATE) - (end - start)
    assert left > 0 and turns.voice.cut_samples >= left  # type: ignore[union-attr]
    # What was heard is the model's own frames, in order: the ones the policy was shown.
    assert np.all(np.diff(played[start:end]) >= 0)


def test_voice_and_model_step_check_their_input() -> None:
    voice = ModelVoice(RATE)
    voice.start(np.ones(RATE, np.float32), at=1.0)
    assert voice.cut(at=1.25) == RATE * 3 // 4
    assert voice.play(0.0, 3.0).sum() == RATE // 4
    with pytest.raises(InputError):
        ModelStep(wants_to_speak=1.5)
    with pytest.raises(InputError):
        ModelStep(audio=np.zeros(3))


@pytest.mark.models
def test_the_kits_own_stack_is_an_interaction_model_under_the_policy() -> None:
    from designkit.host.own_stack import OwnStackModel

    model = OwnStackModel()
    assert isinstance(model, InteractionModel)
    turns = ModelTurns(model)
    sink = ModelVoiceSink(turns, inner=ListSink())
    engine = Engine([EnergyVAD(), ModelPerceiver(turns)], Policy(), proposer=ModelProposer(turns), sink=sink)
    audio = scripted_audio([(0.4, 2.2), (5.0, 6.4)], 9.0, seed=7)
    played = []
    for turn in Session.from_array(audio, chunk_s=0.2).microturns():
        engine.step(turn)
        played.append(turns.voice.play(turn.start, turn.end))  # type: ignore[union-attr]
    records = sink.inner.records  # type: ignore[union-attr]
    assert turns.frames_stepped == len(records) == 45  # one 200 ms frame per microturn
    for record, heard in zip(records, played, strict=True):
        if not record.agent_speaking:
            assert not heard.any()
    assert any(r.decision.action is Action.SPEAK and r.decision.content for r in records)
