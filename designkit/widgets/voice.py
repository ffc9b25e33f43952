"""The agent's voice in a live session: a `Voice` whose synthesis is cached per text.

Synthesis runs inside the microturn that decided to speak, so each text is rendered once and
kept (a live session says the same few lines again and again).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from designkit.audio_io import resample
from designkit.errors import InputError, MissingExtraError

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float32]
_CACHE = 64


def espeak(text: str) -> FloatArray:
    """Text to 16 kHz mono float32 with the espeak-ng command (Debian package `espeak-ng`)."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise InputError("text to speech", expected="the espeak-ng command", got="not found",
                         fix="apt-get install espeak-ng")
    wav = subprocess.run([exe, "--stdout", text], capture_output=True, check=True, timeout=10).stdout
    # RIFF header: sample rate at byte 24; find the "data" chunk rather than assuming 44 bytes.
    rate = int.from_bytes(wav[24:28], "little")
    start = wav.find(b"data") + 8
    pcm = np.frombuffer(wav[start : start + (len(wav) - start) // 2 * 2], dtype="<i2")
    return resample(pcm.astype(np.float32) / 32768.0, rate)


def default_synthesize() -> Callable[[str], FloatArray]:
    """designkit.render.tts when it is installed, else espeak-ng directly."""
    try:
        from designkit.render.tts import synthesize  # type: ignore[import-not-found,unused-ignore]
    except (ImportError, MissingExtraError):
        return espeak
    return synthesize  # type: ignore[no-any-return]


class CachedSynthesis:
    """Wraps a synthesize function with a small per-text cache."""

    def __init__(self, synthesize: Callable[[str], FloatArray] | None = None) -> None:
        self._synthesize = synthesize or default_synthesize()
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()

    def __call__(self, text: str) -> FloatArray:
        audio = self._cache.get(text)
        if audio is None:
            audio = np.asarray(self._synthesize(text), dtype=np.float32)
            self._cache[text] = audio
            if len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(text)
        return audio


def to_pcm16(samples: FloatArray) -> bytes:
    """float32 in [-1, 1] to little-endian int16 bytes, as the browser plays them."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
