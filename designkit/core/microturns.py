"""Cut timestamped streams into aligned microturns `[k*dt, (k+1)*dt)`.

Audio drives the timeline: a microturn is complete when its last sample has arrived. Chunks
that straddle a boundary are split at the exact sample. Missing audio is filled with zeros and
marked as a gap; a late, duplicate or out-of-order chunk is never reordered: in strict mode
(replay) it is an `InputError`, in lenient mode (live) it is dropped and logged as a gap.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from designkit.core.streams import SAMPLE_RATE, AudioChunk, Event, FloatArray, VideoFrame
from designkit.errors import InputError

DEFAULT_DT = 0.2
_Item = TypeVar("_Item", VideoFrame, Event)


class GapKind(str, Enum):
    """Why part of the timeline is missing or was dropped."""

    MISSING_AUDIO = "missing_audio"
    LATE = "late"
    OUT_OF_ORDER = "out_of_order"
    DUPLICATE = "duplicate"
    CLOCK_DRIFT = "clock_drift"


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of the timeline that lost input, with the reason."""

    kind: GapKind
    start: float
    end: float
    detail: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "start": self.start, "end": self.end, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Microturn:
    """The k-th window of the shared timeline with everything that arrived for it."""

    index: int
    dt: float
    audio: FloatArray
    coverage: float
    frames: tuple[VideoFrame, ...] = ()
    events: tuple[Event, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def start(self) -> float:
        return self.index * self.dt

    @property
    def end(self) -> float:
        return (self.index + 1) * self.dt


def samples_per_microturn(dt: float, sample_rate: int = SAMPLE_RATE) -> int:
    """The whole number of samples in one microturn; dt must make it whole."""
    if not isinstance(dt, (int, float)) or not math.isfinite(dt) or dt <= 0:
        raise InputError("microturn length dt", expected="a number of seconds > 0", got=dt)
    exact = dt * sample_rate
    whole = round(exact)
    if whole < 1 or abs(exact - whole) > 1e-6:
        raise InputError(
            "microturn length dt", expected=f"a whole number of samples at {sample_rate} Hz",
            got=f"{dt} s = {exact:g} samples", fix="use e.g. 0.2 s (3200 samples) or 0.1 s",
        )
    return int(whole)


class MicroturnFramer:
    """Feed audio chunks, frames and events in arrival order; get finished microturns back."""

    def __init__(
        self, dt: float = DEFAULT_DT, *, strict: bool = True, max_skew_s: float = 1.0
    ) -> None:
        self.dt = float(dt)
        self.spt = samples_per_microturn(self.dt)
        self.strict = strict
        self.max_skew_s = max_skew_s
        self._k = 0
        self._buffer = np.zeros(self.spt, dtype=np.float32)
        self._fill = 0
        self._real = 0
        self._gaps: list[Gap] = []
        self._frames: deque[VideoFrame] = deque()
        self._events: deque[Event] = deque()
        self._last_seq: int | None = None
        self._last_start = -1
        self._last_frame_t = -math.inf
        self._last_event_t = -math.inf
        self._closed = False

    @property
    def next_sample(self) -> int:
        """The sample index the next audio chunk is expected to start at."""
        return self._k * self.spt + self._fill

    @property
    def audio_end(self) -> float:
        return self.next_sample / SAMPLE_RATE

    def _reject(self, kind: GapKind, start: float, end: float, detail: str) -> None:
        if self.strict:
            raise InputError(
                f"{kind.value.replace('_', ' ')} input", expected="items in time order, once each",
                got=detail, fix="fix the source, or frame it with strict=False to log it as a gap",
            )
        self._gaps.append(Gap(kind, start, end, detail))

    def push_audio(self, chunk: AudioChunk) -> list[Microturn]:
        """Add a chunk; return the microturns it completed (possibly none)."""
        self._check_open()
        start = round(chunk.t0 * SAMPLE_RATE)
        expected = self.next_sample
        if chunk.seq is not None and self._last_seq is not None and chunk.seq <= self._last_seq:
            kind = GapKind.DUPLICATE if chunk.seq == self._last_seq else GapKind.OUT_OF_ORDER
            self._reject(kind, chunk.t0, chunk.t1, f"chunk seq {chunk.seq} after seq {self._last_seq}")
            return []
        if start < expected:
            kind = GapKind.DUPLICATE if start == self._last_start else GapKind.OUT_OF_ORDER
            self._reject(
                kind, chunk.t0, chunk.t1,
                f"chunk at {chunk.t0:.4f} s overlaps audio already received up to {expected / SAMPLE_RATE:.4f} s",
            )
            return []
        if chunk.seq is not None:
            self._last_seq = chunk.seq
        self._last_start = start
        done: list[Microturn] = []
        if start > expected:
            self._gaps.append(
                Gap(GapKind.MISSING_AUDIO, expected / SAMPLE_RATE, start / SAMPLE_RATE,
                    f"{start - expected} samples missing")
            )
            self._write(None, start - expected, done)
        self._write(chunk.samples, chunk.samples.size, done)
        return done

    def _write(self, samples: FloatArray | None, count: int, done: list[Microturn]) -> None:
        offset = 0
        while offset < count:
            take = min(self.spt - self._fill, count - offset)
            if samples is not None:
                self._buffer[self._fill : self._fill + take] = samples[offset : offset + take]
                self._real += take
            else:
                self._buffer[self._fill : self._fill + take] = 0.0
            self._fill += take
            offset += take
            if self._fill == self.spt:
                done.append(self._emit())

    def _emit(self, *, final: bool = False) -> Microturn:
        k = self._k
        self._buffer[self._fill :] = 0.0  # only a final, partial microturn has a tail to pad
        frames = self._take(self._frames, k, final)
        events = self._take(self._events, k, final)
        gaps = tuple(self._gaps)
        turn = Microturn(
            index=k, dt=self.dt, audio=self._buffer, coverage=self._real / self.spt,
            frames=frames, events=events, gaps=gaps,
        )
        self._k += 1
        self._buffer = np.empty(self.spt, dtype=np.float32)
        self._fill = 0
        self._real = 0
        # A missing-audio gap that runs on past this window stays attached to the next one.
        boundary = self._k * self.dt
        self._gaps = [g for g in gaps if g.kind is GapKind.MISSING_AUDIO and g.end > boundary + 1e-9]
        return turn

    def index_of(self, t: float) -> int:
        """The microturn a timestamp falls in; a time on a boundary belongs to the later one
        (so 1.4 s is microturn 7 at dt = 0.2 s even though 7 * 0.2 > 1.4 in floats)."""
        return math.floor(t / self.dt + 1e-9)

    def _take(self, queue: deque[_Item], k: int, final: bool) -> tuple[_Item, ...]:
        taken: list[_Item] = []
        while queue and (final or self.index_of(queue[0].t) <= k):
            taken.append(queue.popleft())
        return tuple(taken)

    def push_frame(self, frame: VideoFrame) -> None:
        """Add a camera frame; it joins the microturn its timestamp falls in."""
        if self._admit(frame.t, self._last_frame_t, f"frame at {frame.t:.3f} s",
                       earlier="a frame", closed=f"its microturn {int(frame.t / self.dt)}"):
            self._last_frame_t = frame.t
            self._frames.append(frame)

    def push_event(self, event: Event) -> None:
        """Add an event; it joins the microturn its timestamp falls in."""
        if self._admit(event.t, self._last_event_t, f"event '{event.kind}' at {event.t:.3f} s",
                       earlier="one", closed="its microturn"):
            self._last_event_t = event.t
            self._events.append(event)

    def _admit(self, t: float, last_t: float, what: str, *, earlier: str, closed: str) -> bool:
        """Whether an item at `t` (`what`, for the message) may join the timeline after one at
        `last_t`: one out of order or whose microturn has closed is rejected (`_reject`)."""
        self._check_open()
        if t < last_t:
            self._reject(GapKind.OUT_OF_ORDER, t, t, f"{what} after {earlier} at {last_t:.3f} s")
            return False
        if self.index_of(t) < self._k:
            self._reject(GapKind.LATE, t, t, f"{what} arrived after {closed} closed")
            return False
        return True

    def flush(self) -> list[Microturn]:
        """Close the stream: emit the last partial microturn (zero-padded) and check the tail."""
        self._check_open()
        self._closed = True
        end = self.audio_end
        times = [f.t for f in self._frames] + [e.t for e in self._events]
        tail = [t for t in times if t > end + self.max_skew_s]
        if tail:
            detail = f"video/events run {max(tail) - end:.2f} s past the end of the audio"
            if self.strict:
                raise InputError(
                    "clock drift between audio and video", expected=f"within {self.max_skew_s:g} s",
                    got=detail, fix="check the timestamps of both streams",
                )
            self._gaps.append(Gap(GapKind.CLOCK_DRIFT, end, max(tail), detail))
        if self._fill == 0 and not (self._frames or self._events or self._gaps):
            return []
        return [self._emit(final=True)]

    def _check_open(self) -> None:
        if self._closed:
            raise InputError("microturn framer", expected="an open stream", got="a flushed one")


def frame_session(
    audio: Iterable[AudioChunk],
    frames: Iterable[VideoFrame] = (),
    events: Iterable[Event] = (),
    *,
    dt: float = DEFAULT_DT,
    strict: bool = True,
) -> Iterator[Microturn]:
    """Frame whole streams, interleaving frames and events with audio by time, as live would."""
    framer = MicroturnFramer(dt, strict=strict)
    pending_frames = deque(frames)
    pending_events = deque(events)
    for chunk in audio:
        while pending_frames and pending_frames[0].t < chunk.t1:
            framer.push_frame(pending_frames.popleft())
        while pending_events and pending_events[0].t < chunk.t1:
            framer.push_event(pending_events.popleft())
        yield from framer.push_audio(chunk)
    for frame in pending_frames:
        framer.push_frame(frame)
    for event in pending_events:
        framer.push_event(event)
    yield from framer.flush()


def speech_mask(intervals: Sequence[tuple[float, float]], n: int, dt: float) -> npt.NDArray[np.bool_]:
    """Microturns whose window is at least half covered by the intervals."""
    covered = np.zeros(n, dtype=np.float64)
    for start, end in intervals:
        if end < start:
            raise InputError("interval", expected="end >= start", got=(start, end))
        k0 = max(0, math.floor(start / dt))
        k1 = min(n, math.ceil(end / dt))
        for k in range(k0, k1):
            covered[k] += max(0.0, min(end, (k + 1) * dt) - max(start, k * dt))
    return covered >= dt / 2 - 1e-9
