"""Workout videos with known rep times: a rendered person doing squats, jumping jacks or curls.

Each video: the person walks in, stands, does full reps at a drifting tempo with pauses and a
few partial reps (which do not count), stands again and walks out. Truth: the time each full
rep ends (back at the start position), the partial reps, when the person enters and leaves,
and every joint's pixel position per frame (to check a pose estimator against). A cue video
(`render_cues`) has a raised hand and a long hold-still instead of reps.
Deterministic from the seed; 15 fps, 320 x 240 by default (>= 10 fps, <= 320 x 240 allowed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.scenarios.figure import Canvas, Look, background, draw_person, skeleton

MAX_WIDTH, MAX_HEIGHT, MIN_FPS = 320, 240, 10.0
WALK_S = 1.6
OFFSCREEN_M = 2.4


class Exercise(str, Enum):
    """The movements the generator renders."""

    SQUAT = "squat"
    JUMPING_JACK = "jumping_jack"
    CURL = "curl"


@dataclass(frozen=True, slots=True)
class Movement:
    """One cycle out of the rest position and back: `depth` 1 is a full rep, < 0.6 a partial one."""

    start: float
    period: float
    depth: float

    @property
    def end(self) -> float:
        return self.start + self.period

    @property
    def counted(self) -> bool:
        return self.depth >= 0.8


@dataclass(frozen=True, slots=True)
class Video:
    """Rendered frames (N x H x W x 3 uint8) with their truth."""

    frames: npt.NDArray[np.uint8]
    fps: float
    exercise: Exercise | None
    rep_times: tuple[float, ...]
    partial_times: tuple[float, ...]
    cues: tuple[tuple[str, float], ...]
    joints_px: npt.NDArray[np.float32]
    joint_names: tuple[str, ...]
    seed: int

    @property
    def times(self) -> npt.NDArray[np.float64]:
        return np.arange(len(self.frames), dtype=np.float64) / self.fps

    @property
    def duration(self) -> float:
        return len(self.frames) / self.fps

    @property
    def rep_count(self) -> int:
        return len(self.rep_times)

    def truth(self) -> dict[str, Any]:
        """The truth as plain data: rep completion times, partial reps and cue times with kind."""
        return {"exercise": self.exercise.value if self.exercise else None, "fps": self.fps,
                "rep_times": list(self.rep_times), "rep_count": self.rep_count,
                "partial_rep_times": list(self.partial_times),
                "cues": [{"t": t, "kind": kind} for kind, t in self.cues]}


def _check_size(fps: float, width: int, height: int) -> None:
    if not fps >= MIN_FPS:
        raise InputError("exercise video fps", expected=f">= {MIN_FPS:g}", got=fps)
    if not (0 < width <= MAX_WIDTH and 0 < height <= MAX_HEIGHT):
        raise InputError("exercise video size", expected=f"at most {MAX_WIDTH} x {MAX_HEIGHT}",
                         got=f"{width} x {height}")


def plan_reps(rng: np.random.Generator, *, start: float, reps: int, tempo_s: tuple[float, float],
              partial_share: float = 0.15, pause_share: float = 0.25) -> list[Movement]:
    """Full reps at a drifting tempo, with pauses and partial reps slipped in (never first)."""
    moves: list[Movement] = []
    t = start
    period = float(rng.uniform(*tempo_s))
    done = 0
    while done < reps:
        period = float(np.clip(period * rng.uniform(0.8, 1.25), *tempo_s))
        partial = done >= 2 and rng.random() < partial_share
        depth = float(rng.uniform(0.3, 0.5)) if partial else float(rng.uniform(0.9, 1.0))
        moves.append(Movement(t, period if not partial else period * 0.7, depth))
        t = moves[-1].end + float(rng.uniform(0.0, 0.25))
        if not partial:
            done += 1
        if rng.random() < pause_share:
            t += float(rng.uniform(0.8, 3.0))
    return moves


def _phase(moves: list[Movement], t: float) -> float:
    for move in moves:
        if move.start <= t < move.end:
            u = (t - move.start) / move.period
            return move.depth * 0.5 * (1.0 - math.cos(2.0 * math.pi * u))
    return 0.0


PoseFn = Callable[[float], dict[str, Any]]

_POSES: dict[Exercise, Callable[[float], dict[str, Any]]] = {
    Exercise.SQUAT: lambda p: {"knee_flex": 115 * p, "shin_tilt": 32 * p, "trunk_lean": 42 * p,
                               "shoulder_flex": (88 * p, 88 * p), "elbow_flex": (10.0, 10.0)},
    Exercise.JUMPING_JACK: lambda p: {"shoulder_abd": (10 + 150 * p, 10 + 150 * p), "leg_abd": 3 + 14 * p,
                                      "elbow_flex": (15.0, 15.0)},
    Exercise.CURL: lambda p: {"elbow_flex": (10 + 135 * p, 10 + 135 * p), "shoulder_flex": (6 * p, 6 * p)},
}
_YAW = {Exercise.SQUAT: 40.0, Exercise.JUMPING_JACK: 10.0, Exercise.CURL: 45.0}
_SCALE = {Exercise.SQUAT: 108.0, Exercise.JUMPING_JACK: 96.0, Exercise.CURL: 108.0}


def _walk(t: float, t_in: float, t_out: float, *, side: int) -> dict[str, Any] | None:
    """The walking pose while coming in before `t_in` and going out after `t_out`, else None."""
    if t < t_in:
        x = -side * OFFSCREEN_M * (t_in - t) / WALK_S
    elif t > t_out:
        x = side * OFFSCREEN_M * (t - t_out) / WALK_S
    else:
        return None
    swing = 24.0 * math.sin(2 * math.pi * 1.6 * t)
    return {"x": x, "leg_swing": (swing, -swing), "shoulder_flex": (-swing * 0.8, swing * 0.8)}


def _render(seed: int, duration: float, fps: float, width: int, height: int, yaw: float, scale: float,
            pose_at: PoseFn, *, dumbbells: bool, noise: float) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32], tuple[str, ...]]:
    rng = np.random.default_rng(seed)
    look = Look.random(rng, yaw_deg=yaw, scale=scale * min(width / MAX_WIDTH, height / MAX_HEIGHT),
                       width=width, height=height)
    bg = background(look, rng)
    n = round(duration * fps)
    frames = np.empty((n, height, width, 3), dtype=np.uint8)
    names: tuple[str, ...] = ()
    joints_px = np.empty((0, 0, 2), dtype=np.float32)
    ground = height * 0.93
    for i in range(n):
        canvas = Canvas(bg)
        joints = skeleton(**pose_at(i / fps))
        px = draw_person(canvas, joints, look, ground_px=ground, centre_px=width / 2, dumbbells=dumbbells)
        if i == 0:
            names = tuple(px)
            joints_px = np.empty((n, len(names), 2), dtype=np.float32)
        joints_px[i] = [px[k] for k in names]
        image = canvas.image
        if noise > 0:
            image = image + rng.normal(0.0, noise, size=(*image.shape[:2], 1)).astype(np.float32)
        frames[i] = np.clip(image, 0, 255).astype(np.uint8)
    return frames, joints_px, names


def render_workout(exercise: Exercise | str, *, seed: int, reps: int = 8, fps: float = 15.0,
                   width: int = 320, height: int = 240, tempo_s: tuple[float, float] = (1.2, 2.6),
                   partial_share: float = 0.15, pause_share: float = 0.25, noise: float = 2.0) -> Video:
    """A workout video of `reps` counted reps (plus partial ones) with rep completion times as truth."""
    try:
        kind = Exercise(exercise)
    except ValueError:
        raise InputError("exercise", expected=f"one of {[e.value for e in Exercise]}", got=repr(exercise)) from None
    _check_size(fps, width, height)
    if not isinstance(reps, int) or reps < 1:
        raise InputError("reps", expected="a whole number >= 1", got=reps)
    rng = np.random.default_rng(seed)
    side = 1 if rng.random() < 0.5 else -1
    yaw = side * (_YAW[kind] + float(rng.uniform(-8, 8)))
    t_in = WALK_S
    moves = plan_reps(rng, start=t_in + float(rng.uniform(1.0, 2.0)), reps=reps, tempo_s=tempo_s,
                      partial_share=partial_share, pause_share=pause_share)
    t_out = moves[-1].end + float(rng.uniform(1.0, 2.0))
    duration = t_out + WALK_S + 0.6
    to_pose = _POSES[kind]
    walk_side = -side

    def pose_at(t: float) -> dict[str, Any]:
        walking = _walk(t, t_in, t_out, side=walk_side)
        if walking is not None:
            return walking
        return to_pose(_phase(moves, t))

    frames, joints_px, names = _render(seed, duration, fps, width, height, yaw,
                                       _SCALE[kind] * float(rng.uniform(0.92, 1.05)), pose_at,
                                       dumbbells=kind is Exercise.CURL, noise=noise)
    cues = (("enter", _visible_from(t_in, side=walk_side)), ("leave", _gone_at(t_out, side=walk_side)))
    return Video(frames=frames, fps=fps, exercise=kind,
                 rep_times=tuple(round(m.end, 4) for m in moves if m.counted),
                 partial_times=tuple(round(m.end, 4) for m in moves if not m.counted),
                 cues=tuple((k, round(t, 4)) for k, t in cues), joints_px=joints_px, joint_names=names,
                 seed=seed)


def _visible_from(t_in: float, *, side: int) -> float:
    """When the walking-in body's centre crosses the frame edge (about half the walk)."""
    return t_in - WALK_S * (1.45 / OFFSCREEN_M)


def _gone_at(t_out: float, *, side: int) -> float:
    return t_out + WALK_S * (1.45 / OFFSCREEN_M)


def render_cues(*, seed: int, fps: float = 15.0, width: int = 320, height: int = 240, hold_s: float = 3.0,
                noise: float = 2.0) -> Video:
    """A person walks in, moves about, raises a hand, then holds still for `hold_s` + 1 s and leaves.

    Cue truth: `enter`, `raise_hand` (the hand passes above the head), `hold_still` (the moment
    the person has been still for `hold_s`), `leave`.
    """
    _check_size(fps, width, height)
    rng = np.random.default_rng(seed)
    side = 1 if rng.random() < 0.5 else -1
    yaw = side * float(rng.uniform(0, 25))
    t_in = WALK_S
    fidget_end = t_in + float(rng.uniform(2.0, 3.5))
    raise_start = fidget_end + float(rng.uniform(0.5, 1.5))
    raise_up = raise_start + 0.6
    raise_end = raise_up + float(rng.uniform(1.0, 2.0))
    still_from = raise_end + 0.6
    t_out = still_from + hold_s + float(rng.uniform(1.0, 2.0))
    duration = t_out + WALK_S + 0.6
    hand = int(rng.integers(2))
    walk_side = -side

    def pose_at(t: float) -> dict[str, Any]:
        walking = _walk(t, t_in, t_out, side=walk_side)
        if walking is not None:
            return walking
        if t < fidget_end:  # swings the arms and bends the knees a little: not still
            a = 30 * math.sin(2 * math.pi * 0.9 * t)
            return {"shoulder_flex": (a, -a), "knee_flex": 12 + 10 * math.sin(2 * math.pi * 0.7 * t),
                    "trunk_lean": 5 * math.sin(2 * math.pi * 0.5 * t)}
        if raise_start <= t < raise_end + 0.6:
            up = min(1.0, (t - raise_start) / 0.6) if t < raise_end else max(0.0, 1 - (t - raise_end) / 0.6)
            abd = [8.0, 8.0]
            abd[hand] = 8 + 162 * up
            return {"shoulder_abd": (abd[0], abd[1]), "elbow_flex": (10.0, 10.0)}
        return {}

    frames, joints_px, names = _render(seed, duration, fps, width, height, yaw, 104.0, pose_at,
                                       dumbbells=False, noise=noise)
    cues = [("enter", _visible_from(t_in, side=walk_side)),
            ("raise_hand", raise_start + 0.6 * 0.55),
            ("hold_still", still_from + hold_s),
            ("leave", _gone_at(t_out, side=walk_side))]
    return Video(frames=frames, fps=fps, exercise=None, rep_times=(), partial_times=(),
                 cues=tuple((k, round(t, 4)) for k, t in cues), joints_px=joints_px, joint_names=names,
                 seed=seed)


def _scenario(video: Video, spec: Any, *, context: tuple[str, ...]) -> Any:
    from designkit.scenarios.spec import Scenario
    from designkit.scenarios.truth import Cue, Truth

    rng = np.random.default_rng(video.seed)
    samples = round(video.duration * SAMPLE_RATE)
    audio = rng.normal(0.0, 10 ** (-70 / 20), size=samples).astype(np.float32)
    cues = [Cue(t, kind) for kind, t in video.cues]
    cues += [Cue(t, "partial_rep") for t in video.partial_times]
    truth = Truth(duration=samples / SAMPLE_RATE, cues=tuple(sorted(cues, key=lambda c: c.t)), reps=video.rep_times,
                  context=context)
    return Scenario(spec=spec, audio=audio, truth=truth, name=f"{spec.kind}-{spec.seed}", frames=video.frames,
                    frame_times=video.times)


def generate_exercise(spec: Any) -> Any:
    """Scenario generator `exercise`: params exercise ("any" draws one from the seed), reps, fps,
    width, height, tempo_s, partial_share, pause_share. Audio is near-silent room tone."""
    params = dict(spec.params)
    exercise = params.pop("exercise", "any")
    if exercise == "any":
        exercise = list(Exercise)[spec.seed % len(Exercise)].value
    if "tempo_s" in params:
        params["tempo_s"] = tuple(params["tempo_s"])
    video = render_workout(exercise, seed=spec.seed, **params)
    return _scenario(video, spec, context=("exercise", str(exercise)))


def generate_visual_cues(spec: Any) -> Any:
    """Scenario generator `visual_cues`: enter, raise a hand, hold still (`hold_s`), leave."""
    video = render_cues(seed=spec.seed, **dict(spec.params))
    return _scenario(video, spec, context=("visual_cues",))


def _register() -> None:
    from designkit.scenarios.store import register_generator, register_set

    register_generator("exercise", "designkit.scenarios.exercise:generate_exercise", version="1",
                       description="a rendered person doing squats, jumping jacks or curls; rep times as truth")
    register_generator("visual_cues", "designkit.scenarios.exercise:generate_visual_cues", version="1",
                       description="a rendered person enters, raises a hand, holds still and leaves")
    register_set("exercise-basic", "exercise", {"exercise": "any", "reps": 8}, default_n=12,
                 description="8 counted reps (+ partial reps, pauses, drifting tempo), 15 fps 320x240")
    register_set("exercise-fast", "exercise", {"exercise": "any", "reps": 10, "tempo_s": [0.9, 1.6]},
                 default_n=12, description="10 quick reps with pauses and partial reps")
    register_set("visual-cues-basic", "visual_cues", {"hold_s": 3.0}, default_n=8,
                 description="enter, raise a hand, hold still 3 s, leave")


_register()
