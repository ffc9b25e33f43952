"""Silero VAD as a perceiver: speech probability per microturn, onsets and offsets with hangover.

The weights come from the `silero-vad` wheel (MIT) through the resolver. Audio is cut into
512-sample frames (32 ms at 16 kHz) on the session timeline, independent of microturn edges;
a microturn's `vad` is the highest probability among the frames that ended inside it. The
sequence export of the model carries the LSTM state between calls and gives the same per-frame
probabilities for any block size, so `replay` runs whole sessions in large blocks and still
equals stepping.

Onset: the first frame at or above `threshold`. Offset: declared once the probability has stayed
below `threshold - 0.15` for `hangover_s`; its time is the start of that quiet stretch.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit import weights
from designkit.core.microturns import Microturn
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError
from designkit.perception.audio.onnx import onnx_session

logger = logging.getLogger(__name__)

FRAME = 512
CONTEXT = 64
FRAME_S = FRAME / SAMPLE_RATE
_BLOCK_FRAMES = 512
_HYSTERESIS = 0.15


@dataclass(frozen=True, slots=True)
class VadEvent:
    """A speech onset or offset: `t` is when it happened, `declared_t` when the VAD was sure."""

    kind: str
    t: float
    declared_t: float


@dataclass(slots=True)
class _Hysteresis:
    """Frame-by-frame speech state with hangover; shared by step and replay."""

    threshold: float
    hangover_frames: int
    speaking: bool = False
    quiet: int = 0

    def feed(self, prob: float, frame_index: int) -> VadEvent | None:
        if not self.speaking:
            if prob >= self.threshold:
                self.speaking = True
                self.quiet = 0
                t = frame_index * FRAME_S
                return VadEvent("onset", t, t + FRAME_S)
            return None
        if prob >= self.threshold - _HYSTERESIS:
            self.quiet = 0
            return None
        self.quiet += 1
        if self.quiet >= self.hangover_frames:
            self.speaking = False
            self.quiet = 0
            first_quiet = frame_index - self.hangover_frames + 1
            return VadEvent("offset", first_quiet * FRAME_S, (frame_index + 1) * FRAME_S)
        return None


@dataclass(slots=True)
class SileroVAD:
    """`vad` (speech probability), `vad_speech` (1 inside a hangover-smoothed segment),
    `vad_onset` / `vad_offset` (1 in the microturn where one was declared).

    `events` lists every onset and offset of the session so far, with exact times.
    """

    threshold: float = 0.5
    hangover_s: float = 0.2
    weights_path: str | None = None
    name: str = "silero_vad"
    columns: tuple[str, ...] = ("vad", "vad_speech", "vad_onset", "vad_offset")
    events: list[VadEvent] = field(default_factory=list)
    _h: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    _c: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    _pending: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    _context: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(CONTEXT, np.float32))
    _frames_done: int = 0
    _last_prob: float = 0.0
    _state: _Hysteresis | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise InputError("VAD threshold", expected="a probability in (0, 1)", got=self.threshold)
        if not math.isfinite(self.hangover_s) or self.hangover_s < 0:
            raise InputError("VAD hangover_s", expected="seconds >= 0", got=self.hangover_s)
        self.reset()

    @property
    def hangover_frames(self) -> int:
        return max(1, round(self.hangover_s / FRAME_S))

    def _model(self) -> Any:
        return onnx_session(str(weights.resolve("silero_vad", path=self.weights_path)))

    def reset(self) -> None:
        self.events = []
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._frames_done = 0
        self._last_prob = 0.0
        self._state = _Hysteresis(self.threshold, self.hangover_frames)

    def _probabilities(self, frames: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Per-frame probabilities of (n, 512) frames, carrying context and LSTM state."""
        if len(frames) == 0:
            return np.zeros(0, np.float32)
        model = self._model()
        out = []
        for start in range(0, len(frames), _BLOCK_FRAMES):
            block = frames[start : start + _BLOCK_FRAMES]
            context = np.empty((len(block), CONTEXT), np.float32)
            context[0] = self._context
            context[1:] = block[:-1, -CONTEXT:]
            probs, self._h, self._c = model.run(
                ["speech_probs", "hn", "cn"],
                {"input": np.concatenate([context, block], axis=1), "h": self._h, "c": self._c},
            )
            self._context = block[-1, -CONTEXT:].copy()
            out.append(np.asarray(probs, np.float32).reshape(-1))
        return np.concatenate(out)

    def _events_for(self, probs: npt.NDArray[np.float32], first_frame: int) -> list[VadEvent]:
        state = self._state
        assert state is not None
        found = []
        for offset, prob in enumerate(probs.tolist()):
            event = state.feed(prob, first_frame + offset)
            if event is not None:
                found.append(event)
        return found

    def step(self, microturn: Microturn) -> Mapping[str, float]:
        audio = np.concatenate([self._pending, microturn.audio.astype(np.float32, copy=False)])
        whole = audio.size // FRAME
        frames = audio[: whole * FRAME].reshape(whole, FRAME)
        self._pending = audio[whole * FRAME :].copy()
        first = self._frames_done
        probs = self._probabilities(frames)
        self._frames_done += whole
        found = self._events_for(probs, first)
        self.events.extend(found)
        if probs.size:
            self._last_prob = float(probs.max())
        assert self._state is not None
        return {
            "vad": self._last_prob,
            "vad_speech": float(self._state.speaking or any(e.kind == "offset" for e in found)),
            "vad_onset": float(any(e.kind == "onset" for e in found)),
            "vad_offset": float(any(e.kind == "offset" for e in found)),
        }

    def frame_probabilities(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Per-frame speech probabilities of a whole recording, from a fresh state."""
        self.reset()
        whole = audio.size // FRAME
        return self._probabilities(np.ascontiguousarray(audio[: whole * FRAME], np.float32).reshape(whole, FRAME))

    def replay(self, microturns: Sequence[Microturn]) -> Mapping[str, npt.NDArray[np.float64]]:
        self.reset()
        n = len(microturns)
        out = {c: np.zeros(n) for c in self.columns}
        if n == 0:
            return out
        audio = np.concatenate([m.audio.astype(np.float32, copy=False) for m in microturns])
        ends = np.cumsum([m.audio.size for m in microturns])
        whole = audio.size // FRAME
        probs = self._probabilities(audio[: whole * FRAME].reshape(whole, FRAME))
        self._pending = audio[whole * FRAME :].copy()
        self._frames_done = whole
        # Frames that finished inside microturn k: (ends[k-1] // FRAME) .. (ends[k] // FRAME).
        last_frame = ends // FRAME
        first_frame = np.concatenate([[0], last_frame[:-1]])
        speaking_at = np.zeros(whole, bool)
        state = self._state
        assert state is not None
        frame_events: list[tuple[int, VadEvent]] = []
        for i, prob in enumerate(probs.tolist()):
            event = state.feed(prob, i)
            speaking_at[i] = state.speaking
            if event is not None:
                frame_events.append((i, event))
                self.events.append(event)
        last_prob = 0.0
        event_iter = iter(frame_events)
        upcoming = next(event_iter, None)
        speaking = False
        for k in range(n):
            a, b = int(first_frame[k]), int(last_frame[k])
            onset = offset = False
            while upcoming is not None and upcoming[0] < b:
                onset |= upcoming[1].kind == "onset"
                offset |= upcoming[1].kind == "offset"
                upcoming = next(event_iter, None)
            if b > a:
                last_prob = float(probs[a:b].max())
                speaking = bool(speaking_at[b - 1])
            out["vad"][k] = last_prob
            out["vad_speech"][k] = float(speaking or offset)
            out["vad_onset"][k] = float(onset)
            out["vad_offset"][k] = float(offset)
        self._last_prob = last_prob
        return out
