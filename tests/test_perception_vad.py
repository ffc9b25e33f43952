"""Silero VAD: onsets and offsets where the speech is, and stepping equals replay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from designkit.core import Session
from designkit.core.microturns import Microturn
from designkit.errors import InputError
from designkit.perception.audio.silero import SileroVAD

FIXTURE = Path(__file__).parent / "fixtures" / "perception" / "two_phrases.wav"
SPEECH = [(0.600, 2.594), (3.794, 5.595)]


def turns(dt: float = 0.2) -> list[Microturn]:
    audio, _ = sf.read(FIXTURE, dtype="int16")
    return list(Session.from_array(audio, chunk_s=0.5, dt=dt).microturns())


def test_onsets_and_offsets_land_on_the_spoken_phrases() -> None:
    vad = SileroVAD(hangover_s=0.3)
    vad.replay(turns())
    onsets = [e.t for e in vad.events if e.kind == "onset"]
    offsets = [e.t for e in vad.events if e.kind == "offset"]
    assert len(onsets) == len(offsets) == 2
    for (start, end), onset, offset in zip(SPEECH, onsets, offsets, strict=True):
        assert abs(onset - start) < 0.1
        assert abs(offset - end) < 0.15
    for event in vad.events:
        assert event.declared_t >= event.t


def test_vad_is_high_in_speech_and_low_in_silence() -> None:
    signals = SileroVAD().replay(turns())
    assert signals["vad"][5] > 0.9          # 1.0-1.2 s, mid-phrase
    assert signals["vad"][0] < 0.1 and signals["vad"][-1] < 0.1
    assert signals["vad_onset"].sum() == 2 and signals["vad_offset"].sum() == 2


@pytest.mark.parametrize("dt", [0.2, 0.1])
def test_stepping_equals_replay_exactly(dt: float) -> None:
    session = turns(dt)
    vad = SileroVAD()
    replayed = vad.replay(session)
    replay_events = list(vad.events)
    vad.reset()
    stepped = [vad.step(turn) for turn in session]
    for column in vad.columns:
        assert np.array_equal(np.array([s[column] for s in stepped]), replayed[column]), column
    assert vad.events == replay_events


def test_a_longer_hangover_merges_a_pause_between_phrases() -> None:
    vad = SileroVAD(hangover_s=1.5)
    vad.replay(turns())
    assert [e.kind for e in vad.events] == ["onset", "offset"]


def test_bad_settings_say_what_was_expected() -> None:
    with pytest.raises(InputError, match=r"probability in \(0, 1\)"):
        SileroVAD(threshold=1.5)
    with pytest.raises(InputError, match="seconds >= 0"):
        SileroVAD(hangover_s=-1.0)
