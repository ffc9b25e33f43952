"""Fake media for the live agents in real Chromium: spoken WAVs for the microphone and a Y4M workout
video for the camera, each with the truth a test or benchmark checks the agent against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from designkit.audio.wav import write_wav

RATE = 16_000
CONVERSATION = ("Hello there. I wanted to tell you about my weekend.",
                "We went hiking in the mountains, and the weather was perfect.",
                "Then on Sunday I cooked dinner for my family.")


def conversation_wav(path: Path) -> tuple[Path, float]:
    """Three spoken sentences with pauses of 1.6 s after each (a turn end the agent may answer)."""
    from designkit.render.tts import synthesize

    pieces = [np.zeros(int(0.8 * RATE), np.float32)]
    for sentence in CONVERSATION:
        pieces += [synthesize(sentence).samples * 0.6, np.zeros(int(1.6 * RATE), np.float32)]
    audio = np.concatenate(pieces)
    return write_wav(path, audio, RATE), audio.size / RATE


def quiet_wav(path: Path, seconds: float = 60.0) -> Path:
    """Room noise at -70 dBFS: a microphone on which nobody speaks."""
    rng = np.random.default_rng(0)
    return write_wav(path, (rng.standard_normal(int(seconds * RATE)) * 10 ** (-70 / 20)).astype(np.float32), RATE)


@dataclass(frozen=True)
class Learner:
    wav: Path
    audio: np.ndarray
    switch_times: tuple[float, ...]
    duration: float


def learner_wav(path: Path, *, seed: int = 3, target: str = "es") -> Learner:
    """A learner practising `target` who switches language mid-utterance (scenarios.language)."""
    from designkit.scenarios.language import generate_learner

    session = generate_learner(seed=seed, utterances=5, switch_share=0.6, target=target)
    return Learner(write_wav(path, session.audio, RATE), session.audio, session.switch_times, session.duration)


@dataclass(frozen=True)
class Workout:
    y4m: Path
    reps: int
    duration: float
    rep_times: tuple[float, ...]


def workout_y4m(path: Path, *, seed: int, reps: int = 5, exercise: str = "squat", fps: int = 5) -> Workout:
    """A generated figure doing `reps` counted reps (no partial ones), as a Y4M file Chromium can play.

    Rendered at 10 fps and written at `fps` (5: the rate the live widget asks the camera for)."""
    from designkit.scenarios.exercise import render_workout

    video = render_workout(exercise, seed=seed, reps=reps, fps=10.0, partial_share=0.0,
                           pause_share=0.0, tempo_s=(1.4, 2.0))
    frames = video.frames[:: max(1, round(10 / fps))]
    height, width = frames.shape[1:3]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            out.write(b"FRAME\n")
            out.write(_yuv420(rgb))
    return Workout(path, video.rep_count, video.duration, video.rep_times)


def _yuv420(rgb: np.ndarray) -> bytes:
    """Full-range BT.601 (JPEG) Y, U, V planes, chroma averaged over 2x2 blocks."""
    x = rgb.astype(np.float32)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128

    def half(c: np.ndarray) -> np.ndarray:
        return c.reshape(c.shape[0] // 2, 2, c.shape[1] // 2, 2).mean(axis=(1, 3))

    planes = [y, half(u), half(v)]
    return b"".join(np.clip(np.round(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def align(recorded: np.ndarray, reference: np.ndarray, *, block_s: float = 0.02, max_s: float = 2.0) -> float:
    """How many seconds later the reference starts in the recording (envelope cross-correlation)."""
    size = int(block_s * RATE)

    def env(a: np.ndarray) -> np.ndarray:
        n = a.size // size
        return np.sqrt(np.mean(np.square(a[: n * size].reshape(n, size)), axis=1))

    rec, ref = env(recorded), env(reference)
    span = min(rec.size, ref.size) - int(max_s / block_s)
    best, lag_best = -np.inf, 0
    for lag in range(-int(max_s / block_s), int(max_s / block_s) + 1):
        a = rec[max(0, lag): max(0, lag) + span]
        b = ref[max(0, -lag): max(0, -lag) + span]
        n = min(a.size, b.size)
        score = float(np.corrcoef(a[:n], b[:n])[0, 1]) if n > 10 else -np.inf
        if score > best:
            best, lag_best = score, lag
    return lag_best * block_s
