"""Inputs that used to give a wrong answer with no error now give a clear one (or the right answer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designkit.cli import main as cli
from designkit.core import AudioChunk, Session
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError


def test_float_audio_in_int16_scale_is_refused_with_the_likely_cause() -> None:
    rng = np.random.default_rng(0)
    speech = (rng.normal(0, 0.1, 3200) * 32767).astype(np.float32)  # forgot to divide by 32768
    with pytest.raises(InputError, match=r"float32 values in \[-1, 1\].*int16-scale.*divide by 32768.*clip=True"):
        AudioChunk(t0=0.0, samples=speech)
    with pytest.raises(InputError, match="int16-scale"):
        Session.from_array(speech)


def test_a_slightly_clipping_float_signal_is_refused_with_its_own_cause() -> None:
    hot = np.full(320, 1.2, np.float32)
    with pytest.raises(InputError, match="the signal clips: lower its gain"):
        AudioChunk(t0=0.0, samples=hot)


def test_clipping_is_an_explicit_opt_in_and_is_not_stored_on_the_chunk() -> None:
    hot = np.array([0.5, 3.0, -7.0, 1.0, -1.0], np.float32)
    chunk = AudioChunk(t0=0.0, samples=hot, clip=True)
    assert chunk.samples.tolist() == [0.5, 1.0, -1.0, 1.0, -1.0]
    assert "clip" not in repr(chunk)
    session = Session.from_array(np.tile(hot, 100), clip=True)
    assert float(np.abs(session.samples()).max()) == 1.0


def test_the_browser_path_never_trips_the_range_check() -> None:
    """Live chunks arrive as little-endian int16: even full scale (-32768) maps into [-1, 1)."""
    extremes = np.array([-32768, 32767, 0, -1, 1] * 640, dtype="<i2")
    chunk = AudioChunk.from_pcm16(extremes.tobytes(), t0=0.0)
    assert chunk.samples.min() == -1.0 and chunk.samples.max() < 1.0
    assert AudioChunk(t0=0.0, samples=extremes.astype(np.int16)).samples.min() == -1.0


def test_full_scale_audio_resampled_from_another_rate_stays_in_range(tmp_path: Path) -> None:
    """soxr rings past +-1 on a full-scale square wave; the reader clips that (logged), so a
    loud 44.1 kHz recording is still valid chunk audio."""
    from designkit.audio.wav import read_wav, write_wav

    t = np.arange(44_100) / 44_100
    square = np.sign(np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    path = write_wav(tmp_path / "loud.wav", square, rate=44_100)
    samples = read_wav(path)
    assert samples.size == SAMPLE_RATE and float(np.abs(samples).max()) <= 1.0
    Session.from_array(samples)  # no error


def test_every_scenario_generator_makes_audio_in_range() -> None:
    """Generated sessions are float: each generator must stay inside [-1, 1] or its sessions
    would be refused."""
    from designkit.scenarios import ScenarioSpec, generate

    for kind, params in [("dialogue", {"duration_s": 20.0, "snr_db": 5.0}), ("breathing", {"duration_s": 20.0}),
                         ("exercise", {"reps": 2}), ("learner", {"utterances": 2})]:
        scenario = generate(ScenarioSpec(kind, seed=1, params=params))
        assert float(np.abs(scenario.audio).max()) <= 1.0, kind
        scenario.session()


def test_evaluate_on_an_empty_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "not-an-example").mkdir()
    assert cli(["evaluate", str(tmp_path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no example folder" in captured.err and "output.wav" in captured.err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli(["evaluate", str(empty)]) == 2
