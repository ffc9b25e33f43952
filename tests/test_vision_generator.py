"""The workout video generator: a filled, human-like figure, deterministic, with rep times as truth."""

from __future__ import annotations

import numpy as np
import pytest

from designkit import scenarios
from designkit.errors import InputError
from designkit.scenarios.exercise import Exercise, render_cues, render_workout
from designkit.scenarios.spec import ScenarioSpec, load_scenario, save_scenario


def test_same_seed_same_video_and_truth() -> None:
    a = render_workout("curl", seed=3, reps=2)
    b = render_workout("curl", seed=3, reps=2)
    assert np.array_equal(a.frames, b.frames)
    assert a.rep_times == b.rep_times
    assert not np.array_equal(a.frames, render_workout("curl", seed=4, reps=2).frames)


@pytest.mark.parametrize("exercise", list(Exercise))
def test_video_format_and_truth(exercise: Exercise) -> None:
    video = render_workout(exercise, seed=1, reps=3)
    _n, h, w, c = video.frames.shape
    assert (h, w, c) == (240, 320, 3) and video.frames.dtype == np.uint8 and video.fps >= 10
    assert video.rep_count == 3
    assert list(video.rep_times) == sorted(video.rep_times)
    assert video.rep_times[0] > 0 and video.rep_times[-1] < video.duration
    assert [k for k, _ in video.cues] == ["enter", "leave"]


def test_the_person_is_a_filled_body_not_a_stick() -> None:
    video = render_workout("squat", seed=2, reps=1, noise=0.0)
    standing = video.frames[int(2.5 * video.fps)].astype(int)
    empty = video.frames[0].astype(int)  # the person is still off screen
    body = np.abs(standing - empty).sum(axis=2) > 30
    assert body.sum() > 2500  # a stick figure of 1-2 px lines covers a few hundred pixels
    # skin and clothing: several distinct colours on the body
    colours = {tuple(c // 32) for c in standing[body]}
    assert len(colours) >= 4


def test_partial_reps_are_not_counted_in_the_truth() -> None:
    video = render_workout("squat", seed=5, reps=8, partial_share=0.5)
    assert video.rep_count == 8
    assert len(video.partial_times) > 0
    assert not set(video.partial_times) & set(video.rep_times)


def test_limits_are_enforced() -> None:
    with pytest.raises(InputError, match="at most 320 x 240"):
        render_workout("squat", seed=0, width=640, height=480)
    with pytest.raises(InputError, match=">= 10"):
        render_workout("squat", seed=0, fps=5)
    with pytest.raises(InputError, match="exercise"):
        render_workout("pushup", seed=0)


def test_cue_video_truth_is_in_order() -> None:
    video = render_cues(seed=1)
    assert [k for k, _ in video.cues] == ["enter", "raise_hand", "hold_still", "leave"]
    times = [t for _, t in video.cues]
    assert times == sorted(times) and times[-1] < video.duration


def test_named_sets_round_trip_through_the_scenario_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert {"exercise-basic", "visual-cues-basic"} <= set(scenarios.sets())
    scenario = scenarios.generate(ScenarioSpec("exercise", seed=7, params={"reps": 2}))
    assert scenario.frames is not None and scenario.frame_times is not None
    loaded = load_scenario(save_scenario(scenario, tmp_path / "s"))
    assert loaded.truth.reps == scenario.truth.reps
    assert loaded.frames is not None and np.array_equal(loaded.frames, scenario.frames)
    assert loaded.truth.context[0] == "exercise"
