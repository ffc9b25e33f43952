"""Motion energy from frame differences: the camera signal when mediapipe is not installed.

Numpy only. Each frame is shrunk to grey (every `step`-th pixel) and compared with the previous
frame (`motion`: the share of pixels that changed) and with a rest frame (`displacement`: the
share that differs from how the scene looked the last time everything was still). While a
person exercises, `displacement` rises and falls once per rep, so the rep counter can count on
it with adaptive thresholds. The rest frame is re-taken after `rest_s` of stillness, and
`rest_changed` tells the counter to drop a rep in progress (someone walked in or out).
It cannot tell who moved or which limb: enter/leave and raised hands need the pose estimator,
and because the share of changed pixels saturates, a partial rep looks like a full one (it
counts every movement cycle; measured on the generated workouts it over-counts by the partial reps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from designkit.core.streams import VideoFrame
from designkit.errors import InputError
from designkit.perception.vision.pose import check_image

MOTION_SIGNALS = ("motion", "displacement", "rest_changed")


@dataclass(slots=True)
class MotionSource:
    """Per-frame `motion` and `displacement` (shares of pixels, 0..1) and `rest_changed` (0/1)."""

    step: int = 4
    threshold: float = 12.0
    still_motion: float = 0.002
    rest_s: float = 0.6
    name: str = "motion"
    columns: tuple[str, ...] = MOTION_SIGNALS
    _previous: npt.NDArray[np.float32] | None = None
    _rest: npt.NDArray[np.float32] | None = None
    _still_since: float | None = None
    _last_t: float = -math.inf
    _shape: tuple[int, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not isinstance(self.step, int) or self.step < 1:
            raise InputError("motion step", expected="a whole number >= 1", got=self.step)

    def reset(self) -> None:
        self._previous = None
        self._rest = None
        self._still_since = None
        self._last_t = -math.inf
        self._shape = ()

    def _grey(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        small = image[:: self.step, :: self.step]
        grey: npt.NDArray[np.float32] = small.astype(np.float32).mean(axis=2, dtype=np.float32)
        return grey

    def read(self, frame: VideoFrame) -> dict[str, float]:
        return self.read_image(frame.image, frame.t)

    def read_image(self, image: npt.NDArray[np.uint8], t: float) -> dict[str, float]:
        array = check_image(image)
        if not t > self._last_t:
            raise InputError("motion frame time", expected=f"after {self._last_t:.3f} s", got=t,
                             fix="feed frames in time order, or reset() for a new video")
        if self._shape and array.shape != self._shape:
            raise InputError("motion frame shape", expected=f"the same size as before {self._shape}",
                             got=array.shape, fix="reset() before a video of another size")
        self._shape = array.shape
        self._last_t = t
        grey = self._grey(array)
        if self._previous is None:
            self._previous = grey
            self._rest = grey
            self._still_since = t
            return {"motion": 0.0, "displacement": 0.0, "rest_changed": 1.0}
        motion = float(np.mean(np.abs(grey - self._previous) > self.threshold))
        self._previous = grey
        changed = 0.0
        if motion <= self.still_motion:
            if self._still_since is None:
                self._still_since = t
            elif t - self._still_since >= self.rest_s and self._rest is not grey:
                assert self._rest is not None
                # Still long enough: this is the new rest frame (only news if it differs).
                if float(np.mean(np.abs(grey - self._rest) > self.threshold)) > 4 * self.still_motion:
                    changed = 1.0
                self._rest = grey
        else:
            self._still_since = None
        assert self._rest is not None
        displacement = float(np.mean(np.abs(grey - self._rest) > self.threshold))
        return {"motion": motion, "displacement": displacement, "rest_changed": changed}


def motion_energy(frames: npt.NDArray[np.uint8], fps: float, *, step: int = 4,
                  threshold: float = 12.0) -> dict[str, npt.NDArray[np.float64]]:
    """The motion signals of a whole video (N x H x W x 3), exactly as the online source gives them."""
    source = MotionSource(step=step, threshold=threshold)
    out = {c: np.zeros(len(frames)) for c in MOTION_SIGNALS}
    for i, image in enumerate(frames):
        for k, v in source.read_image(image, i / fps).items():
            out[k][i] = v
    return out
