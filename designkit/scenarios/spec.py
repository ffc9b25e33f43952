"""A scenario: a session with its ground truth, as a spec (how it was made) and as a folder.

On disk, one folder per scenario:
    audio.wav       16 kHz mono, 16-bit (what the microphone heard)
    truth.json      the ground truth (designkit.scenarios.truth, versioned)
    scenario.json   the spec that made it (generator kind, seed, parameters) and its name
    frames.npz      optional video: `images` (N x H x W x 3 uint8) and `times` (s)
    agent.wav       optional: the agent's own channel, for imported two-party recordings
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.audio.wav import read_wav, write_wav
from designkit.core.frozen import FrozenMap
from designkit.core.session import Session
from designkit.core.streams import SAMPLE_RATE, VideoFrame
from designkit.errors import InputError
from designkit.scenarios.truth import Truth, load_truth

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """How to make a scenario: a generator kind, a seed and its parameters. Immutable, round-trips."""

    kind: str
    seed: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise InputError("scenario kind", expected="a generator name", got=repr(self.kind))
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise InputError("scenario seed", expected="an integer", got=repr(self.seed))
        object.__setattr__(self, "params", FrozenMap(json.loads(json.dumps(dict(self.params)))))

    def replace(self, **changes: Any) -> ScenarioSpec:
        valid = {f.name for f in fields(self)}
        unknown = set(changes) - valid
        if unknown:
            raise InputError("scenario spec field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        data = {"kind": self.kind, "seed": self.seed, "params": dict(self.params), **changes}
        return ScenarioSpec(**data)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "seed": self.seed, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenarioSpec:
        valid = {f.name for f in fields(cls)}
        unknown = set(data) - valid
        if unknown:
            raise InputError("scenario spec field", expected=f"one of {sorted(valid)}", got=sorted(unknown))
        return cls(kind=data["kind"], seed=int(data.get("seed", 0)), params=dict(data.get("params", {})))

    def digest(self, generator_version: str = "") -> str:
        """A content hash: same spec and generator version, same scenario, same cache entry."""
        text = json.dumps({**self.to_dict(), "generator": generator_version}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Scenario:
    """A session's audio (and optional video), its truth and the spec that made it."""

    spec: ScenarioSpec
    audio: npt.NDArray[np.float32]
    truth: Truth
    name: str = ""
    frames: npt.NDArray[np.uint8] | None = None
    frame_times: npt.NDArray[np.float64] | None = None
    agent_audio: npt.NDArray[np.float32] | None = None

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio, dtype=np.float32)
        if audio.ndim != 1 or audio.size == 0:
            raise InputError("scenario audio", expected="mono 16 kHz samples", got=audio.shape)
        object.__setattr__(self, "audio", audio)
        duration = audio.size / SAMPLE_RATE
        if abs(duration - self.truth.duration) > 0.05:
            raise InputError("scenario truth duration", expected=f"{duration:.3f} s (the audio)",
                             got=f"{self.truth.duration:.3f} s", fix="truth.duration must match audio.wav")
        if (self.frames is None) != (self.frame_times is None):
            raise InputError("scenario video", expected="frames and frame_times together", got="only one")
        if self.frames is not None and self.frame_times is not None:
            if self.frames.ndim != 4 or self.frames.shape[-1] != 3 or self.frames.dtype != np.uint8:
                raise InputError("scenario frames", expected="N x H x W x 3 uint8", got=f"{self.frames.shape} {self.frames.dtype}")
            if len(self.frames) != len(self.frame_times):
                raise InputError("scenario frame_times", expected=f"{len(self.frames)} times", got=len(self.frame_times))

    @property
    def duration(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def session(self, *, chunk_s: float = 10.0, dt: float = 0.2) -> Session:
        """The engine's view: audio chunks and camera frames (no truth: the engine must not peek)."""
        frames: tuple[VideoFrame, ...] = ()
        if self.frames is not None and self.frame_times is not None:
            frames = tuple(VideoFrame(t=float(t), image=img) for t, img in zip(self.frame_times, self.frames, strict=True))
        return Session.from_array(self.audio, chunk_s=chunk_s, frames=frames, dt=dt, name=self.name,
                                  meta={"scenario": self.spec.to_dict()})


def save_scenario(scenario: Scenario, folder: str | os.PathLike[str], *, float32: bool = False) -> Path:
    """Write the scenario folder (see the module docstring); returns its path.

    `float32=True` writes audio.wav as 32-bit float WAV: twice the size of 16-bit, but loaded
    back bit for bit and memory-mapped (the scenario cache uses it)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_wav(folder / "audio.wav", scenario.audio, float32=float32)
    (folder / "truth.json").write_text(json.dumps(scenario.truth.to_dict(), indent=1), encoding="utf-8")
    meta = {"format": FORMAT_VERSION, "name": scenario.name, "spec": scenario.spec.to_dict()}
    if scenario.frames is not None:
        np.savez_compressed(folder / "frames.npz", images=scenario.frames, times=np.asarray(scenario.frame_times))
    if scenario.agent_audio is not None:
        write_wav(folder / "agent.wav", scenario.agent_audio)
    # scenario.json last: its presence marks a complete folder (a killed write is regenerated).
    (folder / "scenario.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return folder


def load_scenario(folder: str | os.PathLike[str]) -> Scenario:
    """Read a scenario folder written by `save_scenario` (or by hand, in the same layout)."""
    folder = Path(folder)
    meta_path = folder / "scenario.json"
    if not meta_path.exists():
        raise InputError(str(folder), expected="a scenario folder with scenario.json", got="none",
                         fix="write it with save_scenario or import a recording with designkit.scenarios.recorded")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(str(meta_path), expected="JSON", got=str(exc)) from exc
    audio = read_wav(folder / "audio.wav")
    truth = load_truth(folder / "truth.json")
    frames = times = None
    if (folder / "frames.npz").exists():
        with np.load(folder / "frames.npz") as data:
            frames, times = data["images"], data["times"]
    agent = read_wav(folder / "agent.wav") if (folder / "agent.wav").exists() else None
    return Scenario(spec=ScenarioSpec.from_dict(meta["spec"]), audio=audio, truth=truth,
                    name=str(meta.get("name", folder.name)), frames=frames, frame_times=times, agent_audio=agent)
