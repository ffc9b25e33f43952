"""The agent's voice: utterances of known length, handed out one microturn-sized piece at a time.

Text becomes 16 kHz float32 PCM before playback starts (so its duration is known and can go into
the decision), then `pull()` hands out the next piece each microturn. `stop()` drops everything
not yet handed out, so a yield silences the voice within one piece (one microturn by default,
less with smaller pieces). Backchannel clips ("mm-hm", "yeah", "right") are synthesised once and
kept.

    voice = AgentVoice()                              # espeak-ng through designkit.render.tts
    voice.apply(decision)                             # speak / backchannel / yield / continue
    piece = voice.pull()                              # 3200 samples (200 ms), zeros when quiet
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.core.decisions import Action, Decision
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

logger = logging.getLogger(__name__)

BACKCHANNEL_CLIPS = ("mm-hm", "yeah", "right")
FloatArray = npt.NDArray[np.float32]
Synthesize = Callable[[str], FloatArray]


def espeak_synthesize(speaker: Any = None) -> Synthesize:
    """Text -> samples with `designkit.render.tts` (espeak-ng, or piper for a piper speaker); the
    voice plays samples only, so piper skips finding word times."""
    from designkit.render import tts

    def synthesize(text: str) -> FloatArray:
        return tts.synthesize(text, speaker, words=False).samples

    return synthesize


@dataclass(frozen=True, slots=True)
class Utterance:
    """Text and its rendered audio (16 kHz mono float32); `duration_s` is known before playback."""

    text: str
    audio: FloatArray

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio)
        if audio.ndim != 1 or audio.dtype != np.float32 or not np.isfinite(audio).all():
            raise InputError("utterance audio", expected="1-D finite float32 PCM at 16 kHz",
                             got=f"{audio.dtype} array of shape {audio.shape}")

    @property
    def duration_s(self) -> float:
        return self.audio.size / SAMPLE_RATE


@dataclass(slots=True)
class AgentVoice:
    """Plays utterances piece by piece; `stop()` cuts the rest at once.

    `synthesize` turns text into 16 kHz float32 PCM (default: `designkit.render.tts.synthesize`
    with `speaker`, a `tts.Voice`, or espeak-ng's default voice).
    `piece_s` is the length of each piece `pull()` returns (the microturn, 0.2 s, by default).
    """

    synthesize: Synthesize | None = None
    speaker: Any = None
    piece_s: float = 0.2
    clips: tuple[str, ...] = BACKCHANNEL_CLIPS
    sent_samples: int = 0
    _queue: FloatArray = field(default_factory=lambda: np.zeros(0, np.float32))
    _cache: dict[str, Utterance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        samples = self.piece_s * SAMPLE_RATE
        if samples < 1 or abs(samples - round(samples)) > 1e-6:
            raise InputError("voice piece_s", expected="a whole number of samples at 16 kHz, > 0",
                             got=self.piece_s)

    @property
    def piece_samples(self) -> int:
        return round(self.piece_s * SAMPLE_RATE)

    def _synth(self) -> Synthesize:
        if self.synthesize is None:
            self.synthesize = espeak_synthesize(self.speaker)
        return self.synthesize

    def prepare(self, text: str) -> Utterance:
        """Render `text` now; the result says how long it will play."""
        if not text.strip():
            raise InputError("utterance text", expected="some words", got=repr(text))
        if text in self.clips:
            return self.clip(text)
        return Utterance(text, np.asarray(self._synth()(text), np.float32))

    def clip(self, word: str) -> Utterance:
        """A backchannel clip, rendered on first use and cached."""
        if word not in self._cache:
            self._cache[word] = Utterance(word, np.asarray(self._synth()(word), np.float32))
        return self._cache[word]

    def warm(self) -> None:
        """Render all backchannel clips now, so the first "mm-hm" costs nothing."""
        for word in self.clips:
            self.clip(word)

    @property
    def speaking(self) -> bool:
        return self._queue.size > 0

    @property
    def remaining_s(self) -> float:
        return self._queue.size / SAMPLE_RATE

    def say(self, utterance: Utterance | str) -> Utterance:
        """Start an utterance now, replacing whatever was still to be played."""
        spoken = self.prepare(utterance) if isinstance(utterance, str) else utterance
        self._queue = spoken.audio
        return spoken

    def stop(self) -> int:
        """Drop everything not yet handed out; returns how many samples were dropped."""
        dropped = int(self._queue.size)
        self._queue = np.zeros(0, np.float32)
        return dropped

    def pull(self) -> FloatArray:
        """The next piece (always `piece_samples` long; zero-padded at the end of speech)."""
        n = self.piece_samples
        piece = np.zeros(n, np.float32)
        take = min(n, self._queue.size)
        if take:
            piece[:take] = self._queue[:take]
            self._queue = self._queue[take:]
            self.sent_samples += take
        return piece

    def apply(self, decision: Decision, *, default_text: str = "okay") -> Utterance | None:
        """Act on a decision: voiced actions start speaking, a yield or silence stops the voice.

        A backchannel uses its cached clip; a decision without content says `default_text`.
        """
        action = decision.action
        if action is Action.CONTINUE:
            return None
        if action.is_voiced:
            text = decision.content or (self.clips[0] if action is Action.BACKCHANNEL else default_text)
            utterance = self.clip(text) if action is Action.BACKCHANNEL else self.prepare(text)
            return self.say(utterance)
        if self.speaking:
            self.stop()
        return None
