"""Generators: deterministic from a seed, and their truth matches their audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designkit import scenarios
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.scenarios import ScenarioSpec, generate
from designkit.scenarios.dialogue import HESITATIONS


def sound_frames(audio: np.ndarray, frame: int = 80) -> np.ndarray:
    """Per 5 ms frame: is there sound above -50 dBFS?"""
    n = audio.size // frame
    return np.abs(audio[: n * frame]).reshape(n, frame).max(axis=1) > 10 ** (-50 / 20)


def test_same_seed_same_scenario_other_seed_other_scenario() -> None:
    spec = ScenarioSpec("dialogue", seed=11, params={"duration_s": 20.0})
    a, b = generate(spec), generate(spec)
    np.testing.assert_array_equal(a.audio, b.audio)
    assert a.truth == b.truth and a.name == b.name
    c = generate(spec.replace(seed=12))
    assert c.truth != a.truth


def test_parallel_generation_gives_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNKIT_CACHE", str(tmp_path))
    scenarios.register_set("test-short-dialogues", "dialogue", {"duration_s": 12.0})
    parallel = scenarios.get("test-short-dialogues", n=2, seed=40, workers=2, progress=False)
    for made in parallel:
        alone = generate(made.spec)
        assert made.truth == alone.truth
        np.testing.assert_array_equal(made.audio, alone.audio)  # the cache keeps float32 samples


@pytest.mark.parametrize("params", [
    {"duration_s": 30.0},
    {"duration_s": 30.0, "context": "stressed"},
    {"duration_s": 30.0, "voice": "en+f3", "barge_in_rate": 1.0},
])
def test_dialogue_truth_is_consistent_and_matches_the_audio(params: dict) -> None:
    scenario = generate(ScenarioSpec("dialogue", seed=3, params={"noises": False, **params}))
    truth = scenario.truth
    assert truth.user_speech and truth.turn_ends and truth.holds
    sound = sound_frames(scenario.audio)
    for segment in truth.user_speech:
        a, b = round(segment.start * 200), round(segment.end * 200)
        # sound begins and ends in the 5 ms frames where truth says, with silence around it
        assert sound[max(0, a - 1) : a + 2].any() and sound[b - 2 : b + 1].any()
        assert not sound[max(0, a - 8) : a - 1].any() and not sound[b + 2 : b + 8].any()
        assert segment.words[0].start == pytest.approx(segment.start) and segment.words[-1].end <= segment.end + 1e-9
        # every word of the text, in order (espeak-ng may speak two as one entry: "have been")
        assert " ".join(w.word for w in segment.words).split() == segment.text.replace(",", "").split()
        assert all(w.start < w.end for w in segment.words)
        assert all(x.end <= y.start + 1e-9 for x, y in zip(segment.words, segment.words[1:], strict=False))
    for start, end in truth.holds:  # a hold is silence between two utterances of one turn
        assert 0.2 - 1e-9 <= end - start <= 2.5 + 1e-9
        assert not sound[round(start * 200) + 2 : round(end * 200) - 2].any()
        assert any(abs(s.end - start) < 1e-9 for s in truth.user_speech)
        assert any(abs(s.start - end) < 1e-9 for s in truth.user_speech)
    assert truth.should_not_speak == truth.holds
    ends = {round(s.end, 6) for s in truth.user_speech}
    assert all(round(t, 6) in ends for t in truth.turn_ends)
    assert not any(a < t < b for t in truth.turn_ends for a, b in truth.holds)
    for t in truth.backchannel_opportunities:
        assert any(a < t < b for a, b in truth.holds)
    for onset, (a, b) in truth.interrupted_agent_turns():
        assert a < onset < b and any(abs(s.start - onset) < 1e-9 for s in truth.user_speech)
    assert len(truth.interrupted_agent_turns()) == len(truth.barge_ins)
    for turn_end, (a, _) in zip(truth.turn_ends, truth.agent_turns, strict=False):
        assert 0.3 - 1e-9 <= a - turn_end <= 0.8 + 1e-9  # the reference agent answers after the turn end


def test_hesitations_trail_into_holds_and_barge_ins_happen_when_asked() -> None:
    truth = generate(ScenarioSpec("dialogue", seed=8, params={"duration_s": 60.0, "hesitation_rate": 1.0,
                                                              "barge_in_rate": 1.0, "noises": False})).truth
    before_hold = [s for s in truth.user_speech if any(abs(s.end - a) < 1e-9 for a, _ in truth.holds)]
    assert before_hold and all(s.words[-1].word in HESITATIONS for s in before_hold)
    assert len(truth.barge_ins) >= len(truth.turn_ends) - 1
    calm = generate(ScenarioSpec("dialogue", seed=8, params={"duration_s": 60.0, "barge_in_rate": 0.0})).truth
    assert calm.barge_ins == ()


def test_stressed_speech_is_faster_and_higher_with_shorter_holds() -> None:
    calm = [generate(ScenarioSpec("dialogue", seed=s, params={"duration_s": 40.0, "noises": False})) for s in range(3)]
    stressed = [generate(ScenarioSpec("dialogue", seed=s, params={"duration_s": 40.0, "context": "stressed",
                                                                  "noises": False})) for s in range(3)]

    def hold(ss: list) -> float:
        return float(np.mean([b - a for s in ss for a, b in s.truth.holds]))

    def seconds_per_word(ss: list) -> float:
        words = [w for s in ss for seg in s.truth.user_speech for w in seg.words]
        return float(np.mean([w.end - w.start for w in words]))

    assert hold(stressed) < hold(calm) and max(b - a for s in stressed for a, b in s.truth.holds) <= 1.2
    assert seconds_per_word(stressed) < 0.85 * seconds_per_word(calm)
    assert stressed[0].truth.context == ("stressed",) and calm[0].truth.context == ("focused",)


def test_noise_levels_follow_the_snr() -> None:
    clean = generate(ScenarioSpec("dialogue", seed=5, params={"duration_s": 20.0, "noises": False}))
    for snr_db in (20.0, 5.0):
        noisy = generate(ScenarioSpec("dialogue", seed=5, params={"duration_s": 20.0, "noises": False, "snr_db": snr_db}))
        assert noisy.truth.user_speech == clean.truth.user_speech  # same speech, same truth
        residual = noisy.audio - clean.audio
        speech = np.concatenate([clean.audio[round(s.start * SAMPLE_RATE) : round(s.end * SAMPLE_RATE)]
                                 for s in clean.truth.user_speech])
        snr = 20 * np.log10(np.sqrt(np.mean(speech**2)) / np.sqrt(np.mean(residual**2)))
        assert snr == pytest.approx(snr_db, abs=0.5)


def test_public_context_adds_babble_everywhere() -> None:
    clean = generate(ScenarioSpec("dialogue", seed=6, params={"duration_s": 20.0, "noises": False}))
    public = generate(ScenarioSpec("dialogue", seed=6, params={"duration_s": 20.0, "noises": False, "context": "public"}))
    assert public.truth.context == ("public",)
    quiet = sound_frames(clean.audio)
    assert sound_frames(public.audio)[~quiet].mean() > 0.95  # babble fills the user's silences


def test_noises_sit_in_silences_and_are_marked() -> None:
    found = []
    for seed in range(4):
        scenario = generate(ScenarioSpec("dialogue", seed=seed, params={"duration_s": 40.0}))
        for noise in scenario.truth.noises:
            assert not any(s.start < noise.end and noise.start < s.end for s in scenario.truth.user_speech)
            clip = scenario.audio[round(noise.start * SAMPLE_RATE) : round(noise.end * SAMPLE_RATE)]
            assert np.abs(clip).max() > 0.01
            found.append(noise.kind)
    assert set(found) <= {"cough", "laugh", "keyboard", "door"} and len(found) >= 2


def test_breathing_targets_come_every_period_plus_the_reminder() -> None:
    scenario = generate(ScenarioSpec("breathing", seed=1, params={"period_s": 6.0, "duration_s": 60.0}))
    targets = np.array(scenario.truth.targets)
    (reminder,) = scenario.truth.user_speech
    assert reminder.text == "remind me in thirty seconds" and [w.word for w in reminder.words][-1] == "seconds"
    assert reminder.end + 30.0 == pytest.approx(targets[np.argmin(np.abs(targets - reminder.end - 30))], abs=1e-3)
    regular = [t for t in targets if abs(t - reminder.end - 30) > 1e-3]
    assert np.allclose(np.diff(regular), 6.0, atol=1e-3)
    for target, breath in zip(regular, scenario.truth.noises, strict=False):  # each breath follows its cue
        assert breath.kind == "breath" and breath.start == pytest.approx(target + 0.3, abs=1e-3)
    without = generate(ScenarioSpec("breathing", seed=1, params={"period_s": 10.0, "reminder": False}))
    assert without.truth.user_speech == () and np.allclose(np.diff(without.truth.targets), 10.0, atol=1e-3)


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("dialogue", {"snr": 5}, r"dialogue params: expected names from .*'snr_db'.*got \['snr'\]"),
    ("dialogue", {"context": "angry"}, r"dialogue context: expected one of \['focused', 'stressed', 'public'\]"),
    ("dialogue", {"duration_s": 5}, r"dialogue duration_s: expected >= 10 s"),
    ("dialogue", {"barge_in_rate": 2}, r"dialogue barge_in_rate: expected a share between 0 and 1"),
    ("dialogue", {"voice": "nosuchvoice"}, r"espeak-ng voice: expected a voice listed by `espeak-ng --voices`"),
    ("breathing", {"period": 6}, r"breathing params: expected names from"),
    ("breathing", {"period_s": 1.0}, r"breathing period_s: expected 2 s"),
    ("juggling", {}, r"scenario kind: expected one of"),
])
def test_bad_generator_parameters_say_what_is_valid(kind: str, params: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        generate(ScenarioSpec(kind, seed=0, params=params))
