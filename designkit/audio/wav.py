"""The one WAV reader and writer: 16 kHz mono float32 in, 16-bit PCM or 32-bit float out.

`read_wav` reads designkit's own files fast (16 kHz mono 32-bit float is memory-mapped, copy on
write; 16 kHz mono 16-bit PCM is read in one step) and hands every other recording (WAV of any
width, float or extensible, FLAC, OGG, MP3, M4A, WebM, video) to `designkit.audio.recordings`,
which converts rate and channels and logs each conversion.
"""

from __future__ import annotations

import logging
import os
import struct
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from designkit.audio.recordings import read_recording
from designkit.audio.resample import resample
from designkit.core.streams import SAMPLE_RATE
from designkit.errors import InputError

log = logging.getLogger(__name__)

__all__ = ["SAMPLE_RATE", "read_wav", "resample", "to_pcm16", "write_wav"]

_FLOAT_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")  # RIFF, WAVE, fmt (16 bytes), data


def to_pcm16(samples: npt.NDArray[np.floating]) -> bytes:
    """Float samples in [-1, 1] as little-endian 16-bit PCM bytes (what WAV files and the browser hold).

    The exact inverse of reading (k / 32768): audio that came in as 16-bit PCM (a live session's
    microphone) is written back bit for bit, so a replay of its recording hears what live heard."""
    scaled = np.round(np.asarray(samples, dtype=np.float64) * 32768.0)
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def write_wav(path: str | os.PathLike[str], samples: npt.NDArray[np.floating], rate: int = SAMPLE_RATE, *,
              float32: bool = False) -> Path:
    """Write mono float samples in [-1, 1] as 16-bit PCM, or with `float32=True` as 32-bit float
    (twice the size, read back bit for bit and memory-mapped; the scenario cache uses it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if float32:
        data = np.ascontiguousarray(samples, dtype="<f4").tobytes()
        header = _FLOAT_HEADER.pack(b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 3, 1, rate,
                                    rate * 4, 4, 32, b"data", len(data))
        with path.open("wb") as handle:
            handle.write(header)
            handle.write(data)
        return path
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(to_pcm16(samples))
    return path


def _own_float(path: Path) -> npt.NDArray[np.float32] | None:
    """designkit's own 16 kHz mono float32 WAV, memory-mapped; None for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_FLOAT_HEADER.size)
    except OSError:
        return None
    if len(head) != _FLOAT_HEADER.size:
        return None
    riff, _, kind, fmt, _, code, channels, rate, _, _, bits, data, size = _FLOAT_HEADER.unpack(head)
    if (riff, kind, fmt, data, code, channels, rate, bits) != (b"RIFF", b"WAVE", b"fmt ", b"data", 3, 1, SAMPLE_RATE, 32):
        return None
    return np.memmap(path, dtype="<f4", mode="c", offset=_FLOAT_HEADER.size, shape=(size // 4,))


def read_wav(path: str | os.PathLike[str], *, convert: bool = True) -> npt.NDArray[np.float32]:
    """A recording as 16 kHz mono float32. designkit's own files are read fast (16 kHz mono
    float32 memory-mapped, 16 kHz mono 16-bit in one step); anything else, WAV of any width or
    any other format, goes through `read_recording`, which converts (and logs) rate and channels
    unless `convert=False`, which refuses them."""
    path = Path(path)
    own = _own_float(path)
    if own is not None:
        return own
    fast = _own_pcm16(path)
    if fast is not None:
        return fast
    recording = read_recording(path)
    if (recording.source_channels != 1 or recording.source_rate != SAMPLE_RATE) and not convert:
        raise InputError(f"recording {path}", expected="16 kHz mono",
                         got=f"{recording.source_rate} Hz, {recording.source_channels} channels")
    return recording.samples


def _own_pcm16(path: Path) -> npt.NDArray[np.float32] | None:
    """A 16 kHz mono 16-bit PCM WAV (what write_wav writes) in one step; None for anything else."""
    try:
        with wave.open(str(path), "rb") as handle:
            if (handle.getnchannels(), handle.getsampwidth(), handle.getframerate()) != (1, 2, SAMPLE_RATE):
                return None
            raw = handle.readframes(handle.getnframes())
    except (OSError, EOFError, wave.Error):
        return None
    samples: npt.NDArray[np.float32] = np.multiply(np.frombuffer(raw, dtype="<i2"), np.float32(1 / 32768),
                                                   dtype=np.float32)
    return samples
