"""The own turn-taking model: causal, streaming equals replay, checkpoints round-trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from designkit.core import Engine, Session
from designkit.core.microturns import Microturn
from designkit.errors import InputError
from designkit.perception.audio.turn_taking import (
    HEADS,
    TurnTakingModel,
    load_net,
    log_mel,
    parameter_count,
    pick_device,
    predict_many,
    save_net,
    untrained,
)
from designkit.policy import SpeakAfterSilence
from designkit.testing import scripted_session

FIXTURE = Path(__file__).parent / "fixtures" / "perception" / "two_phrases.wav"


def speech_turns(dt: float = 0.2) -> list[Microturn]:
    audio, _ = sf.read(FIXTURE, dtype="int16")
    return list(Session.from_array(audio, chunk_s=0.3, dt=dt).microturns())


@pytest.mark.parametrize("dt", [0.2, 0.1])
def test_stepping_equals_replay_exactly(dt: float) -> None:
    model = TurnTakingModel(net=untrained(seed=7))
    session = speech_turns(dt)
    replayed = model.replay(session)
    model.reset()
    stepped = [model.step(turn) for turn in session]
    assert model.columns == HEADS
    for column in model.columns:
        values = np.array([s[column] for s in stepped])
        assert np.array_equal(values, replayed[column]), column
        assert ((values > 0) & (values < 1)).all()


def test_the_model_is_causal_the_future_does_not_change_the_past() -> None:
    model = TurnTakingModel(net=untrained(seed=1))
    session = speech_turns()
    early = model.replay(session[:12])
    full = model.replay(session)
    for column in model.columns:
        assert np.array_equal(early[column], full[column][:12])


def test_log_mel_rows_do_not_depend_on_where_the_audio_is_cut() -> None:
    rng = np.random.default_rng(0)
    audio = rng.standard_normal(240 + 3200 * 3)
    whole = log_mel(audio)
    pieces = np.concatenate([log_mel(audio[k * 3200 : k * 3200 + 3440]) for k in range(3)])
    assert whole.shape == (60, 40) and np.array_equal(whole, pieces)


def test_batched_prediction_matches_replay() -> None:
    net = untrained(seed=2)
    model = TurnTakingModel(net=net)
    session = speech_turns()
    replayed = model.replay(session)
    audio = np.concatenate([t.audio for t in session])
    short = audio[: 3200 * 9]
    steps_long, steps_short = predict_many(net, [audio, short], device="cpu")
    np.testing.assert_allclose(steps_long[3::4, HEADS.index("eot")], replayed["eot"], atol=1e-5)
    np.testing.assert_allclose(steps_short[3::4, HEADS.index("eot")], replayed["eot"][:9], atol=1e-5)


def test_a_microturn_length_off_the_50ms_grid_is_refused() -> None:
    session = scripted_session([(0.3, 0.9)], 1.5, dt=0.125)  # 2000 samples
    with pytest.raises(InputError, match="multiple of 50 ms"):
        TurnTakingModel(net=untrained()).replay(list(session.microturns()))


def test_checkpoints_round_trip(tmp_path: Path) -> None:
    net = untrained(seed=4)
    path = save_net(net, tmp_path / "vap.pt", meta={"note": "test"})
    again = load_net(path)
    assert again.config == net.config
    for (name, a), (_, b) in zip(net.state_dict().items(), again.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_auto_device_is_cuda_only_when_a_gpu_is_there() -> None:
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert pick_device("cpu").type == "cpu"


def test_the_model_runs_inside_the_engine_in_both_directions() -> None:
    session = speech_turns()
    engine = Engine([TurnTakingModel(net=untrained(seed=5), prefix="model_")], SpeakAfterSilence(),
                    vad_signal="model_vad_now")
    replayed = engine.replay(session)
    engine.reset()
    stepped = [engine.step(turn) for turn in session]
    assert stepped == [r.decision for r in replayed]


@pytest.mark.models
def test_shipped_weights_load_and_are_small() -> None:
    net = load_net()
    assert parameter_count(net) < 2_000_000
    from designkit.weights import resolve

    assert resolve("vap").stat().st_size <= 10 * 2**20


@pytest.mark.models
def test_shipped_model_hears_speech_and_silence() -> None:
    signals = TurnTakingModel(device="cpu").replay(speech_turns())
    assert signals["vad_now"][5] > 0.5          # mid-phrase
    assert signals["vad_now"][-1] < 0.5          # the silence at the end
    assert signals["vap_200ms"][5] > signals["vap_200ms"][-1]
