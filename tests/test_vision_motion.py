"""The motion-energy fallback: fast numpy frame differences that still count reps."""

from __future__ import annotations

import numpy as np
import pytest

from designkit.core.streams import VideoFrame
from designkit.errors import InputError
from designkit.perception.vision import VisionPerceiver
from designkit.perception.vision.motion import MotionSource, motion_energy
from designkit.scenarios.exercise import render_workout


def test_motion_is_zero_when_still_and_positive_when_moving() -> None:
    video = render_workout("jumping_jack", seed=4, reps=2)
    signals = motion_energy(video.frames, video.fps)
    first = video.rep_times[0]
    still = signals["motion"][int((first - 2.2) * video.fps): int((first - 2.0) * video.fps)]
    moving = signals["motion"][int((first - 1.0) * video.fps): int((first - 0.5) * video.fps)]
    assert still.max() < 0.002 < moving.mean()


def test_motion_fallback_counts_reps_within_one() -> None:
    video = render_workout("squat", seed=6, reps=5, partial_share=0.0)
    perceiver = VisionPerceiver(MotionSource(), exercise="motion")
    for t, image in zip(video.times, video.frames, strict=True):
        perceiver._frame(VideoFrame(t=float(t), image=image), {})
    assert abs(len(perceiver.rep_events()) - 5) <= 1


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((240, 320, 3), dtype=np.float32), "dtype"),
        (np.zeros((240, 320), dtype=np.uint8), "shape"),
        (np.zeros((480, 640, 3), dtype=np.uint8), "at most 320 x 240"),
    ],
)
def test_bad_frames_are_refused(image: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message):
        MotionSource().read_image(image, 0.0)


def test_frames_out_of_order_or_resized_are_refused() -> None:
    source = MotionSource()
    source.read_image(np.zeros((240, 320, 3), dtype=np.uint8), 1.0)
    with pytest.raises(InputError, match="after"):
        source.read_image(np.zeros((240, 320, 3), dtype=np.uint8), 0.5)
    with pytest.raises(InputError, match="same size"):
        source.read_image(np.zeros((120, 160, 3), dtype=np.uint8), 2.0)
