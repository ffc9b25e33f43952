"""Pose on the generated workouts: mediapipe sees the rendered person, counts reps, fires visual cues."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from designkit.core.decisions import Action
from designkit.core.engine import Engine
from designkit.core.streams import VideoFrame
from designkit.errors import InputError
from designkit.perception.vision import VisionPerceiver
from designkit.perception.vision.cues import VisualCues
from designkit.perception.vision.pose import PoseEstimator, PoseSource, check_image, downscale
from designkit.policy import Policy
from designkit.proposers.cues import CueProposer
from designkit.scenarios import generate
from designkit.scenarios.exercise import render_cues, render_workout
from designkit.scenarios.spec import ScenarioSpec

pytestmark = pytest.mark.models

# mediapipe's index -> the generator's joint name (index 0 of the generator is the person's right)
PAIRS = {23: "hip0", 24: "hip1", 25: "knee0", 26: "knee1", 27: "ankle0", 28: "ankle1",
         11: "shoulder0", 12: "shoulder1", 13: "elbow0", 14: "elbow1", 15: "wrist0", 16: "wrist1"}


@pytest.fixture(scope="module")
def estimator() -> Iterator[PoseEstimator]:
    est = PoseEstimator()
    yield est
    est.close()


def test_landmarks_land_on_the_rendered_joints(estimator: PoseEstimator) -> None:
    video = render_workout("squat", seed=4, reps=2)
    errors = []
    for i in range(int(2.0 * video.fps), len(video.frames) - int(2.5 * video.fps)):
        pose = estimator.detect(video.frames[i], i / video.fps)
        assert pose is not None, f"no person found at {i / video.fps:.2f} s"
        if i % 5:
            continue
        xy = pose.image_xy * np.array([320, 240])
        for index, name in PAIRS.items():
            true_xy = video.joints_px[i, video.joint_names.index(name)]
            # Left/right may swap on a side view; the nearer of the two counts.
            twin = video.joints_px[i, video.joint_names.index(name[:-1] + ("1" if name[-1] == "0" else "0"))]
            errors.append(min(np.linalg.norm(xy[index] - true_xy), np.linalg.norm(xy[index] - twin)))
    estimator.reset()
    assert np.median(errors) < 6.0  # pixels, on a body about 190 px tall


def test_squat_bottom_bends_the_knees(estimator: PoseEstimator) -> None:
    video = render_workout("squat", seed=8, reps=1)
    estimator.reset()
    bottom = int((video.rep_times[0] - 0.5 * 1.8) * video.fps)
    flexions = {}
    for i, image in enumerate(video.frames[: bottom + 1]):
        pose = estimator.detect(image, i / video.fps)
        if pose is not None:
            flexions[i] = pose.knee_flexion
    standing = flexions[int(2.5 * video.fps)]
    assert standing < 35 and max(flexions[j] for j in range(bottom - 8, bottom + 1)) > 70


def test_the_agent_counts_aloud_on_each_rep(estimator: PoseEstimator) -> None:
    scenario = generate(ScenarioSpec("exercise", seed=11, params={"exercise": "curl", "reps": 4}))
    vision = VisionPerceiver(PoseSource(estimator), exercise="curl")
    policy = Policy().replace(style="barge_in", budget_per_min=float("inf"), min_gap_s=0.0)
    engine = Engine([vision], policy, proposer=CueProposer({"rep": "{rep_count:.0f}!"}))
    records = engine.replay(scenario.session())
    spoken = [(r.t + r.dt, r.decision.content) for r in records if r.decision.action is Action.SPEAK]
    assert [content for _, content in spoken] == ["1!", "2!", "3!", "4!"]
    for (onset, _), truth in zip(spoken, scenario.truth.reps, strict=True):
        assert abs(onset - truth) <= 0.5


def test_visual_cues_fire_after_the_true_moments(estimator: PoseEstimator) -> None:
    video = render_cues(seed=2)
    estimator.reset()
    vision = VisionPerceiver(PoseSource(estimator), cues=VisualCues(still_s=3.0))
    for t, image in zip(video.times, video.frames, strict=True):
        vision._frame(VideoFrame(t=float(t), image=image), {})
    detected = {e.data["name"]: e.t for e in vision.cue_events()}
    assert len(vision.cue_events()) == 4
    for name, truth in video.cues:
        assert -0.3 <= detected[name] - truth <= 1.5, (name, truth, detected[name])


def test_bad_frames_and_times_are_refused(estimator: PoseEstimator) -> None:
    with pytest.raises(InputError, match="at most 320 x 240"):
        check_image(np.zeros((480, 640, 3), dtype=np.uint8))
    assert downscale(np.zeros((480, 640, 3), dtype=np.uint8)).shape == (240, 320, 3)
    estimator.reset()
    estimator.detect(np.zeros((240, 320, 3), dtype=np.uint8), 1.0)
    with pytest.raises(InputError, match="after the previous frame"):
        estimator.detect(np.zeros((240, 320, 3), dtype=np.uint8), 0.5)


def test_a_long_gap_between_frames_is_logged_and_drops_the_rep_in_progress() -> None:
    class Knee:
        name, columns = "knee", ("knee_flexion",)

        def reset(self) -> None:
            return None

        def read(self, frame: VideoFrame) -> dict[str, float]:
            return {"knee_flexion": float(frame.image[0, 0, 0])}

    vision = VisionPerceiver(Knee(), exercise="squat")
    frame = lambda t, v: VideoFrame(t=t, image=np.full((4, 4, 3), v, dtype=np.uint8))  # noqa: E731
    for t, v in [(0.0, 10), (0.1, 90), (0.2, 95), (1.5, 10), (1.6, 90), (1.7, 95), (1.8, 95), (2.1, 10), (2.2, 10)]:
        vision._frame(frame(t, v), {})
    assert vision.gaps == [(0.2, 1.5)]
    assert [e.t for e in vision.rep_events()] == [2.2]
