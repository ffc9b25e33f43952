"""Recorded imports: any WAV, CSV / Audacity / TextGrid annotations, Full-Duplex-Bench folders."""

from __future__ import annotations

import json
import logging
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from designkit.cli import main
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.scenarios import load_scenario
from designkit.scenarios.recorded import import_fdbench, import_recording, read_textgrid

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"


def test_csv_audacity_and_textgrid_give_the_same_truth(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        csv = import_recording(FIXTURES / "talk.wav", FIXTURES / "talk.csv")
    assert "resampling 44100 Hz to 16000 Hz" in caplog.text and "mixing 2 channels down to mono" in caplog.text
    assert csv.duration == pytest.approx(3.0)  # 44.1 kHz stereo converted to 16 kHz mono
    assert csv.truth.user_intervals == [(0.2, 1.1), (1.6, 2.3)]
    assert csv.truth.holds == ((1.1, 1.6),) and csv.truth.turn_ends == (2.3,)
    assert csv.truth.backchannel_opportunities == (1.3,)
    assert csv.truth.cue_times("code_switch") == [2.5]
    audacity = import_recording(FIXTURES / "talk.wav", FIXTURES / "talk-audacity.txt")
    assert audacity.truth.user_intervals == csv.truth.user_intervals
    assert audacity.truth.holds == csv.truth.holds and audacity.truth.turn_ends == csv.truth.turn_ends
    grid = import_recording(FIXTURES / "talk.wav", FIXTURES / "talk.TextGrid")
    assert grid.truth.user_speech[0].text == "hello there"
    assert grid.truth.cue_times("code_switch") == [2.5]


def test_a_utf16_textgrid_with_a_words_tier_gives_word_timings() -> None:
    scenario = import_recording(FIXTURES / "talk.wav", FIXTURES / "words-utf16.TextGrid")
    first, second = scenario.truth.user_speech
    assert first.text == "hola señor" and [(w.word, w.start, w.end) for w in first.words] == [
        ("hola", 0.2, 0.55), ("señor", 0.6, 1.1)]
    assert [w.word for w in second.words] == ["très", "bien"]
    assert scenario.truth.holds == ((1.1, 1.6),)


def test_float_wav_of_another_rate_is_converted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    rate = 22050
    t = np.arange(2 * rate) / rate
    stereo = np.stack([0.3 * np.sin(2 * np.pi * 300 * t), 0.1 * np.sin(2 * np.pi * 300 * t)], axis=1).astype(np.float32)
    wavfile.write(tmp_path / "float.wav", rate, stereo)
    (tmp_path / "float.csv").write_text("start,end,label\n0.5,1.5,user:a tone\n")
    with caplog.at_level(logging.INFO):
        scenario = import_recording(tmp_path / "float.wav", tmp_path / "float.csv")
    assert "resampling 22050 Hz to 16000 Hz" in caplog.text
    assert scenario.duration == pytest.approx(2.0)
    assert np.sqrt(np.mean(scenario.audio**2)) == pytest.approx(0.2 / np.sqrt(2), rel=0.02)  # the channels' mean
    assert scenario.truth.user_speech[0].text == "a tone"


def test_fdbench_folders_import_as_two_parties() -> None:
    scenario = import_fdbench(FIXTURES / "fdb" / "ex1")
    assert scenario.agent_audio is not None and scenario.duration == pytest.approx(2.5)
    # "sure" 1.2–1.5 and "thing" at 1.6 (its end is null) are one agent turn
    assert scenario.truth.agent_turns == ((1.2, 1.6),)
    assert scenario.truth.turn_ends == (0.0,) and scenario.truth.cue_times("turn_taking") == [0.0]


def test_fdbench_interruption_becomes_user_speech_and_a_cue(tmp_path: Path) -> None:
    folder = tmp_path / "ex2"
    shutil.copytree(FIXTURES / "fdb" / "ex1", folder)
    (folder / "turn_taking.json").unlink()
    (folder / "interrupt.json").write_text(json.dumps([{"timestamp": [0.4, 1.0]}]))
    (folder / "output.json").write_text(json.dumps({"chunks": [
        {"text": "oh", "timestamp": [1.3, 1.4]}, {"text": "sorry", "timestamp": [2.2, 2.4]}]}))
    truth = import_fdbench(folder).truth
    assert truth.user_intervals == [(0.4, 1.0)] and truth.cue_times("interrupt") == [1.0]
    assert truth.agent_turns == ((1.3, 1.4), (2.2, 2.4))  # 0.8 s apart: two turns


def test_bad_annotations_name_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"beyond.csv:3.*within the audio.*belongs to this recording"):
        import_recording(FIXTURES / "talk.wav", FIXTURES / "beyond.csv")
    with pytest.raises(InputError, match=r"overlap.csv: user_speech\[1\].*do not overlap.*merge"):
        import_recording(FIXTURES / "talk.wav", FIXTURES / "overlap.csv")
    with pytest.raises(InputError, match=r"unknown-tier.TextGrid tier: expected one of .*got 'gestures'.*tiers="):
        read_textgrid(FIXTURES / "unknown-tier.TextGrid")
    assert read_textgrid(FIXTURES / "unknown-tier.TextGrid", tiers={"gestures": "cue"})  # mapped, it reads
    bad_label = tmp_path / "bad.csv"
    bad_label.write_text("0.1,0.5,laughter\n")
    with pytest.raises(InputError, match=r"bad.csv:1 label.*'laughter'.*rename the label"):
        import_recording(FIXTURES / "talk.wav", bad_label)
    bad_time = tmp_path / "time.csv"
    bad_time.write_text("start,end,label\n0.1,soon,user\n")
    with pytest.raises(InputError, match=r"time.csv:2: expected numeric start and end times"):
        import_recording(FIXTURES / "talk.wav", bad_time)
    with pytest.raises(InputError, match=r"notes.docx: expected .csv, .txt \(Audacity labels\) or .TextGrid"):
        import_recording(FIXTURES / "talk.wav", tmp_path / "notes.docx")
    with pytest.raises(InputError, match=r"a Full-Duplex-Bench example with input.wav"):
        import_fdbench(tmp_path)


def test_a_file_that_is_not_a_wav_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "talk.wav"
    fake.write_text("not audio")
    with pytest.raises(InputError, match=r"talk.wav: expected a readable PCM or float WAV file.*sox"):
        import_recording(fake)


def test_cli_imports_lists_and_generates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "import", str(FIXTURES / "talk.wav"), "--annotations", str(FIXTURES / "talk.csv"),
                 "--out", str(tmp_path / "talk")]) == 0
    assert "imported talk: 3.0 s, 2 utterances" in capsys.readouterr().out
    assert load_scenario(tmp_path / "talk").truth.turn_ends == (2.3,)
    assert main(["scenarios", "import", str(FIXTURES / "fdb" / "ex1"), "--out", str(tmp_path / "fdb")]) == 0
    assert load_scenario(tmp_path / "fdb").agent_audio is not None
    assert main(["scenarios", "list"]) == 0
    listing = capsys.readouterr().out
    assert "dialogue-basic" in listing and "breathing-6s" in listing
    assert main(["scenarios", "generate", "breathing-6s", "-n", "1", "--out", str(tmp_path / "sets")]) == 0
    assert len(list((tmp_path / "sets").iterdir())) == 1
    assert main(["scenarios", "import", str(FIXTURES / "talk.wav"), "--annotations", str(FIXTURES / "beyond.csv"),
                 "--out", str(tmp_path / "bad")]) == 2
    assert "beyond.csv:3" in capsys.readouterr().err


def test_16k_mono_wav_is_read_as_is(tmp_path: Path) -> None:
    samples = (np.sin(np.arange(SAMPLE_RATE) / 10) * 10000).astype("<i2")
    with wave.open(str(tmp_path / "mono.wav"), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(samples.tobytes())
    scenario = import_recording(tmp_path / "mono.wav")
    np.testing.assert_allclose(scenario.audio, samples / 32768.0, atol=1e-6)
    assert scenario.truth.user_speech == () and scenario.name == "mono"
