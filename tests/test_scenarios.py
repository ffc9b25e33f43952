"""Scenarios: deterministic generators whose truth matches their audio, and honest imports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from designkit import scenarios
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.scenarios import ScenarioSpec, Truth, generate, load_scenario, save_scenario
from designkit.scenarios.recorded import import_fdbench, import_recording, read_textgrid

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"


def energy_ms(audio: np.ndarray, frame: int = 80) -> np.ndarray:
    """Per-5 ms frame: is there sound above -50 dBFS?"""
    n = audio.size // frame
    peak = np.abs(audio[: n * frame]).reshape(n, frame).max(axis=1)
    return peak > 10 ** (-50 / 20)


def test_same_seed_same_scenario_other_seed_other_scenario() -> None:
    spec = ScenarioSpec("dialogue", seed=11, params={"duration_s": 20.0})
    a, b = generate(spec), generate(spec)
    np.testing.assert_array_equal(a.audio, b.audio)
    assert a.truth == b.truth
    c = generate(spec.replace(seed=12))
    assert c.truth != a.truth


@pytest.mark.parametrize("params", [{"duration_s": 30.0}, {"duration_s": 30.0, "context": "stressed", "noises": False}])
def test_dialogue_truth_is_consistent_and_matches_the_audio(params: dict) -> None:
    scenario = generate(ScenarioSpec("dialogue", seed=3, params={"noises": False, **params}))
    truth = scenario.truth
    assert truth.user_speech and truth.turn_ends
    sound = energy_ms(scenario.audio)
    for segment in truth.user_speech:
        a, b = round(segment.start * 200), round(segment.end * 200)
        # sound begins and ends in the 5 ms frames where truth says (a final plosive counts)
        assert sound[max(0, a - 1) : a + 2].any() and sound[b - 2 : b + 1].any()
        assert not sound[max(0, a - 8) : a - 1].any() and not sound[b + 2 : b + 8].any()
        assert segment.words[0].start == pytest.approx(segment.start) and segment.words[-1].end <= segment.end + 1e-9
    for start, end in truth.holds:  # a hold is silence between two utterances of one turn
        assert 0.2 - 1e-9 <= end - start <= 2.5 + 1e-9
        assert not sound[round(start * 200) + 2 : round(end * 200) - 2].any()
    ends = {round(s.end, 6) for s in truth.user_speech}
    assert all(round(t, 6) in ends for t in truth.turn_ends)
    for onset in truth.barge_ins:
        assert any(a < onset < b for a, b in truth.agent_turns)


def test_stressed_speech_is_faster_with_shorter_holds() -> None:
    calm = [generate(ScenarioSpec("dialogue", seed=s, params={"duration_s": 40.0})) for s in range(3)]
    stressed = [generate(ScenarioSpec("dialogue", seed=s, params={"duration_s": 40.0, "context": "stressed"})) for s in range(3)]
    def hold(ss: list) -> float:
        return float(np.mean([b - a for s in ss for a, b in s.truth.holds]))
    assert hold(stressed) < hold(calm)
    assert stressed[0].truth.context == ("stressed",)


def test_noise_levels_follow_the_snr() -> None:
    clean = generate(ScenarioSpec("dialogue", seed=5, params={"duration_s": 20.0, "noises": False}))
    noisy = generate(ScenarioSpec("dialogue", seed=5, params={"duration_s": 20.0, "noises": False, "snr_db": 5.0}))
    residual = noisy.audio - clean.audio
    speech = np.concatenate([clean.audio[round(s.start * SAMPLE_RATE) : round(s.end * SAMPLE_RATE)] for s in clean.truth.user_speech])
    snr = 20 * np.log10(np.sqrt(np.mean(speech**2)) / np.sqrt(np.mean(residual**2)))
    assert snr == pytest.approx(5.0, abs=0.5)


def test_breathing_targets_come_every_period_plus_the_reminder() -> None:
    scenario = generate(ScenarioSpec("breathing", seed=1, params={"period_s": 6.0, "duration_s": 60.0}))
    targets = np.array(scenario.truth.targets)
    (reminder,) = scenario.truth.user_speech
    assert reminder.text == "remind me in thirty seconds"
    assert reminder.end + 30.0 == pytest.approx(targets[np.argmin(np.abs(targets - reminder.end - 30))], abs=1e-3)
    regular = [t for t in targets if abs(t - reminder.end - 30) > 1e-3]
    assert np.allclose(np.diff(regular), 6.0, atol=1e-3)


def test_folder_round_trip(tmp_path: Path) -> None:
    scenario = generate(ScenarioSpec("dialogue", seed=2, params={"duration_s": 15.0}))
    folder = save_scenario(scenario, tmp_path / "s")
    assert sorted(p.name for p in folder.iterdir()) == ["audio.wav", "scenario.json", "truth.json"]
    again = load_scenario(folder)
    assert again.truth == scenario.truth and again.spec == scenario.spec
    assert np.max(np.abs(again.audio - scenario.audio)) < 1e-4  # 16-bit WAV
    assert again.session().duration == pytest.approx(scenario.duration)


def test_named_sets_are_generated_once_and_then_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNKIT_CACHE", str(tmp_path))
    first = scenarios.get("breathing-6s", n=2, progress=False)
    entries = sorted((tmp_path / "scenarios").iterdir())
    assert len(entries) == 2
    stamp = [e.stat().st_mtime_ns for e in entries]
    second = scenarios.get("breathing-6s", n=2, progress=False)
    assert [e.stat().st_mtime_ns for e in sorted((tmp_path / "scenarios").iterdir())] == stamp
    assert [s.truth for s in first] == [s.truth for s in second]
    (entries[0] / "scenario.json").unlink()  # a killed write: that entry is made again
    assert scenarios.get("breathing-6s", n=2, progress=False)[0].truth == first[0].truth
    with pytest.raises(InputError, match="scenario set: expected one of"):
        scenarios.get("dialogue-basik")


def test_import_csv_audacity_and_textgrid_agree() -> None:
    csv = import_recording(FIXTURES / "talk.wav", FIXTURES / "talk.csv")
    assert csv.duration == pytest.approx(3.0)  # 44.1 kHz stereo converted to 16 kHz mono
    assert csv.truth.user_intervals == [(0.2, 1.1), (1.6, 2.3)]
    assert csv.truth.holds == ((1.1, 1.6),) and csv.truth.turn_ends == (2.3,)
    assert csv.truth.cue_times("code_switch") == [2.5]
    audacity = import_recording(FIXTURES / "talk.wav", FIXTURES / "talk-audacity.txt")
    assert audacity.truth.user_intervals == csv.truth.user_intervals
    grid = import_recording(FIXTURES / "talk.wav", FIXTURES / "talk.TextGrid")
    assert grid.truth.user_speech[0].text == "hello there"
    assert grid.truth.cue_times("code_switch") == [2.5]


def test_fdbench_folders_import_as_two_parties() -> None:
    scenario = import_fdbench(FIXTURES / "fdb" / "ex1")
    assert scenario.agent_audio is not None and scenario.duration == pytest.approx(2.5)
    assert scenario.truth.agent_turns == ((1.2, 1.5), (1.6, 1.6))
    assert scenario.truth.cue_times("turn_taking") == [0.0]


def test_bad_annotations_name_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"beyond.csv:3.*within the audio.*belongs to this recording"):
        import_recording(FIXTURES / "talk.wav", FIXTURES / "beyond.csv")
    with pytest.raises(InputError, match=r"user_speech\[1\].*do not overlap.*merge"):
        import_recording(FIXTURES / "talk.wav", FIXTURES / "overlap.csv")
    with pytest.raises(InputError, match=r"tier: expected one of .*got 'gestures'"):
        read_textgrid(FIXTURES / "unknown-tier.TextGrid")
    bad_label = tmp_path / "bad.csv"
    bad_label.write_text("0.1,0.5,laughter\n")
    with pytest.raises(InputError, match=r"bad.csv:1 label.*'laughter'"):
        import_recording(FIXTURES / "talk.wav", bad_label)


def test_malformed_truth_json_names_the_file_and_field(tmp_path: Path) -> None:
    folder = save_scenario(generate(ScenarioSpec("breathing", seed=0, params={"duration_s": 20.0})), tmp_path / "b")
    data = json.loads((folder / "truth.json").read_text())
    data["holds"] = [[3.0, 2.0]]
    (folder / "truth.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"truth.json: holds\[0\]: expected end >= start"):
        load_scenario(folder)
    data.pop("holds")
    data["target"] = [1.0]
    (folder / "truth.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"truth.json: field: expected one of .*'target'.*spelling"):
        load_scenario(folder)
    (folder / "truth.json").write_text("{not json")
    with pytest.raises(InputError, match="truth.json: expected a readable JSON file"):
        load_scenario(folder)
    with pytest.raises(InputError, match="duration: expected seconds > 0"):
        Truth(duration=0.0)


def test_a_missing_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    from designkit.render import tts

    tts._espeak.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", lambda *_a, **_k: (_ for _ in ()).throw(OSError("not found")))
    try:
        with pytest.raises(InputError, match=r"espeak-ng.*apt-get install espeak-ng"):
            tts.synthesize("hello")
    finally:
        monkeypatch.undo()
        tts._espeak.cache_clear()
    assert shutil.which("espeak-ng")
