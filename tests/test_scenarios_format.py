"""The scenario format: truth that refuses contradictions, folders that round-trip, cached sets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from designkit import scenarios
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.scenarios import (
    Cue,
    Noise,
    Scenario,
    ScenarioSpec,
    Segment,
    Truth,
    Word,
    generate,
    load_scenario,
    save_scenario,
)


def small_truth() -> Truth:
    return Truth(
        duration=4.0,
        user_speech=(Segment(0.5, 1.2, "hi there", (Word("hi", 0.5, 0.7), Word("there", 0.8, 1.2)), "en"),
                     Segment(1.6, 2.0, "so")),
        turn_ends=(2.0,), holds=((1.2, 1.6),), backchannel_opportunities=(1.4,),
        agent_turns=((2.4, 3.5),), barge_ins=(3.0,), cues=(Cue(3.1, "code_switch", {"to": "es"}),),
        targets=(0.3,), reps=(3.9,), should_not_speak=((1.2, 1.6),), noises=(Noise(3.6, 3.8, "cough"),),
        context=("public",),
    )


def test_truth_round_trips_through_json_and_answers_questions() -> None:
    truth = small_truth()
    again = Truth.from_dict(json.loads(json.dumps(truth.to_dict())))
    assert again == truth
    assert again.to_dict()["version"] == 1
    assert truth.user_intervals == [(0.5, 1.2), (1.6, 2.0)]
    assert truth.cue_times("code_switch") == [3.1] and truth.cue_times("rep") == []
    assert truth.interrupted_agent_turns() == [(3.0, (2.4, 3.5))]
    assert truth.cues[0].data["to"] == "es"
    with pytest.raises(TypeError):
        truth.cues[0].data["to"] = "fr"  # type: ignore[index]


@pytest.mark.parametrize(("change", "message"), [
    ({"holds": [[1.6, 1.2]]}, r"holds\[0\]: expected end >= start.*swap"),
    ({"user_speech": [{"start": 0.5, "end": 1.2}, {"start": 1.0, "end": 2.0}]},
     r"user_speech\[1\]: expected utterances of one speaker that do not overlap.*merge"),
    ({"agent_turns": [[2.4, 3.5], [3.0, 3.8]]}, r"agent_turns\[1\]: expected agent turns .* not overlap"),
    ({"targets": [4.5]}, r"targets\[0\]: expected within the audio \(0–4.000 s\).*trim"),
    ({"cues": [{"t": 9.0, "kind": "rep"}]}, r"cues\[0\] \(rep\): expected within the audio"),
    ({"user_speech": [{"start": 0.5, "end": 1.2, "words": [["hi", 0.5, 5.0]]}]},
     r"user_speech\[0\]\.words\['hi'\]: expected within the audio"),
    ({"target": [1.0]}, r"field: expected one of .*got \['target'\].*check the spelling"),
    ({"version": 7}, r"version: expected <= 1.*upgrade designkit"),
    ({"turn_ends": ["soon"]}, r"expected the truth.json schema"),
])
def test_contradictory_truth_is_refused_with_the_field_and_the_fix(change: dict, message: str) -> None:
    data = {**small_truth().to_dict(), **change}
    with pytest.raises(InputError, match=message):
        Truth.from_dict(data, source="my/truth.json")
    with pytest.raises(InputError, match=re.escape("my/truth.json")):
        Truth.from_dict(data, source="my/truth.json")


def test_truth_without_duration_or_with_zero_duration_is_refused() -> None:
    with pytest.raises(InputError, match="duration: expected the session length"):
        Truth.from_dict({"turn_ends": [1.0]})
    with pytest.raises(InputError, match=re.escape("duration: expected seconds > 0")):
        Truth(duration=0.0)


def test_malformed_truth_json_on_disk_names_the_file_and_field(tmp_path: Path) -> None:
    folder = save_scenario(generate(ScenarioSpec("breathing", seed=0, params={"duration_s": 20.0})), tmp_path / "b")
    data = json.loads((folder / "truth.json").read_text())
    data["holds"] = [[3.0, 2.0]]
    (folder / "truth.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"b/truth.json: holds\[0\]: expected end >= start"):
        load_scenario(folder)
    (folder / "truth.json").write_text("{not json")
    with pytest.raises(InputError, match=r"truth\.json: expected a readable JSON file"):
        load_scenario(folder)
    with pytest.raises(InputError, match=r"expected a scenario folder with scenario.json.*write it with save_scenario"):
        load_scenario(tmp_path / "nothing-here")


def test_spec_round_trips_hashes_stably_and_lists_valid_fields() -> None:
    spec = ScenarioSpec("dialogue", seed=3, params={"duration_s": 30.0, "snr_db": 5.0})
    assert ScenarioSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert spec.digest("1") == ScenarioSpec("dialogue", 3, {"snr_db": 5.0, "duration_s": 30.0}).digest("1")
    assert spec.digest("1") != spec.replace(seed=4).digest("1") != spec.digest("2")
    with pytest.raises(InputError, match=r"expected one of \['kind', 'params', 'seed'\].*'sead'"):
        spec.replace(sead=4)
    with pytest.raises(InputError, match="scenario seed: expected an integer"):
        ScenarioSpec("dialogue", seed="3")  # type: ignore[arg-type]


def test_folder_round_trip_with_video_frames_and_an_agent_channel(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal(4 * SAMPLE_RATE) * 0.05).astype(np.float32)
    frames = rng.integers(0, 255, size=(40, 24, 32, 3), dtype=np.uint8)
    times = np.arange(40) / 10.0
    scenario = Scenario(ScenarioSpec("hand-made", seed=1), audio, small_truth(), name="mine",
                        frames=frames, frame_times=times, agent_audio=audio[::-1].copy())
    folder = save_scenario(scenario, tmp_path / "mine")
    assert sorted(p.name for p in folder.iterdir()) == ["agent.wav", "audio.wav", "frames.npz", "scenario.json", "truth.json"]
    again = load_scenario(folder)
    assert again.truth == scenario.truth and again.spec == scenario.spec and again.name == "mine"
    np.testing.assert_array_equal(again.frames, frames)
    np.testing.assert_allclose(again.frame_times, times)
    assert np.max(np.abs(again.audio - audio)) < 1e-4 and again.agent_audio is not None
    session = again.session()
    assert session.duration == pytest.approx(4.0)
    assert len(session.frames) == 40 and session.frames[3].t == pytest.approx(0.3)


def test_scenario_refuses_audio_and_truth_that_disagree() -> None:
    audio = np.zeros(3 * SAMPLE_RATE, np.float32)
    with pytest.raises(InputError, match=r"truth duration: expected 3.000 s \(the audio\).*got 4.000 s"):
        Scenario(ScenarioSpec("x"), audio, Truth(duration=4.0))
    with pytest.raises(InputError, match="frames and frame_times together"):
        Scenario(ScenarioSpec("x"), audio, Truth(duration=3.0), frames=np.zeros((2, 4, 4, 3), np.uint8))
    with pytest.raises(InputError, match="N x H x W x 3 uint8"):
        Scenario(ScenarioSpec("x"), audio, Truth(duration=3.0), frames=np.zeros((2, 4, 4), np.uint8),
                 frame_times=np.zeros(2))


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
    with pytest.raises(InputError, match="scenario count n: expected at least 1"):
        scenarios.get("breathing-6s", n=0)


def test_other_modules_can_register_generators_and_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNKIT_CACHE", str(tmp_path))
    scenarios.register_generator("test-tone", f"{__name__}:tone", version="1", description="a beep")
    scenarios.register_set("test-tones", "test-tone", {"hz": 440.0}, default_n=3)
    made = scenarios.get("test-tones", progress=False, workers=1)
    assert [s.truth.targets for s in made] == [(1.0,), (2.0,), (3.0,)]
    assert "test-tones" in scenarios.sets() and scenarios.sets()["test-tones"].default_n == 3


def tone(spec: ScenarioSpec) -> Scenario:
    """A registrable generator: one beep, with a target at `seed + 1` seconds."""
    t = np.arange(5 * SAMPLE_RATE) / SAMPLE_RATE
    audio = (0.1 * np.sin(2 * np.pi * float(spec.params["hz"]) * t)).astype(np.float32)
    return Scenario(spec, audio, Truth(duration=5.0, targets=(float(spec.seed + 1),)), name=f"tone-{spec.seed}")
