"""Timestamped inputs: audio chunks, video frames and events, validated when they are made."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.frozen import FrozenMap
from designkit.errors import InputError

SAMPLE_RATE = 16_000
MAX_CHUNK_S = 10.0

FloatArray = npt.NDArray[np.float32]


def _check_time(what: str, t: object) -> float:
    if t is None:
        raise InputError(what, expected="a time in seconds", got="None", fix="give every item a time")
    if not isinstance(t, (int, float, np.integer, np.floating)) or isinstance(t, bool):
        raise InputError(what, expected="a time in seconds (a number)", got=type(t).__name__)
    value = float(t)
    if not math.isfinite(value) or value < 0:
        raise InputError(what, expected="a finite time >= 0 s", got=value)
    return value


def _as_mono_float32(samples: object) -> FloatArray:
    array = np.asarray(samples)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        channels = array.shape[1] if array.ndim == 2 else f"shape {array.shape}"
        raise InputError(
            "audio chunk channels", expected="mono (one channel)", got=f"{channels} channels",
            fix="downmix before sending, e.g. samples.mean(axis=1)",
        )
    if array.dtype == np.int16:
        return (array.astype(np.float32) / 32768.0).astype(np.float32, copy=False)
    if array.dtype != np.float32:
        raise InputError(
            "audio chunk dtype", expected="int16 or float32 PCM", got=str(array.dtype),
            fix="convert with samples.astype(np.float32) (values in [-1, 1])",
        )
    if not np.isfinite(array).all():
        raise InputError("audio chunk samples", expected="finite values", got="NaN or inf")
    return array


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A piece of mono 16 kHz audio starting at `t0` seconds on the session timeline.

    int16 or float32 come in; float32 in [-1, 1] is kept, so everything downstream sees one type.
    """

    t0: float
    samples: FloatArray
    sample_rate: int = SAMPLE_RATE
    seq: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "t0", _check_time("audio chunk start time", self.t0))
        if self.sample_rate != SAMPLE_RATE:
            raise InputError(
                "audio chunk sample rate", expected=f"{SAMPLE_RATE} Hz", got=f"{self.sample_rate} Hz",
                fix="resample to 16 kHz first (designkit.scenarios imports convert WAV files)",
            )
        samples = _as_mono_float32(self.samples)
        if samples.size == 0:
            raise InputError("audio chunk", expected="at least one sample", got="an empty chunk")
        if samples.size > MAX_CHUNK_S * SAMPLE_RATE:
            raise InputError(
                "audio chunk length", expected=f"at most {MAX_CHUNK_S:g} s",
                got=f"{samples.size / SAMPLE_RATE:.2f} s", fix="split long audio into chunks",
            )
        object.__setattr__(self, "samples", samples)

    @property
    def duration(self) -> float:
        return self.samples.size / self.sample_rate

    @property
    def t1(self) -> float:
        return self.t0 + self.duration

    @classmethod
    def from_pcm16(cls, data: bytes | memoryview, *, t0: float, seq: int | None = None) -> AudioChunk:
        """Build a chunk from little-endian int16 bytes, as the browser sends them."""
        raw = bytes(data)
        if len(raw) % 2:
            raise InputError("PCM16 buffer", expected="an even number of bytes", got=len(raw))
        return cls(t0=t0, samples=np.frombuffer(raw, dtype="<i2").astype(np.int16), seq=seq)


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One RGB camera frame (H x W x 3, uint8) captured at `t` seconds."""

    t: float
    image: npt.NDArray[np.uint8]
    seq: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "t", _check_time("video frame time", self.t))
        image = np.asarray(self.image)
        if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] == 0 or image.shape[1] == 0:
            raise InputError("video frame shape", expected="H x W x 3 (RGB)", got=image.shape)
        if image.dtype != np.uint8:
            raise InputError(
                "video frame dtype", expected="uint8", got=str(image.dtype),
                fix="scale to 0..255 and use image.astype(np.uint8)",
            )
        object.__setattr__(self, "image", image)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened at `t`: an operator button, an annotation, a UI change, a cue."""

    t: float
    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.kind, Enum):  # an EventKind member: keep its text, as logs store it
            object.__setattr__(self, "kind", str(self.kind.value))
        object.__setattr__(self, "t", _check_time(f"event '{self.kind}' time", self.t))
        if not isinstance(self.kind, str) or not self.kind:
            raise InputError("event kind", expected="a non-empty string", got=repr(self.kind))
        object.__setattr__(self, "data", FrozenMap(dict(self.data)))

    def to_dict(self) -> dict[str, Any]:
        return {"t": self.t, "kind": self.kind, "data": dict(self.data)}
