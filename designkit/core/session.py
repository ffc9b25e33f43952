"""A whole session's input streams, and the consent under which they were captured."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.frozen import FrozenMap
from designkit.core.microturns import DEFAULT_DT, Microturn, frame_session
from designkit.core.streams import SAMPLE_RATE, AudioChunk, Event, VideoFrame
from designkit.errors import InputError

# `transcript`: the words heard and the prompts the agent answered (talk-back); `text`: other text.
TRANSCRIPT = "transcript"
KEEPABLE = ("signals", "audio", "video", "text", TRANSCRIPT)


def kept_text(perceivers: Sequence[Any]) -> frozenset[str]:
    """What text about the person these perceivers log when the consent keeps it (`transcript`), so
    the consent asks for it. A perceiver, or the slow model inside a `Beside`, says so in `keeps`."""
    return frozenset(item for p in perceivers for item in getattr(getattr(p, "slow", p), "keeps", ()))


@dataclass(frozen=True, slots=True)
class Consent:
    """When the person allowed capture and what may be kept. Signals only unless they opted in."""

    given_at: float | None = None
    keep: frozenset[str] = frozenset({"signals"})
    revoked_at: float | None = None

    def __post_init__(self) -> None:
        keep = frozenset(self.keep)
        unknown = keep - set(KEEPABLE)
        if unknown:
            raise InputError("consent 'keep'", expected=f"some of {list(KEEPABLE)}", got=sorted(unknown))
        object.__setattr__(self, "keep", keep)

    @property
    def active(self) -> bool:
        return self.given_at is not None and self.revoked_at is None

    @property
    def label(self) -> str:
        """A short label for the log: 'none' before consent, else what is kept joined by '+'."""
        return _label(self.given_at is not None and self.revoked_at is None, self.keep)

    def to_dict(self) -> dict[str, Any]:
        return {"given_at": self.given_at, "keep": sorted(self.keep), "revoked_at": self.revoked_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Consent:
        return cls(given_at=data.get("given_at"), keep=frozenset(data.get("keep", ("signals",))),
                   revoked_at=data.get("revoked_at"))


NO_CONSENT_LABEL = "none"  # how a log's `consent` column reads while no consent is active


@lru_cache(maxsize=64)
def _label(active: bool, keep: frozenset[str]) -> str:
    return "+".join(k for k in KEEPABLE if k in keep) if active else NO_CONSENT_LABEL


# Replays of recordings and generated sessions run under this: nobody is being captured.
OFFLINE_CONSENT = Consent(given_at=0.0, keep=frozenset({"signals"}))


@dataclass(frozen=True, slots=True)
class Session:
    """Audio chunks, video frames and events of one session, ready to be framed and replayed."""

    audio: tuple[AudioChunk, ...]
    frames: tuple[VideoFrame, ...] = ()
    events: tuple[Event, ...] = ()
    dt: float = DEFAULT_DT
    name: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.audio:
            raise InputError("session audio", expected="at least one audio chunk", got="none")
        object.__setattr__(self, "audio", tuple(self.audio))
        object.__setattr__(self, "frames", tuple(self.frames))
        object.__setattr__(self, "events", tuple(sorted(self.events, key=lambda e: e.t)))
        object.__setattr__(self, "meta", FrozenMap(dict(self.meta)))

    @classmethod
    def from_array(
        cls,
        samples: npt.NDArray[Any],
        *,
        chunk_s: float = 10.0,
        frames: Sequence[VideoFrame] = (),
        events: Sequence[Event] = (),
        dt: float = DEFAULT_DT,
        name: str = "",
        meta: Mapping[str, Any] | None = None,
        clip: bool = False,
    ) -> Session:
        """Cut one contiguous 16 kHz mono signal into chunks of `chunk_s` seconds (`clip=True`:
        clip float samples outside [-1, 1] instead of refusing them)."""
        data = np.asarray(samples)
        step = max(1, round(chunk_s * SAMPLE_RATE))
        chunks = tuple(
            AudioChunk(t0=i / SAMPLE_RATE, samples=data[i : i + step], seq=n, clip=clip)
            for n, i in enumerate(range(0, data.shape[0], step))
        )
        return cls(audio=chunks, frames=tuple(frames), events=tuple(events), dt=dt, name=name,
                   meta=meta or {})

    @property
    def duration(self) -> float:
        return self.audio[-1].t1

    def samples(self) -> npt.NDArray[np.float32]:
        """The audio as one float32 array (gaps as zeros)."""
        out = np.zeros(round(self.duration * SAMPLE_RATE), dtype=np.float32)
        for chunk in self.audio:
            start = round(chunk.t0 * SAMPLE_RATE)
            out[start : start + chunk.samples.size] = chunk.samples
        return out

    def microturns(self, *, strict: bool = True) -> Iterator[Microturn]:
        return frame_session(self.audio, self.frames, self.events, dt=self.dt, strict=strict)
